"""The history database, ``formcheck history`` and ``formcheck report``."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest

from formcheck.cli import common
from formcheck.cli import main as cli
from formcheck.records import history as H
from formcheck.sets.set_report import SetReport


def make_report(exercise: str = "squat", reps: int = 8, **kw) -> dict:
    """A report as ``ReportBuilder.build`` makes it (only the keys history reads, plus a few)."""
    rep = {
        "report_version": 1, "formcheck_version": "0.1.0", "mode": "replay", "exercise": exercise,
        "exercise_name": {"da": "Knæbøjning", "en": "Squat"}, "kind": "reps", "video": "/v/squat.mp4",
        "reps": reps, "target": 10, "reps_detail": [], "partials": [{"start_s": 1, "end_s": 2, "reason": "too_shallow"}],
        "holds": [], "faults": [], "fault_counts": {"too_shallow": 1, "back_rounded": 3}, "pauses": [],
        "pain_stop": None, "frames": 100, "frames_with_pose": 100, "duration_s": 30.0, "view": "side",
        "model": "lite", "notes": [], "config": {"id": exercise, "count": {"rest": 25, "enter": 35, "full": 60}},
    }
    rep.update(kw)
    return rep


def hold_report(**kw) -> dict:
    rep = make_report("calf_stretch", reps=0, kind="hold", exercise_name={"da": "Stræk læggen", "en": "Calf stretch"},
                      partials=[], fault_counts={"not_still": 1}, config={"id": "calf_stretch", "hold": {"target_s": 20}},
                      holds=[{"side": "L", "held_s": 20.0, "target_s": 20.0, "start_s": 0, "end_s": 21, "faults": []},
                             {"side": "R", "held_s": 14.5, "target_s": 20.0, "start_s": 30, "end_s": 45, "faults": ["not_still"]}])
    rep.update(kw)
    return rep


def record(report: dict, data_dir=None) -> int:
    """Store a report given as report.json's dict (a "time" key: when the set was done)."""
    report = dict(report)
    time = report.pop("time", None)
    return H.record_report(SetReport.from_json(report), data_dir=data_dir, time=time)


def run(argv: list[str], capsys) -> tuple[int, str, str]:
    rc = cli.main(argv)
    out, err = capsys.readouterr()
    return rc, out, err


# ----- storage ---------------------------------------------------------------------------------
def test_record_and_load_round_trip(tmp_path: Path) -> None:
    rid = record(make_report(program={"name": "Uge 1-4"}), data_dir=tmp_path)
    hid = record(hold_report(mode="live", pain_stop={"t_s": 12.0, "note": "stabbing pain in the back"}),
                 data_dir=tmp_path)
    assert (rid, hid) == (1, 2)
    sets = H.load_sets(tmp_path)
    assert [s["exercise"] for s in sets] == ["squat", "calf_stretch"]
    sq, calf = sets
    assert sq["reps"] == 8 and sq["target"] == 10 and sq["partials"] == 1 and sq["mode"] == "replay"
    assert sq["fault_counts"] == {"too_shallow": 1, "back_rounded": 3}
    assert sq["config"]["count"]["full"] == 60  # effective thresholds are kept
    assert sq["program"] == "Uge 1-4" and sq["video"] == "/v/squat.mp4"
    assert sq["pain_stop"] is False and sq["pain_note"] is None
    assert sq["report"].reps == 8
    assert sq["time"].endswith("Z") and "T" in sq["time"]
    assert calf["hold_s"] == 34.5 and calf["holds_by_side"] == {"L": 20.0, "R": 14.5}
    assert calf["holds"] == 2 and calf["holds_reached"] == 1 and calf["hold_target_s"] == 20.0
    assert calf["pain_stop"] is True and calf["pain_note"] == "stabbing pain in the back"
    assert [s["exercise"] for s in H.load_sets(tmp_path, exercise="calf_stretch")] == ["calf_stretch"]
    assert "report" not in H.load_sets(tmp_path, with_report=False)[0]


def test_database_settings_and_schema_version(tmp_path: Path) -> None:
    record(make_report(), data_dir=tmp_path)
    conn = sqlite3.connect(tmp_path / H.DB_NAME)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("SELECT MAX(version) FROM schema_version").fetchall() == [(H.SCHEMA_VERSION,)]
    cols = [r[1] for r in conn.execute("PRAGMA table_info(sets)")]
    assert tuple(cols) == H.COLUMNS
    conn.close()
    c2 = H.connect(tmp_path)
    assert c2.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    c2.close()


