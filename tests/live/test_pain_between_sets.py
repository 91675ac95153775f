"""Pain reported (p) on a screen between live sets is recorded in the history against the exercise
it belongs to: the pain lock holds for the rest of the day, the program's progression does not
raise the target, and the progress report lists it among the pain stops. Before, p there only
showed the advice. Scripted poses stand in for the pose model; a display stand-in answers the
screens' keys (the set's keys stay scripted by video time, as the other live tests do)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from factories import script, squat_keys
from test_screens_live import KeyDisplay, outcome

import formcheck.live.runner as runner_mod
from formcheck.cli.live import cmd_live
from formcheck.cli.main import build_parser
from formcheck.core.pose import Pose
from formcheck.live.display import KeySchedule
from formcheck.live.screens import Screens, show_after_set, show_instructions, show_rest
from formcheck.media.capture import LiveError
from formcheck.records import history as H
from formcheck.records.pain_locks import stopped_for_pain_today
from formcheck.records.pain_reported import AFTER_SET, BEFORE_START
from formcheck.records.progression import session_targets
from formcheck.records.report_model import status
from formcheck.spec.exercise import exercises_dir, load_exercise
from formcheck.spec.program import load_program

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "squat_side.mp4"  # 14 s: the frames' clock


# ----- the screens call back on p (and only on p) -------------------------------------------------


def test_p_on_each_screen_between_sets_calls_back_once_before_the_advice():
    spec, calls = load_exercise("squat"), []

    def on_pain():
        calls.append("pain")

    def screens(*keys):
        return Screens(KeyDisplay(*keys), (1280, 720), None)

    assert show_after_set(screens("p", "n"), outcome(), spec, "da", program=True, on_pain=on_pain) == "n"
    assert show_rest(screens("p", "q"), spec, "da", 30.0, on_pain=on_pain) == "q"
    assert show_instructions(screens("p", "n"), spec, 5, "da", "1/2", 20.0, on_pain=on_pain) == "s"
    assert calls == ["pain"] * 3
    for show in (lambda s: show_after_set(s, outcome(), spec, "da", on_pain=on_pain),
                 lambda s: show_rest(s, spec, "da", 30.0, on_pain=on_pain),
                 lambda s: show_instructions(s, spec, 5, "da", "1/2", 20.0, on_pain=on_pain)):
        show(screens("space"))
        show(screens("q"))
    assert calls == ["pain"] * 3  # no other key records pain
    show_after_set(screens("q"), outcome("pain", pain=True), spec, "da", on_pain=on_pain)
    assert calls == ["pain"] * 3  # (the advice after a pain stop: that set is a pain stop already)


# ----- live, end to end: scripted poses, keys on the set and on the screens ------------------------


class Squats:
    """A pose model that sees four scripted squats (by the frame's time in the set)."""

    model_name = "lite"

    def __init__(self) -> None:
        keys, _ = squat_keys(4, lead_s=1.0)
        self.poses = script(keys, 30)
        self.t = np.array([t for t, _ in self.poses])

    def detect(self, rgb: np.ndarray, t_ms: float) -> Pose | None:
        if t_ms > self.t[-1] + 1000.0:
            return self.poses[-1][1]
        return self.poses[int(np.abs(self.t - t_ms).argmin())][1]

    def close(self) -> None:
        pass


class ScreenKeys:
    """A window stand-in: a set's keys by video time (as --keys), the screens' keys in turn.
    Screens poll with wait_ms=30 (live/screens.py); a set's frames and the loading screen with 1."""

    headless, closed = False, False

    def __init__(self, keys: KeySchedule, screen_keys: list[str]) -> None:
        self.keys, self.screen_keys = keys, screen_keys

    def show(self, image):
        pass

    def poll_key(self, t_s, wait_ms=1):
        if wait_ms == 30:
            return self.screen_keys.pop(0) if self.screen_keys else "q"
        return self.keys.due(t_s)

    def toggle_fullscreen(self):
        pass

    def close(self):
        pass


@pytest.fixture()
def screen_keys(monkeypatch):
    """The screens' keys for the next live run (the runner's --headless display answers them)."""
    keys: list[str] = []
    monkeypatch.setattr(runner_mod, "HeadlessDisplay", lambda schedule: ScreenKeys(schedule, keys))
    return keys


def live(tmp_path: Path, out: str, *argv: str, keys: str = "") -> int:
    args = build_parser().parse_args(["live", *argv, "--source", str(SAMPLE), "--headless", "--every-frame",
                                      "--countdown", "0", "--data-dir", str(tmp_path / "data"),
                                      "--out", str(tmp_path / out), "--keys", keys, "--lang", "en"])
    return cmd_live(args, detector_factory=Squats)


def test_p_on_the_summary_after_one_exercise_is_recorded_and_locks_it_today(tmp_path, screen_keys, capsys):
    """live -e squat: 3 of 3 squats, then p on the summary: the set's row becomes a pain stop
    (its count stands), the report lists it, and the squat does not start again today."""
    screen_keys += ["p", "q"]  # the summary: p; the advice: q
    assert live(tmp_path, "o", "-e", "squat", "--target", "3") == 0
    assert "Squat: the pain is recorded in the history; the exercise is not done again today" in capsys.readouterr().out
    [row] = H.load_sets(tmp_path / "data")
    assert (row["reps"], row["target"], row["pain_stop"], row["pain_note"]) == (3, 3, True, AFTER_SET)
    assert row["out_dir"] == str((tmp_path / "o").absolute())  # the set's own row, not another
    assert status(row) == "pain"
    assert stopped_for_pain_today(H.load_sets(tmp_path / "data")) == {"squat"}
    with pytest.raises(LiveError, match="stopped for pain earlier today"):
        live(tmp_path, "o2", "-e", "squat")


def test_p_on_the_summary_with_no_history_says_it_is_not_recorded(tmp_path, screen_keys, capsys):
    screen_keys += ["p", "q"]
    assert live(tmp_path, "o", "-e", "squat", "--target", "3", "--no-history") == 0
    assert "Squat: the pain is not recorded (no history: --no-history)" in capsys.readouterr().out
    assert H.load_sets(tmp_path / "data") == []


@pytest.fixture()
def program(tmp_path, monkeypatch) -> Path:
    """Two squat-like exercises (the first a renamed copy of squat.toml), as tests/cli/test_program.py's."""
    ex = tmp_path / "exercises"
    ex.mkdir()
    shutil.copy(exercises_dir() / "squat.toml", ex / "squat.toml")
    text = (exercises_dir() / "squat.toml").read_text().replace('id = "squat"', 'id = "toe_heel"', 1)
    (ex / "toe_heel.toml").write_text(text)
    monkeypatch.setenv("FORMCHECK_EXERCISES", str(ex))
    prog = tmp_path / "t_program.toml"
    prog.write_text("""
name = "t_program"
title = { da = "Test", en = "Test" }
rest_s = 5
[advice]
pain_title = { da = "Stop", en = "Stop this exercise" }
pain = { da = ["Prøv igen om nogle dage."], en = ["Try again in a few days."] }
[[exercises]]
id = "toe_heel"
start_target = 3
step = 2
[[exercises]]
id = "squat"
start_target = 3
step = 2
""")
    return prog


def test_p_on_the_first_instructions_is_that_exercise_and_after_a_set_the_set_just_done(
        tmp_path, program, screen_keys, capsys):
    """Session 1: p on the first exercise's instructions (nothing done yet): a pain-only row of
    that exercise; n goes on (it is skipped); the squat reaches its target, then p on its summary:
    its row is flagged. Both are locked today, and neither target goes up next time (the squat's
    would have: 3 of 3 reached)."""
    screen_keys += ["p", "n", "space", "p", "n", "q"]  # instructions, advice, instructions, summary, advice, end
    assert live(tmp_path, "s1", "--program", str(program)) == 0
    out = capsys.readouterr().out
    assert out.count("the pain is recorded in the history") == 2, out
    # the program's summary says it on each exercise's line (the test's toe_heel is a copy of the squat)
    assert out.splitlines()[-3:-1] == ["Squat: skipped · pain reported", "Squat: 3 of 3 repetitions ✓ · pain reported"]
    rows = H.load_sets(tmp_path / "data")
    by_ex = {r["exercise"]: r for r in rows}
    assert sorted(by_ex) == ["squat", "toe_heel"] and len(rows) == 2
    first, squat = by_ex["toe_heel"], by_ex["squat"]
    assert (first["reps"], first["target"], first["program"], first["pain_note"]) == (0, 3, "t_program", BEFORE_START)
    assert first["out_dir"] is None and status(first) == "pain"
    assert (squat["reps"], squat["target"], squat["pain_note"]) == (3, 3, AFTER_SET)
    assert stopped_for_pain_today(rows) == {"toe_heel", "squat"}
    prog = load_program(program)
    assert session_targets(prog, prog.exercises, rows) == {"toe_heel": 3, "squat": 3}


def test_p_on_the_next_instructions_is_the_exercise_just_done(tmp_path, program, screen_keys):
    """The first exercise done (3 of 3), p on the second's instructions: the first's set is the
    pain stop (the second had not started; it is skipped after the advice)."""
    screen_keys += ["space", "space", "space", "p", "n", "q"]  # instr., summary, rest, instr. p, advice n, end
    assert live(tmp_path, "s1", "--program", str(program)) == 0
    rows = H.load_sets(tmp_path / "data")
    assert [(r["exercise"], r["reps"], r["pain_stop"], r["pain_note"]) for r in rows] == [
        ("toe_heel", 3, True, AFTER_SET)]
    assert stopped_for_pain_today(rows) == {"toe_heel"}


@pytest.mark.slow
def test_p_on_the_summary_after_a_real_set_is_recorded(tmp_path, screen_keys, capsys):
    """The real pose model on samples/squat_side.mp4 (4 squats), target 2, in Danish: p on the
    summary flags the set's row; the terminal says so in Danish."""
    screen_keys += ["p", "q"]
    args = build_parser().parse_args(["live", "-e", "squat", "--source", str(SAMPLE), "--headless", "--every-frame",
                                      "--countdown", "0", "--data-dir", str(tmp_path / "data"), "--target", "2",
                                      "--out", str(tmp_path / "o"), "--lang", "da", "--model", "lite"])
    assert cmd_live(args) == 0
    [row] = H.load_sets(tmp_path / "data")
    assert row["reps"] == 2 and row["pain_stop"] and row["pain_note"] == AFTER_SET
    assert "Knæbøjning: smerterne er noteret i historikken; øvelsen laves ikke mere i dag" in capsys.readouterr().out
