"""The full-window screens around live sets: instructions, the summary or pain advice, rest, the end.

Each screen stays until its time is up or an accepted key is pressed (q is always accepted),
and returns that key; headless runs skip screens at once.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from formcheck.core.results import OverlaySetup
from formcheck.live.display import Display, blank_canvas, to_canvas
from formcheck.live.session import still_end_s
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
DONE_S = 20.0  # window: the program's summary
NEXT_KEYS = ("space", "n", "s")  # keys that move on from a screen (q always ends; p shows the pain advice)


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
        """Show until ``seconds`` pass or an accepted key; returns the key (None on timeout).
        q and p are always accepted (the caller shows the pain advice for p)."""
        if self.display.headless or seconds <= 0:
            return None
        accept = set(accept) | {"q", "p"}
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
                accept: Iterable[str] = NEXT_KEYS, keys: str | None = None) -> str | None:
        """A centred message (title, lines and the keys that work) as a screen."""
        return self.show(lambda img, _: overlay.draw_message(img, title, lines, keys), seconds, accept)

    def loading(self, lang: str) -> None:
        """While the pose model loads (a second or more, nothing read from the keyboard): a
        message instead of a black or frozen window."""
        if self.display.headless:
            return
        txt = TEXTS[lang]
        img = self.background()
        Overlay(txt["loading"], lang=lang).draw_message(img, txt["loading"], [txt["loading_line"]])
        self.display.show(img)
        self.display.poll_key(None, wait_ms=1)  # lets the window paint it


def pain_advice_screen(screens: Screens, overlay: Overlay, lang: str,
                       pain_advice: tuple[str, tuple[str, ...]] | None, program: bool) -> str | None:
    """The pain advice (the program's, else the trainer's): nothing suggests carrying on; in a
    program only an explicit n goes on to the next exercise."""
    txt = TEXTS[lang]
    title, lines = pain_advice or (txt["pain_title"], txt["pain"])
    keys = txt["keys_after_pain"] if program else txt["keys_close"]
    return screens.message(overlay, title, list(lines), ADVICE_S, ("n",) if program else (), keys)


def _pain_between_sets(screens: Screens, overlay: Overlay, lang: str,
                       pain_advice: tuple[str, tuple[str, ...]] | None, program: bool) -> str:
    """p pressed on a screen between sets: the advice; "n" goes on (in a program), else "q"."""
    return "n" if pain_advice_screen(screens, overlay, lang, pain_advice, program) == "n" else "q"


def show_after_set(screens: Screens, outcome: SetOutcome, spec: ExerciseSpec, lang: str,
                   pain_advice: tuple[str, tuple[str, ...]] | None = None, program: bool = False) -> str | None:
    """The summary, or after a pain stop the advice (nothing there suggests carrying on; in a
    program only an explicit n goes on to the next exercise). Each says which key goes on. p on
    the summary shows the advice too; the session then goes on only with n."""
    txt = TEXTS[lang]
    overlay = Overlay.from_setup(overlay_setup(spec, lang))
    if outcome.last_canvas is not None:
        screens.still = outcome.last_canvas
    keys = txt["keys_on"] if program else txt["keys_after_set"]
    if outcome.ended_by == "pain":
        return pain_advice_screen(screens, overlay, lang, pain_advice, program)
    if outcome.ended_by == "failed":  # the technical line goes to the terminal and the report
        key = screens.message(overlay, txt["failed"], [txt["saved"]], SUMMARY_S, keys=keys)
    elif outcome.error:
        key = screens.message(overlay, txt["camera_lost"], [outcome.error, txt["saved"]], SUMMARY_S, keys=keys)
    else:
        summary = summary_from_report(spec, outcome.report, lang)
        if outcome.ended_by == "idle" and summary.note is None:
            summary = replace(summary, note=txt["idle_end"].format(s=still_end_s(spec)))
        key = screens.show(lambda img, _: overlay.draw_summary(img, summary, keys), SUMMARY_S, NEXT_KEYS)
    if key == "p":
        return _pain_between_sets(screens, overlay, lang, pain_advice, program)
    return key


def show_instructions(screens: Screens, spec: ExerciseSpec, target: int, lang: str, where: str,
                      seconds: float, pain_advice: tuple[str, tuple[str, ...]] | None = None) -> str | None:
    """Before a program's exercise: what to do, how to face the camera, the target, the keys,
    and when it starts by itself. p: the pain advice, then "s" (skip it) with n, else "q"."""
    txt = TEXTS[lang]
    if spec.kind == "hold" and spec.hold is not None:
        goal = txt["target_hold" if target == 1 else "target_holds"].format(n=target, s=spec.hold.target_s)
    else:
        goal = txt["target_rep" if target == 1 else "target_reps"].format(n=target)
    lines = [*spec.instructions[lang], view_hint(spec, lang), goal]
    title = f"{where}  {spec.name.get(lang)}"
    overlay = Overlay.from_setup(overlay_setup(spec, lang))

    def draw(img: np.ndarray, left: float) -> None:
        overlay.draw_message(img, title, [*lines, txt["starts_in"].format(s=math.ceil(left))], txt["keys_start"])

    key = screens.show(draw, seconds, NEXT_KEYS)
    if key == "p":
        return "s" if _pain_between_sets(screens, overlay, lang, pain_advice, True) == "n" else "q"
    return key


def show_rest(screens: Screens, nxt: ExerciseSpec, lang: str, seconds: float,
              pain_advice: tuple[str, tuple[str, ...]] | None = None) -> str | None:
    """Rest between exercises: a countdown naming the next one, and the keys."""
    txt = TEXTS[lang]
    overlay = Overlay.from_setup(overlay_setup(nxt, lang))
    hint = f"{txt['rest']} · " + txt["next"].format(name=nxt.name.get(lang))
    key = screens.show(lambda img, left: overlay.draw_countdown(img, left, hint, txt["keys_on"]), seconds, NEXT_KEYS)
    if key == "p":
        return _pain_between_sets(screens, overlay, lang, pain_advice, True)
    return key


def show_program_done(screens: Screens, program: Program, lang: str, rows: Sequence[str] = ()) -> str | None:
    """The program's summary: one line per exercise of the session (program_rows), the keys."""
    overlay = Overlay.from_setup(OverlaySetup(program.title.get(lang), lang))
    txt = TEXTS[lang]
    lines = list(rows) or [program.title.get(lang)]
    return screens.message(overlay, txt["program_summary"], lines, DONE_S, ("space",), txt["keys_close"])
