"""Reading phone/laptop videos into upright RGB frames with real timestamps, with PyAV (FFmpeg)
in constant memory (writing: video_writer.py).

Why this module exists: rep timing must come from the stream's own timestamps (phones record
variable frame rate), portrait clips must come out upright (phones store landscape pixels plus
a rotation tag), and a broken upload must end in one clear line, never a traceback.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from types import TracebackType

import av
import av.error
import numpy as np

from formcheck.core.lang import count_of

DEFAULT_FPS = 30.0
# frames come out at most this many lines on their short side (a 1080p or 4K clip as 720p): the
# pose model looks at 256x256 and the annotated video is written at 720 lines (video_writer.py),
# while every larger frame costs the decoder's process its conversion, its copy into the ring and
# the encoder's scaling (a 5 s 4K replay took 1.6 GB at full size). 1080 until issue 21: replay
# of a real 1080x1920 phone clip then took an estimated 1.27x bare inference's time on 2 cores
# (the decoder and encoder process behind the pose model); the counts of the 7 labelled clips
# over 720 lines were the same analysed at 720 as at 1080 (bench/throughput.py, README)
MAX_SHORT_SIDE = 720
# Any FFmpeg failure, plus what a half-written file can make PyAV raise while parsing it.
FFMPEG_ERRORS: tuple[type[BaseException], ...] = (av.error.FFmpegError, OSError, ValueError)


class VideoError(Exception):
    """A video that cannot be read or written; str(e) is one clear line for the user."""


@dataclass(frozen=True)
class Frame:
    """One decoded frame, upright, with its presentation time.

    ``image`` is H x W x 3 uint8 RGB; ``t_ms`` comes from the stream's pts (first frame 0.0,
    strictly increasing) so rep timing is right for variable frame rate; ``index`` counts the
    frames delivered.
    """

    image: np.ndarray
    t_ms: float
    index: int


def reason(exc: BaseException, *, opening: bool = True) -> str:
    """One short line for the user from an FFmpeg/OS error (no errno, no repeated path)."""
    if isinstance(exc, av.error.InvalidDataError):
        return "not a video file, or one cut off before its index was written (invalid data)" if opening else "invalid data"
    if isinstance(exc, FileNotFoundError):
        return "file not found"
    if isinstance(exc, IsADirectoryError):
        return "is a folder, not a file"
    if isinstance(exc, PermissionError):
        return "permission denied"
    text = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return " ".join(str(text).split()).rstrip(".").lower() or type(exc).__name__


def scaled_size(width: int, height: int, max_short: int = MAX_SHORT_SIDE) -> tuple[int, int]:
    """The size frames of ``width`` x ``height`` are delivered at: unchanged up to ``max_short``
    lines on the short side, else scaled down to it (even sides, as the encoder needs)."""
    short = min(width, height)
    if short <= max_short:
        return width, height
    s = max_short / short
    return max(2, round(width * s / 2) * 2), max(2, round(height * s / 2) * 2)


def _to_rgb(frame: av.VideoFrame, size: tuple[int, int]) -> np.ndarray:
    """RGB pixels of a decoded frame at ``size`` (width, height; before any rotation).

    For the usual yuv420p the conversion is done by OpenCV, which releases the GIL (PyAV's
    swscale path holds it), so decoding on a background thread does not stall the pose model;
    a frame to be scaled down is scaled plane by plane, read in place from the decoder's
    buffers, into one I420 picture before the conversion (a large frame is never copied whole,
    nor exists as RGB): bilinear down to half size, area averaging below (bilinear aliases there).
    """
    import cv2  # only when decoding: a saved track (formcheck tune) loads no OpenCV

    w, h = frame.width, frame.height
    if frame.format.name == "yuv420p" and w % 2 == 0 and h % 2 == 0:
        if (w, h) == size:  # I420: Y (h x w), then U and V (h/2 x w/2 each)
            return cv2.cvtColor(frame.to_ndarray(format="yuv420p"), cv2.COLOR_YUV2RGB_I420)
        tw, th = size
        interp = cv2.INTER_AREA if min(w / tw, h / th) >= 2 else cv2.INTER_LINEAR
        yuv = np.empty((th * 3 // 2, tw), np.uint8)
        q = (th // 2) * (tw // 2)
        outs = (yuv[:th], yuv[th:].reshape(-1)[:q].reshape(th // 2, tw // 2),
                yuv[th:].reshape(-1)[q:].reshape(th // 2, tw // 2))
        for plane, pw, ph, out in zip(frame.planes, (w, w // 2, w // 2), (h, h // 2, h // 2), outs):
            rows = np.frombuffer(plane, np.uint8).reshape(-1, plane.line_size)[:ph, :pw]  # no copy
            cv2.resize(rows, out.shape[::-1], dst=out, interpolation=interp)
        return cv2.cvtColor(yuv, cv2.COLOR_YUV2RGB_I420)
    if (w, h) != size:
        return frame.to_ndarray(format="rgb24", width=size[0], height=size[1])
    return frame.to_ndarray(format="rgb24")


def _upright(image: np.ndarray, rotation: int) -> np.ndarray:
    """Rotate by ``rotation`` degrees clockwise (np.rot90 turns counter-clockwise for k>0)."""
    if rotation == 0:
        return image
    return np.ascontiguousarray(np.rot90(image, k=-(rotation // 90)))


def _clockwise_rotation(frame: av.VideoFrame | None, stream: av.video.stream.VideoStream) -> int:
    """Clockwise turn (0/90/180/270) that makes the frame upright.

    PyAV 18 exposes the display matrix only on decoded frames, as ``frame.rotation``
    (counter-clockwise degrees, as FFmpeg's av_display_rotation_get: an iPhone portrait clip
    reads -90, which needs a 90 degree clockwise turn). Old demuxers put a clockwise ``rotate``
    tag in the stream metadata instead; it is the fallback. Mirroring flips are ignored.
    """
    ccw = getattr(frame, "rotation", 0) or 0  # None (no frame decoded) reads as 0
    if ccw:
        return (-round(ccw / 90) * 90) % 360
    try:
        return (round(float(stream.metadata.get("rotate", 0)) / 90) * 90) % 360
    except ValueError:
        return 0


class VideoReader:
    """Reads mp4/mov/avi/mkv/webm as phones and laptops make them, with PyAV.

    The first frame is decoded at open, because the rotation (and so the upright size) is only
    known from a decoded frame's side data. Iterating again re-opens the file.
    """

    def __init__(self, path: str | os.PathLike[str], *, threads: bool = True) -> None:
        """``threads``: let FFmpeg decode on several threads (lower latency, ~1.5x the CPU);
        a decoder that runs ahead of the pose model in its own process does not need it."""
        self.path = Path(path)
        self._threads = threads
        self.truncated = False
        self.error: str | None = None
        self.notes: list[str] = []  # what the report should say about the timing (clock jumps, skipped frames)
        self._container: av.container.InputContainer | None = None
        self._container, self._stream = self._open()
        stream = self._stream
        rate = stream.average_rate or stream.guessed_rate
        self.fps = float(rate) if rate and float(rate) > 0 else DEFAULT_FPS
        self.n_frames = self._estimate_frames()
        self._raw: Iterator[av.VideoFrame] | None = self._raw_frames(self._container, stream)
        try:
            self._first: av.VideoFrame | None = next(self._raw, None)
        except BaseException:
            self.close()
            raise
        self.rotation = _clockwise_rotation(self._first, stream)
        if self._first is not None:
            w, h = self._first.width, self._first.height
        else:
            w, h = stream.codec_context.width, stream.codec_context.height
        self.decode_size = scaled_size(w, h)  # (width, height) of the frames as stored, scaled down
        self._size_notes = [] if self.decode_size == (w, h) else [
            f"the video ({w}x{h}) was analysed scaled down to {self.decode_size[0]}x{self.decode_size[1]}"]
        self.notes.extend(self._size_notes)
        dw, dh = self.decode_size
        self.size: tuple[int, int] = (dh, dw) if self.rotation in (90, 270) else (dw, dh)

    def _open(self) -> tuple[av.container.InputContainer, av.video.stream.VideoStream]:
        """Open the container and its first video stream, or raise a one-line VideoError."""
        if self.path.is_dir():
            raise VideoError(f"cannot read video {self.path}: is a folder, not a file")
        if not self.path.exists():
            raise VideoError(f"cannot read video {self.path}: file not found")
        try:
            container = av.open(str(self.path), mode="r")
        except FFMPEG_ERRORS as exc:
            raise VideoError(f"cannot read video {self.path}: {reason(exc)}") from exc
        if not container.streams.video:
            container.close()
            raise VideoError(f"cannot read video {self.path}: no video stream")
        if container.format.name == "image2" or container.format.name.endswith("_pipe"):  # png_pipe, jpeg_pipe...
            container.close()
            raise VideoError(f"cannot read video {self.path}: it is a still picture, not a video")
        stream = container.streams.video[0]
        if self._threads:
            stream.thread_type = "AUTO"  # frame+slice threads
        else:
            stream.codec_context.thread_count = 1
        return container, stream

    def _estimate_frames(self) -> int | None:
        """Frame count for a progress bar: the index's count, else duration * fps."""
        if self._stream.frames and self._stream.frames > 0:
            return int(self._stream.frames)
        seconds = self._duration_s()
        return max(1, round(seconds * self.fps)) if seconds else None

    def _duration_s(self) -> float | None:
        """Video duration from the stream, else the container (which may include audio)."""
        stream, container = self._stream, self._container
        if stream.duration and stream.time_base:
            return float(stream.duration * stream.time_base)
        if container is not None and container.duration:
            return float(container.duration / av.time_base)
        return None

    def _raw_frames(
        self, container: av.container.InputContainer, stream: av.video.stream.VideoStream
    ) -> Iterator[av.VideoFrame]:
        """Decoded frames in order; a decode/demux error ends the stream and is recorded."""
        packets = container.demux(stream)
        while True:
            try:
                packet = next(packets)
                frames = packet.decode()  # the final empty packet flushes the decoder
            except StopIteration:
                return
            except FFMPEG_ERRORS as exc:
                self.truncated = True
                self.error = f"video is damaged or cut short: {reason(exc, opening=False)}"
                return
            yield from frames

    def __iter__(self) -> Iterator[Frame]:
        if self._raw is not None:  # first pass: continue after the frame peeked at open
            first, raw = self._first, self._raw
            self._first, self._raw = None, None
        else:  # later passes: start over from a fresh container
            self.close()
            self.truncated, self.error, self.notes = False, None, list(self._size_notes)
            self._container, self._stream = self._open()
            raw = self._raw_frames(self._container, self._stream)
            first = next(raw, None)
        if first is None:
            return
        yield from self._frames(first, raw)

    def _frames(self, first: av.VideoFrame, raw: Iterator[av.VideoFrame]) -> Iterator[Frame]:
        """Turn raw frames into upright Frames timed by pts (never by index / fps), all of the
        first frame's size (a stream that changes size mid-way is scaled back to it)."""
        time_base = self._stream.time_base or Fraction(1, 1)
        step_ms = 1000.0 / self.fps
        t0: float | None = None
        last = float("-inf")
        index = 0
        decoded = 0
        offset = 0.0  # added after the clock started again (clips joined one after another)
        skipped = 0
        for frame in _chain(first, raw):
            decoded += 1
            if frame.pts is not None:
                t_abs = float(frame.pts * time_base) * 1000.0 + offset
            else:  # no timestamp: best effort, one frame period after the previous one
                t_abs = (last + (t0 or 0.0) + step_ms) if index else 0.0
            if t0 is None:
                t0 = t_abs
            t_ms = t_abs - t0
            if t_ms <= last - 2 * step_ms:  # the clock started again: time the rest on from here
                offset += last + step_ms - t_ms
                self.notes.append(f"the video's timestamps jump back at {last / 1000:.1f} s (joined clips?); "
                                  "the frames after that are timed on from there")
                t_ms = last + step_ms
            elif t_ms <= last:  # a repeated or out-of-order time: the frame cannot be placed
                skipped += 1
                continue
            image = _upright(_to_rgb(frame, self.decode_size), self.rotation)
            if image.shape[1::-1] != self.size:  # the stream changed size mid-way: keep the first
                import cv2  # as in _to_rgb

                image = cv2.resize(image, self.size, interpolation=cv2.INTER_AREA)
            yield Frame(image=image, t_ms=t_ms, index=index)
            last = t_ms
            index += 1
        if skipped:
            self.notes.append(f"{count_of(skipped, 'frame')} with a repeated or out-of-order timestamp "
                              + ("was" if skipped == 1 else "were") + " left out")
        if not self.truncated:
            self._check_complete(decoded, last + step_ms)

    def _check_complete(self, decoded: int, covered_ms: float) -> None:
        """Flag a cut file that decoded without an error: many demuxers just stop at a cut.

        mp4/avi indexes count the frames; mkv/webm headers keep the duration.
        """
        counted = int(self._stream.frames or 0)
        if counted and decoded < counted - max(2, counted // 50):
            self.truncated = True
            self.error = f"video is cut short: decoded {decoded} of {count_of(counted, 'frame')}"
            return
        seconds = self._duration_s()
        if not counted and seconds and covered_ms < 0.98 * seconds * 1000 - 3000 / self.fps:
            self.truncated = True
            self.error = (
                f"video is cut short: frames stop at {covered_ms / 1000:.1f} s of {seconds:.1f} s"
            )

    def close(self) -> None:
        """Release the file; safe to call twice."""
        if self._container is not None:
            self._container.close()
            self._container = None

    def __enter__(self) -> VideoReader:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _chain(first: av.VideoFrame, rest: Iterator[av.VideoFrame]) -> Iterator[av.VideoFrame]:
    yield first
    yield from rest
