"""Tests for formcheck.media.video: clips are generated into tmp_path with PyAV itself."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable, Sequence
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from factories import write_restarting_clock
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from formcheck.media.video import Frame, VideoError, VideoReader, scaled_size
from formcheck.media.video_writer import VideoWriter

RED = (255, 0, 0)
BLUE = (0, 0, 255)
# iPhone portrait display matrix (16.16 / 2.30 fixed point): ffprobe says "rotation of -90",
# i.e. the stored landscape pixels must be turned 90 degrees clockwise to be upright.
IPHONE_PORTRAIT_MATRIX = [0, 65536, 0, -65536, 0, 0, 0, 0, 1 << 30]


# ---------------------------------------------------------------- helpers


def pattern(w: int, h: int, i: int = 0) -> np.ndarray:
    """Asymmetric test card: red block top-left, blue block bottom-right, a moving grey bar."""
    img = np.full((h, w, 3), 40, np.uint8)
    bw, bh = max(4, w // 4), max(4, h // 4)
    img[:bh, :bw] = RED
    img[h - bh :, w - bw :] = BLUE
    x = (i * 7) % max(1, w - 4)
    img[:, x : x + 4] = 200
    return img


def write_pyav(
    path: Path,
    images: Sequence[np.ndarray],
    *,
    codec: str = "libx264",
    fps: int = 30,
    container_format: str | None = None,
    setup: Callable[[av.video.stream.VideoStream], None] | None = None,
) -> None:
    """Write a clip with plain PyAV (independent of VideoWriter)."""
    h, w = images[0].shape[:2]
    with av.open(str(path), "w", format=container_format) as c:
        s = c.add_stream(codec, rate=fps)
        assert isinstance(s, av.video.stream.VideoStream)
        s.width, s.height, s.pix_fmt = w, h, "yuv420p"
        if setup is not None:
            setup(s)
        for img in images:
            for p in s.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                c.mux(p)
        for p in s.encode():
            c.mux(p)


def centroid(img: np.ndarray, color: tuple[int, int, int]) -> tuple[float, float]:
    """(row, col) centre of the pixels close to ``color``, as fractions of the image size."""
    diff = np.abs(img.astype(int) - np.array(color)).max(axis=2)
    rows, cols = np.nonzero(diff < 60)
    assert rows.size > 0, f"no {color} pixels found"
    return rows.mean() / img.shape[0], cols.mean() / img.shape[1]


def read_all(path: Path) -> tuple[VideoReader, list[Frame]]:
    with VideoReader(path) as r:
        frames = list(r)
    return r, frames


def assert_one_line(e: BaseException, *needles: str) -> None:
    msg = str(e)
    assert "\n" not in msg and msg.strip() == msg and msg
    for n in needles:
        assert n in msg, (n, msg)


# ---------------------------------------------------------------- round trip


def test_round_trip_count_size_times_and_pixels(tmp_path: Path) -> None:
    out = tmp_path / "rt.mp4"
    n, fps, (w, h) = 24, 25.0, (160, 96)
    with VideoWriter(out, (w, h), fps) as vw:
        for i in range(n):
            vw.write(pattern(w, h, i))
    assert out.exists() and not (tmp_path / ".rt.mp4.partial").exists()

    r, frames = read_all(out)
    assert r.size == (w, h) and r.rotation == 0
    assert r.fps == pytest.approx(fps, rel=0.01)
    assert r.n_frames == n
    assert not r.truncated and r.error is None
    assert [f.index for f in frames] == list(range(n))
    assert [f.t_ms for f in frames] == pytest.approx([i * 1000 / fps for i in range(n)], abs=1.0)
    for i, f in enumerate(frames):
        assert f.image.shape == (h, w, 3) and f.image.dtype == np.uint8
        assert f.image.flags.c_contiguous
        # lossy, but close to what was written (a wrong frame order or colour swap fails)
        assert np.abs(f.image.astype(int) - pattern(w, h, i)).mean() < 6


def test_output_is_browser_friendly_h264_with_faststart(tmp_path: Path) -> None:
    out = tmp_path / "web.mp4"
    with VideoWriter(out, (64, 48), 30) as vw:
        for i in range(5):
            vw.write(pattern(64, 48, i))
    with av.open(str(out)) as c:
        s = c.streams.video[0]
        assert s.codec_context.name == "h264"
        assert s.codec_context.pix_fmt == "yuv420p"
    head = out.read_bytes()
    assert 0 < head.find(b"moov") < head.find(b"mdat"), "moov must precede mdat (+faststart)"


def test_reader_can_iterate_twice(tmp_path: Path) -> None:
    out = tmp_path / "twice.mp4"
    with VideoWriter(out, (64, 48), 30) as vw:
        for i in range(6):
            vw.write(pattern(64, 48, i))
    with VideoReader(out) as r:
        first = [f.t_ms for f in r]
        second = [f.t_ms for f in r]
    assert first == second and len(first) == 6


# ---------------------------------------------------------------- variable frame rate


def test_variable_frame_rate_times_come_from_pts(tmp_path: Path) -> None:
    times = [0.0, 33.4, 41.0, 120.5, 121.7, 500.0, 533.3, 1999.9, 2000.6]
    out = tmp_path / "vfr.mp4"
    with VideoWriter(out, (64, 48), 30) as vw:
        for i, t in enumerate(times):
            vw.write(pattern(64, 48, i), t_ms=t)
    _, frames = read_all(out)
    assert [f.t_ms for f in frames] == pytest.approx(times, abs=1.0)


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    start=st.floats(0, 5000),
    gaps=st.lists(st.floats(2.0, 400.0), min_size=1, max_size=12),
)
def test_variable_frame_rate_property(tmp_path: Path, start: float, gaps: list[float]) -> None:
    times = [start]
    for g in gaps:
        times.append(times[-1] + g)
    out = tmp_path / "vfr_prop.mp4"
    with VideoWriter(out, (32, 32), 30) as vw:
        for i, t in enumerate(times):
            vw.write(pattern(32, 32, i), t_ms=t)
    _, frames = read_all(out)
    # first frame is 0.0, the rest keep their spacing
    assert [f.t_ms for f in frames] == pytest.approx([t - start for t in times], abs=1.0)


def test_missing_pts_fall_back_to_frame_period(tmp_path: Path) -> None:
    raw = tmp_path / "raw.h264"  # raw H.264 elementary stream: the demuxer gives no pts
    write_pyav(raw, [pattern(64, 48, i) for i in range(8)], fps=25, container_format="h264")
    with av.open(str(raw)) as c:
        assert all(f.pts is None for f in c.decode(video=0)), "premise: no pts in raw h264"
    r, frames = read_all(raw)
    assert [f.t_ms for f in frames] == pytest.approx([i * 1000 / r.fps for i in range(8)])
    assert r.fps == pytest.approx(25)


# ---------------------------------------------------------------- rotation


def _rotated_clip(
    tmp_path: Path,
    name: str,
    setup: Callable[[av.video.stream.VideoStream], None],
    stored_from_upright: Callable[[np.ndarray], np.ndarray],
) -> Path:
    upright = pattern(48, 80)  # portrait scene: red top-left, blue bottom-right
    stored = np.ascontiguousarray(stored_from_upright(upright))
    path = tmp_path / name
    write_pyav(path, [stored] * 3, setup=setup)
    return path


@pytest.mark.parametrize(
    ("name", "setup", "stored_from_upright", "rotation"),
    [
        # Phone held upright: sensor stores the scene turned 90 deg counter-clockwise and
        # tags it with the matrix that turns it back clockwise (raw bytes, not PyAV's helper).
        (
            "iphone.mp4",
            lambda s: s.set_display_matrix(IPHONE_PORTRAIT_MATRIX),
            lambda a: np.rot90(a, 1),
            90,
        ),
        # PyAV's helper: degrees counter-clockwise, so stored pixels are turned clockwise.
        ("ccw90.mov", lambda s: s.set_display_rotation(90), lambda a: np.rot90(a, -1), 270),
        ("upside_down.mp4", lambda s: s.set_display_rotation(180), lambda a: np.rot90(a, 2), 180),
        ("plain.mp4", lambda s: None, lambda a: a, 0),
    ],
)
def test_rotation_metadata_gives_upright_frames(
    tmp_path: Path,
    name: str,
    setup: Callable[[av.video.stream.VideoStream], None],
    stored_from_upright: Callable[[np.ndarray], np.ndarray],
    rotation: int,
) -> None:
    path = _rotated_clip(tmp_path, name, setup, stored_from_upright)
    r, frames = read_all(path)
    assert r.rotation == rotation
    assert r.size == (48, 80), "size is reported after rotation (portrait)"
    assert len(frames) == 3
    img = frames[0].image
    assert img.shape == (80, 48, 3)
    ry, rx = centroid(img, RED)
    by, bx = centroid(img, BLUE)
    assert ry < 0.2 and rx < 0.3, f"red block should be top-left, is at {(ry, rx)}"
    assert by > 0.8 and bx > 0.7, f"blue block should be bottom-right, is at {(by, bx)}"


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg CLI not installed")
def test_rotation_agrees_with_ffmpeg_autorotate(tmp_path: Path) -> None:
    """The reference: ffmpeg's own autorotation of the same file."""
    path = _rotated_clip(
        tmp_path,
        "iphone.mp4",
        lambda s: s.set_display_matrix(IPHONE_PORTRAIT_MATRIX),
        lambda a: np.rot90(a, 1),
    )
    png = tmp_path / "ffmpeg.png"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-i", str(path), "-frames:v", "1", str(png)], check=True
    )
    with av.open(str(png)) as c:
        ref = next(c.decode(video=0)).to_ndarray(format="rgb24")
    _, frames = read_all(path)
    assert frames[0].image.shape == ref.shape
    assert np.abs(frames[0].image.astype(int) - ref.astype(int)).mean() < 3


