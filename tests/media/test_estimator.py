"""The MediaPipe adapter with the real bundled models."""

from __future__ import annotations

import subprocess
import sys

import cv2
import numpy as np
import pytest

from formcheck.core.pose import Landmark
from formcheck.media.estimator import ModelError, PoseEstimator, resolve_model
from formcheck.media.follow import FORGET_S
from formcheck.media.video import VideoReader


def first_frames(path, n):
    with VideoReader(path) as r:
        out = []
        for f in r:
            out.append(f)
            if len(out) >= n:
                break
    return out


@pytest.mark.parametrize("model", ["lite", "full"])
def test_bundled_models_find_the_person_in_a_sample(sample_squat, model):
    frames = first_frames(sample_squat, 10)
    with PoseEstimator(model) as est:
        poses = [est.detect(f.image, f.t_ms) for f in frames]
    assert all(p is not None for p in poses)
    p = poses[-1]
    assert p.t_ms == frames[-1].t_ms
    assert p.image_size == (frames[-1].image.shape[1], frames[-1].image.shape[0])
    # standing person: head above shoulders above hips above ankles (image y grows downwards)
    y = p.xy[:, 1]
    assert y[Landmark.NOSE] < y[Landmark.LEFT_SHOULDER] < y[Landmark.LEFT_HIP] < y[Landmark.LEFT_ANKLE]
    assert p.world.shape == (33, 3) and np.isfinite(p.world).all()


@pytest.mark.parametrize("num_poses", [1, 2])
def test_nobody_gives_none(num_poses):
    blank = np.full((480, 640, 3), 128, np.uint8)
    with PoseEstimator("lite", num_poses=num_poses) as est:
        assert est.detect(blank, 0.0) is None
        assert est.detect(blank, 33.3) is None


