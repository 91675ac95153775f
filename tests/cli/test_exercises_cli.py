"""``formcheck exercises list|show|validate``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from factories import CORE, SQUAT, exercise_folder  # the same small test exercises

from formcheck.cli import main as cli
from formcheck.spec.exercise import exercises_dir

ROOT = Path(__file__).resolve().parents[2]


def run(argv: list[str], capsys) -> tuple[int, str, str]:
    rc = cli.main(argv)
    out, err = capsys.readouterr()
    return rc, out, err


@pytest.fixture()
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return exercise_folder(tmp_path, monkeypatch, {"squat": SQUAT, "core_bracing": CORE})


def test_list_json_of_the_real_exercises(capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FORMCHECK_EXERCISES", raising=False)
    rc, out, _ = run(["exercises", "list", "--json"], capsys)
    assert rc == 0
    items = json.loads(out)
    assert [i["id"] for i in items] == sorted(p.stem for p in (ROOT / "exercises").glob("*.toml") if p.stem in
                                             {i["id"] for i in items})
    assert "squat" in {i["id"] for i in items}
    for i in items:
        assert set(i) >= {"id", "name", "kind", "views", "posture", "target"}
        assert set(i["name"]) == {"da", "en"} and i["kind"] in ("reps", "hold") and i["views"]
        assert i["model"] == ("full" if i["id"] == "calf_stretch" else "lite")


def test_list_table_and_json(folder: Path, capsys) -> None:
    rc, out, _ = run(["exercises", "list"], capsys)
    assert rc == 0
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["id", "name", "kind"]
    assert any(line.startswith("squat") and "10 reps" in line and "standing" in line for line in lines)
    assert any(line.startswith("core_bracing") and "10 s" in line and "hold" in line for line in lines)
    rc, out, _ = run(["exercises", "list", "--json"], capsys)
    by_id = {i["id"]: i for i in json.loads(out)}
    assert by_id["squat"]["name"] == {"da": "Knæbøjning", "en": "Squat"}
    assert by_id["squat"]["views"] == ["side", "front", "oblique"] and by_id["squat"]["target"] == 10
    assert by_id["core_bracing"]["kind"] == "hold" and by_id["core_bracing"]["hold_s"] == 10
    assert by_id["squat"]["rules"] == ["back_rounded", "heels_lifting", "too_fast"]


def test_list_skips_a_broken_file_with_a_warning(folder: Path, capsys) -> None:
    (folder / "toe_heel.toml").write_text("id = 'toe_heel'\nkind = 'reps'\n", encoding="utf-8")
    rc, out, err = run(["exercises", "list", "--json"], capsys)
    assert rc == 0
    assert {i["id"] for i in json.loads(out)} == {"squat", "core_bracing"}
    assert "toe_heel.toml" in err and "warning" in err


def test_show_thresholds_rules_cues_instructions(folder: Path, capsys) -> None:
    rc, out, _ = run(["exercises", "show", "squat"], capsys)
    assert rc == 0
    assert "rest <= 25°, enter > 35°, full >= 75°" in out
    assert "from the front: signal hip_height" in out
    assert "back_rounded: trunk_lean above 55°" in out and "back_vs_shin above 35°" in out
    assert 'cue: "Straight back" / "Ret ryg"' in out
    assert "descent shorter than 0.5 s" in out
    assert "1. Bend your knees." in out and "1. Bøj knæene." in out
    rc, out, _ = run(["exercises", "show", "core_bracing"], capsys)
    assert "hold:" in out and "10 s" in out and "position: knee_flexion" in out and ">= 60°" in out
    rc, out, _ = run(["exercises", "show", "squat", "--json"], capsys)
    assert json.loads(out)["count"]["full"] == 75


def test_show_unknown_is_one_line(folder: Path, capsys) -> None:
    rc, _, err = run(["exercises", "show", "sqat"], capsys)
    assert rc == 2 and err.count("\n") == 1 and "available: core_bracing, squat" in err


def test_validate_good_and_bad(folder: Path, tmp_path: Path, capsys) -> None:
    rc, out, err = run(["exercises", "validate"], capsys)
    assert rc == 0 and "ok: 2" in out
    bad = tmp_path / "squat.toml"
    bad.write_text(SQUAT.replace("rest = 25", "rest = 45").replace('signal = "trunk_lean"', 'signal = "trunk_leen"'),
                   encoding="utf-8")
    broken = tmp_path / "curl_up.toml"
    broken.write_text("id = [", encoding="utf-8")
    rc, out, err = run(["exercises", "validate", str(bad), str(broken), str(folder / "squat.toml")], capsys)
    assert rc == 1
    problems = [line for line in err.splitlines() if "have problems" not in line]
    assert len(problems) == 3, err
    assert any("count: need rest < enter <= full" in p for p in problems)
    assert any("(number 1).signal: unknown signal 'trunk_leen'" in p for p in problems)
    assert any(p.startswith(str(broken)) and "not valid TOML" in p for p in problems)
    assert "2 of 3 file(s) have problems (3 exercise file(s))" in err


def test_validate_checks_programs_and_profiles_as_what_they_are(capsys, tmp_path: Path) -> None:
    """A physiotherapist checking an edited program or profile got every exercise-file key
    reported missing; each file is now checked as what it is, and the repository's pass."""
    rc, out, err = run(["exercises", "validate", str(ROOT / "programs" / "home_program.toml"),
                        str(ROOT / "profiles" / "example.toml")], capsys)
    assert rc == 0 and "ok: 1 profile file(s), 1 program file(s) valid" in out, err
    program = tmp_path / "home_program.toml"
    program.write_text((ROOT / "programs" / "home_program.toml").read_text(encoding="utf-8")
                       .replace('id = "squat"', 'id = "squatt"'), encoding="utf-8")
    profile = tmp_path / "patient.toml"
    profile.write_text("[exercises.squat]\ntarget = 0\n", encoding="utf-8")
    rc, out, err = run(["exercises", "validate", str(program), str(profile)], capsys)
    lines = err.splitlines()
    assert rc == 1 and len(lines) == 3, err
    assert lines[0].startswith(f"{program}: exercises.") and "unknown exercise 'squatt'" in lines[0]
    assert lines[1].startswith(f"{profile}: exercises.squat.target:")
    assert lines[2] == "2 of 2 file(s) have problems (1 profile file(s), 1 program file(s))"
    # a profile with only a typo, and an empty one, are profiles too (not exercise files missing id and kind)
    typo, empty = tmp_path / "typo.toml", tmp_path / "empty.toml"
    typo.write_text('notes = "knee op. 2026"\n', encoding="utf-8")
    empty.write_text("", encoding="utf-8")
    rc, out, err = run(["exercises", "validate", str(typo), str(empty)], capsys)
    assert rc == 1 and err.splitlines() == [f"{typo}: notes: unknown key; allowed: name, note, exercises",
                                            "1 of 2 file(s) have problems (2 profile file(s))"], err


