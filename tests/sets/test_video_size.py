"""The annotated video's size (issue 21): at most 720 lines on its short side by default
(``--video-size``), the frames scaled before the overlay is drawn; analysis at the decoded size."""

from __future__ import annotations

import json
from pathlib import Path

import av
import numpy as np
import pytest

from formcheck.cli.main import main
from formcheck.media.video import VideoReader
from formcheck.media.video_writer import VIDEO_SHORT_SIDE, VideoWriter, fit
from formcheck.sets.end_card import end_card_frames
from formcheck.sets.replay import ReplayOptions, replay, video_size
from formcheck.spec.exercise import load_exercise


@pytest.mark.parametrize("size, short, expected", [
    ((1920, 1080), 720, (1280, 720)),
    ((1080, 1920), 720, (720, 1280)),  # portrait
    ((1280, 720), 720, (1280, 720)),
    ((640, 480), 720, (640, 480)),  # never enlarged
    ((1920, 1080), None, (1920, 1080)),  # as analysed
    ((1110, 1058), 720, (756, 720)),  # even sides, the shape kept
])
def test_video_size(size, short, expected):
    assert video_size(size, short) == expected


def test_fit_scales_only_when_it_must():
    image = np.zeros((1080, 1920, 3), np.uint8)
    assert fit(image, (1920, 1080)) is image  # drawn in place, no copy
    image[:, 960:] = 200
    small = fit(image, (1280, 720))
    assert small.shape == (720, 1280, 3)
    assert small[:, :630].max() == 0 and small[:, 650:].min() == 200  # the picture, not a crop
    assert fit(np.zeros((2160, 3840, 3), np.uint8), (1280, 720)).shape == (720, 1280, 3)


def _clip(sample: Path, dst: Path, size: tuple[int, int], frames: int) -> None:
    """``sample``'s first frames fitted into ``size`` (pillarboxed)."""
    import cv2

    w, h = size
    with VideoReader(sample) as r, VideoWriter(dst, size, r.fps) as out:
        for f in r:
            if f.index >= frames:
                break
            sh, sw = f.image.shape[:2]
            s = min(w / sw, h / sh)
            up = cv2.resize(f.image, (round(sw * s), round(sh * s)))
            canvas = np.zeros((h, w, 3), np.uint8)
            y0, x0 = (h - up.shape[0]) // 2, (w - up.shape[1]) // 2
            canvas[y0:y0 + up.shape[0], x0:x0 + up.shape[1]] = up
            out.write(canvas, f.t_ms)


def _video(path: Path) -> tuple[tuple[int, int], list[float]]:
    with av.open(str(path)) as c:
        s = c.streams.video[0]
        times = [float(f.time) for f in c.decode(s)]
        return (s.width, s.height), times


@pytest.mark.slow
@pytest.mark.parametrize("workers", [True, False])
def test_a_1080p_replay_writes_a_720p_video_of_every_frame(sample_squat, tmp_path, workers):
    """The real pose model on a 1080p clip: analysed at 1280x720 (decoded scaled down,
    media/video.py), annotated.mp4 at 1280x720 with every frame at its own time and the end
    card; a smaller --video-size scales the video only, and counts the same. In worker processes
    (the encoder scales) and on threads (AnnotatedVideoSink)."""
    clip = tmp_path / "clip1080.mp4"
    _clip(sample_squat, clip, (1920, 1080), 45)
    spec = load_exercise("squat")
    small = replay(clip, spec, tmp_path / "a", ReplayOptions(workers=workers)).report
    size, times = _video(tmp_path / "a" / "annotated.mp4")
    assert size == (1280, 720)
    assert len(times) == 45 + end_card_frames(30.0)
    with VideoReader(clip) as r:
        source_times = [f.t_ms / 1000.0 for f in r]
    assert times[:45] == pytest.approx(source_times, abs=0.002)
    report = json.loads((tmp_path / "a" / "report.json").read_text())
    assert report["size"] == [1280, 720]
    smaller = replay(clip, spec, tmp_path / "b", ReplayOptions(workers=workers, video_size=360)).report
    assert _video(tmp_path / "b" / "annotated.mp4")[0] == (640, 360)
    assert smaller.reps == small.reps and smaller.frames_with_pose == small.frames_with_pose


def test_video_size_on_the_command_line(capsys, tmp_path):
    assert VIDEO_SHORT_SIDE == 720
    with pytest.raises(SystemExit) as e:
        main(["replay", str(tmp_path / "x.mp4"), "-e", "squat", "--video-size", "100"])
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert "--video-size" in err and len(err.strip().splitlines()) == 1