def test_two_people_follows_the_central_one_then_the_same(sample_squat):
    """Side-by-side composite: a small copy on the left, the full-size person in the middle."""
    frames = first_frames(sample_squat, 6)
    seen_x = []
    with PoseEstimator("lite") as est:
        for f in frames:
            h, w = f.image.shape[:2]
            canvas = np.full((h, w * 2, 3), 200, np.uint8)
            canvas[:, w // 2: w // 2 + w] = f.image  # main person, centred
            small = f.image[::2, ::2]
            canvas[h - small.shape[0]:, :small.shape[1]] = small  # a second, smaller person at the left
            p = est.detect(canvas, f.t_ms)
            assert p is not None
            seen_x.append(float(np.nanmean(p.xy[[Landmark.LEFT_HIP, Landmark.RIGHT_HIP], 0])))
    # the followed person stays the central one (x around the middle of the wide canvas)
    assert all(0.3 < x < 0.7 for x in seen_x), seen_x


def _two_people(frame, main_shown: bool = True) -> np.ndarray:
    """The person centred on a wide canvas, a two-thirds-size copy (a bystander further back) at
    the bottom left. (A half-size copy is too small for the person detector to find at all.)"""
    h, w = frame.shape[:2]
    canvas = np.full((h, w * 2, 3), 200, np.uint8)
    if main_shown:
        canvas[:, w // 2: w // 2 + w] = frame
    small = cv2.resize(frame, None, fx=0.67, fy=0.67)
    canvas[h - small.shape[0]:, :small.shape[1]] = small
    return canvas


def _hip_x(p) -> float:
    return float(np.nanmean(p.xy[[Landmark.LEFT_HIP, Landmark.RIGHT_HIP], 0]))


def test_a_hidden_person_is_not_swapped_for_a_bystander(sample_squat):
    """The followed person disappears (hidden by furniture, plates, leaving the frame) while
    someone else stays in view: no pose until they are back, never the other person's."""
    frames = first_frames(sample_squat, 10)
    with PoseEstimator("lite") as est:
        got = []
        for i, f in enumerate(frames):
            p = est.detect(_two_people(f.image, main_shown=not 3 <= i < 7), f.t_ms)
            got.append(None if p is None else _hip_x(p))
    assert all(x is not None and 0.3 < x < 0.7 for x in got[:3]), got
    assert got[3:7] == [None] * 4, got
    assert all(x is not None and 0.3 < x < 0.7 for x in got[7:]), got


def test_after_a_long_absence_whoever_is_in_view_is_followed(sample_squat):
    frames = first_frames(sample_squat, 3)
    with PoseEstimator("lite") as est:
        assert 0.3 < _hip_x(est.detect(_two_people(frames[0].image), 0.0)) < 0.7
        assert est.detect(_two_people(frames[1].image, main_shown=False), 100.0) is None
        later = est.detect(_two_people(frames[2].image, main_shown=False), 100.0 + (FORGET_S + 0.5) * 1000)
    assert later is not None and _hip_x(later) < 0.3  # the only person in view, chosen afresh


def test_timestamps_must_increase_are_made_monotonic(sample_squat):
    frames = first_frames(sample_squat, 3)
    with PoseEstimator("lite") as est:
        est.detect(frames[0].image, 100.0)
        assert est.detect(frames[1].image, 100.0) is not None  # same ms: nudged, not an error


def test_missing_model_is_a_clear_error(tmp_path):
    with pytest.raises(ModelError, match="pose model not found"):
        resolve_model(str(tmp_path / "nope.task"))
    with pytest.raises(ModelError, match="pose model is a folder, not a model file"):
        resolve_model(str(tmp_path))


def test_broken_model_file_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.task"
    bad.write_bytes(b"not a model")
    with pytest.raises(ModelError, match="cannot load pose model"):
        PoseEstimator(str(bad))


def test_native_logs_are_silenced_and_exit_is_clean(sample_squat):
    code = (
        "from formcheck.media.estimator import PoseEstimator\n"
        "from formcheck.media.video import VideoReader\n"
        "import numpy as np\n"
        f"r = VideoReader({str(sample_squat)!r})\n"
        "frames = [f for _, f in zip(range(8), r)]\n"
        "blank = np.full_like(frames[0].image, 128)\n"
        "with PoseEstimator('lite') as e:\n"
        "    # nobody, then the person, gone again, back: each landmarker finds and follows late\n"
        "    for i, f in enumerate(frames):\n"
        "        p = e.detect(blank if i in (0, 4, 5) else f.image, f.t_ms)\n"
        "        print(int(p is not None), end='')\n"
        "r.close()\n"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0
    assert res.stdout.strip() == "01110011"
    assert res.stderr.strip() == "", res.stderr


def test_mediapipes_drawing_helpers_and_matplotlib_load_only_if_used():
    """About 0.6 s of every start went to MediaPipe's drawing helpers importing matplotlib;
    they are deferred, and still work when something uses them."""
    code = (
        "import sys\n"
        "from formcheck.media.estimator import PoseEstimator\n"
        "with PoseEstimator('lite') as e:\n"
        "    pass\n"
        "print('matplotlib loaded', 'matplotlib' in sys.modules)\n"
        "from mediapipe.tasks.python import vision\n"
        "print('spec', vision.drawing_utils.DrawingSpec().thickness)\n"
        "print('matplotlib loaded', 'matplotlib' in sys.modules)\n"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert res.stdout.split("\n")[:3] == ["matplotlib loaded False", "spec 2", "matplotlib loaded True"]


def test_the_direct_native_call_gives_mediapipes_own_results(sample_squat, monkeypatch):
    """Detection called from the estimator's thread (not through MediaPipe's dispatcher thread,
    estimator._direct_detect) finds the same landmarks, bit for bit; and it is in use with the
    MediaPipe installed (a MediaPipe that no longer fits falls back, which this then shows)."""
    import formcheck.media.estimator as estimator

    frames = first_frames(sample_squat, 20)
    with PoseEstimator("lite") as est:
        assert all(f is not None for f in est._direct.values()) and len(est._direct) == 2
        direct = [est.detect(f.image, f.t_ms) for f in frames]
    monkeypatch.setattr(estimator, "_direct_detect", lambda landmarker: None)
    with PoseEstimator("lite") as est:
        assert not any(est._direct.values())
        public = [est.detect(f.image, f.t_ms) for f in frames]
    assert all(p is not None for p in direct)
    for a, b in zip(direct, public):
        assert np.array_equal(a.xy, b.xy) and np.array_equal(a.visibility, b.visibility)
        assert np.array_equal(a.world, b.world)
