"""Regenerate the live trainer's screens in this folder (1280x720 PNGs, Danish), drawn by the
live screens' own functions (``formcheck.live.screens``) and the live overlay, as the window
shows them:

    PYTHONPATH=src .venv/bin/python docs/live/make_screens.py

Backgrounds and poses come from the rendered clips in /work/shared/data/synthetic (read in place;
a plain gradient without them), as ``docs/overlay/make_screenshots.py`` takes them. The figures
(counts, holds, cues) are made by hand: this shows what the screens say, not a measured set.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import cv2
import numpy as np

from formcheck.core.pose import Landmark
from formcheck.core.results import Cue, FrameResult, Status
from formcheck.live.screens import (
    Screens,
    pain_advice_screen,
    show_after_set,
    show_instructions,
    show_program_done,
    show_rest,
)
from formcheck.live.set_loop import SetOutcome
from formcheck.live.stats import LiveStats
from formcheck.overlay import Overlay
from formcheck.sets.set_report import SetReport
from formcheck.sets.texts import TEXTS, overlay_setup, program_row, view_hint
from formcheck.spec.exercise import load_exercise
from formcheck.spec.program import load_program

OUT = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location("overlay_shots", OUT.parent / "overlay" / "make_screenshots.py")
shots = importlib.util.module_from_spec(_spec)  # type: ignore[arg-type]
_spec.loader.exec_module(shots)  # type: ignore[union-attr]
clip_frame = shots.clip_frame


class Capture:
    """A window stand-in: keeps the first picture a screen shows, then presses ``key``."""

    headless = False
    closed = False

    def __init__(self, key: str = "space") -> None:
        self.key = key
        self.image: np.ndarray | None = None

    def show(self, image: np.ndarray) -> None:
        if self.image is None:
            self.image = image.copy()

    def poll_key(self, t_s, wait_ms=1):
        return self.key

    def toggle_fullscreen(self) -> None:
        pass

    def close(self) -> None:
        pass


def screen(background: np.ndarray, show, key: str = "space") -> np.ndarray:
    """What ``show(screens)`` puts in the window over ``background``."""
    display = Capture(key)
    screens = Screens(display, (background.shape[1], background.shape[0]), None)
    screens.still = background
    show(screens)
    assert display.image is not None
    return display.image


def save(name: str, rgb: np.ndarray) -> None:
    cv2.imwrite(str(OUT / f"{name}.png"), cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_PNG_COMPRESSION, 9])


def report(**kw) -> SetReport:
    return SetReport.from_json({"holds": [], "partials": [], "faults": [], **kw})


def main() -> None:
    lang, txt = "da", TEXTS["da"]
    squat, bracing = load_exercise("squat"), load_exercise("core_bracing")
    program = load_program("home_program")
    advice = (program.advice.pain_title.get(lang), program.advice.pain.get(lang))

    bg, _ = clip_frame("squat_good_front_male_720p", 0.5)
    save("screen_loading", screen(bg, lambda s: s.loading(lang)))
    save("screen_instructions", screen(bg, lambda s: show_instructions(s, squat, 10, lang, "8/10", 20.0)))

    live = Overlay.from_setup(overlay_setup(squat, lang), txt["keys_set"])
    img, pose = clip_frame("squat_good_front_male_720p", 0.5)
    live.annotate(img, FrameResult(500, pose, Status.READY, 0, 10, None))
    live.draw_countdown(img, 2.4, view_hint(squat, lang))
    save("screen_countdown", img)

    img, pose = clip_frame("squat_good_front_male_720p", 6.0)
    cue = Cue("knees_in", "Skub knæene ud over tæerne", "Push your knees out over your toes", 2,
              ((Landmark.LEFT_HIP, Landmark.LEFT_KNEE), (Landmark.LEFT_KNEE, Landmark.LEFT_ANKLE)))
    live.annotate(img, FrameResult(6000, pose, Status.MOVING, 7, 10, cue, progress=0.8))
    save("screen_set", img)

    img, pose = clip_frame("squat_good_front_male_720p", 6.0)
    live.draw_message(img, txt["paused"], [txt["resume"]], txt["keys_paused"])
    save("screen_paused", img)

    hold = Overlay.from_setup(overlay_setup(bracing, lang), txt["keys_set"])
    img, pose = clip_frame("core_bracing_good_default", 6.0)
    hold.annotate(img, FrameResult(6000, pose, Status.HOLDING, 0, 5, None, hold_s=6.3, hold_target_s=10.0,
                                   holds_done=1))
    save("screen_hold", img)

    bg, _ = clip_frame("squat_good_front_male_720p", 16.0)
    part = SetOutcome(report(exercise="squat", reps=7, target=10, faults=[{"id": "knees_caving"}] * 3),
                      Path("."), "quit", LiveStats(), True)
    save("screen_summary_part", screen(bg, lambda s: show_after_set(s, part, squat, lang, advice, program=True)))
    nothing = SetOutcome(report(exercise="squat", reps=0, target=10, frames_with_pose=300, started_s=None),
                         Path("."), "idle", LiveStats(), True)
    save("screen_summary_nothing", screen(bg, lambda s: show_after_set(s, nothing, squat, lang)))
    bg, _ = clip_frame("core_bracing_good_default", 2.0)
    holds = SetOutcome(report(exercise="core_bracing", kind="hold", reps=0, target=5,
                              holds=[{"side": None, "held_s": 10.0, "target_s": 10.0, "faults": []},
                                     {"side": None, "held_s": 6.0, "target_s": 10.0, "faults": []}]),
                       Path("."), "idle", LiveStats(), True)
    save("screen_summary_hold", screen(bg, lambda s: show_after_set(s, holds, bracing, lang, advice, program=True)))
    save("screen_pain", screen(bg, lambda s: pain_advice_screen(s, Overlay.from_setup(overlay_setup(bracing, lang)),
                                                                lang, advice, True), key="n"))
    save("screen_rest", screen(bg, lambda s: show_rest(s, load_exercise("pelvic_lift"), lang, 30.0)))
    rows = [program_row(bracing, holds.report, lang), program_row(load_exercise("pelvic_lift"), None, lang, "skipped"),
            program_row(squat, part.report, lang), program_row(load_exercise("calf_stretch"), None, lang)]
    save("screen_program_summary", screen(bg, lambda s: show_program_done(s, program, lang, rows)))


if __name__ == "__main__":
    main()