def test_data_dir_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(H.ENV_DIR, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert H.data_dir() == tmp_path / "xdg" / "formcheck"
    monkeypatch.setenv(H.ENV_DIR, str(tmp_path / "env"))
    assert H.data_dir() == tmp_path / "env"
    assert H.data_dir(tmp_path / "flag") == tmp_path / "flag"
    record(make_report())
    assert (tmp_path / "env" / H.DB_NAME).is_file()


def test_since_and_explicit_time(tmp_path: Path) -> None:
    record(make_report(time="2026-01-01T10:00:00Z"), data_dir=tmp_path)
    record(make_report(time="2026-02-01T10:00:00Z"), data_dir=tmp_path)
    assert [s["time"] for s in H.load_sets(tmp_path, since="2026-01-15")] == ["2026-02-01T10:00:00Z"]


def test_reading_does_not_create_a_database(tmp_path: Path) -> None:
    assert H.load_sets(tmp_path / "none") == []
    assert not (tmp_path / "none").exists()


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    record(make_report(), data_dir=tmp_path)
    conn = sqlite3.connect(tmp_path / H.DB_NAME)
    conn.execute("INSERT INTO schema_version VALUES (99, 'x')")
    conn.commit()
    conn.close()
    with pytest.raises(H.HistoryError, match="newer formcheck"):
        H.load_sets(tmp_path)


def test_not_a_database_is_one_line_error(tmp_path: Path, capsys) -> None:
    (tmp_path / H.DB_NAME).write_bytes(b"this is not sqlite" * 100)
    rc, out, err = run(["history", "--data-dir", str(tmp_path)], capsys)
    assert rc == 1
    assert err.count("\n") == 1 and "formcheck: error:" in err and "Traceback" not in err
    assert "rename it to keep it" in err  # what to do about it


def test_a_hand_edited_value_names_the_set(tmp_path: Path) -> None:
    """Broken JSON in one row (edited by hand, or by another program): the error says which set,
    instead of the JSON parser's "Expecting property name ... (char 1)"."""
    record(make_report(), data_dir=tmp_path)
    record(make_report(), data_dir=tmp_path)
    conn = sqlite3.connect(tmp_path / H.DB_NAME)
    conn.execute("PRAGMA ignore_check_constraints = ON")
    conn.execute("UPDATE sets SET fault_counts = '{bad' WHERE id = 2")
    conn.commit()
    conn.close()
    with pytest.raises(H.HistoryError, match=r"set 2 .* \(fault_counts\): was it edited by hand\?"):
        H.load_sets(tmp_path)


def test_bad_report_records_nothing(tmp_path: Path) -> None:
    record(make_report(), data_dir=tmp_path)
    with pytest.raises(H.HistoryError):
        record({"reps": 3}, data_dir=tmp_path)
    assert len(H.load_sets(tmp_path)) == 1


_WRITER = """
import sys
from formcheck.records.history import record_report
from formcheck.sets.set_report import SetReport
d, i = sys.argv[1], 0
while True:
    rep = {"exercise": "squat", "kind": "reps", "mode": "live", "reps": i, "target": 10, "partials": [],
           "holds": [], "fault_counts": {"too_fast": i % 3}, "config": {"pad": "x" * 50000},
           "notes": ["y" * 50000]}
    rid = record_report(SetReport.from_json(rep), d)
    print(rid, i, flush=True)
    i += 1
"""


@pytest.mark.parametrize("kill_after", [5, 23])
def test_killed_writer_loses_no_completed_set_and_leaves_no_corrupt_row(tmp_path: Path, kill_after: int) -> None:
    proc = subprocess.Popen([sys.executable, "-c", _WRITER, str(tmp_path)], stdout=subprocess.PIPE, text=True)
    done: dict[int, int] = {}
    try:
        assert proc.stdout is not None
        deadline = time.monotonic() + 60
        while len(done) < kill_after and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            rid, i = map(int, line.split())
            done[rid] = i
        time.sleep(0.003 * kill_after)  # land somewhere inside a later write
        os.kill(proc.pid, signal.SIGKILL)
        rest, _ = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    for line in rest.splitlines():
        parts = line.split()
        if len(parts) == 2:
            done[int(parts[0])] = int(parts[1])
    assert proc.returncode == -signal.SIGKILL
    assert len(done) >= kill_after
    conn = sqlite3.connect(tmp_path / H.DB_NAME)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    sets = {s["id"]: s for s in H.load_sets(tmp_path)}  # decodes every JSON column: no corrupt row
    for rid, i in done.items():
        assert sets[rid]["reps"] == i and sets[rid]["report"].reps == i
    assert len(sets) <= len(done) + 1  # at most the set committed just before the kill went unprinted
    assert all(s["report"].notes[0] == "y" * 50000 for s in sets.values())
    record(make_report(), data_dir=tmp_path)  # and it is still writable
    assert len(H.load_sets(tmp_path)) == len(sets) + 1


# ----- formcheck history -----------------------------------------------------------------------
def test_history_table_and_filter(tmp_path: Path, capsys) -> None:
    record(make_report(), data_dir=tmp_path)
    record(hold_report(pain_stop={"note": "leg pain"}), data_dir=tmp_path)
    rc, out, err = run(["history", "--data-dir", str(tmp_path)], capsys)
    assert rc == 0, err
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["date", "exercise", "result"]
    assert "squat" in lines[1] and "8/10 reps" in lines[1] and "back_rounded x3" in lines[1]
    assert "calf_stretch" in lines[2] and "20/20 s L" in lines[2] and "STOPPED: leg pain" in lines[2]
    assert "2 sets on 1 day, 1 stopped for pain" in lines[-1]
    rc, out, _ = run(["history", "--data-dir", str(tmp_path), "--exercise", "squat"], capsys)
    assert "calf_stretch" not in out and "squat" in out


def test_history_empty_and_env_dir(tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(H.ENV_DIR, str(tmp_path))
    rc, out, _ = run(["history"], capsys)
    assert rc == 0 and "no sets" in out


def test_history_csv_exports_every_column(tmp_path: Path, capsys) -> None:
    record(make_report(), data_dir=tmp_path)
    record(hold_report(pain_stop={"note": "ouch, \"sharp\""}), data_dir=tmp_path)
    dest = tmp_path / "out.csv"
    rc, _, _ = run(["history", "--data-dir", str(tmp_path), "--csv", str(dest)], capsys)
    assert rc == 0
    rows = list(csv.DictReader(dest.open(encoding="utf-8")))
    assert list(rows[0].keys()) == list(H.COLUMNS)
    assert len(rows) == 2
    assert json.loads(rows[0]["fault_counts"]) == {"too_shallow": 1, "back_rounded": 3}
    assert json.loads(rows[0]["report"])["reps"] == 8
    assert rows[1]["pain_stop"] == "1" and rows[1]["pain_note"] == 'ouch, "sharp"'
    rc, out, _ = run(["history", "--data-dir", str(tmp_path), "--csv", "-"], capsys)
    assert len(list(csv.DictReader(io.StringIO(out)))) == 2


def test_history_csv_exports_a_report_as_an_earlier_version_stored_it(tmp_path: Path, capsys) -> None:
    """The report column is exported as stored: a report written by an earlier version (fewer
    keys, a key this version does not know) is not rewritten in this version's shape."""
    record(make_report(), data_dir=tmp_path)
    stored = {"exercise": "squat", "reps": 8, "target": 10, "partials": 1, "holds": [], "faults": [],
              "a_key_from_then": True}
    conn = sqlite3.connect(tmp_path / H.DB_NAME)
    with conn:
        conn.execute("UPDATE sets SET report = ?", (json.dumps(stored),))
    conn.close()
    dest = tmp_path / "out.csv"
    rc, _, _ = run(["history", "--data-dir", str(tmp_path), "--csv", str(dest)], capsys)
    assert rc == 0
    assert json.loads(next(csv.DictReader(dest.open(encoding="utf-8")))["report"]) == stored


def test_bad_since_is_one_line_error(tmp_path: Path, capsys) -> None:
    rc, _, err = run(["history", "--data-dir", str(tmp_path), "--since", "last week"], capsys)
    assert rc == 1 and "YYYY-MM-DD" in err and err.count("\n") == 1


def test_replay_hook_records_into_data_dir(tmp_path: Path) -> None:
    import argparse

    common.record_history(argparse.Namespace(data_dir=str(tmp_path), no_history=False), SetReport.from_json(make_report()))
    common.record_history(argparse.Namespace(data_dir=str(tmp_path), no_history=True), SetReport.from_json(make_report()))
    assert len(H.load_sets(tmp_path)) == 1


# ----- formcheck report ------------------------------------------------------------------------
class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):  # noqa: ANN001
        self.tags.append((tag, dict(attrs)))


def test_report_is_self_contained_html(tmp_path: Path, capsys) -> None:
    for day, rep in ((1, make_report(reps=6)), (2, make_report(reps=9)), (2, hold_report()),
                     (9, hold_report(pain_stop={"note": "pain <down> the leg"}))):
        record(dict(rep, time=f"2026-03-{day:02d}T10:00:00Z"), data_dir=tmp_path)
    out = tmp_path / "r.html"
    rc, stdout, err = run(["report", "--data-dir", str(tmp_path), "--out", str(out), "--lang", "en"], capsys)
    assert rc == 0, err
    page = out.read_text(encoding="utf-8")
    parser = _Tags()
    parser.feed(page)
    tags = [t for t, _ in parser.tags]
    assert "script" not in tags and "link" not in tags
    assert "http://" not in page and "https://" not in page and "@import" not in page and "url(" not in page
    assert tags.count("svg") == 3  # adherence, then one per exercise: drawn inline
    assert all(a["src"].startswith("data:image/") for t, a in parser.tags if t == "img")
    assert "Stopped because of pain" in page and "pain &lt;down&gt; the leg" in page
    assert page.count('class="pain"') >= 2  # the pain box row and the row in the list of sets
    assert "Squat" in page and "Calf stretch" in page and "week 10, 2026" in page
    # the fault ids with what the patient was told (from the exercise file)
    from formcheck.spec.exercise import load_exercise

    squat = load_exercise("squat")
    back = next(r.cue for r in squat.rules if r.id == "back_rounded")
    assert back.en in page and back.da not in page  # in the page's language
    assert squat.count is not None and squat.count.shallow_cue is not None and squat.count.shallow_cue.en in page
    assert run(["report", "--data-dir", str(tmp_path), "--out", str(tmp_path / "da.html"), "--lang", "da"], capsys)[0] == 0
    assert back.da in (tmp_path / "da.html").read_text(encoding="utf-8")


def test_the_list_of_sets_says_when_a_set_was_filmed_from_a_view_it_is_not_checked_from(tmp_path: Path,
                                                                                        capsys) -> None:
    record(dict(make_report(exercise="heel_raise", view="front", views_asked=["side", "oblique"]),
                         time="2026-03-02T10:00:00Z"), data_dir=tmp_path)
    record(dict(make_report(view="front", views_asked=["side", "front", "oblique"]),
                         time="2026-03-03T10:00:00Z"), data_dir=tmp_path)
    out = tmp_path / "r.html"
    assert run(["report", "--data-dir", str(tmp_path), "--out", str(out), "--lang", "en"], capsys)[0] == 0
    assert out.read_text().count("filmed mostly from the front; this exercise is checked from the side or oblique") == 1


def test_the_list_of_sets_says_when_counting_was_paused_for_much_of_a_set(tmp_path: Path, capsys) -> None:
    """A low count because the camera lost the patient must not read as the patient doing less."""
    lost = [{"start_s": 3.0, "end_s": 9.0, "reason": "person or key joints not seen"}]
    record(dict(make_report(reps=2, pauses=lost), time="2026-03-02T10:00:00Z"), data_dir=tmp_path)
    record(dict(hold_report(pauses=lost), time="2026-03-03T10:00:00Z"), data_dir=tmp_path)
    asked = [{"start_s": 3.0, "end_s": 9.0, "reason": "paused by the user"}]
    record(dict(make_report(reps=2, pauses=asked), time="2026-03-04T10:00:00Z"), data_dir=tmp_path)
    out = tmp_path / "r.html"
    assert run(["report", "--data-dir", str(tmp_path), "--out", str(out), "--lang", "en"], capsys)[0] == 0
    page = out.read_text()
    assert page.count("counting paused 6 s of 30 s: repetitions then were not counted, so the count may be low") == 1
    assert page.count("counting paused 6 s of 30 s: the hold timer stopped then, so the time held may be short") == 1


def test_a_set_quit_at_once_is_no_day_trained(tmp_path: Path, capsys) -> None:
    """Days trained (the card and the weekly table alike): a set quit at once is no training; a
    day of only shallow attempts is (the patient moved)."""
    record(dict(make_report(reps=6), time="2026-03-02T10:00:00Z"), data_dir=tmp_path)
    record(dict(make_report(reps=0, partials=[], fault_counts={}), time="2026-03-03T10:00:00Z"),
                    data_dir=tmp_path)
    record(dict(make_report(reps=0, fault_counts={"too_shallow": 2}), time="2026-03-04T10:00:00Z"),
                    data_dir=tmp_path)
    out = tmp_path / "r.html"
    assert run(["report", "--data-dir", str(tmp_path), "--out", str(out), "--lang", "en"], capsys)[0] == 0
    page = out.read_text()
    assert "<b>2/3</b>days trained" in page and '<td class="n">2/7</td>' in page
    assert page.count('class="status never"') == 1  # the set quit at once (counting had not started) says so


def test_report_since_and_empty(tmp_path: Path, capsys) -> None:
    record(dict(make_report(), time="2026-03-01T10:00:00Z"), data_dir=tmp_path)
    out = tmp_path / "r.html"
    rc, stdout, _ = run(["report", "--data-dir", str(tmp_path), "--out", str(out), "--since", "2026-04-01", "--lang", "en"],
                        capsys)
    assert rc == 0 and "0 sets" in stdout and "No sets recorded since 2026-04-01" in out.read_text()
    # where it looked is said, on the page and the terminal (a wrong --data-dir is not "no training")
    assert f"0 sets in {H.db_path(tmp_path)}" in stdout and str(H.db_path(tmp_path)) in out.read_text()
    rc, _, err = run(["history", "--data-dir", str(tmp_path), "-e", "squats"], capsys)  # a typo is an error
    assert rc == 2 and err.count("\n") == 1 and "'squats' is not an exercise id" in err  # as argparse's


def test_a_report_into_a_missing_folder_names_the_file_asked_for(tmp_path: Path, capsys) -> None:
    out = tmp_path / "no" / "such" / "report.html"
    code = cli.main(["report", "--out", str(out), "--data-dir", str(tmp_path / "d")])
    err = capsys.readouterr().err.strip()
    assert code == 1 and err == f"formcheck: error: {out}: No such file or directory"
    assert not out.parent.exists()


@pytest.mark.parametrize("command", [["history", "--csv"], ["report", "--out"]])
def test_an_export_onto_the_history_itself_is_refused(tmp_path: Path, capsys, command) -> None:
    """`history --csv` or `report --out` given the history database: refused, the history kept
    (it used to be replaced by the CSV or the page, with exit 0)."""
    record(make_report(), data_dir=tmp_path)
    db = H.db_path(tmp_path)
    before = db.read_bytes()
    code = cli.main([command[0], "--data-dir", str(tmp_path), command[1], str(db)])
    err = capsys.readouterr().err.strip()
    assert code == 1 and err == (f"formcheck: error: {db}: that is what this command reads; refusing to "
                                 "overwrite it (choose another output)")
    assert db.read_bytes() == before and len(H.load_sets(tmp_path)) == 1


def test_an_export_onto_a_folder_or_a_full_disk_names_the_file(tmp_path: Path, capsys, monkeypatch) -> None:
    """Errors name the file asked for, never the temporary file beside it."""
    record(make_report(), data_dir=tmp_path)
    folder = tmp_path / "adir"
    folder.mkdir()
    assert cli.main(["history", "--data-dir", str(tmp_path), "--csv", str(folder)]) == 1
    assert capsys.readouterr().err.strip() == f"formcheck: error: {folder}: is a folder (give a file name)"
    import errno
    import os

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    dest = tmp_path / "out.csv"
    assert cli.main(["history", "--data-dir", str(tmp_path), "--csv", str(dest)]) == 1
    assert capsys.readouterr().err.strip() == f"formcheck: error: {dest}: No space left on device"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_a_history_that_cannot_take_the_set_fails_before_the_work(tmp_path: Path, capsys, sample_squat) -> None:
    """replay (and live) check the history first: a "data folder" under a file used to cost the
    whole replay, write its outputs and only then fail."""
    blocker = tmp_path / "file"
    blocker.write_text("x")
    out = tmp_path / "o"
    code = cli.main(["replay", str(sample_squat), "-e", "squat", "--out", str(out), "--data-dir", str(blocker / "d")])
    err = capsys.readouterr().err.strip()
    assert code == 1 and err.startswith(f"formcheck: error: cannot create the history folder {blocker / 'd'}")
    assert not out.exists()


def test_reading_a_history_that_cannot_be_there_says_so(tmp_path: Path, capsys) -> None:
    """history and report on a folder that cannot exist, or a database that is a folder: an
    error, not "no sets recorded yet"."""
    blocker = tmp_path / "file"
    blocker.write_text("x")
    for argv in (["history"], ["report", "--out", str(tmp_path / "r.html")]):
        assert cli.main([*argv, "--data-dir", str(blocker / "d")]) == 1
        assert f"{blocker} is a file" in capsys.readouterr().err
    (tmp_path / "h" / H.DB_NAME).mkdir(parents=True)
    assert cli.main(["history", "--data-dir", str(tmp_path / "h")]) == 1
    assert "is a folder" in capsys.readouterr().err
    assert cli.main(["history", "--data-dir", str(tmp_path / "new")]) == 0  # not there yet: empty
    assert "no sets recorded yet" in capsys.readouterr().out


@pytest.mark.parametrize("edit", ["time = 'not-a-time'", "target = 'abc'", "reps = 'many'",
                                  "fault_counts = '[1, 2]'", "hold_s = 'x'",
                                  "fault_counts = '{\"back_rounded\": \"x\"}'",
                                  "report = json_set(report, '$.holds', json('[{\"held_s\": \"x\"}]'))"])
def test_a_row_edited_by_hand_is_named_not_a_crash(tmp_path: Path, capsys, edit: str) -> None:
    """A history row with values formcheck never writes: history, report and a program's
    progression used to stop with an internal error (ValueError, TypeError...)."""
    import sqlite3

    record(make_report(), data_dir=tmp_path)
    record(make_report(), data_dir=tmp_path)
    with sqlite3.connect(H.db_path(tmp_path)) as conn:
        conn.execute(f"UPDATE sets SET {edit} WHERE id = 2")
    commands = [["history"], ["report", "--out", str(tmp_path / "r.html")]]
    for argv in commands[1:] if edit.startswith("report") else commands:  # (history does not read the report)
        assert cli.main([*argv, "--data-dir", str(tmp_path)]) == 1
        err = capsys.readouterr().err.strip()
        column = edit.split(" = ")[0] + (".holds" if "holds" in edit else "")
        assert err.startswith(f"formcheck: error: set 2 in the history database {H.db_path(tmp_path)} has values "
                              f"formcheck does not write ({column})"), err


def test_errors_raised_elsewhere_are_caught_when_run_as_python_m(tmp_path: Path) -> None:
    """`python -m formcheck.cli`: the command module used to run as __main__, a second copy of cli.py;
    an error class other modules import from formcheck.cli.main was then not the one caught there
    ("internal error" instead of the one-line message)."""
    import subprocess
    import sys

    res = subprocess.run([sys.executable, "-m", "formcheck.cli", "history", "--since", "xx", "--data-dir", str(tmp_path)],
                         capture_output=True, text=True, timeout=60)
    assert res.returncode == 1 and res.stderr == "formcheck: error: --since: not a date: 'xx' (use YYYY-MM-DD)\n"


def test_a_hold_set_that_left_out_a_side_says_so(tmp_path: Path, capsys) -> None:
    """A calf stretch asks for both legs: a set with the left leg only read "10/8 s L" in the
    history and on the terminal, as if it were complete."""
    from formcheck.cli.common import print_set

    rep = hold_report(config={"id": "calf_stretch", "hold": {"target_s": 20, "sides": ["L", "R"]}}, target=2,
                      holds=[{"side": "L", "held_s": 21.0, "target_s": 20.0, "start_s": 0, "end_s": 22, "faults": []}])
    record(rep, data_dir=tmp_path)
    rc, out, _ = run(["history", "--data-dir", str(tmp_path)], capsys)
    assert rc == 0 and "21/20 s L, R not done" in out
    print_set("Calf stretch", "hold", SetReport.from_json(rep), tmp_path)
    assert capsys.readouterr().out.splitlines()[0] == "Calf stretch: holds L 21/20 s; 1 of 2 done, R not yet"
    # a target of 1 is met by one side: nothing is missing then
    one = dict(rep, target=1)
    record(one, data_dir=tmp_path / "h1")
    rc, out, _ = run(["history", "--data-dir", str(tmp_path / "h1")], capsys)
    assert "21/20 s L" in out and "not done" not in out
    print_set("Calf stretch", "hold", SetReport.from_json(one), tmp_path)
    assert capsys.readouterr().out.splitlines()[0] == "Calf stretch: holds L 21/20 s; 1 of 1 done"
    # two full holds on the left reach 2 holds but not the right leg's share: R is still missing
    two = dict(rep, holds=rep["holds"] * 2)
    record(two, data_dir=tmp_path / "h2")
    rc, out, _ = run(["history", "--data-dir", str(tmp_path / "h2")], capsys)
    assert "R not done" in out


def test_reading_the_history_does_not_wait_for_a_writer(tmp_path: Path) -> None:
    """`history`/`report` read without a write transaction: a live session in the middle of
    recording (a write lock held) no longer makes them wait 15 s and fail "database is locked".
    (Reading a copy on a read-only medium, the other reason for it, needs a mount: not tested.)"""
    import sqlite3

    record(make_report(), data_dir=tmp_path)
    writer = sqlite3.connect(H.db_path(tmp_path), isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE sets SET reps = reps")
        assert [s["reps"] for s in H.load_sets(tmp_path)] == [8]
    finally:
        writer.execute("ROLLBACK")
        writer.close()


def test_an_empty_database_file_is_an_empty_history(tmp_path: Path, capsys) -> None:
    """A history file made but never written (cut off while being created) reads as empty, as
    before the read-only reading; and a set stored without a holds list reads back."""
    H.db_path(tmp_path).write_bytes(b"")
    rc, out, _ = run(["history", "--data-dir", str(tmp_path)], capsys)
    assert rc == 0 and "no sets recorded yet" in out
    rep = make_report()
    rep.pop("holds", None)
    record(rep, data_dir=tmp_path / "h")
    assert len(H.load_sets(tmp_path / "h")) == 1


class _CommitFails:
    """A connection whose COMMIT fails as on a full disk: SQLite rolls the transaction back
    itself, so a ROLLBACK after it has nothing to roll back."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def execute(self, sql: str, *args):
        if sql == "COMMIT":
            self._conn.execute("ROLLBACK")
            raise sqlite3.OperationalError("database or disk is full")
        return self._conn.execute(sql, *args)

    def __getattr__(self, name: str):
        return getattr(self._conn, name)


def test_a_failed_commit_shows_its_own_error_in_one_line_not_the_rollbacks(tmp_path, monkeypatch):
    """(issue 18) "cannot rollback - no transaction is active" hid the real error (a full disk)."""
    real = H.connect
    H.check_writable(tmp_path)  # the database made first, as before a replay
    monkeypatch.setattr(H, "connect", lambda *a, **k: _CommitFails(real(*a, **k)))
    with pytest.raises(H.HistoryError) as err:
        record(make_report(), tmp_path)
    msg = str(err.value)
    assert "database or disk is full" in msg and "rollback" not in msg and "\n" not in msg
    monkeypatch.undo()
    assert H.load_sets(tmp_path) == []
    record(make_report(), tmp_path)  # the write lock was let go
    assert len(H.load_sets(tmp_path)) == 1


def test_a_set_begun_and_aborted_leaves_no_row_and_a_committed_one_its_row(tmp_path):
    """begin_record/commit/abort, as replay uses them around putting the report in place."""
    pending = H.begin_record(SetReport.from_json(make_report()), tmp_path)
    pending.abort()
    pending.abort()  # twice: nothing left to do
    assert H.load_sets(tmp_path) == []
    pending = H.begin_record(SetReport.from_json(make_report()), tmp_path)
    rid = pending.commit()
    pending.abort()  # after the commit: nothing to undo
    assert [s["id"] for s in H.load_sets(tmp_path)] == [rid]
