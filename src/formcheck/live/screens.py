"""The full-window screens around live sets: instructions, the summary or pain advice, rest, the end.

Each screen stays until its time is up or an accepted key is pressed (q is always accepted),
and returns that key; headless runs skip screens at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

import numpy as np

from formcheck.core.results import OverlaySetup
from formcheck.live.display import Display, blank_canvas, to_canvas
from formcheck.live.set_loop import SetOutcome
from formcheck.media.capture import Source
from formcheck.overlay import Overlay
from formcheck.sets.texts import (
    TEXTS,
    overlay_setup,
    summary_from_report,
    view_hint,
)
from formcheck.spec.exercise import ExerciseSpec

if TYPE_CHECKING:
    from formcheck.spec.program import Program

SUMMARY_S = 10.0  # window: the summary stays this long unless a key is pressed
ADVICE_S = 30.0  # window: the pain advice stays this long unless a key is pressed
DONE_S = 5.0  # window: "the program is finished"
NEXT_KEYS = ("space", "n", "s")  # keys that move on from a screen (q always ends)


class Screens:
    """Full-window screens drawn on the camera picture when there is one, else on the last
    picture of the set or a plain background. Headless: skipped at once."""

    def __init__(self, display: Display, size: tuple[int, int], source: Source | None) -> None:
        self.display, self.size, self.source = display, size, source
        self.still: np.ndarray | None = None

    def background(self) -> np.ndarray:
        if self.source is not None and self.source.live:
            frame = self.source.get(timeout=0.03)
            if frame is not None:
                self.still = to_canvas(frame.image, self.size)
        return self.still.copy() if self.still is not None else blank_canvas(self.size)

    def show(self, draw: Callable[[np.ndarray, float], None], seconds: float, accept: Iterable[str]) -> str | None:
        """Show until ``seconds`` pass or an accepted key; returns the key (None on timeout)."""
        if self.display.headless or seconds <= 0:
            return None
        accept = set(accept) | {"q"}
        end = time.monotonic() + seconds
        while (left := end - time.monotonic()) > 0:
            img = self.background()
            draw(img, left)
            self.display.show(img)
            key = self.display.poll_key(None, wait_ms=30)
            if key == "f":
                self.display.toggle_fullscreen()
            elif key in accept:
                return key
        return None

    def message(self, overlay: Overlay, title: str, lines: list[str], seconds: float,
                accept: Iterable[str] = NEXT_KEYS) -> str | None:
        """A centred message (title and lines) as a screen."""
        return self.show(lambda img, _: overlay.draw_message(img, title, lines), seconds, accept)


def show_after_set(screens: Screens, outcome: SetOutcome, spec: ExerciseSpec, lang: str,
                   pain_advice: tuple[str, tuple[str, ...]] | None = None, program: bool = False) -> str | None:
    """The summary, or after a pain stop the advice (nothing there suggests carrying on; in a
    program only an explicit n goes on to the next exercise)."""
    txt = TEXTS[lang]
    overlay = Overlay.from_setup(overlay_setup(spec, lang))
    if outcome.last_canvas is not None:
        screens.still = outcome.last_canvas
    if outcome.ended_by == "pain":
        title, lines = pain_advice or (txt["pain_title"], txt["pain"])
        shown = [*lines, txt["keys_after_pain"]] if program else list(lines)
        return screens.message(overlay, title, shown, ADVICE_S, ("n",))
    if outcome.ended_by == "failed":  # the technical line goes to the terminal and the report
        return screens.message(overlay, txt["failed"], [txt["saved"]], SUMMARY_S)
    if outcome.error:
        return screens.message(overlay, txt["camera_lost"], [outcome.error, txt["saved"]], SUMMARY_S)
    summary = summary_from_report(spec, outcome.report, lang)
    return screens.show(lambda img, _: overlay.draw_summary(img, summary), SUMMARY_S, NEXT_KEYS)


def show_instructions(screens: Screens, spec: ExerciseSpec, target: int, lang: str, where: str,
                      seconds: float) -> str | None:
    """Before a program's exercise: what to do, how to face the camera, the target, the keys."""
    txt = TEXTS[lang]
    if spec.kind == "hold" and spec.hold is not None:
        goal = txt["target_hold" if target == 1 else "target_holds"].format(n=target, s=spec.hold.target_s)
    else:
        goal = txt["target_rep" if target == 1 else "target_reps"].format(n=target)
    lines = [*spec.instructions[lang], view_hint(spec, lang), goal, txt["keys_start"]]
    title = f"{where}  {spec.name.get(lang)}"
    return screens.message(Overlay.from_setup(overlay_setup(spec, lang)), title, lines, seconds)


def show_rest(screens: Screens, nxt: ExerciseSpec, lang: str, seconds: float) -> str | None:
    """Rest between exercises: a countdown naming the next one."""
    txt = TEXTS[lang]
    overlay = Overlay.from_setup(overlay_setup(nxt, lang))
    hint = f"{txt['rest']} · " + txt["next"].format(name=nxt.name.get(lang))
    return screens.show(lambda img, left: overlay.draw_countdown(img, left, hint), seconds, NEXT_KEYS)


def show_program_done(screens: Screens, program: Program, lang: str) -> str | None:
    overlay = Overlay.from_setup(OverlaySetup(program.title.get(lang), lang))
    return screens.message(overlay, TEXTS[lang]["done"], [program.title.get(lang)], DONE_S, ("space",))
