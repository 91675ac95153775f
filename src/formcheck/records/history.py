"""The training history: every set, live or replayed, as one row in a SQLite database.

The database lives in the user's data folder (``platformdirs.user_data_dir("formcheck")``, i.e.
``$XDG_DATA_HOME/formcheck`` on Linux), or in ``--data-dir`` / ``$FORMCHECK_DATA_DIR``.

Crash safety: each set is written in its own transaction, the journal is in WAL mode and
``synchronous=FULL`` makes a commit durable before ``record_report`` returns. A crash or a
power cut mid-set loses at most the set being written, never one already recorded, and never
leaves half a row (SQLite rolls the unfinished transaction back on the next open).
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from formcheck.core.patient import DEFAULT_PATIENT, check_patient_id
from formcheck.records.schema import (
    COLUMNS,
    JSON_COLUMNS,
    SCHEMA_VERSION,
    select_list,
    upgrade,
)
from formcheck.sets.set_report import SetReport

DB_NAME = "history.sqlite3"
# Another formcheck writing the history (a set of its own, a repair) holds its lock for an
# instant; a writer waits for it up to LOCK_WAIT_S, in steps of STEP_S so that Ctrl-C and SIGTERM
# are seen between them (SQLite's own wait, in C, would not see them), saying so after SAY_AFTER_S.
LOCK_WAIT_S = 15.0
STEP_S = 0.2
SAY_AFTER_S = 1.0
ENV_DIR = "FORMCHECK_DATA_DIR"


class HistoryError(Exception):
    """The history database cannot be opened, read or written; one line for the user."""


def data_dir(explicit: str | os.PathLike | None = None) -> Path:
    """``explicit`` (the --data-dir flag), else $FORMCHECK_DATA_DIR, else the user data folder."""
    if explicit:
        return Path(explicit).expanduser()
    env = os.environ.get(ENV_DIR)
    if env:
        return Path(env).expanduser()
    import platformdirs  # only for the default folder: it loads importlib.metadata and e-mail parsers


    return Path(platformdirs.user_data_dir("formcheck", appauthor=False))


def db_path(folder: str | os.PathLike | None = None) -> Path:
    return data_dir(folder) / DB_NAME


def local_time(iso: str) -> datetime:
    """A stored set's time (ISO 8601, UTC; naive read as UTC) in the local time zone.
    ValueError when it is not such a time."""
    dt = datetime.fromisoformat(str(iso).replace("Z", "+00:00"))
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.astimezone()


def now_utc() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def connect(folder: str | os.PathLike | None = None, *, create: bool = True) -> sqlite3.Connection:
    """Open (and if needed create or migrate) the history database."""
    path = db_path(folder)
    if create:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise HistoryError(f"cannot create the history folder {path.parent}: {exc.strerror} "
                               f"(choose another with --data-dir or ${ENV_DIR})") from None
    try:
        # isolation_level=None: no implicit transactions; every write is an explicit BEGIN..COMMIT
        conn = sqlite3.connect(path, timeout=STEP_S, isolation_level=None)
    except sqlite3.Error as exc:
        raise HistoryError(f"cannot open the history database {path}: {exc}") from None
    try:
        write(conn, "PRAGMA journal_mode=WAL", path)
        conn.execute("PRAGMA synchronous=FULL")
        _migrate(conn, path)
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise HistoryError(f"the history database {path} cannot be used: {exc}{_damaged(exc)}") from None
    except BaseException:
        conn.close()
        raise
    return conn


def _damaged(exc: BaseException) -> str:
    """Advice for a database file SQLite cannot use (damaged, or some other program's)."""
    text = str(exc)
    if "not a database" in text or "malformed" in text:
        return (" (the file is damaged or is not formcheck's: rename it to keep it, and formcheck starts a new "
                "history; the sets in it can often be recovered with the sqlite3 tool's .recover)")
    return ""


def _connect_to_read(path: Path) -> sqlite3.Connection:
    """Open the database read-only: reading needs no write access (a copy on a read-only stick)
    and does not wait for a writer (WAL readers do not block). A WAL database on a read-only
    medium cannot make its shared-memory file: it is then opened as unchanging (immutable)."""
    uri = path.resolve().as_uri()
    last: sqlite3.Error | None = None
    wal = path.with_name(path.name + "-wal")
    unsaved = wal.exists() and wal.stat().st_size > 0  # an immutable read would not see those sets
    for query in ("?mode=ro",) if unsaved else ("?mode=ro", "?mode=ro&immutable=1"):
        try:
            conn = sqlite3.connect(uri + query, uri=True, timeout=15.0)
            conn.execute("SELECT name FROM sqlite_master LIMIT 1").fetchall()
            return conn
        except sqlite3.Error as exc:
            last = exc
            with contextlib.suppress(Exception):
                conn.close()
    hint = (" (its -wal file holds sets not yet written into it: copy both files to a folder you can write to)"
            if unsaved else _damaged(last) if last is not None else "")
    raise HistoryError(f"the history database {path} cannot be used: {last}{hint}") from None


def check_writable(folder: str | os.PathLike | None = None) -> None:
    """Raise HistoryError now if a set could not be recorded later (before a replay's or a live
    set's work, not after it); creates the database if it is missing."""
    connect(folder).close()


def _check_folder(path: Path) -> None:
    """A missing database is an empty history, but a history "folder" that is a file, or a
    database that is a folder, is a mistake to point out."""
    if path.is_dir():
        raise HistoryError(f"the history database {path} is a folder")
    for up in path.parents:
        if up.exists():
            if not up.is_dir():
                raise HistoryError(f"the history folder {path.parent} cannot exist: {up} is a file "
                                   f"(choose another with --data-dir or ${ENV_DIR})")
            return


def _busy(exc: sqlite3.Error) -> bool:
    return isinstance(exc, sqlite3.OperationalError) and ("locked" in str(exc) or "busy" in str(exc))


def write(conn: sqlite3.Connection, sql: str, where: Path) -> sqlite3.Cursor:
    """Run a statement that takes the write lock (BEGIN IMMEDIATE, COMMIT...), waiting for another
    writer as the module's text says: interruptible, and said after a second. The wait's end is
    SQLite's "database is locked"."""
    start = time.monotonic()
    said = False
    while True:
        try:
            return conn.execute(sql)
        except sqlite3.OperationalError as exc:
            waited = time.monotonic() - start
            if not _busy(exc) or waited >= LOCK_WAIT_S:
                raise
            if not said and waited >= SAY_AFTER_S:
                said = True
                print(f"formcheck: waiting for the history database {where}: another formcheck is writing it "
                      f"(up to {LOCK_WAIT_S:g} s; Ctrl-C stops)", file=sys.stderr, flush=True)


@contextlib.contextmanager
def write_transaction(data_dir: str | os.PathLike | None, what: str) -> Iterator[sqlite3.Connection]:
    """One write transaction on the history (BEGIN IMMEDIATE, waited for as ``write`` says),
    committed when the block ends, rolled back on any exception; a database error is one
    HistoryError line, "cannot ``what`` in PATH: ...". Durable when the block has ended."""
    where = db_path(data_dir)
    conn = connect(data_dir)
    try:
        write(conn, "BEGIN IMMEDIATE", where)
        yield conn
        write(conn, "COMMIT", where)
    except BaseException as exc:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        if isinstance(exc, sqlite3.Error):
            raise HistoryError(_one_line(f"cannot {what} in {where}: {exc}")) from None
        raise
    finally:
        conn.close()


def _migrate(conn: sqlite3.Connection, path: Path) -> None:
    write(conn, "BEGIN IMMEDIATE", path)
    try:
        conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, applied_at TEXT NOT NULL)")
        row = conn.execute("SELECT MAX(version) FROM schema_version").fetchone()
        version = row[0] or 0
        if version > SCHEMA_VERSION:
            raise HistoryError(f"the history database {path} was written by a newer formcheck "
                               f"(schema {version}; this version reads up to {SCHEMA_VERSION})")
        upgrade(conn, version, now_utc())  # (schema.py: each step in this transaction, all or nothing)
        write(conn, "COMMIT", path)
    except BaseException:
        if conn.in_transaction:  # (a failed COMMIT may have rolled back: its error is the one to see)
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
        raise


