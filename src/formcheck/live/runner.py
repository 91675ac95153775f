"""The CLI side of live sets: opening the camera (or file) and the window once for a whole run,
where sessions are saved, and what is printed and stored after each set."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from ..capture import CameraSource, FileSource, Source
from ..pipeline import Detector
from ..spec import ExerciseSpec
from .display import Display, HeadlessDisplay, KeySchedule, WindowDisplay, canvas_size
from .screens import Screens
from .session import LiveOptions, SetPlan
from .set_loop import SetOutcome, run_set


class Runner:
    """Opens the source and display for ``cmd_live`` and runs sets on them.

    A camera stays open across the sets of a program; a file is opened afresh for each set, so
    every set plays it from the start (after its countdown preroll).
    """

    def __init__(self, args: argparse.Namespace, opts: LiveOptions, keys: KeySchedule,
                 open_camera: Callable[[int], Any] | None = None,
                 detector_factory: Callable[[], Detector] | None = None) -> None:
        self.args, self.opts, self.keys = args, opts, keys
        self.detector_factory = detector_factory
        self.camera: CameraSource | None = None
        if args.source is None:
            self.camera = CameraSource(args.camera, open_capture=open_camera)
            self.camera.start()
            size, self.title = self.camera.size, f"formcheck - camera {args.camera}"
        else:
            probe = FileSource(args.source, paced=False)  # a bad file fails here, before any window
            size, self.title = probe.size, f"formcheck - {Path(args.source).name}"
            probe.stop()
        self.size = canvas_size(size)
        try:
            self.display: Display = (HeadlessDisplay(keys) if args.headless
                                     else WindowDisplay(self.title, self.size, fullscreen=args.fullscreen, keys=keys))
        except BaseException:  # e.g. no screen: let the camera go before the error is shown
            if self.camera is not None:
                self.camera.stop()
            raise
        self.screens = Screens(self.display, self.size, self.camera)

    def source(self) -> Source:
        if self.camera is not None:
            return self.camera
        return FileSource(self.args.source, paced=not self.args.every_frame, preroll_s=self.opts.countdown_s)

    def run(self, plan: SetPlan) -> SetOutcome:
        src = self.source()
        try:
            return run_set(plan, src, self.display, self.opts, self.detector_factory)
        finally:
            if src is not self.camera:
                src.stop()

    def close(self) -> None:
        if self.camera is not None:
            self.camera.stop()
        self.display.close()


def sessions_root(args: argparse.Namespace, name: str) -> Path:
    """``--out``, else a new timestamped folder under the data folder's ``sessions/``."""
    if args.out:
        return Path(args.out)
    from ..history import data_dir

    base = data_dir(args.data_dir) / "sessions" / f"{datetime.now().strftime('%Y-%m-%d_%H%M%S')}_{name}"
    base.parent.mkdir(parents=True, exist_ok=True)
    cand, n = base, 2
    while True:  # made here, at once: two sessions started in the same second get two folders
        try:
            cand.mkdir()
            return cand
        except FileExistsError:
            cand, n = base.with_name(f"{base.name}_{n}"), n + 1


def report_set(args: argparse.Namespace, spec: ExerciseSpec, outcome: SetOutcome) -> None:
    """Print and store one finished set; a Ctrl-C during the set ends the command here.

    A set skipped (s key) before anything was done is only named; others go to the history
    when something was counted, and always after a pain stop.
    """
    from ..cli import _record_history, print_set
    from ..texts import fault_texts

    if outcome.error:
        done = "saved what was done" if outcome.counted else "nothing was counted"
        grave = not outcome.counted or outcome.ended_by == "failed"
        print(f"formcheck: {'error' if grave else 'warning'}: {outcome.error} "
              f"after {outcome.report['duration_s']:.1f} s; {done} ({outcome.out_dir})", file=sys.stderr)
    if outcome.ended_by == "skip" and not (outcome.report["reps"] or outcome.report["holds"]):
        print(f"{spec.name.en}: skipped")
    else:
        if outcome.counted or outcome.ended_by == "pain":
            try:
                _record_history(args, outcome.report)
            except Exception as exc:  # the report is already on disk: warn, do not lose the set
                print(f"formcheck: warning: the set was not added to the history: {exc}", file=sys.stderr)
        print_set(spec.name.en, spec.kind, outcome.report, outcome.out_dir, fault_texts(spec, "en"))
    if args.stats:
        print(outcome.stats.line())
    if outcome.ended_by == "interrupted":
        raise KeyboardInterrupt
    if outcome.ended_by == "terminated":
        from ..interrupts import Terminated

        raise Terminated()


def exit_code(outcome: SetOutcome) -> int:
    """Non-zero when nothing could be done at all because of the source, or the set failed."""
    return 1 if (outcome.error and not outcome.counted) or outcome.ended_by == "failed" else 0
