"""Stills from a video: the frames nearest to given times, as small JPEG pictures (the report's
picture of each repetition at its furthest point, from the set's annotated video).

Each picture is scaled to ``width`` and encoded by FFmpeg's own JPEG encoder in PyAV, so no
image library is needed.
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
    found: dict[float, bytes] = {}
    try:
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            base = stream.time_base or Fraction(1, 1000)
            start = float((stream.start_time or 0) * base)
            for t in sorted(set(times_s)):
                frame = _nearest(container, stream, start + t, base)
                if frame is not None:
                    found[t] = _jpeg(frame, min(width, frame.width))
    except (*FFMPEG_ERRORS, IndexError):
        return {}
    return found


def _nearest(container: av.container.InputContainer, stream: av.video.stream.VideoStream, t: float,
             base: Fraction) -> av.VideoFrame | None:
    """The frame nearest to ``t`` (the stream's own seconds): seek to the key frame before it
    and decode forward (a seek per time: key frames come every few seconds in our videos, so
    this decodes a fraction of what one pass through the video would)."""
    container.seek(max(0, int(t / base)), stream=stream, backward=True, any_frame=False)
    prev = None
    for frame in container.decode(stream):
        if frame.time is None:
            continue
        if frame.time >= t:
            return frame if prev is None or frame.time - t <= t - prev.time else prev
        prev = frame
    return prev