def _program(report: SetReport) -> str | None:
    prog = report.end.program
    if not prog:
        return None
    if isinstance(prog, dict):
        name = prog.get("name") or prog.get("id")
        return str(name) if name else json.dumps(prog, ensure_ascii=False)
    return str(prog)


def row_from_report(report: SetReport, time: str | None = None, out_dir: Path | None = None) -> dict[str, Any]:
    """The history row for one set report (see ``report.ReportBuilder.finish``), its outputs in
    ``out_dir`` (None: not kept anywhere known)."""
    if not isinstance(report, SetReport) or not report.exercise:
        raise HistoryError("cannot record a set without an exercise id in its report")
    by_side: dict[str, float] = defaultdict(float)
    targets = []
    holds = report.holds
    reached = 0
    for h in holds:
        by_side[h.side or "-"] += float(h.held_s or 0.0)
        if h.target_s is not None:
            targets.append(float(h.target_s))
            reached += float(h.held_s or 0.0) >= float(h.target_s) - 1e-6
    config = report.config
    if not targets and isinstance(config.get("hold"), dict) and config["hold"].get("target_s") is not None:
        targets.append(float(config["hold"]["target_s"]))
    pain = report.pain_stop
    return {
        "time": time or now_utc(),
        "exercise": report.exercise,
        "exercise_name": json.dumps(asdict(report.name), ensure_ascii=False),
        "kind": report.kind,
        "mode": report.mode,
        "video": report.video,
        "program": _program(report),
        "target": report.target,
        "reps": int(report.reps),
        "partials": len(report.partials),
        "holds": len(holds),
        "holds_reached": int(reached),
        "hold_s": round(sum(by_side.values()), 2),
        "hold_target_s": max(targets) if targets else None,
        "holds_by_side": json.dumps({k: round(v, 2) for k, v in by_side.items()}),
        "fault_counts": json.dumps(report.fault_counts, ensure_ascii=False),
        "pain_stop": int(pain is not None),
        "pain_note": None if pain is None else pain.note,
        "duration_s": report.duration_s,
        "model": report.model,
        "formcheck_version": report.formcheck_version,
        "config": json.dumps(config, ensure_ascii=False),
        "report": json.dumps(report.to_json(), ensure_ascii=False),
        "out_dir": None if out_dir is None else str(Path(out_dir).absolute()),
        "out_gone": None,
        "patient": _patient(report.patient),
    }


