"""The set report: a fold over FrameResults, written atomically as report.json."""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import asdict
from typing import Any

from formcheck import __version__
from formcheck.core.atomic import atomic_write_text
from formcheck.core.results import (
    LOST_REASON,
    USER_PAUSE_REASON,
    Fault,
    FrameResult,
    Hold,
    Partial,
    Pause,
    Rep,
    Status,
)
from formcheck.signals import SIGNALS
from formcheck.spec.exercise import ExerciseSpec

REPORT_VERSION = 1


class ReportBuilder:
    """Folds per-frame results into the report; knows nothing of where frames came from."""

    def __init__(self, spec: ExerciseSpec, *, target: int, source: str, model: str, mode: str,
                 profile: dict[str, Any] | None = None) -> None:
        """``spec``: the exercise as judged (profile applied, rules for this pose model only);
        the report's ``config`` is its effective thresholds, ``profile`` names the patient
        profile that changed them (None: the exercise file's own)."""
        self.spec = spec
        self.profile = profile
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
        self.pain_stop: dict[str, Any] | None = None
        self.started_t_ms: float | None = None  # first still in the start position: counting (or timing) started

    def add(self, r: FrameResult, *, counted_frame: bool = True) -> None:
        if counted_frame:
            self.frames += 1
            if r.pose is not None:
                self.frames_with_pose += 1
            if self.first_t_ms is None:
                self.first_t_ms = r.t_ms
            self.last_t_ms = r.t_ms
            if r.view:
                self.views[r.view] += 1
            if self.started_t_ms is None and r.status not in (Status.NO_PERSON, Status.POSITIONING):
                self.started_t_ms = r.t_ms
        if r.new_rep:
            self.reps.append(r.new_rep)
        self.partials.extend(r.new_partials)
        if r.new_hold:
            self.holds.append(r.new_hold)
        self.faults.extend(r.new_faults)

    def build(self, pauses: list[Pause]) -> dict[str, Any]:
        """The report as a JSON-ready dict. ``pauses``: the analyzer's pause list (the results'
        new_pause objects are still open when they arrive; the analyzer's are closed)."""
        duration = 0.0 if self.first_t_ms is None else ((self.last_t_ms or 0.0) - self.first_t_ms) / 1000.0
        fault_counts = Counter(f.id for f in self.faults)
        report = {
            "report_version": REPORT_VERSION,
            "formcheck_version": __version__,
            "mode": self.mode,
            "exercise": self.spec.id,
            "exercise_name": {"da": self.spec.name.da, "en": self.spec.name.en},
            "kind": self.spec.kind,
            "video": self.source,
            "reps": len(self.reps),
            "target": self.target,
            "reps_detail": [_rep(r) for r in self.reps],
            "partials": [asdict(p) for p in self.partials],
            "holds": [
                {"side": h.side, "held_s": h.held_s, "target_s": h.target_s, "start_s": h.start_s,
                 "end_s": h.end_s, "faults": list(h.faults)}
                for h in self.holds
            ],
            "faults": [{"id": f.id, "t_s": f.t_s, "message": f.message, "rep": f.rep_index} for f in self.faults],
            "fault_counts": dict(fault_counts),
            "pauses": [{"start_s": round(p.start_s, 3), "end_s": round(p.end_s, 3), "reason": p.reason} for p in pauses],
            "pain_stop": self.pain_stop,
            "frames": self.frames,
            "frames_with_pose": self.frames_with_pose,
            "duration_s": round(duration, 3),
            "started_s": None if self.started_t_ms is None else round(self.started_t_ms / 1000.0, 3),
            "view": self.views.most_common(1)[0][0] if self.views else None,
            "views_asked": list(self.spec.views),
            "model": self.model,
            "notes": list(self.notes),
            "config": self.config,
            "profile": self.profile,
        }
        report["metrics_legend"] = metrics_legend(self.spec, report)
        for note in (never_started(report), wrong_view(report), paused_much(report)):
            if note:
                report["notes"].append(note)
        return report


# What each repetition's timing metrics mean, for a reader of report.json. The movement "away
# from the start" is the way down of a squat and the way up of a bridge or a heel raise.
TIMING_LEGEND = {
    "duration_s": "seconds, the whole repetition: from leaving the start position to being back in it",
    "descent_s": "seconds from leaving the start position to the furthest point of the movement "
                 "(the bottom of a squat; the top of a bridge, heel raise or curl-up)",
    "return_s": "seconds from leaving the furthest point to being back in the start position "
                "(standing up from a squat; lowering a bridge, the heels or the shoulders)",
}


