"""The annotated video of a live set, encoded beside the display so it never delays it."""

from __future__ import annotations

import queue
import threading
from pathlib import Path
from typing import Callable

import numpy as np

from formcheck.media.video_writer import VideoWriter


class AsyncVideoWriter:
    """Encodes the annotated video in its own thread so encoding never delays the display.

    At camera pace, if the encoder falls a second behind, frames are left out of the video
    (counted), never queued without bound; with ``wait`` (``--every-frame``) nothing is left out
    and the loop waits for the encoder instead. (Unlike ``background.BackgroundCalls`` used by
    replay, it may drop frames, and an encoder error only surfaces at ``close``: the set goes on.)
    """

    def __init__(self, path: Path, size: tuple[int, int], fps: float, *, wait: bool = False) -> None:
        self._writer = VideoWriter(path, size, fps)
        self._q: queue.Queue[tuple[np.ndarray, float] | None] = queue.Queue(maxsize=max(8, int(fps)))
        self.dropped = 0
        self.wait = wait
        self.error: BaseException | None = None
        self.last_t_ms: float | None = None  # the time of the last frame encoded
        self._thread = threading.Thread(target=self._run, name="live-writer", daemon=True)
        self._thread.start()

    def write(self, image: np.ndarray, t_ms: float) -> None:
        try:
            self._q.put((image, t_ms), block=self.wait)
        except queue.Full:
            self.dropped += 1

    def _run(self) -> None:
        while True:
            item = self._q.get()
            if item is None:
                return
            if self.error is None:
                try:
                    self._writer.write(*item)
                    self.last_t_ms = item[1]
                except BaseException as exc:  # reported by close(); the set goes on
                    self.error = exc

    def close(self, keep: bool = True, end: Callable[[VideoWriter, float], None] | None = None) -> None:
        """Finish the file (``keep``) or drop it. ``end(writer, last_t_ms)`` may add frames after
        the last one first (the end card): it runs once every queued frame is encoded."""
        self._q.put(None)
        self._thread.join()
        if keep and self.error is None and end is not None and self.last_t_ms is not None:
            try:
                end(self._writer, self.last_t_ms)
            except BaseException:
                self._writer.abort()
                raise
        if keep and self.error is None:
            self._writer.close()
        else:
            self._writer.abort()
        if self.error is not None:
            raise self.error
