"""The history database's tables, and how a database written by an earlier formcheck is brought
up to date in place (every row kept).

Schema 1: one row per set (``sets``). Schema 2 (issue 18): where the set's outputs are, and when
a repair found them gone. Schema 3 (issue 20): whose set it is (``patient``; earlier sets belong
to the default patient), and ``pain_lock_clears``: when a physiotherapist lifted a pain stop's
lock on an exercise for the rest of the day, and who.

Reading never migrates (the file may be on a read-only medium): a database of an earlier schema
is read as it is, the columns it lacks read as their defaults (``select_list``). The first
write migrates it, each step inside the writer's transaction: all or nothing.
"""

from __future__ import annotations

import sqlite3

from formcheck.core.patient import DEFAULT_PATIENT

SCHEMA_VERSION = 3

# Column order is the table's and the CSV export's column order.
COLUMNS = (
    "id", "time", "exercise", "exercise_name", "kind", "mode", "video", "program", "target", "reps",
    "partials", "holds", "holds_reached", "hold_s", "hold_target_s", "holds_by_side", "fault_counts", "pain_stop", "pain_note",
    "duration_s", "model", "formcheck_version", "config", "report", "out_dir", "out_gone", "patient",
)
JSON_COLUMNS = ("exercise_name", "holds_by_side", "fault_counts", "config", "report")
# the columns later schemas added, and what a database from before them reads as
ADDED = {"out_dir": (2, "NULL"), "out_gone": (2, "NULL"), "patient": (3, f"'{DEFAULT_PATIENT}'")}

_V1 = """
CREATE TABLE sets (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    time              TEXT    NOT NULL,              -- ISO 8601 UTC, when the set ended
    exercise          TEXT    NOT NULL,              -- exercise id, e.g. squat
    exercise_name     TEXT    NOT NULL CHECK (json_valid(exercise_name)),  -- {"da": .., "en": ..}
    kind              TEXT    NOT NULL,              -- reps | hold
    mode              TEXT    NOT NULL,              -- live | replay
    video             TEXT,                          -- source video (replay) or camera (live)
    program           TEXT,                          -- program name when run from a program
    target            INTEGER,                       -- target repetitions
    reps              INTEGER NOT NULL,
    partials          INTEGER NOT NULL,
    holds             INTEGER NOT NULL,              -- holds timed (hold exercises)
    holds_reached     INTEGER NOT NULL,              -- holds that reached their target time
    hold_s            REAL    NOT NULL,              -- seconds held in total (0 for rep exercises)
    hold_target_s     REAL,                          -- seconds asked per hold
    holds_by_side     TEXT    NOT NULL CHECK (json_valid(holds_by_side)),  -- {"L": s, "R": s, "-": s}
    fault_counts      TEXT    NOT NULL CHECK (json_valid(fault_counts)),   -- {"fault_id": n}
    pain_stop         INTEGER NOT NULL CHECK (pain_stop IN (0, 1)),
    pain_note         TEXT,
    duration_s        REAL,
    model             TEXT,
    formcheck_version TEXT,
    config            TEXT    NOT NULL CHECK (json_valid(config)),  -- effective thresholds
    report            TEXT    NOT NULL CHECK (json_valid(report))   -- the whole report.json
);
CREATE INDEX sets_exercise_time ON sets (exercise, time);
CREATE INDEX sets_time ON sets (time);
"""

_V2 = """
ALTER TABLE sets ADD COLUMN out_dir TEXT;           -- the set's output folder (absolute), NULL before v2
ALTER TABLE sets ADD COLUMN out_gone TEXT;          -- when a repair found the folder's report gone, else NULL
CREATE INDEX sets_out_dir ON sets (out_dir);
"""

_V3 = f"""
ALTER TABLE sets ADD COLUMN patient TEXT NOT NULL DEFAULT '{DEFAULT_PATIENT}';  -- whose set (earlier sets: the default)
CREATE INDEX sets_patient_time ON sets (patient, time);
CREATE TABLE pain_lock_clears (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    time       TEXT NOT NULL,                       -- ISO 8601 UTC, when the lock was lifted
    patient    TEXT NOT NULL,
    exercise   TEXT NOT NULL,                       -- exercise id
    cleared_by TEXT NOT NULL,                       -- who lifted it (--by, else the computer's user name)
    note       TEXT                                 -- why, in the physiotherapist's words (optional)
);
CREATE INDEX pain_lock_clears_patient ON pain_lock_clears (patient, exercise, time);
"""

STEPS = ((1, _V1), (2, _V2), (3, _V3))


def upgrade(conn: sqlite3.Connection, version: int, stamp: str) -> None:
    """Apply the steps after ``version`` (0: a new database), each recorded in schema_version at
    ``stamp``, inside the caller's open transaction (executescript would commit on its own)."""
    for step, script in STEPS:
        if version < step:
            for stmt in script.split(";"):
                if stmt.strip():
                    conn.execute(stmt)
            conn.execute("INSERT INTO schema_version VALUES (?, ?)", (step, stamp))


def select_list(columns: tuple[str, ...], version: int) -> str:
    """``columns`` for a SELECT from a database of schema ``version``: those it does not have
    yet read as their defaults (NULL, the default patient)."""
    return ", ".join(f"{ADDED[c][1]} AS {c}" if c in ADDED and version < ADDED[c][0] else c for c in columns)
