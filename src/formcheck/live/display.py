"""Frames out and keys in: the canvas frames are drawn at, a window (or none), scripted keys.

This is the only place that calls ``imshow`` and ``waitKey``. Keys are returned as names
(space, p, r, q, n, s, f); a script by video time can stand in for the keyboard in tests and
headless runs.
"""

from __future__ import annotations

import os
import re
import socket
import sys
from collections.abc import Callable, Iterable
from typing import Protocol

import cv2
import numpy as np

from formcheck.media.capture import AV_BEFORE_CV2, LiveError

MIN_CANVAS_H = 720  # draw at least at 720 lines so the text reads from 3 m; at most 1080
MAX_CANVAS_H = 1080
SCREEN = (1600, 900)  # a window is shrunk to fit a laptop screen this size

KEY_NAMES = {"space": "space", " ": "space", "enter": "space", "p": "p", "r": "r", "q": "q", "esc": "q",
             "n": "n", "s": "s", "f": "f"}
_KEYCODES = {32: "space", 13: "space", 10: "space", 27: "q", ord("q"): "q", ord("p"): "p", ord("r"): "r",
             ord("n"): "n", ord("s"): "s", ord("f"): "f", ord("Q"): "q", ord("P"): "p", ord("R"): "r",
             ord("N"): "n", ord("S"): "s", ord("F"): "f"}


# ----- the canvas ------------------------------------------------------------------------------


def canvas_size(size: tuple[int, int]) -> tuple[int, int]:
    """The size frames are drawn at: the source scaled to 720..1080 lines (even numbers)."""
    w, h = size
    target_h = min(max(h, MIN_CANVAS_H), MAX_CANVAS_H)
    s = target_h / h
    return int(round(w * s / 2) * 2), int(round(h * s / 2) * 2)


def to_canvas(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """A new RGB image at ``size`` (the overlay draws in place: never on the source frame)."""
    if (image.shape[1], image.shape[0]) == size:
        return image.copy()
    return cv2.resize(image, size, interpolation=cv2.INTER_LINEAR)


def blank_canvas(size: tuple[int, int]) -> np.ndarray:
    w, h = size
    img = np.empty((h, w, 3), np.uint8)
    img[:] = (30, 36, 44)
    return img


def window_size(canvas: tuple[int, int]) -> tuple[int, int]:
    """Window size: the canvas (at least 720 lines), shrunk to fit a 1600x900 laptop screen."""
    w, h = canvas
    s = min(SCREEN[0] / w, SCREEN[1] / h, 1.0)
    return max(1, round(w * s)), max(1, round(h * s))


# ----- keys --------------------------------------------------------------------------------------


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


# ----- displays ----------------------------------------------------------------------------------


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


def x_display_answers(display: str, timeout_s: float = 1.0) -> bool:
    """Whether the X server named by ``display`` ("[host]:N[.S]") accepts a connection. OpenCV's
    window toolkit aborts the whole process (no exception) when it cannot reach the display, so
    this is asked first. A name not of that form is left to Xlib's XOpenDisplay, which parses
    it as the toolkit will, and refused without libX11 (``DISPLAY=garbage`` aborted, exit 134)."""
    m = re.fullmatch(r"(?:unix/)?([^:/]*)(?:/unix)?:(\d+)(?:\.\d+)?", display)
    if m is None:
        return _xlib_opens(display, timeout_s)
    host, n = m.group(1), int(m.group(2))
    if host in ("", "unix"):
        path = f"/tmp/.X11-unix/X{n}"
        addresses: list[tuple[int, str | tuple[str, int]]] = [(socket.AF_UNIX, path), (socket.AF_UNIX, "\0" + path)]
    else:
        addresses = [(socket.AF_INET, (host, 6000 + n))]
    for family, address in addresses:
        try:
            if family == socket.AF_INET:
                socket.create_connection(address, timeout=timeout_s).close()  # type: ignore[arg-type]
            else:
                with socket.socket(family, socket.SOCK_STREAM) as sock:
                    sock.settimeout(timeout_s)
                    sock.connect(address)
            return True
        except OSError:
            continue
    return False


def _xlib_opens(display: str, timeout_s: float) -> bool:
    """Whether Xlib opens ``display``; False without libX11 or after ``timeout_s`` (a server
    that accepts and never answers: asked on a thread of its own, left behind then)."""
    import ctypes
    import ctypes.util
    import threading

    name = ctypes.util.find_library("X11")
    try:
        xlib = ctypes.CDLL(name) if name else None
    except OSError:
        xlib = None
    if xlib is None:
        return False
    xlib.XOpenDisplay.restype = ctypes.c_void_p
    xlib.XOpenDisplay.argtypes = [ctypes.c_char_p]
    xlib.XCloseDisplay.argtypes = [ctypes.c_void_p]
    opened: list[bool] = []

    def ask() -> None:
        handle = xlib.XOpenDisplay(display.encode(errors="replace"))
        if handle:
            xlib.XCloseDisplay(handle)
        opened.append(bool(handle))

    asking = threading.Thread(target=ask, name="formcheck-xprobe", daemon=True)
    asking.start()
    asking.join(timeout_s)
    return bool(opened and opened[0])


class WindowDisplay:
    """An OpenCV window (RGB frames converted to BGR for imshow); keys from the keyboard, plus a script."""

    headless = False

    def __init__(self, title: str, canvas: tuple[int, int], *, fullscreen: bool = False,
                 keys: KeySchedule | None = None) -> None:
        if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
            raise LiveError("no display to open a window on (set DISPLAY, or use --headless)")
        x = os.environ.get("DISPLAY")
        if sys.platform.startswith("linux") and x and not os.environ.get("WAYLAND_DISPLAY") and not x_display_answers(x):
            raise LiveError(f"the display {x} does not answer, so no window can be opened "
                            "(is the desktop running? or use --headless)")
        if AV_BEFORE_CV2:
            raise LiveError("cannot open a window: PyAV was imported before OpenCV in this process "
                            "(import formcheck.live or cv2 first)")
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
            cv2.imshow(self.title, cv2.cvtColor(image, cv2.COLOR_RGB2BGR))

    def poll_key(self, t_s: float | None, wait_ms: int = 1) -> str | None:
        if self.closed:
            return "q"
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
        self._fullscreen = not self._fullscreen
        mode = cv2.WINDOW_FULLSCREEN if self._fullscreen else cv2.WINDOW_NORMAL
        cv2.setWindowProperty(self.title, cv2.WND_PROP_FULLSCREEN, mode)

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            try:
                cv2.destroyWindow(self.title)
                cv2.waitKey(1)
            except cv2.error:
                pass
