"""The devices of ``formcheck live``: frames in (a camera, or a video file played as if it were
one), and a window (or none) with keys out.

Each source captures in its own thread and hands frames over through a one-slot mailbox: the
consumer always takes the NEWEST frame, so when analysis is slower than the camera, old frames
are dropped (and counted) instead of queueing, and the lag never grows. Every frame carries its
own time: camera frames the monotonic clock at grab, file frames their presentation time. The
analysis only ever uses those times, never how long processing took.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

# OpenCV before PyAV: both wheels bundle their own libxcb, and when PyAV's is loaded first Qt's
# xcb plugin hangs in cv2.namedWindow (seen with av 18.1 and opencv-contrib 5.1 under X11).
_AV_BEFORE_CV2 = "av" in sys.modules and "cv2" not in sys.modules
import cv2  # noqa: E402,I001

from .video import VideoReader  # noqa: E402

CAMERA_SIZE = (1280, 720)  # asked of the camera; it may deliver another size
CAMERA_FPS = 30.0
CAMERA_STALL_S = 2.0  # no good frame for this long after a start means the camera is gone


class LiveError(Exception):
    """live cannot run at all (no camera, no display, bad options); one line for the user."""


class CameraError(LiveError):
    """The camera cannot be used (none found, busy); one line for the user."""


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
    """A one-slot hand-over: ``put`` replaces an untaken frame (a drop) unless ``wait`` is set."""

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


class _Threaded:
    """A capture thread feeding a mailbox; subclasses implement ``_run``."""

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


class FileSource(_Threaded):
    """A video file as a camera.

    ``paced``: frames are released at their own timestamps against the monotonic clock, and a
    frame the consumer has not taken when the next one is due is dropped, as with a camera. If
    decoding itself falls a frame behind, the late frame is dropped here so playback keeps real
    time. Not paced (``--every-frame``): every frame is handed over, the thread waiting for the
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

    @property
    def truncated(self) -> bool:
        return self._reader.truncated

    def _emit(self, image: np.ndarray, t_ms: float, preroll: bool, next_due_ms: float | None) -> bool:
        if self.paced:
            now = time.monotonic()
            if self._clock0 is None:
                self._clock0 = now - t_ms / 1000.0
            due = self._clock0 + t_ms / 1000.0
            if next_due_ms is not None and now > self._clock0 + next_due_ms / 1000.0:
                self._source_dropped += 1  # decoding fell behind: a camera would have moved on
                return True
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


def _open_capture(index: int) -> Any:
    import cv2.utils.logging as cvlog

    cvlog.setLogLevel(cvlog.LOG_LEVEL_SILENT)  # a missing camera makes OpenCV print pages of warnings
    return cv2.VideoCapture(index)


class CameraSource(_Threaded):
    """A webcam through OpenCV; ``t_ms`` is the monotonic clock at grab, from the first frame.

    ``open_capture`` (index -> cv2.VideoCapture-like) is for tests: it lets a fake camera fail
    to open, give no picture, or stop delivering frames part-way (an unplugged camera).
    """

    live = True

    def __init__(self, index: int = 0, *, size: tuple[int, int] = CAMERA_SIZE, fps: float = CAMERA_FPS,
                 open_capture: Callable[[int], Any] | None = None) -> None:
        super().__init__()
        self.index = index
        self.name = f"camera:{index}"
        cap = (open_capture or _open_capture)(index)
        if cap is None or not cap.isOpened():
            raise CameraError(f"no camera found at index {index} (is one connected? try --camera 1, or --source VIDEO)")
        cap.set(cv2.CAP_PROP_FRAME_WIDTH, size[0])
        cap.set(cv2.CAP_PROP_FRAME_HEIGHT, size[1])
        cap.set(cv2.CAP_PROP_FPS, fps)
        ok, bgr = cap.read()
        if not ok or bgr is None:
            cap.release()
            raise CameraError(f"camera {index} opened but gives no picture (is another program using it?)")
        self._cap = cap
        self.size = (int(bgr.shape[1]), int(bgr.shape[0]))
        got = float(cap.get(cv2.CAP_PROP_FPS) or 0.0)
        self.fps = got if 1.0 <= got <= 240.0 else fps
        self._t0: float | None = None
        self._cv2 = cv2

    def _run(self) -> None:
        cv2 = self._cv2
        last_ok = time.monotonic()
        while not self._stop.is_set():
            ok = self._cap.grab()
            grab_s = time.monotonic()  # before decoding: the time the picture was taken
            image = None
            if ok:
                ok, bgr = self._cap.retrieve()
                if ok and bgr is not None:
                    image = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
            if image is None:
                if grab_s - last_ok > CAMERA_STALL_S:
                    self.error = f"camera {self.index} stopped delivering frames (unplugged?)"
                    return
                self._stop.wait(0.01)
                continue
            last_ok = grab_s
            if self._t0 is None:
                self._t0 = grab_s
            frame = LiveFrame(image, (grab_s - self._t0) * 1000.0, grab_s, self.delivered)
            self.delivered += 1
            if not self._box.put(frame):
                return

    def _close(self) -> None:
        cap, self._cap = self._cap, None
        if cap is not None:
            cap.release()


KEY_NAMES = {"space": "space", " ": "space", "enter": "space", "p": "p", "r": "r", "q": "q", "esc": "q",
             "n": "n", "s": "s", "f": "f"}
