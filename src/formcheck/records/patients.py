"""The patients in one history: who has sets, how many, on how many days, and the last one.

A patient is whoever a set was recorded for (``--patient``; without it the default patient):
the history keeps no list of its own, so a patient exists from their first set on.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from formcheck.core.patient import DEFAULT_PATIENT
from formcheck.records.history import local_time


@dataclass(frozen=True)
class PatientSummary:
    """One patient's sets at a glance."""

    patient: str
    sets: int
    days: int  # local calendar days with a set
    last_time: str  # the last set's time (UTC ISO, as stored)
    last_exercise: str
    pain_stops: int


def summarise(rows: Iterable[dict[str, Any]]) -> list[PatientSummary]:
    """One summary per patient in history rows (oldest first), in order of their ids."""
    by_patient: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_patient.setdefault(str(row.get("patient") or DEFAULT_PATIENT), []).append(row)
    out = []
    for patient, sets in sorted(by_patient.items()):
        last = sets[-1]
        out.append(PatientSummary(patient, len(sets), len({local_time(s["time"]).date() for s in sets}),
                                  last["time"], str(last["exercise"]), sum(1 for s in sets if s.get("pain_stop"))))
    return out


def patient_ids(rows: Iterable[dict[str, Any]]) -> list[str]:
    """The patients with sets in history rows, sorted."""
    return sorted({str(r.get("patient") or DEFAULT_PATIENT) for r in rows})
