"""Schema 2 (each row knows its output folder), its migration, and ``formcheck history --repair``
(issue 18: a folder holding a finished set with no row, or a row whose folder is gone)."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

from formcheck.cli import main as cli
from formcheck.records import history as H
from formcheck.sets.set_report import SetReport


def make_report(exercise: str = "squat", reps: int = 8, **kw) -> dict:
    rep = {"exercise": exercise, "exercise_name": {"da": exercise, "en": exercise}, "kind": "reps",
           "video": "/v/squat.mp4", "reps": reps, "target": 10, "frames": 100, "frames_with_pose": 100,
           "duration_s": 30.0, "model": "lite", "config": {"id": exercise}}
    rep.update(kw)
    return rep


def record(report: dict, data_dir=None) -> int:
    return H.record_report(SetReport.from_json(report), data_dir=data_dir)

V1_DB = Path(__file__).parent / "data" / "history_v1.sqlite3"  # written by the schema-1 code (one squat set)


def _v1(tmp_path: Path) -> Path:
    d = tmp_path / "data"
    d.mkdir()
    shutil.copy(V1_DB, d / H.DB_NAME)
    return d


def _finished_set(folder: Path, **kw) -> dict:
    folder.mkdir(parents=True, exist_ok=True)
    rep = SetReport.from_json(make_report(**kw)).to_json()
    (folder / "report.json").write_text(json.dumps(rep), encoding="utf-8")
    return rep


def _run(argv: list[str], capsys) -> tuple[int, str, str]:
    rc = cli.main(argv)
    out, err = capsys.readouterr()
    return rc, out, err


def test_a_v1_database_is_read_as_it_is_and_migrated_in_place_on_the_first_write(tmp_path):
    d = _v1(tmp_path)
    [old] = H.load_sets(d)  # reading migrates nothing (it may be read-only)
    assert old["reps"] == 8 and old["out_dir"] is None and old["out_gone"] is None
    conn = sqlite3.connect(d / H.DB_NAME)
    assert conn.execute("SELECT MAX(version) FROM schema_version").fetchone()[0] == 1
    conn.close()
    record(make_report(reps=5), d)  # the first write migrates
    conn = sqlite3.connect(d / H.DB_NAME)
    assert conn.execute("SELECT MAX(version) FROM schema_version").fetchone()[0] == H.SCHEMA_VERSION
    assert tuple(r[1] for r in conn.execute("PRAGMA table_info(sets)")) == H.COLUMNS
    conn.close()
    sets = H.load_sets(d)
    assert [s["reps"] for s in sets] == [8, 5] and sets[0]["time"] == old["time"]


def test_a_recorded_set_keeps_its_output_folder(tmp_path):
    H.record_report(SetReport.from_json(make_report()), tmp_path, out_dir=tmp_path / "o")
    assert H.load_sets(tmp_path)[0]["out_dir"] == str((tmp_path / "o").absolute())


def test_repair_adds_a_finished_set_the_history_lacks_once(tmp_path, capsys):
    folder = tmp_path / "o"
    _finished_set(folder, reps=7)
    rc, out, _ = _run(["history", "--repair", str(folder)], capsys)
    assert rc == 0
    assert out.splitlines()[0] == f"added set 1 from {folder} (squat, 7 repetitions)"
    [row] = H.load_sets()
    assert row["reps"] == 7 and row["out_dir"] == str(folder.absolute())
    rc, out, _ = _run(["history", "--repair", str(folder)], capsys)
    assert rc == 0 and out.startswith("nothing to repair") and len(H.load_sets()) == 1


def test_repair_looks_in_the_subfolders_of_a_program_session(tmp_path, capsys):
    _finished_set(tmp_path / "s" / "squat")
    _finished_set(tmp_path / "s" / "heel_raise", exercise="heel_raise")
    (tmp_path / "s" / "empty").mkdir()
    rc, out, _ = _run(["history", "--repair", str(tmp_path / "s")], capsys)
    assert rc == 0 and len(out.splitlines()) == 3  # two added, one summary line
    assert sorted(s["exercise"] for s in H.load_sets()) == ["heel_raise", "squat"]


def test_repair_marks_a_set_whose_outputs_are_gone_and_keeps_it(tmp_path, capsys):
    folder = tmp_path / "o"
    _finished_set(folder)
    _run(["history", "--repair", str(folder)], capsys)
    shutil.rmtree(folder)
    rc, out, _ = _run(["history", "--repair"], capsys)
    assert rc == 0 and out.splitlines()[0] == f"marked set 1: its outputs are gone ({folder.absolute()}); the row is kept"
    [row] = H.load_sets()
    assert row["out_gone"] is not None
    assert _run(["history", "--repair"], capsys)[1].startswith("nothing to repair")  # marked once
    assert "replay (outputs gone)" in _run(["history"], capsys)[1]


def test_repair_links_a_set_recorded_before_schema_2_instead_of_adding_it_again(tmp_path, capsys):
    d = _v1(tmp_path)
    [old] = H.load_sets(d)
    folder = tmp_path / "o"
    folder.mkdir()
    (folder / "report.json").write_text(json.dumps(old["stored_report"]), encoding="utf-8")
    rc, out, _ = _run(["history", "--data-dir", str(d), "--repair", str(folder)], capsys)
    assert rc == 0 and out.splitlines()[0] == f"linked set 1 to {folder}"
    assert [s["out_dir"] for s in H.load_sets(d)] == [str(folder.absolute())]


def test_repair_skips_what_is_not_a_report_and_refuses_a_missing_folder(tmp_path, capsys):
    (tmp_path / "o").mkdir()
    (tmp_path / "o" / "report.json").write_text("{half", encoding="utf-8")
    rc, out, _ = _run(["history", "--repair", str(tmp_path / "o")], capsys)
    assert rc == 0 and "skipped" in out and H.load_sets() == []
    _finished_set(tmp_path / "none", frames=0)  # a live set that ended before counting started: no set
    rc, out, _ = _run(["history", "--repair", str(tmp_path / "none")], capsys)
    assert rc == 0 and "nothing was counted in it" in out and H.load_sets() == []
    rc, _, err = _run(["history", "--repair", str(tmp_path / "nowhere")], capsys)
    assert rc == 1 and err.strip() == f"formcheck: error: --repair: not a folder: {tmp_path / 'nowhere'}"


def test_a_replay_into_a_finished_set_the_history_lacks_says_how_to_add_it(tmp_path, capsys, sample_squat):
    folder = tmp_path / "o"
    _finished_set(folder)
    rc, _, err = _run(["replay", str(sample_squat), "-e", "squat", "--out", str(folder)], capsys)
    assert rc == 1 and len(err.splitlines()) == 1
    assert "not in the history" in err and f"formcheck history --repair {folder}" in err
    _run(["history", "--repair", str(folder)], capsys)
    rc, _, err = _run(["replay", str(sample_squat), "-e", "squat", "--out", str(folder)], capsys)
    assert rc == 1 and "already holds the results of an earlier run" in err and "--repair" not in err