def metrics_legend(spec: ExerciseSpec, report: dict[str, Any]) -> dict[str, str]:
    """Plain words and units for every metric key in the report's repetitions and partials:
    ``peak`` is the counted signal (from the camera view seen most), the rest are timings or the
    worst value of a form check's signal."""
    keys: list[str] = []
    for item in (*report["reps_detail"], *report["partials"]):
        keys += [k for k in item.get("metrics", {}) if k not in keys]
    relative = {r.signal for r in spec.rules if r.signal and r.relative}
    count = spec.count_for(report.get("view")) if spec.count is not None else None
    legend: dict[str, str] = {}
    for key in keys:
        if key == "peak" and count is not None:
            legend[key] = ("how far the counted movement went, at its furthest point: "
                           + _signal_words(count.signal, count.relative))
        elif key in TIMING_LEGEND:
            legend[key] = TIMING_LEGEND[key]
        elif key in SIGNALS:
            legend[key] = "the worst value during the repetition: " + _signal_words(key, key in relative)
    return legend


def _signal_words(name: str, relative: bool) -> str:
    sig = SIGNALS[name]
    start = ", as a change from the start position" if relative else ""
    return f"{sig.description} ({name}, in {sig.unit}{start})"


def never_started(report: dict[str, Any]) -> str | None:
    """A note when somebody was seen but never still in the start position: whatever they did
    was not counted (a clip cut mid-movement, or moving before the trainer was ready)."""
    if "started_s" not in report or report["started_s"] is not None or not report.get("frames_with_pose"):
        return None  # (reports from before started_s existed: unknown)
    what = "hold timing" if report.get("kind") == "hold" else "counting"
    settle = (report.get("config") or {}).get("settle_s")
    still = f" for {settle:g} s (settle_s)" if isinstance(settle, (int, float)) else ""
    return f"{what} never started: the person was never still in the start position{still}, so nothing was counted"


PAUSED_NOTE_MIN_S = 2.0  # counting paused at least this long in all ...
PAUSED_NOTE_SHARE = 0.1  # ... and for at least this share of the set: say the count may be low


def paused_long(report: dict[str, Any], *, unseen_only: bool = False) -> float | None:
    """Seconds counting was paused in a set when that is a good part of it, else None. Pauses
    the patient asked for are left out; with ``unseen_only`` those for moving about too, leaving
    the camera not seeing the person well."""
    duration_s = report.get("duration_s") or 0.0
    paused = sum(p["end_s"] - p["start_s"] for p in report.get("pauses") or ()
                 if p["reason"] != USER_PAUSE_REASON and p["end_s"] > p["start_s"]
                 and (not unseen_only or p["reason"] == LOST_REASON))
    if duration_s <= 0 or paused < PAUSED_NOTE_MIN_S or paused < PAUSED_NOTE_SHARE * duration_s:
        return None
    return paused


def paused_much(report: dict[str, Any]) -> str | None:
    """A note when counting was paused for a good part of the set: movements then were not
    counted, so the count may be lower than what was done."""
    paused = paused_long(report)
    if paused is None:
        return None
    return (f"counting was paused for {paused:.1f} s of {report['duration_s']:.1f} s while the body was not seen "
            f"well, moved about or the pose jumped; {lost_to_pauses(report)} (check that the whole body is in view "
            "and nothing stands in front of it)")


def lost_to_pauses(report: dict[str, Any]) -> str:
    """What long pauses cost the set, in its kind's words (the note, the summary line, history)."""
    if report.get("kind") == "hold":
        return "the hold timer stopped then, so the time held may be short"
    return "repetitions then were not counted, so the count may be low"


def wrong_view(report: dict[str, Any]) -> str | None:
    """A note when the set was filmed mostly from a view its exercise is not checked from."""
    view, asked = report.get("view"), report.get("views_asked") or []
    if not view or not asked or view in asked:
        return None
    return (f"filmed mostly from the {view}; this exercise is checked from the {' or '.join(asked)}: "
            "counts and form checks may be wrong")


def _rep(r: Rep) -> dict[str, Any]:
    d: dict[str, Any] = {
        "index": r.index, "start_s": r.start_s, "end_s": r.end_s, "bottom_s": r.bottom_s,
        "side": r.side, "metrics": r.metrics, "faults": list(r.faults),
    }
    if r.phases:
        d["phases"] = [asdict(p) for p in r.phases]
    return d


def write_report(report: dict[str, Any], path: str | os.PathLike) -> None:
    atomic_write_text(path, json.dumps(report, indent=2, ensure_ascii=False) + "\n")
