"""Which cameras exist: ``formcheck live --list-cameras``, and the camera error's list of them.

OpenCV has no way to list cameras, so indices are tried one by one: each open runs on a thread
of its own and is given up after a bound (a busy or broken device can block ``VideoCapture`` for
seconds), and the whole probe stops at its own deadline. On Linux only the indices of the
``/dev/videoN`` nodes are tried (none: no camera, at once); elsewhere 0..MAX_INDEX-1.
"""

from __future__ import annotations

import contextlib
import glob
import re
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import cv2

MAX_INDEX = 10  # indices tried where the system cannot say which exist
OPEN_TIMEOUT_S = 2.0  # one camera: opened and a picture read within this, or it is left out
TOTAL_TIMEOUT_S = 6.0  # the whole probe


@dataclass(frozen=True)
class CameraInfo:
    index: int
    size: tuple[int, int] | None  # the first picture's (width, height); None: opened, no picture


def candidate_indices(dev_glob: str = "/dev/video*") -> list[int]:
    """The indices worth trying: on Linux those of the video device nodes, else 0..MAX_INDEX-1."""
    if not sys.platform.startswith("linux"):
        return list(range(MAX_INDEX))
    found = (re.fullmatch(r".*/video(\d+)", p) for p in glob.glob(dev_glob))
    return sorted(int(m.group(1)) for m in found if m is not None)


def _open(index: int) -> Any:
    import cv2.utils.logging as cvlog

    cvlog.setLogLevel(cvlog.LOG_LEVEL_SILENT)  # a missing camera makes OpenCV print pages of warnings
    return cv2.VideoCapture(index)


def _probe_one(index: int, open_capture: Callable[[int], Any], out: list[CameraInfo]) -> None:
    cap = None
    try:
        cap = open_capture(index)
        if cap is None or not cap.isOpened():
            return
        ok, image = cap.read()
        size = (int(image.shape[1]), int(image.shape[0])) if ok and image is not None else None
        out.append(CameraInfo(index, size))
    except Exception:  # noqa: BLE001 - a device that fails to open is simply not listed
        return
    finally:
        if cap is not None:
            with contextlib.suppress(Exception):  # (releasing a broken device may fail too)
                cap.release()


def probe_cameras(indices: list[int] | None = None, *, open_capture: Callable[[int], Any] | None = None,
                  open_timeout_s: float = OPEN_TIMEOUT_S, total_timeout_s: float = TOTAL_TIMEOUT_S) -> list[CameraInfo]:
    """The cameras that open, in index order. Each is tried on its own daemon thread for at most
    ``open_timeout_s``; after ``total_timeout_s`` the rest are not tried (a hung open is left behind)."""
    indices = candidate_indices() if indices is None else indices
    opener = open_capture or _open
    found: list[CameraInfo] = []
    deadline = time.monotonic() + total_timeout_s
    for index in sorted(set(indices)):
        left = deadline - time.monotonic()
        if left <= 0:
            break
        answer: list[CameraInfo] = []  # this thread's own: one given up on never writes into found
        t = threading.Thread(target=_probe_one, args=(index, opener, answer), name="formcheck-camprobe", daemon=True)
        t.start()
        t.join(min(open_timeout_s, left))
        if not t.is_alive():
            found.extend(answer)
    return found


def describe(cameras: list[CameraInfo], lang: str = "en") -> str:
    """The cameras in a few words: "camera 0 (1280x720), camera 2", or that there are none."""
    if not cameras:
        return "ingen kameraer fundet" if lang == "da" else "no cameras found"
    word = "kamera" if lang == "da" else "camera"
    return ", ".join(f"{word} {c.index}" + (f" ({c.size[0]}x{c.size[1]})" if c.size else "") for c in cameras)
