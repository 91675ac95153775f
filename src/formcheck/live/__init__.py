"""``formcheck live``: coach a set (or a whole program) from the camera, or from a video file
played as if it were the camera.

Threads: the source captures in its own thread into a one-slot mailbox (``formcheck.media.capture``);
the set loop, on the main thread (HighGUI windows must live there), always takes the newest
frame, runs pose estimation and the analyzer on it with the frame's own timestamp, draws the
overlay and shows it; an optional writer thread encodes the annotated video. Lag never grows:
frames the loop cannot keep up with are dropped, as a real camera would. All counting time is
frame time, so ``--every-frame`` on a file gives exactly what ``formcheck replay`` gives.

Screens: a loading screen while the pose model loads; before a set, guidance into position
(camera) and a countdown during which nothing is counted; "I can't see you" while tracking is
lost; a summary at the end. Each screen shows the keys that work there. Keys: space pause /
resume, r restart, q or Esc end, p pain (stop at once, advice shown; between sets the advice),
n next / s skip in a program, f full screen (on by default). Hands-free (camera): a set starts
once the patient is in the start position and ends after a long still pause (``session``). A
window is optional (``--headless``); keys can be scripted by video time.

Modules: ``session`` (the set's state machine), ``set_loop`` (frames -> analysis -> overlay ->
display, and the outputs), ``display`` (canvas, window, keys), ``screens`` (between sets;
their words are in ``formcheck.sets.texts``), ``stats``, ``writer``, ``cameras`` (which exist), and ``runner`` (opens the camera or file and the window for a whole run). The command line is ``formcheck.cli.live``.
"""

from __future__ import annotations

# capture first: it loads OpenCV before PyAV, which an OpenCV window needs (see formcheck.media.capture);
# import sorters must leave this order alone (pyproject.toml, [tool.ruff.lint.per-file-ignores])
from formcheck.media.capture import CameraError, CameraSource, FileSource, LiveError, LiveFrame, Source
from formcheck.live.display import Display, HeadlessDisplay, KeySchedule, WindowDisplay, canvas_size
from formcheck.live.screens import Screens, show_after_set
from formcheck.live.session import LiveOptions, SetPlan
from formcheck.live.set_loop import SetOutcome, run_set
from formcheck.live.stats import LiveStats
from formcheck.overlay import Overlay
from formcheck.sets.texts import summary_from_report

__all__ = ["CameraError", "CameraSource", "Display", "FileSource", "HeadlessDisplay", "KeySchedule", "LiveError",
           "LiveFrame", "LiveOptions", "LiveStats", "Overlay", "Screens", "SetOutcome", "SetPlan", "Source",
           "WindowDisplay", "canvas_size", "run_set", "show_after_set",
           "summary_from_report"]
