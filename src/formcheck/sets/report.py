"""The set report: a fold over FrameResults into one ``SetReport``, built once at the set's end
(``ReportBuilder.finish``, for replay and live alike) and written atomically as report.json.

The type is ``set_report.py``'s; the notes and the metrics legend are ``report_notes.py``'s."""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import replace
from typing import Any

from formcheck import __version__
from formcheck.core.atomic import atomic_write_text
from formcheck.core.results import (
    Adaptation,
    CountCheck,
    Fault,
    FrameResult,
    Hold,
    Partial,
    Pause,
    Rep,
    Status,
)
from formcheck.sets.report_notes import (
    adapted_note,
    count_doubt,
    cut_reps,
    metrics_legend,
    never_started,
    paused_much,
    sides_not_judged,
    skipped_checks,
    too_short,
    wrong_view,
)
from formcheck.sets.set_report import (
    ExerciseName,
    PainStop,
    ReportFault,
    SetEnd,
    SetReport,
)
from formcheck.spec.exercise import ExerciseSpec

REPORT_VERSION = 1


class ReportBuilder:
    """Folds per-frame results into the report; knows nothing of where frames came from."""

    def __init__(self, spec: ExerciseSpec, *, target: int, source: str, model: str, mode: str,
                 profile: dict[str, Any] | None = None, patient: str | None = None,
                 exercise_file: str | None = None) -> None:
        """``spec``: the exercise as judged (profile applied, rules for this pose model only);
        the report's ``config`` is its effective thresholds, ``profile`` names the patient
        profile that changed them (None: the exercise file's own), ``patient`` whose set it is and
        ``exercise_file`` the file the exercise was read from."""
        self.spec = spec
        self.profile = profile
        self.patient, self.exercise_file = patient, exercise_file
        self.target = target
        self.source = source
        self.model = model
        self.mode = mode
        self.config = spec.model_dump(mode="json")
        self.frames = 0
        self.frames_with_pose = 0
        self.reps: list[Rep] = []
        self.partials: list[Partial] = []
        self.holds: list[Hold] = []
        self.faults: list[Fault] = []
        self.first_t_ms: float | None = None
        self.last_t_ms: float | None = None
        self.views: Counter[str] = Counter()
        self.notes: list[str] = []
        self.pain_stop: PainStop | None = None
        self.started_t_ms: float | None = None  # first still in the start position: counting (or timing) started
        self.adapted: dict[tuple[str, str], Adaptation] = {}  # (threshold, signal): its last adaptation
        self.count_check: CountCheck | None = None

    def add(self, r: FrameResult, *, counted_frame: bool = True) -> None:
        if counted_frame:
            self.frames += 1
            if r.pose is not None:
                self.frames_with_pose += 1
            if self.first_t_ms is None:
                self.first_t_ms = r.t_ms
            self.last_t_ms = r.t_ms
            if r.view:  # the report names the view from behind ("back"): some exercises hide there
                self.views["back" if r.view == "front" and r.behind else r.view] += 1
            if self.started_t_ms is None and r.status not in (Status.NO_PERSON, Status.POSITIONING):
                self.started_t_ms = r.t_ms
        if r.new_rep:
            self.reps.append(r.new_rep)
        self.partials.extend(r.new_partials)
        if r.new_hold:
            self.holds.append(r.new_hold)
        self.faults.extend(r.new_faults)
        if r.new_adaptation is not None:
            a = r.new_adaptation
            first = self.adapted.get((a.threshold, a.signal))
            self.adapted[(a.threshold, a.signal)] = a if first is None else replace(a, t_s=first.t_s)
        if r.count_check is not None:
            self.count_check = r.count_check

    def finish(self, pauses: list[Pause], end: SetEnd | None = None) -> SetReport:
        """The whole report, with what only the set's end knows (``end``: the video's size and
        frame rate, the files written, how a live set ended...). ``pauses``: the analyzer's pause
        list (the results' new_pause objects are still open when they arrive; the analyzer's are
        closed). Called again before the end (the video's summary card) it is a snapshot."""
        duration = 0.0 if self.first_t_ms is None else ((self.last_t_ms or 0.0) - self.first_t_ms) / 1000.0
        report = SetReport(
            report_version=REPORT_VERSION,
            formcheck_version=__version__,
            mode=self.mode,
            exercise=self.spec.id,
            exercise_name=ExerciseName(self.spec.name.da, self.spec.name.en),
            kind=self.spec.kind,
            video=self.source,
            reps=len(self.reps),
            target=self.target,
            reps_detail=tuple(self.reps),
            partials=tuple(self.partials),
            holds=tuple(self.holds),
            faults=tuple(ReportFault(f.id, f.t_s, f.message, f.rep_index) for f in self.faults),
            fault_counts=dict(Counter(f.id for f in self.faults)),
            pauses=tuple(Pause(round(p.start_s, 3), round(p.end_s, 3), p.reason) for p in pauses),
            pain_stop=self.pain_stop,
            frames=self.frames,
            frames_with_pose=self.frames_with_pose,
            duration_s=round(duration, 3),
            started_s=None if self.started_t_ms is None else round(self.started_t_ms / 1000.0, 3),
            view=self.views.most_common(1)[0][0] if self.views else None,
            views_asked=self.spec.report_views(),
            model=self.model,
            notes=tuple(self.notes),
            adapted=tuple(self.adapted.values()),
            count_check=self.count_check,
            config=self.config,
            profile=self.profile,
            patient=self.patient,
            exercise_file=self.exercise_file,
            end=end or SetEnd(),
        )
        notes = [n for n in (too_short(report), never_started(report), cut_reps(report), wrong_view(report),
                             skipped_checks(self.spec, report), sides_not_judged(self.spec, report), paused_much(report),
                                      adapted_note(report), count_doubt(report)) if n]
        return replace(report, metrics_legend=metrics_legend(self.spec, report), notes=(*self.notes, *notes))


def write_report(report: SetReport, path: str | os.PathLike) -> None:
    atomic_write_text(path, report.dumps())