def _patient(patient: str | None) -> str:
    """The set's patient as the history keeps it (none given: the default patient)."""
    if patient is None:
        return DEFAULT_PATIENT
    try:
        return check_patient_id(patient)
    except ValueError as exc:
        raise HistoryError(f"cannot record the set: {exc}") from None


class PendingSet:
    """One set written into the history but not yet committed (see ``begin_record``): it holds
    the database's write lock until ``commit`` or ``abort``, so make the step between short."""

    def __init__(self, conn: sqlite3.Connection, row_id: int, where: Path) -> None:
        self._conn, self.row_id, self._where = conn, row_id, where
        self._open = True

    def commit(self) -> int:
        """Make the set durable (synchronous=FULL); its row id. HistoryError if it cannot be:
        the set is then not in the history."""
        try:
            write(self._conn, "COMMIT", self._where)
        except sqlite3.Error as exc:
            self.abort()
            raise HistoryError(_one_line(f"cannot record the set in {self._where}: {exc}")) from None
        self._open = False
        self._conn.close()
        return self.row_id

    def abort(self) -> None:
        """Leave the set out. A failed COMMIT may have rolled back already (SQLite then says "no
        transaction is active"): that must not hide the error that made it fail. After a commit
        (or an abort) there is nothing left to do."""
        if not self._open:
            return
        self._open = False
        try:
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
        except sqlite3.Error:  # closing the connection rolls back what is left
            pass
        finally:
            self._conn.close()


def _one_line(text: str) -> str:
    return " ".join(text.split())


def begin_record(report: SetReport, data_dir: str | os.PathLike | None = None, *,
                 time: str | None = None, out_dir: Path | None = None) -> PendingSet:
    """Write one finished set (at ``time``, UTC ISO; default now; its outputs in ``out_dir``) in a
    transaction left open: the caller puts the outputs in place and then commits, or aborts
    (``PendingSet``)."""
    row = row_from_report(report, time, out_dir)
    cols = [c for c in COLUMNS if c != "id"]
    where = db_path(data_dir)
    conn = connect(data_dir)
    try:
        write(conn, "BEGIN IMMEDIATE", where)
        cur = conn.execute(
            f"INSERT INTO sets ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})",
            [row[c] for c in cols],
        )
        return PendingSet(conn, int(cur.lastrowid or 0), where)
    except BaseException as exc:
        PendingSet(conn, 0, where).abort()
        if isinstance(exc, sqlite3.Error):
            raise HistoryError(_one_line(f"cannot record the set in {where}: {exc}")) from None
        raise


def record_report(report: SetReport, data_dir: str | os.PathLike | None = None, *, time: str | None = None,
                  out_dir: Path | None = None) -> int:
    """Store one finished set (at ``time``, UTC ISO; default now); returns its row id. Durable
    when this returns."""
    return begin_record(report, data_dir, time=time, out_dir=out_dir).commit()


_INTS = ("reps", "partials", "holds", "holds_reached")
_NUMBERS = ("target", "hold_s", "hold_target_s", "duration_s")  # (target, hold_target_s, duration_s may be NULL)