def test_validate_the_repository_exercises(capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FORMCHECK_EXERCISES", raising=False)
    rc, out, err = run(["exercises", "validate"], capsys)
    assert rc == 0, err
    assert exercises_dir() == ROOT / "exercises"


def test_output_cut_short_by_its_reader_is_no_error() -> None:
    """`formcheck exercises list | head -1`: the reader going away is not reported (exit 1,
    nothing on stderr). The pipe's reading end is closed before the command writes, so the
    write always fails, as it would after `head` has its line."""
    import os
    import subprocess
    import sys

    r, w = os.pipe()
    os.close(r)
    try:
        proc = subprocess.run([sys.executable, "-m", "formcheck.cli", "exercises", "list"], stdout=w,
                              stderr=subprocess.PIPE, timeout=60)
    finally:
        os.close(w)
    assert proc.returncode == 1 and proc.stderr == b""


def test_list_without_the_exercises_folder_is_an_error(tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORMCHECK_EXERCISES", str(tmp_path / "missing"))
    rc, out, err = run(["exercises", "list"], capsys)
    assert rc == 1 and err.strip() == f"formcheck: error: exercises folder not found: {tmp_path / 'missing'}"


def test_validate_counts_files_not_problem_lines(folder: Path, tmp_path: Path, capsys) -> None:
    """A profile checked against a broken exercise file gets that file's problems too: still one
    file with problems, not one per file named in the lines ("2 of 1" before). A profile that
    changes nothing yet (a name and a note) is a profile, not an exercise file missing its keys."""
    (folder / "squat.toml").write_text(SQUAT.replace("rest = 25", "rest = 45"), encoding="utf-8")
    profile = tmp_path / "patient.toml"
    profile.write_text("[exercises.squat]\ntarget = 5\n", encoding="utf-8")
    rc, _, err = run(["exercises", "validate", str(profile)], capsys)
    assert rc == 1 and err.splitlines()[-1] == "1 of 1 file(s) have problems (1 profile file(s))", err
    empty = tmp_path / "new_patient.toml"
    empty.write_text('name = "new patient"\nnote = "nothing changed yet"\n', encoding="utf-8")
    rc, out, err = run(["exercises", "validate", str(empty)], capsys)
    assert rc == 0 and "ok: 1 profile file(s) valid" in out, err


def test_an_emptied_exercise_file_is_no_valid_profile(folder: Path, capsys) -> None:
    """A file in the exercise folder is an exercise file, whatever it holds: emptied by
    mistake, it is reported, not passed as an empty profile."""
    (folder / "squat.toml").write_text("", encoding="utf-8")
    rc, _, err = run(["exercises", "validate"], capsys)
    assert rc == 1 and "squat.toml: id: Field required" in err, err
    assert err.splitlines()[-1].endswith("(2 exercise file(s))"), err