# ---------------------------------------------------------------- odd sizes


def test_odd_size_is_padded_to_even(tmp_path: Path) -> None:
    w, h = 321, 241
    out = tmp_path / "odd.mp4"
    img = pattern(w, h)
    img[:, -1] = (0, 200, 0)  # last column green: padding repeats it
    img[-1, :] = (200, 200, 0)
    with VideoWriter(out, (w, h), 24) as vw:
        for _ in range(4):
            vw.write(img)
    r, frames = read_all(out)
    assert r.size == (w + 1, h + 1)
    assert len(frames) == 4
    got = frames[0].image.astype(int)
    assert np.abs(got[:h, :w] - img).mean() < 6, "original pixels stay where they were"
    assert np.abs(got[: h - 8, w] - (0, 200, 0)).mean() < 30, "padded column repeats the edge"


def test_a_stream_that_changes_size_keeps_the_first_size(tmp_path: Path) -> None:
    """Two MPEG-TS recordings joined (as a camera app may on a resolution switch): the second,
    smaller part comes out scaled to the first part's size, so every consumer sees one size."""
    parts = []
    for i, (w, h, val) in enumerate([(320, 240, 60), (160, 120, 200)]):
        part = tmp_path / f"part{i}.ts"
        with av.open(str(part), "w", format="mpegts") as c:
            s = c.add_stream("libx264", rate=30)
            s.width, s.height, s.pix_fmt = w, h, "yuv420p"
            for j in range(10):
                f = av.VideoFrame.from_ndarray(np.full((h, w, 3), val, np.uint8), format="rgb24")
                f.pts = 10 * i + j
                c.mux(s.encode(f))
            c.mux(s.encode())
        parts.append(part.read_bytes())
    joined = tmp_path / "joined.ts"
    joined.write_bytes(b"".join(parts))
    r, frames = read_all(joined)
    assert r.size == (320, 240)
    assert len(frames) >= 15  # both parts
    assert {f.image.shape for f in frames} == {(240, 320, 3)}
    assert abs(int(frames[-1].image.mean()) - 200) < 10  # the second part, scaled up