_KEYCODES = {32: "space", 13: "space", 10: "space", 27: "q", ord("q"): "q", ord("p"): "p", ord("r"): "r",
             ord("n"): "n", ord("s"): "s", ord("f"): "f", ord("Q"): "q", ord("P"): "p", ord("R"): "r",
             ord("N"): "n", ord("S"): "s", ord("F"): "f"}


# ----- keys and displays ------------------------------------------------------------------------


class KeySchedule:
    """Scripted key presses by video time (seconds), for tests and headless runs: "5.0:p,7:r"."""

    def __init__(self, events: Iterable[tuple[float, str]] = ()) -> None:
        evs = []
        for t, k in events:
            name = KEY_NAMES.get(str(k).lower())
            if name is None:
                raise LiveError(f"unknown key {k!r} in the key script; allowed: {', '.join(sorted(KEY_NAMES))}")
            evs.append((float(t), name))
        self._events = sorted(evs, key=lambda e: e[0])

    @classmethod
    def parse(cls, text: str | None) -> KeySchedule:
        events = []
        for item in filter(None, (s.strip() for s in (text or "").split(","))):
            t, sep, k = item.partition(":")
            try:
                events.append((float(t), k))
            except ValueError:
                raise LiveError(f"bad key script item {item!r}; expected SECONDS:KEY, e.g. 5.0:p") from None
            if not sep:
                raise LiveError(f"bad key script item {item!r}; expected SECONDS:KEY, e.g. 5.0:p")
        return cls(events)

    def due(self, t_s: float | None) -> str | None:
        """The next scripted key at or before video time ``t_s`` (one per call), else None."""
        if t_s is None or not self._events or self._events[0][0] > t_s + 1e-9:
            return None
        return self._events.pop(0)[1]


class Display(Protocol):
    headless: bool
    closed: bool

    def show(self, image: np.ndarray) -> None: ...
    def poll_key(self, t_s: float | None, wait_ms: int = 1) -> str | None: ...
    def toggle_fullscreen(self) -> None: ...
    def close(self) -> None: ...


class HeadlessDisplay:
    """No window: frames are only counted (the last one kept); keys come from a script."""

    headless = True
    closed = False

    def __init__(self, keys: KeySchedule | None = None, on_frame: Callable[[np.ndarray], None] | None = None) -> None:
        self.keys = keys or KeySchedule()
        self.on_frame = on_frame
        self.shown = 0
        self.last: np.ndarray | None = None

    def show(self, image: np.ndarray) -> None:
        self.shown += 1
        self.last = image
        if self.on_frame is not None:
            self.on_frame(image)

    def poll_key(self, t_s: float | None, wait_ms: int = 1) -> str | None:
        return self.keys.due(t_s)

    def toggle_fullscreen(self) -> None:
        pass

    def close(self) -> None:
        pass


def window_size(canvas: tuple[int, int]) -> tuple[int, int]:
    """Window size: the canvas (at least 720 lines), shrunk to fit a 1600x900 laptop screen."""
    w, h = canvas
    s = min(1600 / w, 900 / h, 1.0)
    return max(1, round(w * s)), max(1, round(h * s))


class WindowDisplay:
    """An OpenCV window (RGB frames converted to BGR for imshow); keys from the keyboard, plus a script."""

    headless = False

    def __init__(self, title: str, canvas: tuple[int, int], *, fullscreen: bool = False,
                 keys: KeySchedule | None = None) -> None:
        if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
            raise LiveError("no display to open a window on (set DISPLAY, or use --headless)")
        if _AV_BEFORE_CV2:
            raise LiveError("cannot open a window: PyAV was imported before OpenCV in this process "
                            "(import formcheck.live or cv2 first)")
        self._cv2 = cv2
        self.title = title
        self.keys = keys or KeySchedule()
        self.closed = False
        self._fullscreen = False
        # resizable, keeps the picture's shape, no Qt toolbar or status bar
        cv2.namedWindow(title, cv2.WINDOW_NORMAL | cv2.WINDOW_KEEPRATIO | cv2.WINDOW_GUI_NORMAL)
        cv2.resizeWindow(title, *window_size(canvas))
        if fullscreen:
            self.toggle_fullscreen()

    def show(self, image: np.ndarray) -> None:
        if not self.closed:
            self._cv2.imshow(self.title, self._cv2.cvtColor(image, self._cv2.COLOR_RGB2BGR))

    def poll_key(self, t_s: float | None, wait_ms: int = 1) -> str | None:
        if self.closed:
            return "q"
        cv2 = self._cv2
        code = cv2.waitKey(max(1, wait_ms))
        try:
            visible = cv2.getWindowProperty(self.title, cv2.WND_PROP_VISIBLE)
        except cv2.error:
            visible = 0
        if visible < 1:  # the user closed the window: end as with q
            self.closed = True
            return "q"
        key = _KEYCODES.get(code & 0xFF) if code >= 0 else None
        return key or self.keys.due(t_s)

    def toggle_fullscreen(self) -> None:
        cv2 = self._cv2
        self._fullscreen = not self._fullscreen
        mode = cv2.WINDOW_FULLSCREEN if self._fullscreen else cv2.WINDOW_NORMAL
        cv2.setWindowProperty(self.title, cv2.WND_PROP_FULLSCREEN, mode)

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            try:
                self._cv2.destroyWindow(self.title)
                self._cv2.waitKey(1)
            except self._cv2.error:
                pass
