"""Patients (issue 20): an id per set, ``--patient`` on the commands, ``formcheck patients``, and
each patient's own history, report and progression."""

from __future__ import annotations

import pytest

from formcheck.cli import main as cli
from formcheck.core.patient import DEFAULT_PATIENT, check_patient_id
from formcheck.records import history as H
from formcheck.records.patients import summarise
from formcheck.records.progression import load_history, session_targets
from formcheck.sets.set_report import SetReport
from formcheck.spec.program import load_program


def record(d, patient: str | None, exercise: str = "squat", reps: int = 8, time: str | None = None,
           **kw) -> int:
    rep = {"exercise": exercise, "exercise_name": {"da": exercise, "en": exercise}, "kind": "reps", "mode": "live",
           "reps": reps, "target": 10, "config": {"id": exercise}, "patient": patient, **kw}
    return H.record_report(SetReport.from_json(rep), d, time=time)


def run(argv: list[str], capsys) -> tuple[int, str, str]:
    try:
        rc = cli.main(argv)
    except SystemExit as exc:  # (argparse's own errors)
        rc = exc.code
    out, err = capsys.readouterr()
    return rc, out, err


@pytest.mark.parametrize("text", ["p017", "anna-h", "Søren.K", "P_17", "7"])
def test_a_patient_id_is_a_short_label(text):
    assert check_patient_id(text) == text


@pytest.mark.parametrize("text", ["", " ", "a b", "../p1", "a/b", "_p", ".p", "-p", "p\x1b[31m", "p\n1", "x" * 65])
def test_an_odd_patient_id_is_refused(text):
    with pytest.raises(ValueError):
        check_patient_id(text)


def test_an_id_typed_in_two_unicode_forms_is_one_patient():
    assert check_patient_id("So\u0308ren") == check_patient_id("S\u00f6ren")


@pytest.mark.parametrize("argv", [
    ["replay", "v.mp4", "-e", "squat"], ["live", "-e", "squat", "--headless"], ["history"], ["report"],
    ["pain-lock", "clear", "-e", "squat", "--yes"], ["pain-lock", "list"]])
@pytest.mark.parametrize("bad", ["", "a b", "../x", "p\x1b]0;owned\x07"])
def test_a_bad_patient_id_is_one_line_and_exit_2_on_every_command(argv, bad, capsys):
    rc, out, err = run([*argv, "--patient", bad], capsys)
    assert rc == 2 and out == "" and len(err.splitlines()) == 1 and "\x1b" not in err
    assert err.startswith("formcheck: error: ") and "patient" in err


def test_sets_without_a_patient_are_the_default_patients(tmp_path):
    record(tmp_path, None)
    record(tmp_path, "p017")
    assert [s["patient"] for s in H.load_sets(tmp_path)] == [DEFAULT_PATIENT, "p017"]
    assert [s["patient"] for s in H.load_sets(tmp_path, patient="p017")] == ["p017"]


def test_history_lists_one_patient_or_all_with_a_patient_column(tmp_path, capsys):
    record(tmp_path, "anna", "squat")
    record(tmp_path, "bo", "heel_raise")
    rc, out, _ = run(["history", "--data-dir", str(tmp_path)], capsys)
    assert rc == 0 and out.splitlines()[0].split()[:4] == ["date", "patient", "exercise", "result"]
    assert "anna" in out and "bo" in out
    rc, out, _ = run(["history", "--data-dir", str(tmp_path), "--patient", "bo"], capsys)
    assert rc == 0 and "heel_raise" in out and "squat" not in out and "patient" not in out.splitlines()[0]
    rc, out, _ = run(["history", "--data-dir", str(tmp_path), "--patient", "ana"], capsys)  # a typo
    assert rc == 0 and "no sets for patient ana" in out and "the patients with sets are: anna, bo" in out
    rc, out, _ = run(["history", "--data-dir", str(tmp_path), "--patient", "anna", "--csv", "-"], capsys)
    lines = out.splitlines()
    assert lines[0].split(",")[-1] == "patient" and len(lines) == 2 and lines[1].endswith(",anna")