def test_joined_clips_whose_clock_starts_again_are_timed_on_not_dropped(tmp_path: Path) -> None:
    """Joined clips whose clock starts again: the second part used to be dropped whole (its
    times were "before" the last frame). It is timed on from the first, and the reader says so
    for the report."""
    r, frames = read_all(write_restarting_clock(tmp_path))
    assert len(frames) >= 55  # both parts
    t = np.array([f.t_ms for f in frames])
    assert np.all(np.diff(t) > 0) and t[-1] == pytest.approx(59 * 1000 / 30, abs=40)
    assert abs(int(frames[-1].image.mean()) - 200) < 10
    assert [n for n in r.notes if "timestamps jump back at 1.0 s" in n] == r.notes and len(r.notes) == 1
    assert len(list(r)) == len(frames) and len(r.notes) == 1  # a second pass notes it once, not twice


# ---------------------------------------------------------------- damaged input


@pytest.mark.parametrize("fmt", ["mp4", "mkv", "avi"])
def test_truncated_file_yields_some_frames_without_raising(tmp_path: Path, fmt: str) -> None:
    rng = np.random.default_rng(1)
    images = [pattern(96, 64, i) for i in range(60)]
    for img in images:  # noise keeps packets large, so half the bytes is half the frames
        img[::3, ::3] = rng.integers(0, 256, img[::3, ::3].shape)
    full = tmp_path / f"full.{fmt}"
    if fmt == "mp4":
        with VideoWriter(full, (96, 64), 30) as vw:  # +faststart: moov survives the cut
            for img in images:
                vw.write(img)
    else:
        write_pyav(full, images, codec="mpeg4" if fmt == "avi" else "libx264")
    data = full.read_bytes()
    cut = tmp_path / f"cut.{fmt}"
    cut.write_bytes(data[: len(data) * 6 // 10])

    r, frames = read_all(cut)
    assert 0 < len(frames) < len(images)
    assert np.all(np.diff([f.t_ms for f in frames]) > 0)
    assert r.truncated or len(frames) < len(images)
    if fmt in ("mp4", "avi"):  # their index says how many frames there should be
        assert r.truncated
    if r.truncated:
        assert r.error and "\n" not in r.error


def test_cut_mov_without_faststart_raises_video_error_or_yields_less(tmp_path: Path) -> None:
    full = tmp_path / "full.mov"
    write_pyav(full, [pattern(64, 48, i) for i in range(30)])
    cut = tmp_path / "cut.mov"
    cut.write_bytes(full.read_bytes()[: full.stat().st_size // 2])
    try:
        _, frames = read_all(cut)
    except VideoError as e:  # moov atom at the end was cut away: the message says it may be cut
        assert_one_line(e, str(cut), "cut off before its index was written")
    else:
        assert len(frames) < 30


def test_garbage_file_raises_one_line_video_error(tmp_path: Path) -> None:
    bad = tmp_path / "holiday.mp4"
    bad.write_bytes(np.random.default_rng(0).integers(0, 256, 20_000, dtype=np.uint8).tobytes())
    with pytest.raises(VideoError) as ei:
        VideoReader(bad)
    assert_one_line(ei.value, str(bad), "not a video")


def test_empty_file_raises_video_error(tmp_path: Path) -> None:
    empty = tmp_path / "empty.mov"
    empty.touch()
    with pytest.raises(VideoError) as ei:
        VideoReader(empty)
    assert_one_line(ei.value, str(empty))


def test_missing_file_and_folder_raise_video_error(tmp_path: Path) -> None:
    with pytest.raises(VideoError) as ei:
        VideoReader(tmp_path / "nope.mp4")
    assert_one_line(ei.value, "nope.mp4", "not found")
    with pytest.raises(VideoError) as ei:
        VideoReader(tmp_path)
    assert_one_line(ei.value, str(tmp_path), "folder")


def test_audio_only_file_raises_no_video_stream(tmp_path: Path) -> None:
    path = tmp_path / "voice.mp4"
    with av.open(str(path), "w") as c:
        s = c.add_stream("aac", rate=16000)
        frame = av.AudioFrame.from_ndarray(
            np.zeros((1, 1024), np.float32), format="fltp", layout="mono"
        )
        frame.sample_rate = 16000
        for i in range(4):
            frame.pts = i * 1024
            for p in s.encode(frame):
                c.mux(p)
        for p in s.encode():
            c.mux(p)
    with pytest.raises(VideoError) as ei:
        VideoReader(path)
    assert_one_line(ei.value, "no video stream")


# ---------------------------------------------------------------- writer failures


def test_writer_into_missing_folder_raises(tmp_path: Path) -> None:
    with pytest.raises(VideoError) as ei:
        VideoWriter(tmp_path / "no" / "such" / "out.mp4", (64, 48), 30)
    assert_one_line(ei.value, "out.mp4")


def test_writer_where_folder_is_a_file_raises(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("x")
    with pytest.raises(VideoError):
        VideoWriter(tmp_path / "afile" / "out.mp4", (64, 48), 30)


def test_writer_into_read_only_folder_raises(tmp_path: Path) -> None:
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        probe = ro / "probe"
        try:
            probe.touch()
        except PermissionError:
            pass
        else:
            probe.unlink()
            pytest.skip("permission bits are not enforced here (running as root)")
        with pytest.raises(VideoError) as ei:
            VideoWriter(ro / "out.mp4", (64, 48), 30)
        assert_one_line(ei.value, "out.mp4", "permission denied")
    finally:
        ro.chmod(0o755)


@pytest.mark.skipif(not Path("/sys/kernel").is_dir(), reason="needs Linux sysfs")
def test_writer_into_sysfs_raises_even_as_root() -> None:
    """sysfs refuses new files even to root, so this runs where permission bits do not."""
    with pytest.raises(VideoError) as ei:
        VideoWriter("/sys/formcheck_out.mp4", (64, 48), 30)
    assert_one_line(ei.value, "/sys/formcheck_out.mp4")


def test_writer_abort_leaves_nothing(tmp_path: Path) -> None:
    out = tmp_path / "a.mp4"
    vw = VideoWriter(out, (64, 48), 30)
    for i in range(5):
        vw.write(pattern(64, 48, i))
    assert (tmp_path / ".a.mp4.partial").exists(), "frames go to the temporary file first"
    assert not out.exists()
    vw.abort()
    assert list(tmp_path.iterdir()) == []


def test_exception_inside_with_leaves_nothing_and_keeps_old_file(tmp_path: Path) -> None:
    out = tmp_path / "b.mp4"
    out.write_bytes(b"previous result")
    with pytest.raises(RuntimeError, match="pose model died"), VideoWriter(out, (64, 48), 30) as vw:
        vw.write(pattern(64, 48))
        raise RuntimeError("pose model died")
    assert out.read_bytes() == b"previous result", "a failed run must not clobber the old file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.mp4"]


def test_writer_rejects_wrong_image_shape(tmp_path: Path) -> None:
    with VideoWriter(tmp_path / "c.mp4", (64, 48), 30) as vw:
        with pytest.raises(ValueError):
            vw.write(np.zeros((64, 48, 3), np.uint8))  # transposed
        vw.write(pattern(64, 48))
    _, frames = read_all(tmp_path / "c.mp4")
    assert len(frames) == 1


# ---------------------------------------------------------------- real clips (shared data)


def _data_dir() -> Path | None:
    env = os.environ.get("FORMCHECK_DATA")
    candidates = [Path(env)] if env else []
    candidates.append(Path(__file__).resolve().parents[2].parent / "shared" / "data")
    return next((p for p in candidates if (p / "labels.json").is_file()), None)


DATA = _data_dir()


@pytest.mark.skipif(DATA is None, reason="shared clips absent (../shared/data, FORMCHECK_DATA)")
@pytest.mark.parametrize(
    "name",
    [
        "videos/squat_bodyweight_side_woman_good_1rep.avi",
        "videos/squat_hold_pulses_portrait_man_15pulses.mp4",
    ],
)
def test_real_clips_match_labels(name: str) -> None:
    assert DATA is not None
    label = next(v for v in json.loads((DATA / "labels.json").read_text()) if v["file"] == name)
    r, frames = read_all(DATA / name)
    expected = label["duration_s"] * label["fps"]
    assert abs(len(frames) - expected) <= max(2, 0.03 * expected), (len(frames), expected)
    assert r.n_frames is not None and abs(r.n_frames - len(frames)) <= 2
    assert r.fps == pytest.approx(label["fps"], abs=0.05)
    assert r.size == scaled_size(label["width"], label["height"])  # (a phone's 1080x1920 comes out 720x1280)
    assert frames[0].image.shape == (r.size[1], r.size[0], 3)
    assert (r.size[1] > r.size[0]) == (label["height"] > label["width"])
    times = np.array([f.t_ms for f in frames])
    assert times[0] == 0.0 and np.all(np.diff(times) > 0)
    assert times[-1] / 1000 == pytest.approx(label["duration_s"] - 1 / label["fps"], abs=0.1)
    assert not r.truncated
    assert Fraction(r.fps).limit_denominator(1000) > 0
