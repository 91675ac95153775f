"""Writing browser-playable H.264 mp4 with PyAV (FFmpeg): in constant memory, atomically, and
with the frames' own times (the annotated video of a replay or a live set)."""

from __future__ import annotations

import contextlib
import os
from fractions import Fraction
from pathlib import Path
from types import TracebackType

import av
import numpy as np

from formcheck.media.video import DEFAULT_FPS, FFMPEG_ERRORS, VideoError, reason

# Writer clock: 1/90000 s (the MPEG clock) keeps variable-frame-rate times exact to 0.011 ms.
_WRITE_TIME_BASE = Fraction(1, 90_000)
# x264's speed against file size, chosen by measurement (bench/throughput.py, 2026-12-07, 720p
# out, CPU ms a frame / MB a minute): on a noisy 1080x1920 phone clip veryfast 15.9 / 8.0,
# superfast 9.6 / 14.8, ultrafast 5.9 / 34.3 (crf 23) and 6.2 / 24.0 (crf 26); on a clean render
# veryfast 5.9 / 1.3, ultrafast 3.5 / 4.7 (crf 26). Replay's encoder shares the second core with
# the decoder, so only ultrafast keeps it off the pose model's heels; crf 26 pays for the lost
# compression with a little quality the overlay's reader does not miss.
PRESET, CRF = "ultrafast", 26
# the annotated video's short side: the pose model looks at 256x256 and a report video plays in a
# browser; 720 lines keep text and skeleton sharp at a third of 1080p's pixels to draw and encode
VIDEO_SHORT_SIDE = 720


def _to_i420(image: np.ndarray) -> np.ndarray:
    """I420 planes of RGB pixels (even size), converted by OpenCV off the GIL (BT.601, as the
    stream is tagged) so encoding on its own thread does not stall the pose model."""
    import cv2  # only when encoding (see video._to_rgb)

    return cv2.cvtColor(np.ascontiguousarray(image), cv2.COLOR_RGB2YUV_I420)


