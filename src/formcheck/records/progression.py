"""Progression through a program: each exercise's target for the next session, from the history.

The target goes up by the exercise's step only after a session in which the patient reached the
target without pain; after a pain stop it never goes up. Each patient progresses on their own sets. (A pain stop
today leaves the exercise out of any later session the same day: pain_locks.py.)
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from formcheck.engine.holds import hold_progress
from formcheck.records.history import load_sets
from formcheck.sets.set_report import SetReport
from formcheck.spec.program import Program, ProgramExercise


@dataclass(frozen=True)
class PastSet:
    """What one earlier set of a program exercise achieved (from the history)."""

    exercise: str
    target: int
    done: int  # repetitions, or holds that reached their time
    pain: bool

    @property
    def reached(self) -> bool:
        return self.done >= self.target


def done_in_report(report: SetReport) -> int:
    """Repetitions counted, or for hold exercises the holds that reached their target time
    (each side up to its share of the target, as the trainer counted them)."""
    if report.kind == "hold":
        return holds_in_report(report)[0]
    return int(report.reps)


def holds_in_report(report: SetReport) -> tuple[int, list[str]]:
    """A hold set's (holds toward its target, sides still short of their share)."""
    sides = (report.config.get("hold") or {}).get("sides") or ()
    holds = [(h.side, h.held_s, h.target_s) for h in report.holds]
    return hold_progress(holds, sides, report.target)


def next_target(entry: ProgramExercise, max_target: int, last: PastSet | None) -> int:
    """The target for this session from the last set of the exercise in this program.

    First time: the starting target. Reached without pain: up by ``step`` (not above the
    maximum). Not reached, or stopped for pain: the same target again, never more.
    """
    if last is None:
        return min(entry.start_target, max_target)
    if last.pain or not last.reached:
        return min(last.target, max_target)
    return min(last.target + entry.step, max_target)


def past_sets(program: str, sets: Iterable[dict[str, Any]]) -> dict[str, PastSet]:
    """The most recent set of each exercise of ``program``, from history rows (oldest first)."""
    last: dict[str, PastSet] = {}
    for row in sets:
        if row.get("program") != program or row.get("mode") != "live":
            continue
        report: SetReport | None = row.get("report")
        target = row.get("target") or (report.target if report is not None else None)
        if not target:
            continue
        done = done_in_report(report) if report is not None else _done_in_row(row)
        last[row["exercise"]] = PastSet(row["exercise"], int(target), done, bool(row.get("pain_stop")))
    return last


def _done_in_row(row: dict[str, Any]) -> int:
    """What a history row loaded without its report says was done (its summary columns)."""
    return int(row.get("holds_reached") or 0) if row.get("kind") == "hold" else int(row.get("reps") or 0)


def session_targets(program: Program, entries: Iterable[ProgramExercise],
                    history: Iterable[dict[str, Any]]) -> dict[str, int]:
    """Targets for this session's exercises, progressed from the program's history."""
    last = past_sets(program.name, history)
    return {e.id: next_target(e, program.max_target, last.get(e.id)) for e in entries}


def load_history(data_dir: str | os.PathLike | None, patient: str | None = None) -> list[dict[str, Any]]:
    """History rows (oldest first): one patient's (None: every patient's). A program's progression
    and pain locks are each patient's own."""
    return load_sets(data_dir, patient=patient)
