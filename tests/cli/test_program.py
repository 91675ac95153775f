"""Programs: the home program file, strict parsing, progression from history, and a program
session run live (headless, from a file, keys scripted)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from factories import TrackDetector, replay_reference

from formcheck.cli.live import cmd_live
from formcheck.cli.main import build_parser
from formcheck.records.progression import (
    PastSet,
    done_in_report,
    next_target,
    past_sets,
    session_targets,
)
from formcheck.sets.set_report import SetReport
from formcheck.spec.exercise import EXERCISE_IDS, exercises_dir, load_exercise
from formcheck.spec.program import (
    ProgramError,
    ProgramExercise,
    load_program,
    parse_program,
    programs_dir,
)

HOSPITAL_ORDER = ["core_bracing", "pelvic_lift", "curl_up", "oblique_curl_up", "supine_glute_stretch",
                  "seated_glute_stretch", "toe_heel", "squat", "weight_shift", "calf_stretch"]


def test_home_program_is_the_whole_program_in_the_hospitals_order():
    p = load_program("home_program")
    assert [e.id for e in p.exercises] == HOSPITAL_ORDER
    assert p.max_target == 15
    assert all(1 <= e.start_target <= 15 and 0 <= e.step for e in p.exercises)
    assert p.countdown_s == 3 and p.rest_s > 0
    # the sessions split the program and together cover all of it
    covered = [i for s in p.sessions.values() for i in s]
    assert sorted(covered) == sorted(HOSPITAL_ORDER)
    for lang in ("da", "en"):
        advice = " ".join(p.advice.pain.get(lang)).lower()
        assert ("dage" if lang == "da" else "days") in advice
        assert ("klinikken" if lang == "da" else "clinic") in advice


def test_home_program_file_matches_its_name():
    assert (programs_dir() / "home_program.toml").is_file()
    assert load_program(programs_dir() / "home_program.toml").name == "home_program"


GOOD = {
    "name": "t", "title": {"da": "T", "en": "T"},
    "advice": {"pain_title": {"da": "Stop", "en": "Stop"}, "pain": {"da": ["a"], "en": ["b"]}},
    "exercises": [{"id": "squat", "start_target": 5}, {"id": "pelvic_lift", "start_target": 4, "step": 2}],
}


def variant(**changes) -> dict:
    d = json.loads(json.dumps(GOOD))
    for k, v in changes.items():
        d[k] = v
    return d


@pytest.mark.parametrize("data,expected", [
    (variant(colour="red"), "t.toml: colour: unknown key; allowed: name, title, max_target, rest_s"),
    (variant(exercises=[{"id": "squat", "start_target": 5, "reps": 3}]),
     "t.toml: exercises.0.reps: unknown key; allowed: id, start_target, step, rest_s"),
    (variant(exercises=[{"id": "lunge", "start_target": 5}]),
     "t.toml: exercises.0.id: unknown exercise 'lunge'; allowed: " + ", ".join(EXERCISE_IDS)),
    (variant(exercises=[{"id": "squat", "start_target": 20}]),
     "start_target 20 is above max_target 15"),
    (variant(exercises=[{"id": "squat", "start_target": 5, "step": -1}]),
     "t.toml: exercises.0.step: Input should be greater than or equal to 0 (got -1)"),
    (variant(exercises=[{"id": "squat", "start_target": "5"}]),
     "t.toml: exercises.0.start_target: Input should be a valid integer (got '5')"),
    (variant(exercises=[{"id": "squat", "start_target": 5}, {"id": "squat", "start_target": 5}]),
     "exercises listed twice: squat"),
    (variant(exercises=[]), "t.toml: exercises: List should have at least 1 item"),
    (variant(sessions={"a": "squat"}), 't.toml: sessions.a: should be a list in [ ], e.g. ["a", "b"] (got \'squat\')'),
    (variant(sessions={"a": ["squat", "curl_up"]}),
     "session 'a': 'curl_up' not in this program's exercises; allowed: squat, pelvic_lift"),
    (variant(name="other"), "t.toml: name: 'other' must match the file name 't'"),
    (variant(advice={"pain": {"da": ["a"], "en": ["b"]}}), "t.toml: advice.pain_title: Field required"),
    (variant(rest_s=-5), "t.toml: rest_s: Input should be greater than or equal to 0"),
    (variant(advice={"pain_title": {"da": "a", "en": "b"}, "pain": {"da": ["a"], "en": [""]}}),
     "t.toml: advice.pain.en.0: String should have at least 1 character"),  # no blank pain advice
])
def test_program_errors_name_file_key_and_allowed_values(data, expected):
    with pytest.raises(ProgramError) as err:
        parse_program(data, Path("t.toml"))
    assert expected in str(err.value)
    assert len(str(err.value).splitlines()) == 1, str(err.value)  # one problem, one line


def test_program_file_errors(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("name = \n")
    with pytest.raises(ProgramError, match=r"bad.toml: not valid TOML"):
        load_program(bad)
    with pytest.raises(ProgramError, match=r"unknown program 'nope'; available: .*home_program"):
        load_program("nope")


def test_select_sessions_and_only():
    p = load_program("home_program")
    assert [e.id for e in p.select()] == HOSPITAL_ORDER
    assert [e.id for e in p.select("upright")] == HOSPITAL_ORDER[5:]
    assert [e.id for e in p.select(None, ["squat", "core_bracing"])] == ["core_bracing", "squat"]  # program order
    assert [e.id for e in p.select("upright", ["squat", "toe_heel"])] == ["toe_heel", "squat"]
    with pytest.raises(ProgramError, match=r"unknown session 'x'; allowed: lying, upright"):
        p.select("x")
    with pytest.raises(ProgramError, match=r"--only: 'lunge' not in program 'home_program'"):
        p.select(None, ["lunge"])
    with pytest.raises(ProgramError, match=r"none of squat is in session 'lying'"):
        p.select("lying", ["squat"])


E = ProgramExercise(id="squat", start_target=5, step=2)


@pytest.mark.parametrize("last,expected", [
    (None, 5),                                        # first session: the starting target
    (PastSet("squat", 5, 5, False), 7),               # reached without pain: up by the step
    (PastSet("squat", 5, 9, False), 7),               # more than asked: still one step
    (PastSet("squat", 5, 4, False), 5),               # not reached: the same again
    (PastSet("squat", 5, 5, True), 5),                # pain: never up
    (PastSet("squat", 14, 14, False), 15),            # capped at the maximum
    (PastSet("squat", 15, 15, False), 15),
])
def test_next_target(last, expected):
    assert next_target(E, 15, last) == expected


def test_step_zero_keeps_the_target():
    assert next_target(ProgramExercise(id="calf_stretch", start_target=2, step=0), 15,
                       PastSet("calf_stretch", 2, 2, False)) == 2


def row(exercise, target, reps, *, program="t", pain=False, mode="live", kind="reps", holds=()):
    report = {"kind": kind, "reps": reps, "target": target, "holds": list(holds)}
    return {"exercise": exercise, "program": program, "mode": mode, "target": target, "reps": reps,
            "pain_stop": pain, "report": SetReport.from_json(report)}


def test_progression_reads_only_this_programs_live_sets_latest_last():
    p = parse_program(GOOD, Path("t.toml"))
    history = [
        row("squat", 5, 5),                       # reached ...
        row("squat", 7, 7, program="other"),      # another program: ignored
        row("squat", 9, 9, mode="replay"),        # a replay is no session: ignored
        row("pelvic_lift", 4, 4),
        row("pelvic_lift", 6, 6, pain=True),      # ... the latest pelvic lift hurt
    ]
    assert session_targets(p, p.exercises, history) == {"squat": 6, "pelvic_lift": 6}
    assert set(past_sets("t", history)) == {"squat", "pelvic_lift"}


def test_holds_count_when_they_reach_their_time():
    holds = [{"held_s": 20.0, "target_s": 20.0}, {"held_s": 12.0, "target_s": 20.0}, {"held_s": 20.4, "target_s": 20.0}]
    assert done_in_report(SetReport.from_json({"kind": "hold", "reps": 0, "holds": holds})) == 2
    assert done_in_report(SetReport.from_json({"kind": "reps", "reps": 7, "holds": []})) == 7


# ----- a program session, live from a file -----------------------------------------------------------


@pytest.fixture()
def two_exercise_program(tmp_path, monkeypatch) -> Path:
    """A program of two squat-like exercises (the second a renamed copy of squat.toml), so the
    flow does not depend on exercise files other engineers are still writing."""
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


def run_program(prog: Path, tmp_path: Path, sample: Path, track, keys: str, name: str, *extra: str) -> int:
    args = build_parser().parse_args([
        "live", "--program", str(prog), "--source", str(sample), "--headless", "--every-frame",
        "--data-dir", str(tmp_path / "data"), "--out", str(tmp_path / name), "--keys", keys, "--lang", "en", *extra])
    return cmd_live(args, detector_factory=lambda: TrackDetector(track))


def test_program_session_guides_exercise_by_exercise_and_progresses(two_exercise_program, tmp_path, sample_squat,
                                                                    tmp_path_factory, capsys):
    pytest.importorskip("formcheck.records.history")
    from formcheck.records.history import load_sets

    track = replay_reference(tmp_path_factory, sample_squat)["track"]
    prog = two_exercise_program
    # session 1: skip the first exercise at once, the squat reaches its target of 3 (the sample has 4)
    assert run_program(prog, tmp_path, sample_squat, track, "0.5:s", "s1") == 0
    out = capsys.readouterr().out
    assert "Squat: skipped" in out.splitlines()[0]
    rep = json.loads((tmp_path / "s1" / "02_squat" / "report.json").read_text())
    assert rep["target"] == 3 and rep["reps"] == 3 and rep["ended_by"] == "target"
    assert rep["partials"] == []  # the 4th squat, begun before the set ended at its target, is none of it
    from formcheck.media.track import load_track
    from formcheck.tune.analysis import analyse

    again = analyse(load_track(tmp_path / "s1" / "02_squat" / "track.npz"), load_exercise("squat"))
    assert (again.report.reps, again.report.partials) == (3, ())  # tune re-runs it as it ended
    assert rep["program"]["name"] == "t_program" and rep["program"]["index"] == 2
    sets = load_sets(tmp_path / "data")
    assert [(s["exercise"], s["program"], s["target"], s["reps"]) for s in sets] == [("squat", "t_program", 3, 3)]

    # session 2: the squat's target went up by its step; the skipped exercise starts where it was
    assert run_program(prog, tmp_path, sample_squat, track, "", "s2", "--only", "squat,toe_heel") == 0
    rep1 = json.loads((tmp_path / "s2" / "01_toe_heel" / "report.json").read_text())
    rep2 = json.loads((tmp_path / "s2" / "02_squat" / "report.json").read_text())
    assert (rep1["target"], rep2["target"]) == (3, 5)
    assert rep2["reps"] == 4 and rep2["ended_by"] == "end_of_video"  # 4 of 5: not reached

    # session 3: pain in the squat (recorded; headless, nobody presses n, so the session ends); no raise after it
    assert run_program(prog, tmp_path, sample_squat, track, "20:n,5.0:p", "s3", "--only", "squat") == 0
    rep = json.loads((tmp_path / "s3" / "01_squat" / "report.json").read_text())
    assert rep["pain_stop"]["t_s"] == pytest.approx(5.0, abs=0.04) and rep["target"] == 5
    last = load_sets(tmp_path / "data", "squat")[-1]
    assert last["pain_stop"] is True
    # the same day the squat is left out (the pain advice: not again today)
    assert run_program(prog, tmp_path, sample_squat, track, "1:q", "s4", "--only", "squat") == 0
    assert "Squat: left out today (stopped for pain earlier today" in capsys.readouterr().out
    assert not (tmp_path / "s4" / "01_squat").exists()
    # another day: the same target again, not more
    import sqlite3

    from formcheck.records.history import db_path

    with sqlite3.connect(db_path(tmp_path / "data")) as conn:
        conn.execute("UPDATE sets SET time = '2020-01-01T10:00:00Z' WHERE pain_stop = 1")
    assert run_program(prog, tmp_path, sample_squat, track, "1:q", "s5", "--only", "squat") == 0
    assert json.loads((tmp_path / "s5" / "01_squat" / "report.json").read_text())["target"] == 5


def test_a_profile_target_is_the_patients_prescription_in_a_program(two_exercise_program, tmp_path, sample_squat,
                                                                      tmp_path_factory, capsys):
    """A physiotherapist's per-patient target (profile) wins over the program's progression;
    it used to be dropped silently in a program (its thresholds applied, its target not)."""
    track = replay_reference(tmp_path_factory, sample_squat)["track"]
    profile = tmp_path / "p.toml"
    profile.write_text('name = "t"\n[exercises.squat]\ntarget = 2\n')
    assert run_program(two_exercise_program, tmp_path, sample_squat, track, "", "s1", "--only", "squat",
                       "--profile", str(profile)) == 0
    rep = json.loads((tmp_path / "s1" / "01_squat" / "report.json").read_text())
    assert rep["target"] == 2 and rep["reps"] == 2 and rep["ended_by"] == "target"
    assert rep["profile"] == {"name": "t", "path": str(profile.resolve())}  # which prescription was used


def test_program_needs_its_exercise_files(tmp_path, monkeypatch, capsys):
    from formcheck.cli.main import main

    monkeypatch.setenv("FORMCHECK_EXERCISES", str(tmp_path))  # empty: no exercise files at all
    code = main(["live", "--program", "home_program", "--session", "upright", "--headless",
                 "--source", str(Path(__file__).resolve().parents[2] / "samples" / "squat_side.mp4"),
                 "--data-dir", str(tmp_path / "d")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1 and len(err) == 1
    assert err[0].startswith("formcheck: error: cannot run the program: unknown exercise 'seated_glute_stretch'")


def test_a_broken_exercise_file_of_the_session_fails_before_the_camera_opens(tmp_path, monkeypatch):
    """The session's exercise files were read after the camera (and window) had opened."""
    from formcheck.spec.files import SpecError

    for p in exercises_dir().glob("*.toml"):
        shutil.copy(p, tmp_path / p.name)
    (tmp_path / "squat.toml").write_text("id = [", encoding="utf-8")
    monkeypatch.setenv("FORMCHECK_EXERCISES", str(tmp_path))
    opened = []
    args = build_parser().parse_args(["live", "--program", "home_program", "--session", "upright", "--headless",
                                      "--data-dir", str(tmp_path / "d")])
    with pytest.raises(SpecError, match="cannot run the program: .*squat.toml"):
        cmd_live(args, open_camera=lambda i: opened.append(i), detector_factory=lambda: None)
    assert opened == []


