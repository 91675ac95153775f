"""A webcam through OpenCV, captured in its own thread."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import cv2

from formcheck.media.capture.mailbox import LiveFrame
from formcheck.media.capture.source import LiveError, ThreadedSource

CAMERA_SIZE = (1280, 720)  # asked of the camera; it may deliver another size
CAMERA_FPS = 30.0
CAMERA_STALL_S = 2.0  # no good frame for this long after a start means the camera is gone


class CameraError(LiveError):
    """The camera cannot be used (none found, busy); one line for the user."""


def _open_capture(index: int) -> Any:
    import cv2.utils.logging as cvlog  # (cv2 is loaded by this package already; the submodule only here)

    cvlog.setLogLevel(cvlog.LOG_LEVEL_SILENT)  # a missing camera makes OpenCV print pages of warnings
    return cv2.VideoCapture(index)


class CameraSource(ThreadedSource):
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

    def _run(self) -> None:
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
