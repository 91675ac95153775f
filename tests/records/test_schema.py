"""Schema 3 (issue 20: a patient per set, lifted pain locks) and the migration of databases
written by earlier versions: in place, every row kept as it was, old sets the default patient's."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from formcheck.core.patient import DEFAULT_PATIENT
from formcheck.records import history as H
from formcheck.records.pain_locks import load_clears, record_clear
from formcheck.records.schema import COLUMNS, SCHEMA_VERSION
from formcheck.sets.set_report import SetReport

DATA = Path(__file__).parent / "data"
V1_DB = DATA / "history_v1.sqlite3"  # written by the schema-1 code: one squat set
# written by the schema-2 code (main at 776f2fd, before this change) through records.history's own
# API: a live program squat with an output folder, a squat stopped for pain, a replayed calf stretch hold
V2_DB = DATA / "history_v2.sqlite3"


def _copy(db: Path, tmp_path: Path) -> Path:
    d = tmp_path / "data"
    d.mkdir()
    shutil.copy(db, d / H.DB_NAME)
    return d


def _raw(d: Path) -> tuple[list[str], list[tuple]]:
    """Every column and row of ``sets`` as SQLite holds them (no formcheck code in between)."""
    conn = sqlite3.connect(d / H.DB_NAME)
    try:
        cols = [r[1] for r in conn.execute("PRAGMA table_info(sets)")]
        return cols, conn.execute("SELECT * FROM sets ORDER BY id").fetchall()
    finally:
        conn.close()


def _version(d: Path) -> int:
    conn = sqlite3.connect(d / H.DB_NAME)
    try:
        return conn.execute("SELECT MAX(version) FROM schema_version").fetchone()[0]
    finally:
        conn.close()


def _new_set(patient: str) -> SetReport:
    return SetReport.from_json({"exercise": "squat", "kind": "reps", "mode": "replay", "reps": 5, "target": 10,
                                "config": {"id": "squat"}, "patient": patient})


@pytest.mark.parametrize("db, version, n", [(V1_DB, 1, 1), (V2_DB, 2, 3)])
def test_an_earlier_database_is_migrated_in_place_keeping_every_row(tmp_path, db, version, n):
    d = _copy(db, tmp_path)
    old_cols, old_rows = _raw(d)
    assert _version(d) == version and len(old_rows) == n

    # read as it is (reading migrates nothing): every set, each the default patient's
    sets = H.load_sets(d)
    assert [s["id"] for s in sets] == [r[0] for r in old_rows]
    assert {s["patient"] for s in sets} == {DEFAULT_PATIENT}
    assert len(H.load_sets(d, patient=DEFAULT_PATIENT)) == n and H.load_sets(d, patient="p017") == []
    assert load_clears(d) == [] and _version(d) == version

    H.record_report(_new_set("p017"), d)  # the first write migrates
    assert _version(d) == SCHEMA_VERSION == 3
    cols, rows = _raw(d)
    assert tuple(cols) == COLUMNS
    kept = [tuple(r[cols.index(c)] for c in old_cols) for r in rows[:n]]
    assert kept == old_rows  # every row, every old column, byte for byte
    assert [r[cols.index("patient")] for r in rows] == [DEFAULT_PATIENT] * n + ["p017"]
    assert [s["id"] for s in H.load_sets(d, patient=DEFAULT_PATIENT)] == [r[0] for r in old_rows]
    assert [s["reps"] for s in H.load_sets(d, patient="p017")] == [5]
    conn = sqlite3.connect(d / H.DB_NAME)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    conn.close()
    record_clear(d, DEFAULT_PATIENT, "squat", "physio")  # the new table is there
    assert [c.cleared_by for c in load_clears(d)] == ["physio"]


def test_a_v2_database_keeps_its_sets_content_after_migrating(tmp_path):
    """What the old rows say (results, pain stops, folders, reports) reads the same after."""
    d = _copy(V2_DB, tmp_path)
    before = H.load_sets(d)
    H.record_report(_new_set(DEFAULT_PATIENT), d)
    after = H.load_sets(d)[:len(before)]
    assert after == before
    assert [s["pain_stop"] for s in after] == [False, True, False]
    assert after[0]["out_dir"] and after[2]["kind"] == "hold"


def test_a_migration_that_fails_leaves_the_database_as_it_was(tmp_path, monkeypatch):
    from formcheck.records import schema

    d = _copy(V2_DB, tmp_path)
    before = _raw(d)
    broken = (*schema.STEPS[:2], (3, schema.STEPS[2][1] + ";\nALTER TABLE nowhere ADD COLUMN x TEXT"))
    monkeypatch.setattr(schema, "STEPS", broken)
    with pytest.raises(H.HistoryError):
        H.record_report(_new_set("p017"), d)
    assert _raw(d) == before and _version(d) == 2


def test_a_set_of_an_odd_patient_is_not_recorded(tmp_path):
    with pytest.raises(H.HistoryError, match="not a patient id"):
        H.record_report(_new_set("../etc"), tmp_path)
    assert H.load_sets(tmp_path) == []
