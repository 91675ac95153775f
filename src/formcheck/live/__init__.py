"""``formcheck live``: coach a set (or a whole program) from the camera, or from a video file
played as if it were the camera.

Threads: the source captures in its own thread into a one-slot mailbox (``formcheck.capture``);
the set loop, on the main thread (HighGUI windows must live there), always takes the newest
frame, runs pose estimation and the analyzer on it with the frame's own timestamp, draws the
overlay and shows it; an optional writer thread encodes the annotated video. Lag never grows:
frames the loop cannot keep up with are dropped, as a real camera would. All counting time is
frame time, so ``--every-frame`` on a file gives exactly what ``formcheck replay`` gives.

Screens: before a set, guidance into position (camera) and a countdown during which nothing is
counted; "I can't see you" while tracking is lost; a summary at the end. Keys: space pause /
resume, r restart, q or Esc end, p pain (stop at once, advice shown), n next / s skip in a
program, f fullscreen. A window is optional (``--headless``); keys can be scripted by video time.

Modules: ``session`` (the set's state machine), ``set_loop`` (frames -> analysis -> overlay ->
display, and the outputs), ``display`` (canvas, window, keys), ``screens`` (between sets;
their words are in ``formcheck.texts``), ``stats``, ``writer``, and the CLI layer: ``command``, ``runner``, ``program_flow``.
"""

from __future__ import annotations

# capture first: it loads OpenCV before PyAV, which an OpenCV window needs (see formcheck.capture)
from ..capture import CameraError, CameraSource, FileSource, LiveError, LiveFrame, Source  # noqa: I001
from ..overlay import Overlay
from ..texts import summary_from_report
from .command import cmd_live, register
from .display import Display, HeadlessDisplay, KeySchedule, WindowDisplay, canvas_size
from .screens import Screens, show_after_set
from .session import LiveOptions, SetPlan
from .set_loop import SetOutcome, run_set
from .stats import LiveStats

__all__ = ["CameraError", "CameraSource", "Display", "FileSource", "HeadlessDisplay", "KeySchedule", "LiveError",
           "LiveFrame", "LiveOptions", "LiveStats", "Overlay", "Screens", "SetOutcome", "SetPlan", "Source",
           "WindowDisplay", "canvas_size", "cmd_live", "register", "run_set", "show_after_set",
           "summary_from_report"]
