"""Large videos are decoded scaled down early (issue 18: a 5 s 4K replay took 1.6 GB): frames
come out at most MAX_SHORT_SIDE lines on the short side, upright, and the report says so."""

from __future__ import annotations

import av
import numpy as np
import pytest

from formcheck.media.video import VideoReader


def _clip(path, size: tuple[int, int], frames: int = 4, rotate: int | None = None, ccw: int | None = None) -> None:
    w, h = size
    with av.open(str(path), "w") as c:
        s = c.add_stream("libx264", rate=30)
        s.width, s.height, s.pix_fmt = w, h, "yuv420p"
        s.options = {"preset": "ultrafast"}
        if rotate is not None:
            s.metadata["rotate"] = str(rotate)
        if ccw is not None:  # a phone's display matrix (counter-clockwise degrees, as FFmpeg's)
            s.set_display_rotation(ccw)
        img = np.zeros((h, w, 3), np.uint8)
        img[: h // 2] = (200, 40, 40)  # top half red, a bright square in the bottom-left corner
        img[h - h // 8:, : w // 8] = 255
        for _ in range(frames):
            for p in s.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                c.mux(p)
        for p in s.encode():
            c.mux(p)


def test_sizes_above_the_limit_are_scaled_to_it_others_are_kept():
    from formcheck.media.video import MAX_SHORT_SIDE, scaled_size

    assert MAX_SHORT_SIDE == 720
    assert scaled_size(3840, 2160) == (1280, 720)
    assert scaled_size(2160, 3840) == (720, 1280)
    assert scaled_size(1920, 1080) == (1280, 720) and scaled_size(1280, 720) == (1280, 720)
    assert scaled_size(640, 480) == (640, 480)
    w, h = scaled_size(4096, 2160)
    assert h == 720 and w % 2 == 0 and abs(w / h - 4096 / 2160) < 0.01


@pytest.mark.parametrize("size", [(3840, 2160), (2160, 3840)])
def test_a_4k_clip_comes_out_at_720_lines(tmp_path, size):
    path = tmp_path / "big.mp4"
    _clip(path, size)
    with VideoReader(path) as r:
        frames = list(r)
        want = (1280, 720) if size[0] > size[1] else (720, 1280)
        assert r.size == want
        assert [f.image.shape for f in frames] == [(want[1], want[0], 3)] * 4
        img = frames[0].image
        h, w = img.shape[:2]
        assert img[h // 4, w // 2, 0] > 150 and img[h // 4, w // 2, 1] < 90  # still red on top
        assert img[h - h // 16, w // 16].min() > 200  # the square is still bottom-left
        assert any("scaled down to" in n for n in r.notes)
        assert [f.image.shape for f in r] == [(want[1], want[0], 3)] * 4  # a second pass too
        assert any("scaled down to" in n for n in r.notes)


def test_a_rotated_1080p_clip_is_scaled_upright_with_its_own_times(tmp_path):
    """Issue 21: 1080p is decoded at 720 lines too (scaled plane by plane from the decoder's
    buffers); the rotation tag still turns it upright and every frame keeps its own time."""
    path = tmp_path / "phone.mp4"
    _clip(path, (1920, 1080), frames=6, ccw=-90)  # as an iPhone held upright
    with VideoReader(path) as r:
        frames = list(r)
    assert r.size == (720, 1280)
    assert [f.image.shape for f in frames] == [(1280, 720, 3)] * 6
    assert [f.t_ms for f in frames] == pytest.approx([i * 1000 / 30 for i in range(6)], abs=0.5)
    img = frames[0].image  # stored: top half red; turned a quarter clockwise: the right half
    assert img[640, 540, 0] > 150 and img[640, 540, 1] < 90
    assert img[640, 180].max() < 40


def test_scaled_decoding_matches_scaling_the_full_picture(tmp_path):
    """The plane-by-plane path (with the decoder's padded rows) gives the picture a full-size
    decode scaled down gives: no plane mixed up, no row shifted."""
    import cv2

    path = tmp_path / "portrait.mp4"
    _clip(path, (1080, 1920), frames=2)
    with av.open(str(path)) as c:
        full = next(c.decode(video=0)).to_ndarray(format="rgb24")
    with VideoReader(path) as r:
        scaled = next(iter(r)).image
    ref = cv2.resize(full, (720, 1280), interpolation=cv2.INTER_LINEAR)
    assert scaled.shape == ref.shape
    assert np.abs(scaled.astype(int) - ref.astype(int)).mean() < 3