def test_instruction_texts_exist_for_each_program_exercise_file():
    """Every exercise file present that the program names has da and en instructions."""
    p = load_program("home_program")
    for e in p.exercises:
        if (exercises_dir() / f"{e.id}.toml").is_file():
            spec = load_exercise(e.id)
            assert spec.instructions["da"] and spec.instructions["en"]


def test_two_sessions_started_in_the_same_second_get_two_folders(tmp_path, monkeypatch):
    """The session folder is made when it is named: two programs started together used to be
    given the same folder (made only when the first set began), and one overwrote the other."""
    import argparse
    from datetime import datetime

    from formcheck.cli import live_sets as runner

    class Frozen(datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime(2026, 11, 27, 10, 42, 35)

    monkeypatch.setattr(runner, "datetime", Frozen)
    args = argparse.Namespace(out=None, data_dir=str(tmp_path))
    a, b = runner.sessions_root(args, "p1"), runner.sessions_root(args, "p1")
    assert a != b and a.is_dir() and b.is_dir()
    assert (a.name, b.name) == ("2026-11-27_104235_p1", "2026-11-27_104235_p1_2")


def test_a_program_or_profile_with_a_mistake_fails_before_the_camera_opens(tmp_path):
    """A physiotherapist's mistake in a program or profile file is found before the camera and
    the window open (it used to be found only after, for the program)."""
    from formcheck.cli.live import cmd_live
    from formcheck.cli.main import build_parser
    from formcheck.spec.profile import ProfileError
    from formcheck.spec.program import ProgramError

    bad_program = tmp_path / "p.toml"
    bad_program.write_text('name = "p"\n')
    bad_profile = tmp_path / "q.toml"
    bad_profile.write_text('[exercises.squat]\ntarget = 0\n')
    opened = []
    for argv, error in ((["--program", str(bad_program)], ProgramError),
                        (["--exercise", "squat", "--profile", str(bad_profile)], ProfileError)):
        args = build_parser().parse_args(["live", *argv, "--headless", "--data-dir", str(tmp_path / "d")])
        with pytest.raises(error):
            cmd_live(args, open_camera=lambda i: opened.append(i), detector_factory=lambda: None)
    assert opened == []


def test_ctrl_c_before_the_first_set_leaves_no_session_folder(two_exercise_program, tmp_path, sample_squat, monkeypatch):
    """The session folder is made when named; a Ctrl-C at the first instructions must not leave
    it behind, empty."""
    from formcheck.cli import live_program as program_flow
    from formcheck.cli.live import cmd_live
    from formcheck.cli.main import build_parser

    def interrupted(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(program_flow, "show_instructions", interrupted)
    args = build_parser().parse_args(["live", "--program", str(two_exercise_program), "--source", str(sample_squat),
                                      "--headless", "--every-frame", "--data-dir", str(tmp_path / "data")])
    with pytest.raises(KeyboardInterrupt):
        cmd_live(args, detector_factory=lambda: None)
    assert list((tmp_path / "data" / "sessions").iterdir()) == []


def test_an_exercise_left_out_for_pain_is_not_announced(two_exercise_program, tmp_path, sample_squat,
                                                        tmp_path_factory, monkeypatch, capsys):
    """The squat (second) was stopped for pain today: the session runs toe_heel only, and no
    rest screen after it announces the squat as the next exercise."""
    from formcheck.cli import live_program as program_flow
    from formcheck.records.history import record_report

    record_report(SetReport.from_json({"exercise": "squat", "kind": "reps", "mode": "live", "reps": 1, "target": 5,
                                       "partials": [], "holds": [], "fault_counts": {}, "config": {},
                                       "program": {"name": "t_program"}, "pain_stop": {"t_s": 3.0, "note": "pain"}}),
                  data_dir=tmp_path / "data")
    announced = []
    real_rest = program_flow.show_rest
    monkeypatch.setattr(program_flow, "show_rest", lambda screens, nxt, *a: announced.append(nxt.id) or real_rest(screens, nxt, *a))
    track = replay_reference(tmp_path_factory, sample_squat)["track"]
    assert run_program(two_exercise_program, tmp_path, sample_squat, track, "", "s1") == 0
    out = capsys.readouterr().out
    assert "Squat: left out today" in out and announced == []
    assert (tmp_path / "s1" / "01_toe_heel" / "report.json").exists() and not list((tmp_path / "s1").glob("*_squat"))


@pytest.mark.parametrize("lang,said", [("en", "Squat: stopped for pain earlier today. Do not do it again today."),
                                       ("da", "Knæbøjning: stoppet på grund af smerter tidligere i dag. Lav den ikke")])
def test_one_exercise_stopped_for_pain_today_does_not_start_again(tmp_path, tmp_path_factory, sample_squat,
                                                                    lang, said):
    """A program session leaves out an exercise stopped for pain today; `live -e` of that
    exercise alone did start it again. It is refused now, before the camera opens, with the
    advice in the patient's language; another exercise, or the same one on another day, runs."""
    import sqlite3

    from formcheck.media.capture import LiveError
    from formcheck.records.history import db_path, record_report

    data = tmp_path / "data"
    record_report(SetReport.from_json({"exercise": "squat", "kind": "reps", "mode": "live", "reps": 1, "target": 5,
                                       "partials": [], "holds": [], "fault_counts": {}, "config": {},
                                       "pain_stop": {"t_s": 3.0, "note": "pain"}}), data_dir=data)
    track = replay_reference(tmp_path_factory, sample_squat)["track"]
    started = []

    def live(ex: str) -> int:
        args = build_parser().parse_args(["live", "-e", ex, "--source", str(sample_squat), "--headless",
                                          "--every-frame", "--data-dir", str(data), "--lang", lang,
                                          "--out", str(tmp_path / f"out{len(started)}"), "--keys", "1.0:q"])
        return cmd_live(args, detector_factory=lambda: started.append(ex) or TrackDetector(track))

    with pytest.raises(LiveError) as err:
        live("squat")
    assert said in str(err.value) and "\n" not in str(err.value) and started == []
    assert live("toe_heel") == 0 and started == ["toe_heel"]
    with sqlite3.connect(db_path(data)) as conn:
        conn.execute("UPDATE sets SET time = '2020-01-01T10:00:00Z' WHERE pain_stop = 1")
    assert live("squat") == 0 and started == ["toe_heel", "squat"]


def test_a_danish_session_speaks_danish_on_the_terminal_and_ends_with_the_programs_summary(
        two_exercise_program, tmp_path, sample_squat, tmp_path_factory, capsys):
    """One language per session (issue 19): no English line on stdout in a Danish session, and
    the program's summary (a line per exercise) at its end."""
    track = replay_reference(tmp_path_factory, sample_squat)["track"]
    assert run_program(two_exercise_program, tmp_path, sample_squat, track, "0.5:s", "da1", "--lang", "da") == 0
    out = capsys.readouterr().out.splitlines()
    name = load_exercise("squat").name.da
    assert out[0] == f"{name}: sprunget over"  # (the test's toe_heel is a copy of the squat file)
    assert f"{name}: Godt gået! Målet er nået - 3 / 3 gentagelser" in out
    assert out[-3:-1] == [f"{name}: sprunget over", f"{name}: 3 af 3 gentagelser ✓"]  # the summary, in order
    assert out[-1].startswith("dagens program, gemt i ")
    for english in ("skipped", "wrote", "repetitions", "faults", "Well done"):
        assert not any(english in line for line in out), english
