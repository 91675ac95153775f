"""Frames in for ``formcheck live``: a camera, or a video file played as if it were one.

Each source captures in its own thread and hands frames over through a one-slot mailbox: the
consumer always takes the NEWEST frame, so when analysis is slower than the camera, old frames
are dropped (and counted) instead of queueing, and the lag never grows. Every frame carries its
own time: camera frames the monotonic clock at grab, file frames their presentation time. The
analysis only ever uses those times, never how long processing took.

Modules: ``mailbox`` (the frame and the one-slot hand-over), ``source`` (the threaded source
both devices share), ``file_source`` and ``camera``.
"""

from __future__ import annotations

import sys

# OpenCV before PyAV: both wheels bundle their own libxcb, and when PyAV's is loaded first Qt's
# xcb plugin hangs in cv2.namedWindow (seen with av 18.1 and opencv-contrib 5.1 under X11). This
# package loads both (file_source reads video with PyAV), so the order is settled, and recorded
# for the window to refuse with a clear message, here.
AV_BEFORE_CV2 = "av" in sys.modules and "cv2" not in sys.modules
import cv2  # noqa: E402,F401,I001

from formcheck.media.capture.camera import CameraError, CameraSource  # noqa: E402
from formcheck.media.capture.file_source import FileSource  # noqa: E402
from formcheck.media.capture.mailbox import LiveFrame, Mailbox  # noqa: E402
from formcheck.media.capture.source import LiveError, Source, ThreadedSource  # noqa: E402

__all__ = ["AV_BEFORE_CV2", "CameraError", "CameraSource", "FileSource", "LiveError", "LiveFrame", "Mailbox",
           "Source", "ThreadedSource"]