def _number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _decode(row: sqlite3.Row, with_report: bool, path: Path) -> dict[str, Any]:
    """One row as a dict; a row whose values could not have been written by formcheck (edited
    by hand, or by another program) is a HistoryError naming it, not a crash further on."""
    d = dict(row)
    bad = []
    for c in JSON_COLUMNS:
        if c in d:
            try:
                d[c] = json.loads(d[c]) if d[c] is not None else None
            except (TypeError, json.JSONDecodeError):
                d[c] = None
                bad.append(c)
                continue
            if d[c] is not None and not isinstance(d[c], dict):
                bad.append(c)
    bad += [c for c in _INTS if not isinstance(d.get(c), int)]
    bad += [c for c in _NUMBERS if d.get(c) is not None and not _number(d[c])]
    # inside the JSON: what history, report and a program's progression read
    if isinstance(d.get("fault_counts"), dict) and not all(isinstance(v, int) for v in d["fault_counts"].values()):
        bad.append("fault_counts")
    if isinstance(d.get("holds_by_side"), dict) and not all(_number(v) for v in d["holds_by_side"].values()):
        bad.append("holds_by_side")
    if isinstance(d.get("exercise_name"), dict) and not all(isinstance(v, str) for v in d["exercise_name"].values()):
        bad.append("exercise_name")
    holds = (d["report"].get("holds") or []) if isinstance(d.get("report"), dict) else []
    if not isinstance(holds, list) or not all(
            isinstance(h, dict) and _number(h.get("held_s", 0)) and _number(h.get("target_s", 0)) for h in holds):
        bad.append("report.holds")
    try:
        local_time(d["time"])
    except ValueError:
        bad.append("time")
    if bad:
        raise HistoryError(f"set {d.get('id')} in the history database {path} has values formcheck does not "
                           f"write ({', '.join(bad)}): was it edited by hand?")
    d["pain_stop"] = bool(d["pain_stop"])
    if not with_report:
        d.pop("report", None)
    elif isinstance(d.get("report"), dict):  # read typed from here on, whichever version wrote it
        d["stored_report"] = d["report"]  # and as stored, for an export that changes nothing
        try:
            d["report"] = SetReport.from_json(d["report"])
        except (TypeError, ValueError, AttributeError, KeyError):
            raise HistoryError(f"set {d.get('id')} in the history database {path} has a report formcheck "
                               "does not write: was it edited by hand?") from None
    return d


def read_rows(data_dir: str | os.PathLike | None,
              query: Callable[[int], tuple[str, list[Any]] | None]) -> list[sqlite3.Row]:
    """The rows of ``query(version)`` (SQL and its arguments for a database of that schema; None:
    that schema has no such table). A missing database has no rows (reading creates nothing)."""
    path = db_path(data_dir)
    if not path.is_file():
        _check_folder(path)
        return []
    conn = _connect_to_read(path)
    conn.row_factory = sqlite3.Row
    try:
        if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'schema_version'").fetchall():
            return []  # made but never written (e.g. cut off while being created): nothing recorded
        version = conn.execute("SELECT MAX(version) FROM schema_version").fetchone()[0] or 0
        if version > SCHEMA_VERSION:
            raise HistoryError(f"the history database {path} was written by a newer formcheck "
                               f"(schema {version}; this version reads up to {SCHEMA_VERSION})")
        asked = query(version)
        return [] if asked is None else conn.execute(*asked).fetchall()
    except sqlite3.Error as exc:
        raise HistoryError(f"cannot read the history database {path}: {exc}{_damaged(exc)}") from None
    finally:
        conn.close()


def load_sets(data_dir: str | os.PathLike | None = None, exercise: str | None = None, *,
              since: str | None = None, with_report: bool = True, patient: str | None = None) -> list[dict[str, Any]]:
    """All recorded sets, oldest first, optionally of one exercise, from ``since`` (ISO date) and
    of one patient (None: every patient's).

    JSON columns come back decoded and ``pain_stop`` as a bool. A missing database is an empty
    history (nothing is created by reading).
    """
    def query(version: int) -> tuple[str, list[Any]]:
        where, args = [], []
        if exercise:
            where.append("exercise = ?")
            args.append(exercise)
        if since:
            where.append("time >= ?")
            args.append(since)
        if patient is not None:  # (a database from before schema 3 holds the default patient's sets only)
            where.append("patient = ?" if version >= 3 else "? = ?")
            args += [patient] if version >= 3 else [patient, DEFAULT_PATIENT]
        cols = COLUMNS if with_report else tuple(c for c in COLUMNS if c != "report")
        # (an earlier schema's database is read as it is: reading migrates nothing)
        sql = f"SELECT {select_list(cols, version)} FROM sets"
        if where:
            sql += " WHERE " + " AND ".join(where)
        return sql + " ORDER BY time, id", args

    return [_decode(r, with_report, db_path(data_dir)) for r in read_rows(data_dir, query)]
