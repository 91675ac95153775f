"""Screens that never mislead (issue 19, item 3), through the overlay's own functions: the end
card's heading and words follow the result and the exercise kind, and a cue's text is large
enough to read from 3 m (its capital height measured on the rendered pixels)."""

from __future__ import annotations

import numpy as np
import pytest

from formcheck.core.results import Cue, FrameResult, SessionSummary, Status
from formcheck.overlay import Overlay
from formcheck.overlay.painter import Line
from formcheck.overlay.screens import message_items, summary_items
from formcheck.overlay.style import STRINGS
from formcheck.spec.exercise import load_exercise

DA, EN = STRINGS["da"], STRINGS["en"]


def texts(items) -> list[str]:
    return [i.text for i in items if isinstance(i, Line)]


@pytest.mark.parametrize("summary,kind,heading", [
    (SessionSummary("Squat", 10, 10, 0, [], None), "reps", "target_reached"),
    (SessionSummary("Squat", 3, 10, 0, [], None), "reps", "part_done"),
    (SessionSummary("Squat", 0, 10, 0, [], None), "reps", "nothing_counted"),
    (SessionSummary("Squat", 0, 10, 0, [], None, pain_stopped=True), "reps", "stopped"),
    (SessionSummary("Squat", 2, 10, 0, [], None, pain_stopped=True), "reps", "stopped"),
    (SessionSummary("Rygstabilisering", 0, 5, 0, [(None, 10.0, 10.0)], None, done=1), "hold", "part_done"),
    (SessionSummary("Rygstabilisering", 0, 2, 0, [(None, 3.0, 10.0)], None, done=0), "hold", "nothing_counted"),
    (SessionSummary("Lægstræk", 0, 2, 0, [("L", 20.0, 20.0), ("R", 20.0, 20.0)], None, done=2), "hold",
     "target_reached"),
])
@pytest.mark.parametrize("lang", ["da", "en"])
def test_the_end_cards_heading_follows_the_result(summary, kind, heading, lang):
    """Never "Godt gået!" over 0 of 10 or after a pain stop (issue 19: it headed every card)."""
    s = STRINGS[lang]
    shown = texts(summary_items(summary, kind, s))
    assert shown[0] == s[heading]
    if heading != "target_reached":
        assert not any(t.startswith(s["target_reached"].split("!")[0]) for t in shown)


def test_a_hold_exercise_says_holds_never_repetitions():
    """A hold card says "1 af 5 hold", not "0 / 5 gentagelser" (issue 19)."""
    summary = SessionSummary("Rygstabilisering", 0, 5, 0, [(None, 10.0, 10.0), (None, 4.0, 10.0)], None, done=1)
    da = texts(summary_items(summary, "hold", DA))
    en = texts(summary_items(summary, "hold", EN))
    assert "1 af 5 hold" in da and "1 of 5 holds" in en
    assert not any(DA["reps"] in t or "0 / 5" in t for t in da)
    assert not any(EN["reps"] in t for t in en)
    none = texts(summary_items(SessionSummary("Rygstabilisering", 0, 1, 0, [], None, done=0), "hold", DA))
    assert "0 af 1 hold" in none and not any("gentagelse" in t for t in none)


def test_the_tip_is_a_faults_cue_and_the_note_is_apart():
    summary = SessionSummary("Squat", 0, 10, 0, [], None, note="Tællingen startede ikke")
    shown = texts(summary_items(summary, "reps", DA))
    assert "Tællingen startede ikke" in shown
    assert not any(t.startswith("Tip") for t in shown)  # nothing to tip about: no "Tip: get into position"
    tipped = texts(summary_items(SessionSummary("Squat", 3, 10, 0, [], "Skub knæene ud"), "reps", DA))
    assert DA["tip"].format(cue="Skub knæene ud") in tipped


def test_keys_are_on_the_end_card_and_on_messages():
    keys = "mellemrum: videre · p: smerter · q: afslut"
    assert texts(summary_items(SessionSummary("Squat", 3, 10, 0, [], None), "reps", DA, keys))[-1] == keys
    assert texts(message_items("Pause", ["Tryk mellemrum"], keys))[-1] == keys


def test_the_live_count_panel_shows_the_pain_key():
    """During a set the keys (p first) are under the count; replay's overlay has none."""
    live, replay = Overlay("Squat", keys="p: smerter · mellemrum: pause · q: stop"), Overlay("Squat")
    r = FrameResult(t_ms=0.0, pose=None, status=Status.READY, reps=2, target=10, cue=None)
    a, b = np.zeros((720, 1280, 3), np.uint8), np.zeros((720, 1280, 3), np.uint8)
    live.annotate(a, r)
    replay.annotate(b, r)
    drawn_a, drawn_b = np.any(a > 0, axis=2), np.any(b > 0, axis=2)
    bottom_a, bottom_b = np.nonzero(drawn_a.any(axis=1))[0].max(), np.nonzero(drawn_b.any(axis=1))[0].max()
    assert bottom_a >= bottom_b + 0.03 * 720  # one more line of text under the count
    assert np.nonzero(drawn_a.any(axis=0))[0].max() < 0.6 * 1280  # in the panel at the top left


def cap_height_share(text: str, w: int = 1280, h: int = 720) -> float:
    """A cue's capital height as a share of the window height, measured on the pixels: the cue
    drawn alone on black, the rows of its white ink."""
    img = np.zeros((h, w, 3), np.uint8)
    r = FrameResult(t_ms=0.0, pose=None, status=Status.MOVING, reps=1, target=5, cue=Cue("x", text, text, 1))
    Overlay("X").annotate(img, r)
    cue_rows = img[round(0.55 * h):]  # the cue is at the bottom (the count's panel is at the top)
    ink = np.nonzero(np.all(cue_rows >= 245, axis=2).any(axis=1))[0]
    return (ink[-1] - ink[0] + 1) / h if ink.size else 0.0


@pytest.mark.parametrize("w,h", [(1280, 720), (1920, 1080), (960, 720)])
def test_a_cue_is_large_enough_to_read_from_3_m(w, h):
    """Capital height of a one-line cue ("HEEL": no descenders or accents) at least 6% of the
    window's height (6.5% measured; 4.7% before issue 19: 34 px in a 720-line window)."""
    assert cap_height_share("HEEL", w, h) >= 0.06


def test_every_exercise_files_cue_keeps_a_readable_size():
    """The longest cues wrap onto two lines before they shrink: each stays at 5% or more."""
    from formcheck.overlay.painter import CUE_SIZE, Painter
    from formcheck.overlay.text import TextRenderer

    paint = Painter(TextRenderer())
    ids = ["squat", "heel_raise", "toe_heel", "pelvic_lift", "curl_up", "oblique_curl_up", "weight_shift",
           "core_bracing", "supine_glute_stretch", "seated_glute_stretch", "calf_stretch"]
    for exercise in ids:
        for cue in load_exercise(exercise).fault_cues().values():
            for text in (cue.da, cue.en):
                box = paint.cue_box(720, 1280, text)
                assert box.size >= 0.77 * CUE_SIZE * 720, (exercise, text, box.size)
