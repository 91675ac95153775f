"""p on a screen between live sets (the summary, the rest, an exercise's instructions): the pain is
recorded in the history against the exercise it belongs to (records/pain_reported.py), before
the advice is shown, and the terminal says so in the patient's language.

Which exercise: on the summary or the rest after exercise X, X. On the instructions of Y, not
started yet: the exercise last done in this session, if there was one (the pain came before Y
began, most likely from what was just done; Y is skipped after the advice anyway), else Y itself
(the session's first: nothing done yet, so the one the patient was about to start is the one
the advice stops for today; the conservative choice).
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from formcheck.live.set_loop import SetOutcome
from formcheck.media.estimator import choose_model
from formcheck.records.history import HistoryError, record_report
from formcheck.records.pain_reported import (
    AFTER_SET,
    BEFORE_START,
    flag_set,
    pain_only_report,
)
from formcheck.sets.set_report import SetReport
from formcheck.sets.texts import TERMINAL
from formcheck.spec.exercise import ExerciseSpec, exercise_file


@dataclass(frozen=True)
class Done:
    """An exercise of the session as the pain would be recorded against it."""

    spec: ExerciseSpec
    target: int
    row_id: int | None = None  # its set's history row (None: not recorded, or not started)
    program: dict[str, Any] | None = None  # the program's place, as its sets carry it


@dataclass
class PainBetweenSets:
    """The session's record of pain reported between sets (``args``: live's options)."""

    args: argparse.Namespace
    last: Done | None = None  # the exercise whose set ran last in this session
    recorded: set[str] = field(default_factory=set)  # exercise ids with pain recorded in this session
    reported: set[str] = field(default_factory=set)  # ... reported between sets (recorded or not)

    def ran(self, spec: ExerciseSpec, target: int | None, outcome: SetOutcome,
            program: dict[str, Any] | None = None) -> None:
        """A set of ``spec`` ran (kept or not, recorded or not)."""
        self.last = Done(spec, outcome.report.target or target or 0, outcome.row_id, program)
        if outcome.report.pain_stop is not None and outcome.row_id is not None:
            self.recorded.add(spec.id)  # (already a pain stop in the history)

    def after_set(self) -> Callable[[], None]:
        """p on the summary or the rest after the set that ran last."""
        return lambda: self._record(self.last, AFTER_SET)

    def before(self, spec: ExerciseSpec, target: int, program: dict[str, Any] | None = None) -> Callable[[], None]:
        """p on the instructions of ``spec`` (not started): see the module's text for which exercise."""
        def record() -> None:
            if self.last is not None:
                self._record(self.last, AFTER_SET)
            else:
                self._record(Done(spec, target, None, program), BEFORE_START)

        return record

    def _record(self, done: Done | None, note: str) -> None:
        if done is None:
            return
        lang, name = self.args.lang, done.spec.name.get(self.args.lang)
        self.reported.add(done.spec.id)
        if self.args.no_history:
            print(TERMINAL[lang]["pain_not_recorded"].format(name=name))
            return
        if done.spec.id not in self.recorded:
            try:
                if done.row_id is None or not flag_set(self.args.data_dir, done.row_id, note):
                    record_report(self._pain_only(done, note), self.args.data_dir)
            except (HistoryError, sqlite3.Error, OSError) as exc:  # the advice is shown all the same
                print(f"formcheck: warning: the pain could not be recorded in the history ({exc})", file=sys.stderr)
                return
            self.recorded.add(done.spec.id)
        print(TERMINAL[lang]["pain_recorded"].format(name=name))

    def _pain_only(self, done: Done, note: str) -> SetReport:
        args = self.args
        source = args.source if args.source is not None else f"camera:{args.camera}"
        path = args.exercise if args.exercise and not args.program else done.spec.id
        return pain_only_report(done.spec, done.target, note, source=source,
                                model=choose_model(args.model, done.spec.model), patient=args.patient,
                                program=done.program, exercise_file=str(exercise_file(path).resolve()))
