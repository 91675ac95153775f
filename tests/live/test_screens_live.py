"""The screens between live sets say which keys work, p (pain) included, and p works on them
(issue 19, item 3). A display stand-in that records what is drawn and answers with keys."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import formcheck.live.screens as screens_mod
from formcheck.live.screens import (
    Screens,
    show_after_set,
    show_instructions,
    show_program_done,
    show_rest,
)
from formcheck.live.set_loop import SetOutcome
from formcheck.live.stats import LiveStats
from formcheck.overlay import Overlay
from formcheck.sets.set_report import SetReport
from formcheck.sets.texts import TEXTS, program_row
from formcheck.spec.exercise import load_exercise
from formcheck.spec.program import load_program


class KeyDisplay:
    """A window stand-in: keeps what is shown, answers each poll with the next scripted key."""

    headless = False
    closed = False

    def __init__(self, *keys: str | None) -> None:
        self.keys = list(keys)
        self.shown: list[np.ndarray] = []

    def show(self, image):
        self.shown.append(image.copy())

    def poll_key(self, t_s, wait_ms=1):
        return self.keys.pop(0) if self.keys else "q"

    def toggle_fullscreen(self):
        pass

    def close(self):
        pass


@pytest.fixture()
def drawn(monkeypatch):
    """Every text the overlay was asked to draw on a screen: (what, title or summary, lines, keys)."""
    seen: list[tuple] = []
    real_msg, real_sum, real_cd = Overlay.draw_message, Overlay.draw_summary, Overlay.draw_countdown

    def message(self, img, title, lines=(), keys=None):
        seen.append(("message", title, list(lines), keys))
        real_msg(self, img, title, lines, keys)

    def summary(self, img, s, keys=None):
        seen.append(("summary", s, [], keys))
        real_sum(self, img, s, keys)

    def countdown(self, img, left, hint=None, keys=None):
        seen.append(("countdown", hint, [], keys))
        real_cd(self, img, left, hint, keys)

    monkeypatch.setattr(Overlay, "draw_message", message)
    monkeypatch.setattr(Overlay, "draw_summary", summary)
    monkeypatch.setattr(Overlay, "draw_countdown", countdown)
    return seen


def outcome(ended_by: str = "quit", reps: int = 3, pain: bool = False) -> SetOutcome:
    report = SetReport.from_json({"exercise": "squat", "reps": reps, "target": 10, "holds": [], "partials": [],
                                  "faults": [], "pain_stop": {"t_s": 2.0, "note": "p"} if pain else None})
    return SetOutcome(report, Path("/nowhere"), ended_by, LiveStats(), True)


def screens(*keys) -> Screens:
    return Screens(KeyDisplay(*keys), (1280, 720), None)


@pytest.mark.parametrize("lang", ["da", "en"])
def test_the_summary_says_which_key_goes_on_and_names_p(drawn, lang):
    txt = TEXTS[lang]
    assert show_after_set(screens("space"), outcome(), load_exercise("squat"), lang) == "space"
    assert drawn[-1][0] == "summary" and drawn[-1][3] == txt["keys_after_set"]
    show_after_set(screens("space"), outcome(), load_exercise("squat"), lang, program=True)
    assert drawn[-1][3] == txt["keys_on"]
    for keys in (txt["keys_after_set"], txt["keys_on"]):
        assert "p: " in keys and ("mellemrum" in keys or "space" in keys)


def test_the_pain_advice_says_which_key_goes_on(drawn):
    txt = TEXTS["da"]
    assert show_after_set(screens("n"), outcome("pain", pain=True), load_exercise("squat"), "da", program=True) == "n"
    assert drawn[-1][0] == "message" and drawn[-1][3] == txt["keys_after_pain"]
    show_after_set(screens(None, None), outcome("pain", pain=True), load_exercise("squat"), "da")
    assert drawn[-1][3] == txt["keys_close"]  # one exercise: q closes; nothing suggests carrying on


def test_p_on_the_summary_shows_the_pain_advice_and_only_n_goes_on(drawn):
    spec = load_exercise("squat")
    advice = ("Stop denne øvelse", ("Kontakt klinikken.",))
    assert show_after_set(screens("p", "n"), outcome(), spec, "da", advice, program=True) == "n"
    assert [d[0] for d in drawn] == ["summary", "message"] and drawn[-1][1] == "Stop denne øvelse"
    assert show_after_set(screens("p", "space", None, "q"), outcome(), spec, "da", advice, program=True) == "q"


def test_the_instruction_screen_names_the_keys_and_when_it_starts_by_itself(drawn):
    spec = load_exercise("squat")
    assert show_instructions(screens("space"), spec, 5, "da", "1/3", 20.0) == "space"
    _, _, lines, keys = drawn[-1]
    assert "p: smerter" in keys and "mellemrum: start" in keys
    assert lines[-1].startswith("Starter af sig selv om ")
    # p there: the advice; n skips this exercise and goes on, anything else ends the session
    assert show_instructions(screens("p", "n"), spec, 5, "da", "1/3", 20.0) == "s"
    assert show_instructions(screens("p", "q"), spec, 5, "da", "1/3", 20.0) == "q"


def test_the_rest_screen_names_the_keys(drawn):
    assert show_rest(screens("space"), load_exercise("pelvic_lift"), "en", 30.0) == "space"
    assert drawn[-1][0] == "countdown" and drawn[-1][3] == TEXTS["en"]["keys_on"]
    assert show_rest(screens("p", "n"), load_exercise("pelvic_lift"), "en", 30.0) == "n"


def test_the_program_summary_lists_each_exercise(drawn):
    squat, bracing = load_exercise("squat"), load_exercise("core_bracing")
    done = SetReport.from_json({"exercise": "squat", "reps": 10, "target": 10, "holds": [], "partials": [],
                                "faults": []})
    holds = SetReport.from_json({"exercise": "core_bracing", "kind": "hold", "reps": 0, "target": 5, "partials": [],
                                 "holds": [{"side": None, "held_s": 10.0, "target_s": 10.0, "faults": []}],
                                 "faults": []})
    pain = SetReport.from_json({"exercise": "squat", "reps": 2, "target": 10, "holds": [], "partials": [],
                                "faults": [], "pain_stop": {"t_s": 2.0, "note": "p"}})
    rows = [program_row(squat, done, "da"), program_row(bracing, holds, "da"), program_row(squat, pain, "da"),
            program_row(squat, None, "da", "skipped"), program_row(squat, None, "da")]
    assert rows == ["Knæbøjning: 10 af 10 gentagelser ✓", "Rygstabilisering: 1 af 5 hold",
                    "Knæbøjning: stoppet: smerter", "Knæbøjning: sprunget over", "Knæbøjning: ikke lavet"]
    show_program_done(screens("space"), load_program("home_program"), "da", rows)
    _, title, lines, keys = drawn[-1]
    assert title == TEXTS["da"]["program_summary"] and lines == rows and keys == TEXTS["da"]["keys_close"]


def test_a_loading_screen_is_shown_not_a_black_window(drawn):
    s = screens()
    s.loading("da")
    assert drawn[-1][1] == TEXTS["da"]["loading"]
    img = s.display.shown[-1]
    assert img.std() > 5  # text on a panel, not one flat colour
    screens_mod.Screens(KeyDisplay(), (1280, 720), None)  # (constructing one shows nothing by itself)


def test_live_help_lists_every_key_pain_first(capsys):
    """`formcheck live --help` names the keys, p (pain) and f (full screen) included (issue 19)."""
    from formcheck.cli.main import main

    with pytest.raises(SystemExit):
        main(["live", "--help"])
    out = capsys.readouterr().out
    keys = out[out.index("keys in the window:"):].splitlines()[1:7]
    assert keys[0].split()[0] == "p" and "pain" in keys[0]
    assert [line.split()[0] for line in keys] == ["p", "space", "q,", "r", "f", "n,"]
    assert "--no-fullscreen" in out and "--no-hands-free" in out and "--list-cameras" in out