def test_the_report_is_one_patients_and_carries_the_id(tmp_path, capsys):
    record(tmp_path, "anna", "squat")
    record(tmp_path, "bo", "heel_raise", pain_stop={"t_s": 1.0, "note": "bo's pain"})
    page = tmp_path / "anna.html"
    rc, out, _ = run(["report", "--data-dir", str(tmp_path), "--patient", "anna", "--out", str(page)], capsys)
    assert rc == 0 and "(1 set for patient anna)" in out
    html = page.read_text()
    assert "anna" in html and "bo&#x27;s pain" not in html and "bo's pain" not in html and "heel_raise" not in html
    # several patients and none named: which one is asked, nothing is written
    rc, out, err = run(["report", "--data-dir", str(tmp_path), "--out", str(tmp_path / "x.html")], capsys)
    assert rc == 2 and len(err.splitlines()) == 1 and "anna, bo" in err and "--patient" in err
    assert not (tmp_path / "x.html").exists()


def test_the_report_of_a_history_of_one_patient_needs_no_id(tmp_path, capsys):
    record(tmp_path, "anna")
    rc, out, _ = run(["report", "--data-dir", str(tmp_path), "--out", str(tmp_path / "r.html")], capsys)
    assert rc == 0 and "for patient anna" in out and "anna" in (tmp_path / "r.html").read_text()


def test_patients_lists_sets_days_and_the_last_set(tmp_path, capsys):
    record(tmp_path, "anna", time="2026-11-30T10:00:00Z")
    record(tmp_path, "anna", time="2026-11-30T11:00:00Z")
    record(tmp_path, "anna", "heel_raise", time="2026-12-02T10:00:00Z", pain_stop={"t_s": 1.0, "note": "x"})
    record(tmp_path, None, time="2026-12-01T10:00:00Z")
    [anna, default] = summarise(H.load_sets(tmp_path))
    assert (anna.patient, anna.sets, anna.days, anna.last_exercise, anna.pain_stops) == ("anna", 3, 2, "heel_raise", 1)
    assert (default.patient, default.sets, default.days) == (DEFAULT_PATIENT, 1, 1)
    rc, out, _ = run(["patients", "--data-dir", str(tmp_path)], capsys)
    lines = out.splitlines()
    assert rc == 0 and lines[0].split() == ["patient", "sets", "days", "last", "set", "pain", "stops"]
    assert lines[1].split()[:3] == ["anna", "3", "2"] and "heel_raise" in lines[1]
    assert lines[2].split()[:3] == [DEFAULT_PATIENT, "1", "1"] and lines[-1].startswith("2 patients in ")
    rc, out, _ = run(["patients", "--data-dir", str(tmp_path / "none")], capsys)
    assert rc == 0 and out.startswith("no sets recorded yet")


def test_each_patient_progresses_on_their_own_sets(tmp_path):
    program = load_program("home_program")
    squat = next(e for e in program.exercises if e.id == "squat")
    prog = {"name": program.name}
    record(tmp_path, "anna", reps=squat.start_target, target=squat.start_target, program=prog)  # reached
    record(tmp_path, "bo", reps=1, target=squat.start_target, program=prog)  # not reached
    targets = {p: session_targets(program, [squat], load_history(tmp_path, p))["squat"] for p in ("anna", "bo", "cy")}
    assert targets == {"anna": squat.start_target + squat.step, "bo": squat.start_target, "cy": squat.start_target}


def test_a_repaired_set_keeps_the_patient_its_report_names(tmp_path, capsys):
    import json

    folder = tmp_path / "o"
    folder.mkdir()
    rep = SetReport.from_json({"exercise": "squat", "kind": "reps", "reps": 4, "target": 10, "frames": 10,
                               "config": {"id": "squat"}, "patient": "anna"})
    (folder / "report.json").write_text(json.dumps(rep.to_json()), encoding="utf-8")
    rc, out, _ = run(["history", "--data-dir", str(tmp_path), "--repair", str(folder)], capsys)
    assert rc == 0 and out.startswith("added set 1")
    assert [s["patient"] for s in H.load_sets(tmp_path)] == ["anna"]
