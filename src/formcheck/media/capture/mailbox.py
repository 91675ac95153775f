"""The captured frame and the one-slot mailbox that hands the newest one to the consumer."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class LiveFrame:
    """One captured RGB frame.

    ``t_ms`` is stream time (what the analysis uses); ``grab_s`` the ``time.monotonic()`` at which
    the frame was captured (camera) or released at its due time (file), for latency figures.
    ``preroll`` frames are the frozen first frame of a file shown under the start countdown.
    """

    image: np.ndarray
    t_ms: float
    grab_s: float
    index: int
    preroll: bool = False


class Mailbox:
    """A one-slot hand-over: ``put`` replaces an untaken frame (a drop) unless ``wait`` is set.

    Replacing rather than queueing is what keeps live lag from growing when the analysis is
    slower than the camera.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._item: LiveFrame | None = None
        self._closed = False
        self.dropped = 0

    def put(self, item: LiveFrame, *, wait: bool = False) -> bool:
        """Offer a frame; False once closed. ``wait``: block until the slot is free (no drops)."""
        with self._cond:
            if wait:
                self._cond.wait_for(lambda: self._item is None or self._closed)
            if self._closed:
                return False
            if self._item is not None:
                self.dropped += 1
            self._item = item
            self._cond.notify_all()
            return True

    def get(self, timeout: float | None = None) -> LiveFrame | None:
        """The newest frame, or None when none arrived within ``timeout`` or the box is closed."""
        with self._cond:
            self._cond.wait_for(lambda: self._item is not None or self._closed, timeout)
            item, self._item = self._item, None
            self._cond.notify_all()
            return item

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    @property
    def finished(self) -> bool:
        """Closed and emptied: no frame will ever come."""
        with self._cond:
            return self._closed and self._item is None