def fit(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """``image`` at ``size`` (width, height): itself when it already is, else scaled by OpenCV
    (off the GIL; area averaging from 2x down, where bilinear would alias, else bilinear, 3-4x
    cheaper for the usual 1080 -> 720)."""
    h, w = image.shape[:2]
    if (w, h) == tuple(size):
        return image
    import cv2  # as in _to_i420

    shrink = min(w / size[0], h / size[1])
    return cv2.resize(image, tuple(size), interpolation=cv2.INTER_AREA if shrink >= 2 else cv2.INTER_LINEAR)


class VideoWriter:
    """Writes H.264 (libx264, yuv420p, +faststart) mp4 that plays in a browser, atomically.

    Frames are encoded and muxed as they come (constant memory) into a hidden temporary file in
    the target folder (``.NAME.partial``); ``close`` renames it onto ``path`` so a crash never
    leaves half a video there. yuv420p needs even sizes: an odd width/height is PADDED by one
    pixel (the last column/row repeated), so nothing drawn is cut off and pixel coordinates stay.
    """

    def __init__(self, path: str | os.PathLike[str], size: tuple[int, int], fps: float, *,
                 preset: str = PRESET, crf: int = CRF) -> None:
        self.path = Path(path)
        self._size = (int(size[0]), int(size[1]))
        if self._size[0] < 1 or self._size[1] < 1:
            raise ValueError(f"video size must be positive, got {size}")
        self._fps = float(fps) if fps and fps > 0 else DEFAULT_FPS
        self._out_size = (self._size[0] + self._size[0] % 2, self._size[1] + self._size[1] % 2)
        self._tmp = self.partial_path(self.path)
        self._n = 0
        self._last_pts = -1
        folder = self.path.parent
        if not folder.is_dir():
            raise VideoError(f"cannot write video {self.path}: no folder {folder}")
        fmt = "mov" if self.path.suffix.lower() == ".mov" else "mp4"
        try:
            self._container: av.container.OutputContainer | None = av.open(
                str(self._tmp), mode="w", format=fmt, options={"movflags": "+faststart"}
            )
        except FFMPEG_ERRORS as exc:
            raise VideoError(f"cannot write video {self.path}: {reason(exc)}") from exc
        try:
            rate = Fraction(self._fps).limit_denominator(1001)
            stream = self._container.add_stream("libx264", rate=rate)
            stream.width, stream.height = self._out_size
            stream.pix_fmt = "yuv420p"
            stream.time_base = _WRITE_TIME_BASE
            cc = stream.codec_context
            cc.time_base = _WRITE_TIME_BASE  # else PyAV rescales pts to 1/fps and loses VFR
            cc.thread_count = 2  # two cores, and the pose model wants one of them
            cc.colorspace, cc.color_range = 6, 1  # tag what swscale writes: BT.601, limited
            stream.options = {"crf": str(crf), "preset": preset}
            self._stream = stream
            self._container.start_encoding()  # opens the file now: an unwritable folder fails here
        except FFMPEG_ERRORS as exc:
            self.abort()
            raise VideoError(f"cannot write video {self.path}: {reason(exc)}") from exc

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) the frames are written at (before any padding to even sides)."""
        return self._size

    @staticmethod
    def partial_path(path: str | os.PathLike[str]) -> Path:
        """Where the video is written until ``close`` renames it onto ``path``."""
        path = Path(path)
        return path.with_name(f".{path.name}.partial")

    def write(self, image: np.ndarray, t_ms: float | None = None) -> None:
        """Encode one RGB uint8 HxWx3 frame at ``t_ms`` (else at index / fps)."""
        self.write_held(image, [t_ms])

    def write_held(self, image: np.ndarray, times_ms: list[float | None]) -> None:
        """Encode the same RGB picture at each of ``times_ms`` (an end card), converted once."""
        if self._container is None:
            raise VideoError(f"cannot write video {self.path}: writer is already closed")
        w, h = self._size
        if image.shape != (h, w, 3) or image.dtype != np.uint8:
            raise ValueError(f"expected a {h}x{w}x3 uint8 image, got {image.shape} {image.dtype}")
        ow, oh = self._out_size
        if (ow, oh) != (w, h):
            image = np.pad(image, ((0, oh - h), (0, ow - w), (0, 0)), mode="edge")
        yuv = _to_i420(image)
        for t_ms in times_ms:
            if t_ms is None:
                pts = round(self._n * _WRITE_TIME_BASE.denominator / self._fps)
            else:
                pts = round(t_ms / 1000.0 * _WRITE_TIME_BASE.denominator)
            pts = max(pts, self._last_pts + 1)  # x264 refuses a non-increasing pts
            frame = av.VideoFrame.from_ndarray(yuv, format="yuv420p")  # (a copy the encoder owns)
            frame.pts, frame.time_base = pts, _WRITE_TIME_BASE
            self._encode(frame)
            self._last_pts = pts
            self._n += 1

    def _encode(self, frame: av.VideoFrame | None) -> None:
        """Encode (None flushes) and mux at once, so memory stays flat; errors abort the file."""
        assert self._container is not None
        try:
            self._container.mux(self._stream.encode(frame))
        except FFMPEG_ERRORS as exc:
            self.abort()
            raise VideoError(f"cannot write video {self.path}: {reason(exc)}") from exc

    def close(self) -> None:
        """Flush the encoder, finish the file (moov moved to the front), rename it into place."""
        if self._container is None:
            return
        try:
            self._encode(None)
            self._container.close()
            self._container = None
            os.replace(self._tmp, self.path)
        except FFMPEG_ERRORS as exc:
            self.abort()
            raise VideoError(f"cannot write video {self.path}: {reason(exc)}") from exc

    def abort(self) -> None:
        """Drop everything written so far; nothing is left at ``path`` or in the temp file."""
        if self._container is not None:
            with contextlib.suppress(*FFMPEG_ERRORS):
                self._container.close()
            self._container = None
        self._tmp.unlink(missing_ok=True)

    def __enter__(self) -> VideoWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()
