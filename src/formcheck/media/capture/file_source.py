"""A video file played as if it were the camera (``formcheck live --source``)."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from formcheck.media.capture.mailbox import LiveFrame
from formcheck.media.capture.source import ThreadedSource
from formcheck.media.video import VideoReader


class FileSource(ThreadedSource):
    """A video file as a camera.

    ``paced``: frames are released at their own timestamps against the monotonic clock, and a
    frame the consumer has not taken when the next one is due is dropped, as with a camera. If
    decoding itself falls a frame behind, the late frame is dropped here so playback keeps real
    time, but never two in a row (a decoder slower than the clip still hands over every other
    frame). Not paced (``--every-frame``): every frame is handed over, the thread waiting for the
    consumer. ``preroll_s``: that many seconds of the frozen first frame, at negative times,
    come first (the start countdown), so the file's own frames keep their times from 0.
    """

    live = False

    def __init__(self, path: str | Path, *, paced: bool = True, preroll_s: float = 0.0) -> None:
        super().__init__()
        self.path = Path(path)
        self.name = str(self.path)
        self._reader = VideoReader(self.path)  # opens now: a bad file fails before anything starts
        self.size = self._reader.size
        self.fps = self._reader.fps
        self.paced = paced
        self.preroll_s = max(0.0, preroll_s)
        self._clock0: float | None = None
        self._late_dropped = False  # the last frame was dropped for being late

    @property
    def truncated(self) -> bool:
        return self._reader.truncated

    @property
    def notes(self) -> list[str]:
        """The video reader's notes on its timing (a clock starting again), for the report."""
        return self._reader.notes

    def _emit(self, image: np.ndarray, t_ms: float, preroll: bool, next_due_ms: float | None) -> bool:
        """Hand one frame over (at its due time when paced); False when the source is stopping."""
        if self.paced:
            now = time.monotonic()
            if self._clock0 is None:
                self._clock0 = now - t_ms / 1000.0
            due = self._clock0 + t_ms / 1000.0
            if next_due_ms is not None and now > self._clock0 + next_due_ms / 1000.0 and not self._late_dropped:
                # decoding fell behind: a camera would have moved on. Only one late frame in a
                # row: a decoder slower than the clip (a big clip, a loaded machine) is late with
                # every frame, and dropping each handed over nothing at all; so every other one
                # still goes (a camera gives fewer frames then, not none)
                self._source_dropped += 1
                self._late_dropped = True
                return True
            self._late_dropped = False
            if due > now and self._stop.wait(due - now):
                return False
        frame = LiveFrame(image, t_ms, time.monotonic(), self.delivered, preroll)
        self.delivered += 1
        return self._box.put(frame, wait=not self.paced)

    def _run(self) -> None:
        step_ms = 1000.0 / self.fps
        started = False
        for frame in self._reader:
            if self._stop.is_set():
                return
            if not started:
                started = True
                n = round(self.preroll_s * self.fps)
                for k in range(n, 0, -1):
                    if not self._emit(frame.image, -k * step_ms, True, None):
                        return
            if not self._emit(frame.image, frame.t_ms, False, frame.t_ms + step_ms if self.paced else None):
                return
        if self._reader.truncated:
            self.error = self._reader.error

    def _close(self) -> None:
        self._reader.close()
