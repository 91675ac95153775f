"""Stills from a video: the frames nearest to given times, as small JPEG pictures (the report's
picture of each repetition at its furthest point, from the set's annotated video).

One pass through the video for all the times of a set (decoding forward is cheaper than a seek
per time on a short clip), each picture scaled to ``width`` and encoded by FFmpeg's own JPEG
encoder in PyAV, so no image library is needed.
"""

from __future__ import annotations

import os
from fractions import Fraction

import av
import av.error

from formcheck.media.video import FFMPEG_ERRORS

DEFAULT_WIDTH = 320


def _jpeg(frame: av.VideoFrame, width: int) -> bytes:
    height = max(2, round(frame.height * width / frame.width / 2) * 2)
    small = frame.reformat(width=width, height=height, format="yuvj420p")
    enc = av.CodecContext.create("mjpeg", "w")
    enc.width, enc.height, enc.pix_fmt = width, height, "yuvj420p"
    enc.time_base = Fraction(1, 25)
    enc.options = {"qscale": "5"}
    data = b"".join(bytes(p) for p in enc.encode(small))
    return data + b"".join(bytes(p) for p in enc.encode(None))


def stills(path: str | os.PathLike[str], times_s: list[float], width: int = DEFAULT_WIDTH) -> dict[float, bytes]:
    """For each time (seconds from the video's first frame) the JPEG of the frame nearest to it;
    times past the video's end get its last frame. An unreadable video gives {} (the report then
    shows no picture rather than failing)."""
    wanted = sorted(set(times_s))
    found: dict[float, bytes] = {}
    if not wanted:
        return found
    try:
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            t0: float | None = None
            prev: tuple[float, av.VideoFrame] | None = None
            i = 0
            for frame in container.decode(stream):
                if frame.time is None:
                    continue
                t0 = frame.time if t0 is None else t0
                t = frame.time - t0
                while i < len(wanted) and t >= wanted[i]:  # the nearer of this frame and the one before
                    nearer = frame if prev is None or t - wanted[i] <= wanted[i] - prev[0] else prev[1]
                    found[wanted[i]] = _jpeg(nearer, min(width, nearer.width))
                    i += 1
                if i == len(wanted):
                    break
                prev = (t, frame)
            for rest in wanted[i:]:
                if prev is not None:
                    found[rest] = _jpeg(prev[1], min(width, prev[1].width))
    except (*FFMPEG_ERRORS, IndexError, OSError):
        return {}
    return found
