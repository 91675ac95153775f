"""What became of one video of a batch: plain data (JSON between processes, pickled by Ray)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from formcheck.batch.jobs import Job
from formcheck.records.progression import holds_in_report
from formcheck.sets.set_report import SetReport

# A video's status in the batch's summary
DONE = "done"  # replayed now: outputs in place (and in the history)
EARLIER = "earlier"  # its folder already held a finished set (a batch run again after a stop): kept as it was
FAILED = "failed"  # its one-line error says why; nothing of it was kept
INTERRUPTED = "interrupted"  # stopped by Ctrl-C (or SIGTERM) mid-replay: nothing of it was kept
NOT_RUN = "not run"  # the batch was stopped before its turn


@dataclass(frozen=True)
class Outcome:
    name: str  # the output folder below the batch folder
    video: str
    exercise: str
    status: str
    out_dir: str
    patient: str | None = None
    reps: int | None = None
    target: int | None = None
    partials: int | None = None
    holds: str | None = None  # "L 30/30 s; R 12/30 s" (hold exercises)
    faults: str | None = None  # "knees_caving x2; too_fast x1"
    notes: str | None = None  # the report's notes and a replay's warning, " | " between them
    error: str | None = None  # one line (failed)
    seconds: float | None = None  # wall time of the replay
    pid: int | None = None  # the process that replayed it
    started: float | None = None  # wall clock (time.time()) at its start and end
    ended: float | None = None
    report: dict[str, Any] | None = None  # report.json's dict, for a driver that records it (Ray)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @staticmethod
    def from_json(d: dict[str, Any]) -> Outcome:
        names = {f.name for f in fields(Outcome)}
        return Outcome(**{k: v for k, v in d.items() if k in names})

    def without_report(self) -> Outcome:
        return replace(self, report=None)


def base(job: Job, status: str, **kw: Any) -> Outcome:
    return Outcome(name=job.name, video=str(job.video), exercise=job.exercise, status=status,
                   out_dir=str(job.out_dir), patient=job.patient, **kw)


def from_report(job: Job, status: str, set_report: SetReport, warning: str | None = None, **kw: Any) -> Outcome:
    """A video's outcome with its set's figures (the count, holds, faults, notes)."""
    report = set_report
    holds = None
    if report.kind != "reps":
        done, _ = holds_in_report(report)
        each = "; ".join(f"{h.side or '-'} {h.held_s:.0f}/{h.target_s:.0f} s" for h in report.holds)
        holds = f"{done} of {report.target}" + (f" ({each})" if each else "")
    faults = "; ".join(f"{k} x{v}" for k, v in report.fault_counts.items()) or None
    notes = [*report.notes] + ([warning] if warning and warning not in report.notes else [])
    return base(job, status, reps=report.reps if report.kind == "reps" else None, target=report.target,
                partials=len(report.partials) if report.kind == "reps" else None, holds=holds, faults=faults,
                notes=" | ".join(" ".join(n.split()) for n in notes) or None, **kw)
