"""Pain reported on a screen between live sets (p on the summary, the rest or an exercise's
instructions), recorded in the history as a pain stop of the exercise it belongs to: so the
pain lock holds for the rest of the day (pain_locks.py), a program's progression does not raise
that exercise's target (progression.py) and the progress report lists it among the pain stops.

The least surprising record: the history row of the set just done gets its pain flag, with a
note that the pain came after the set (its report.json stays as the set was: it was not
stopped, and its count stands). Without such a row (the set was not recorded, or the exercise
had not started) a pain-only row: no repetitions, the exercise's target and program, no outputs.
No schema change: the history's pain flag and note are the pain stop's.
"""

from __future__ import annotations

import os
from typing import Any

from formcheck.records.history import write_transaction
from formcheck.sets.report import ReportBuilder
from formcheck.sets.set_report import PainStop, SetEnd, SetReport
from formcheck.spec.exercise import ExerciseSpec

AFTER_SET = "pain reported after the set (p on the screen after it)"
BEFORE_START = "pain reported before the exercise started (p on its instructions); not started"


def flag_set(data_dir: str | os.PathLike | None, row_id: int, note: str = AFTER_SET) -> bool:
    """Mark the recorded set ``row_id`` as a pain stop with ``note`` (a set already stopped for
    pain keeps its own note); durable when this returns. False when there is no such row."""
    with write_transaction(data_dir, "record the pain") as conn:
        cur = conn.execute("UPDATE sets SET pain_stop = 1, pain_note = COALESCE(pain_note, ?) WHERE id = ?",
                           (note, row_id))
    return cur.rowcount == 1


def pain_only_report(spec: ExerciseSpec, target: int, note: str, *, source: str, model: str, patient: str | None,
                     program: dict[str, Any] | None = None, exercise_file: str | None = None) -> SetReport:
    """The report of a pain-only row: ``spec`` at ``target`` (in ``program``, as its sets are, so
    the progression sees it), nothing counted, stopped for pain with ``note``."""
    builder = ReportBuilder(spec, target=target, source=source, model=model, mode="live", patient=patient,
                            exercise_file=exercise_file)
    builder.pain_stop = PainStop(0.0, note)
    builder.notes.append("no set: the patient reported pain on a screen between sets (p)")
    return builder.finish([], SetEnd(ended_by="pain", program=program))

