"""Matching output folders and history rows (``formcheck history --repair``).

A set's row and its report are made durable together (``sets.outputs.put_in_place``), but a run
killed outright (SIGKILL, a power cut) in the instant between the report's rename and the
commit leaves a finished folder with no row; and folders get deleted by hand. The repair:

- a folder given (or one of its direct subfolders, as a live program writes them) holding a
  complete ``report.json`` that no row knows gets its row (timed by the report file's mtime,
  which its rename set); a row from before schema 2 holding the same report is linked to it
  instead of adding a second;
- a row whose output folder no longer holds its report is marked (``out_gone``), never deleted:
  the set was done.

Each fix is one line for the user.
"""

from __future__ import annotations

import json
import os
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

from formcheck.records.history import (
    COLUMNS,
    HistoryError,
    connect,
    db_path,
    now_utc,
    row_from_report,
    write_transaction,
)
from formcheck.sets.set_report import SetReport

REPORT = "report.json"  # (sets.outputs.REPORT: the name a finished set's report has)


def _folder(path: Path) -> str:
    return str(Path(path).absolute())


def _read_report(path: Path) -> tuple[SetReport, dict] | None:
    """The report in ``path`` (typed, and as stored), or None if it is not a complete one."""
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
        return SetReport.from_json(stored), stored
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None


def _row_for(conn: sqlite3.Connection, folder: str, stored: dict | None) -> tuple[int, str | None] | None:
    """The row of the set in ``folder``: by its folder, else (a row from before schema 2, which
    has no folder) by the same report. (id, out_dir) or None."""
    row = conn.execute("SELECT id, out_dir FROM sets WHERE out_dir = ? ORDER BY id LIMIT 1", (folder,)).fetchone()
    if row is not None or stored is None:
        return row
    for rid, text in conn.execute("SELECT id, report FROM sets WHERE out_dir IS NULL"):
        try:
            if json.loads(text) == stored:
                return rid, None
        except (TypeError, ValueError):
            continue
    return None


def recorded_folder(folder: Path, data_dir: str | os.PathLike | None = None) -> bool:
    """Whether the history has a row for the set whose report is in ``folder``."""
    found = _read_report(Path(folder) / REPORT)
    conn = connect(data_dir)
    try:
        return _row_for(conn, _folder(folder), found[1] if found else None) is not None
    except sqlite3.Error as exc:
        raise HistoryError(f"cannot read the history database {db_path(data_dir)}: {exc}") from None
    finally:
        conn.close()


def _candidates(paths: list[Path]) -> list[Path]:
    """The folders to look in: each path, and its direct subfolders (a program's sets)."""
    seen: dict[Path, None] = {}
    for p in paths:
        if not p.is_dir():
            raise HistoryError(f"--repair: not a folder: {p}")
        seen[p] = None
        for sub in sorted(p.iterdir()):
            if sub.is_dir() and not sub.name.startswith("."):  # (not a run's hidden staging folder)
                seen[sub] = None
    return [p for p in seen if (p / REPORT).is_file()]


def _mtime_utc(path: Path) -> str:
    t = datetime.fromtimestamp(path.stat().st_mtime, timezone.utc)
    return t.isoformat(timespec="seconds").replace("+00:00", "Z")


def repair(paths: list[Path], data_dir: str | os.PathLike | None = None) -> list[str]:
    """Make the history and the output folders agree (see the module's text); one line per fix."""
    fixes: list[str] = []
    with write_transaction(data_dir, "repair the history database") as conn:
        for folder in _candidates(paths):
            fixes += _add_missing(conn, folder)
        for rid, out in conn.execute("SELECT id, out_dir FROM sets WHERE out_dir IS NOT NULL AND out_gone IS NULL"
                                     ).fetchall():
            if not (Path(out) / REPORT).is_file():
                conn.execute("UPDATE sets SET out_gone = ? WHERE id = ?", (now_utc(), rid))
                fixes.append(f"marked set {rid}: its outputs are gone ({out}); the row is kept")
    return fixes


def _add_missing(conn: sqlite3.Connection, folder: Path) -> list[str]:
    found = _read_report(folder / REPORT)
    if found is None:
        return [f"skipped {folder}: its {REPORT} is not a formcheck report"]
    report, stored = found
    if report.frames == 0 and report.pain_stop is None:  # (a live set ended before counting started)
        return [f"skipped {folder}: nothing was counted in it (no set to add)"]
    known = _row_for(conn, _folder(folder), stored)
    if known is not None:
        if known[1] is None:  # a row from before schema 2: now it knows its folder
            conn.execute("UPDATE sets SET out_dir = ? WHERE id = ?", (_folder(folder), known[0]))
            return [f"linked set {known[0]} to {folder}"]
        return []
    try:
        row = row_from_report(report, _mtime_utc(folder / REPORT), folder)
    except HistoryError as exc:
        return [f"skipped {folder}: {exc}"]
    row["report"] = json.dumps(stored, ensure_ascii=False)  # as the file has it
    cols = [c for c in COLUMNS if c != "id"]
    cur = conn.execute(f"INSERT INTO sets ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})",
                       [row[c] for c in cols])
    return [f"added set {cur.lastrowid} from {folder} ({report.exercise}, {report.reps} repetitions)"
            if report.kind == "reps" else f"added set {cur.lastrowid} from {folder} ({report.exercise})"]
