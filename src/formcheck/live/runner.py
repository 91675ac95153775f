"""Opening the camera (or file) and the window once for a whole live run, and running sets on them."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from formcheck.live.display import (
    Display,
    HeadlessDisplay,
    KeySchedule,
    WindowDisplay,
    canvas_size,
)
from formcheck.live.screens import Screens
from formcheck.live.session import LiveOptions, SetPlan
from formcheck.live.set_loop import SetOutcome, run_set
from formcheck.media.capture import CameraSource, FileSource, Source
from formcheck.sets.loop import Detector


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
        self.screens.loading(opts.lang)  # not a black window while the rest starts

    def source(self) -> Source:
        if self.camera is not None:
            return self.camera
        return FileSource(self.args.source, paced=not self.args.every_frame, preroll_s=self.opts.countdown_s)

    def run(self, plan: SetPlan) -> SetOutcome:
        self.screens.loading(self.opts.lang)  # the pose model loads in run_set: a second or more
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
