"""What the set loop (``sets/loop.py``) does with each live frame, around the set's session.

The step asks the pose model only while it is wanted and feeds the session; then the sinks, in
order: the canvas is drawn as the session's mode says, shown in the window (a key read, the
latency timed), written to the video, and the key handed to the session, which may end the set
(the frame source stops then). Later sinks read what earlier ones made (the canvas, the key).
"""

from __future__ import annotations

import time

import numpy as np

from formcheck.core.pose import Pose
from formcheck.core.results import FrameResult
from formcheck.live.display import Display, to_canvas
from formcheck.live.session import Mode, SetSession
from formcheck.live.stats import LiveStats
from formcheck.live.writer import AsyncVideoWriter
from formcheck.media.capture import LiveFrame
from formcheck.overlay import Overlay


class SessionStep:
    """The loop's step in live: the pose model is not asked while paused or under a file's
    countdown preroll (a frozen picture, not analysed: no result)."""

    def __init__(self, session: SetSession) -> None:
        self.session = session

    def wants_pose(self, frame: LiveFrame) -> bool:
        return not frame.preroll and self.session.mode is not Mode.PAUSED

    def __call__(self, frame: LiveFrame, pose: Pose | None) -> FrameResult | None:
        # while paused the frame is recorded as unseen; the analyzer is paused (Analyzer.pause)
        return None if frame.preroll else self.session.update(frame.t_ms, pose)


class Canvas:
    """Sink: the frame at the window's size with what the set is doing drawn over it."""

    def __init__(self, session: SetSession, overlay: Overlay, size: tuple[int, int], txt: dict[str, str],
                 hint: str) -> None:
        self.session, self.overlay, self.size = session, overlay, size
        self.txt, self.hint = txt, hint  # the language's texts; the view hint under the countdown
        self.image: np.ndarray | None = None  # this frame's canvas

    def __call__(self, frame: LiveFrame, result: FrameResult | None) -> None:
        canvas = to_canvas(frame.image, self.size)
        t_s = frame.t_ms / 1000.0
        if result is None:  # a file's frozen first frame under the start countdown
            self.overlay.draw_countdown(canvas, -t_s, self.hint, self.txt["keys_set"])
        elif self.session.mode is Mode.PAUSED:
            self.overlay.draw_message(canvas, self.txt["paused"], [self.txt["resume"]], self.txt["keys_paused"])
        else:
            self.overlay.annotate(canvas, result)
            left = self.session.countdown_left(t_s)
            if left is not None:
                self.overlay.draw_countdown(canvas, left, self.hint)
        self.image = canvas


class Window:
    """Sink: shows the canvas and reads a key (f: full screen), timing both for the stats."""

    def __init__(self, display: Display, canvas: Canvas, stats: LiveStats) -> None:
        self.display, self.canvas, self.stats = display, canvas, stats
        self.key: str | None = None  # read after this frame was shown
        self.last_image: np.ndarray | None = None  # the last camera picture shown, undrawn (summary background)

    def __call__(self, frame: LiveFrame, result: FrameResult | None) -> None:
        assert self.canvas.image is not None
        ready_s = time.monotonic()
        self.display.show(self.canvas.image)
        self.key = self.display.poll_key(frame.t_ms / 1000.0)
        self.stats.add(frame, ready_s, time.monotonic())
        self.last_image = frame.image
        if self.key == "f":
            self.display.toggle_fullscreen()


class VideoSink:
    """Sink: the canvas as shown, into the annotated video, from the set's start (the countdown
    preroll, at negative times, is left out)."""

    def __init__(self, writer: AsyncVideoWriter, canvas: Canvas) -> None:
        self.writer, self.canvas = writer, canvas

    def __call__(self, frame: LiveFrame, result: FrameResult | None) -> None:
        if frame.t_ms >= 0 and self.canvas.image is not None:
            self.writer.write(self.canvas.image, frame.t_ms)


class Keys:
    """Sink, the last: the frame has been shown; the session acts on the key and the target."""

    def __init__(self, session: SetSession, window: Window) -> None:
        self.session, self.window = session, window

    def __call__(self, frame: LiveFrame, result: FrameResult | None) -> None:
        self.session.after_frame(frame.t_ms, self.window.key, frame.preroll)
