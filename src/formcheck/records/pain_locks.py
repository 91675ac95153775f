"""Pain locks: an exercise stopped for pain is not started again the same day, and how a
physiotherapist lifts that lock (a p pressed by mistake).

The pain advice says: stop, do not do it again today. So a pain stop today locks the exercise,
for that patient, until midnight (local time): ``live -e`` refuses it and a program session
leaves it out. ``formcheck pain-lock clear`` lifts the locks of the pain stops before it,
recorded in the history (``pain_lock_clears``: when, whose, which exercise, who cleared it);
a pain stop after the clear locks the exercise again. The set and its pain stop stay recorded.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from formcheck.core.patient import DEFAULT_PATIENT
from formcheck.records.history import (
    local_time,
    now_utc,
    read_rows,
    write_transaction,
)


@dataclass(frozen=True)
class Clear:
    """One lifted lock, as recorded."""

    time: str  # ISO 8601 UTC
    patient: str
    exercise: str
    cleared_by: str
    note: str | None = None


@dataclass(frozen=True)
class Lock:
    """An exercise locked today for a patient: since its last pain stop (UTC ISO time)."""

    patient: str
    exercise: str
    since: str


def _today(today: date | None) -> date:
    return today or datetime.now().astimezone().date()


def _on(iso: Any, day: date) -> bool:
    try:
        return local_time(iso).date() == day
    except (TypeError, ValueError):
        return False


def _after(a: str, b: str) -> bool:
    """Whether UTC time ``a`` is later than ``b`` (both as the history keeps them)."""
    return local_time(a) > local_time(b)


def locks_today(sets: Iterable[dict[str, Any]], clears: Iterable[Clear] = (), today: date | None = None) -> list[Lock]:
    """The locks in force today (local date), from history rows and the clears: each patient's
    exercise whose last pain stop today came after its last clear."""
    day = _today(today)
    last_pain: dict[tuple[str, str], str] = {}
    for row in sets:
        if row.get("pain_stop") and _on(row.get("time"), day):
            key = (str(row.get("patient") or DEFAULT_PATIENT), str(row.get("exercise")))
            if key not in last_pain or _after(row["time"], last_pain[key]):
                last_pain[key] = row["time"]
    last_clear: dict[tuple[str, str], str] = {}
    for c in clears:
        key = (c.patient, c.exercise)
        if key not in last_clear or _after(c.time, last_clear[key]):
            last_clear[key] = c.time
    # a clear in the same second as the pain stop (times are kept to the second) came after it:
    # only a lock in force can be cleared
    return [Lock(p, ex, t) for (p, ex), t in sorted(last_pain.items())
            if (p, ex) not in last_clear or _after(t, last_clear[(p, ex)])]


def stopped_for_pain_today(sets: Iterable[dict[str, Any]], clears: Iterable[Clear] = (),
                           today: date | None = None) -> set[str]:
    """Exercises locked today (in any program or alone), from one patient's rows and clears: a
    session later the same day leaves them out and ``live -e`` does not start them."""
    return {lock.exercise for lock in locks_today(sets, clears, today)}


def load_clears(data_dir: str | os.PathLike | None = None, patient: str | None = None,
                since: str | None = None) -> list[Clear]:
    """The lifted locks, oldest first (one patient's, or every patient's), from ``since`` (UTC ISO)."""
    def query(version: int) -> tuple[str, list[Any]] | None:
        if version < 3:  # (before schema 3 no lock could be lifted)
            return None
        where = [w for w, v in (("patient = ?", patient), ("time >= ?", since)) if v is not None]
        sql = "SELECT time, patient, exercise, cleared_by, note FROM pain_lock_clears"
        sql += (" WHERE " + " AND ".join(where)) if where else ""
        return sql + " ORDER BY time, id", [v for v in (patient, since) if v is not None]

    return [Clear(*row) for row in read_rows(data_dir, query)]


def record_clear(data_dir: str | os.PathLike | None, patient: str, exercise: str, by: str,
                 note: str | None = None, time: str | None = None) -> Clear:
    """Lift ``patient``'s lock on ``exercise``: one row in the history, durable when this returns."""
    clear = Clear(time or now_utc(), patient, exercise, by, note)
    with write_transaction(data_dir, "record the lifted lock") as conn:
        conn.execute("INSERT INTO pain_lock_clears (time, patient, exercise, cleared_by, note) VALUES (?, ?, ?, ?, ?)",
                     (clear.time, clear.patient, clear.exercise, clear.cleared_by, clear.note))
    return clear
