"""What the live loop needs of a frame source, and the capture thread both devices share."""

from __future__ import annotations

import threading
from typing import Protocol

from formcheck.media.capture.mailbox import LiveFrame, Mailbox


class LiveError(Exception):
    """live cannot run at all (no camera, no display, bad options); one line for the user."""


class Source(Protocol):
    name: str
    live: bool  # a real camera: frames keep coming, time only moves forward
    size: tuple[int, int]
    fps: float
    error: str | None

    def start(self) -> None: ...
    def get(self, timeout: float | None = None) -> LiveFrame | None: ...
    @property
    def finished(self) -> bool: ...
    @property
    def dropped(self) -> int: ...
    def stop(self) -> None: ...


class ThreadedSource:
    """A capture thread feeding a mailbox; subclasses implement ``_run`` (and ``_close``).

    A failure in the thread never becomes a thread traceback: it is kept as ``error`` (one line)
    and the mailbox is closed, so the consumer sees the source finish and reports why.
    """

    name = "source"
    live = False

    def __init__(self) -> None:
        self.error: str | None = None
        self.delivered = 0
        self._box = Mailbox()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._source_dropped = 0

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._guarded, name=f"capture-{self.name}", daemon=True)
            self._thread.start()

    def _guarded(self) -> None:
        try:
            self._run()
        except Exception as exc:  # the consumer reports it as one line; never a thread traceback
            self.error = self.error or f"{type(exc).__name__}: {exc}"
        finally:
            self._box.close()

    def _run(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def get(self, timeout: float | None = None) -> LiveFrame | None:
        return self._box.get(timeout)

    @property
    def finished(self) -> bool:
        return self._box.finished

    @property
    def dropped(self) -> int:
        """Frames captured but never handed to the consumer."""
        return self._box.dropped + self._source_dropped

    def stop(self) -> None:
        self._stop.set()
        self._box.close()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5.0)
        self._close()

    def _close(self) -> None:
        pass
