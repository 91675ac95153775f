"""Trying an edited exercise (issue 20): ``--exercise PATH.toml`` on replay and live (checked like
the bundled files, its id from the file, the file in the report), ``exercises show`` naming the
file it read, ``exercises programs``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from factories import TrackDetector, replay_reference

from formcheck.cli import main as cli
from formcheck.cli.live import cmd_live
from formcheck.cli.main import build_parser
from formcheck.records import history as H
from formcheck.spec.exercise import exercises_dir, load_exercise_arg
from formcheck.spec.files import UnknownName


def run(argv: list[str], capsys) -> tuple[int, str, str]:
    try:
        rc = cli.main(argv)
    except SystemExit as exc:  # (argparse's own errors)
        rc = exc.code
    out, err = capsys.readouterr()
    return rc, out, err


def trial_copy(folder: Path, target: int = 3, name: str = "my_squat.toml") -> Path:
    """The squat's file copied outside the exercises folder, its target changed (its id stays squat)."""
    text = (exercises_dir() / "squat.toml").read_text(encoding="utf-8")
    lines = [f"target = {target}" if line.startswith("target =") else line for line in text.splitlines()]
    assert lines != text.splitlines()
    path = folder / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_an_id_or_a_path_is_read_with_the_file_it_names(tmp_path):
    spec, path = load_exercise_arg("squat")
    assert spec.id == "squat" and path == (exercises_dir() / "squat.toml").resolve()
    spec, path = load_exercise_arg(str(trial_copy(tmp_path, 4)))
    assert (spec.id, spec.target, path) == ("squat", 4, (tmp_path / "my_squat.toml").resolve())
    with pytest.raises(UnknownName, match="not found"):
        load_exercise_arg(str(tmp_path / "none.toml"))


@pytest.mark.parametrize("make, said", [
    (lambda d: d / "none.toml", "exercise file not found"),
    (lambda d: d, "exercise file not found"),  # a folder (a path: it has a /)
    (lambda d: (d / "x.toml").write_text("target = [") and d / "x.toml", "x.toml"),  # not TOML
    (lambda d: (d / "x.toml").write_text(trial_copy(d).read_text().replace("target = 3", "target = 0"))
     and d / "x.toml", "x.toml: target: Input should be greater than or equal to 1"),
])
@pytest.mark.parametrize("command", ["replay", "live"])
def test_a_bad_exercise_file_is_one_line_before_any_work(tmp_path, capsys, sample_squat, make, said, command):
    path = make(tmp_path)
    argv = (["replay", str(sample_squat), "--out", str(tmp_path / "o")] if command == "replay" else
            ["live", "--source", str(sample_squat), "--headless", "--out", str(tmp_path / "o")])
    rc, _, err = run([*argv, "--exercise", str(path)], capsys)
    assert rc in (1, 2) and len(err.splitlines()) == 1 and said in err, err
    assert not (tmp_path / "o").exists() and H.load_sets() == []


@pytest.mark.slow
def test_replay_with_an_edited_copy_uses_it_and_says_which_file(tmp_path, capsys, sample_squat):
    """The real pose model on the sample squat: the copy's target (3) is the set's, the report
    names the file, and the history's list of sets says the set ran on another file."""
    copy = trial_copy(tmp_path, 3)
    rc, out, err = run(["replay", str(sample_squat), "-e", str(copy), "--out", str(tmp_path / "o"), "--no-video",
                        "--patient", "p017"], capsys)
    assert rc == 0, err
    rep = json.loads((tmp_path / "o" / "report.json").read_text())
    assert (rep["exercise"], rep["target"], rep["exercise_file"], rep["patient"]) == (
        "squat", 3, str(copy.resolve()), "p017")
    assert rep["config"]["target"] == 3
    [row] = H.load_sets(patient="p017")
    assert row["exercise"] == "squat" and row["target"] == 3
    rc, out, _ = run(["history"], capsys)
    assert "(file my_squat.toml)" in out
    # the bundled file: named in the report, not flagged in the list
    rc, _, _ = run(["replay", str(sample_squat), "-e", "squat", "--out", str(tmp_path / "o2"), "--no-video"], capsys)
    assert json.loads((tmp_path / "o2" / "report.json").read_text())["exercise_file"] == str(
        (exercises_dir() / "squat.toml").resolve())
    assert run(["history"], capsys)[1].count("(file ") == 1


def test_live_with_an_edited_copy_records_the_file(tmp_path, tmp_path_factory, sample_squat):
    copy = trial_copy(tmp_path, 2)
    track = replay_reference(tmp_path_factory, sample_squat)["track"]
    args = build_parser().parse_args(["live", "-e", str(copy), "--source", str(sample_squat), "--headless",
                                      "--every-frame", "--out", str(tmp_path / "o"), "--lang", "en",
                                      "--patient", "anna"])
    assert cmd_live(args, detector_factory=lambda: TrackDetector(track)) == 0
    rep = json.loads((tmp_path / "o" / "report.json").read_text())
    assert (rep["target"], rep["reps"], rep["exercise_file"], rep["patient"]) == (2, 2, str(copy.resolve()), "anna")
    assert [(r["patient"], r["exercise"]) for r in H.load_sets()] == [("anna", "squat")]


def test_show_names_the_file_it_read(tmp_path, capsys):
    rc, out, _ = run(["exercises", "show", "squat"], capsys)
    assert rc == 0 and out.splitlines()[-1] == f"file: {(exercises_dir() / 'squat.toml').resolve()}"
    copy = trial_copy(tmp_path, 4)
    rc, out, _ = run(["exercises", "show", str(copy)], capsys)
    assert rc == 0 and out.splitlines()[-1] == f"file: {copy.resolve()}" and "target 4" in out


def test_validate_takes_a_trial_copy_under_another_name(tmp_path, capsys):
    rc, out, err = run(["exercises", "validate", str(trial_copy(tmp_path))], capsys)
    assert rc == 0 and out.startswith("ok: 1 exercise file(s)"), err


def test_programs_are_listed(capsys):
    rc, out, _ = run(["exercises", "programs"], capsys)
    assert rc == 0 and out.startswith("home_program: Home program after lumbar disc surgery")
    assert "session lying: core_bracing" in out and "squat (from 5, +1)" in out
    rc, out, _ = run(["exercises", "programs", "--json"], capsys)
    [prog] = json.loads(out)
    assert prog["name"] == "home_program" and len(prog["exercises"]) == 10 and set(prog["sessions"]) == {"lying", "upright"}


def test_tune_reads_an_edited_copy_too(tmp_path, tmp_path_factory, sample_squat, capsys):
    """tune shares replay's --exercise (cli.common.load_spec): a trial copy's thresholds are tuned."""
    ref = replay_reference(tmp_path_factory, sample_squat)
    rc, out, err = run(["tune", str(ref["dir"] / "track.npz"), "-e", str(trial_copy(tmp_path, 3))], capsys)
    assert rc == 0 and "squat" in out, err
