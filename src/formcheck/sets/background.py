"""Decoding and encoding on threads beside the pose model, for replay without worker processes
(``replay(workers=False)``, and where ``workers.available()`` is false). Queues are bounded, so
memory stays constant. Threads share the GIL with MediaPipe's dispatcher: measured, they slow
the pose model by ~20 % on 2 cores, which is why replay normally uses ``workers.py``."""

from __future__ import annotations

import queue
import threading
from typing import Any, Callable, Generator, Iterable, TypeVar

T = TypeVar("T")
_END = object()


class _Error:
    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


def prefetch(items: Iterable[T], maxsize: int = 8) -> Generator[T, None, None]:
    """Iterate ``items`` in a background thread, ``maxsize`` ahead; errors re-raise here."""
    q: queue.Queue[Any] = queue.Queue(maxsize=maxsize)
    stop = threading.Event()

    def work() -> None:
        try:
            for item in items:
                while not stop.is_set():
                    try:
                        q.put(item, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            q.put(_END)
        except BaseException as exc:  # handed to the consumer
            q.put(_Error(exc))

    t = threading.Thread(target=work, name="formcheck-prefetch", daemon=True)
    t.start()
    try:
        while True:
            item = q.get()
            if item is _END:
                return
            if isinstance(item, _Error):
                raise item.exc
            yield item
    finally:
        stop.set()
        t.join(timeout=5)


class BackgroundCalls:
    """Calls ``fn(*args)`` in order on one worker thread; ``close`` waits, errors re-raise."""

    def __init__(self, fn: Callable[..., None], maxsize: int = 8) -> None:
        self._fn = fn
        self._q: queue.Queue[Any] = queue.Queue(maxsize=maxsize)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._work, name="formcheck-writer", daemon=True)
        self._thread.start()

    def _work(self) -> None:
        while True:
            args = self._q.get()
            if args is _END:
                return
            if self._error is None:
                try:
                    self._fn(*args)
                except BaseException as exc:
                    self._error = exc

    def __call__(self, *args: Any) -> None:
        if self._error is not None:
            raise self._error
        self._q.put(args)

    def close(self) -> None:
        self._q.put(_END)
        self._thread.join()
        if self._error is not None:
            raise self._error
