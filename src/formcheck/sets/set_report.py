"""The set report as a type: ``SetReport``, everything report.json holds, built once per set
(``report.ReportBuilder.finish``) and read by attribute everywhere else.

``to_json`` gives report.json's dict exactly as it has always been written (keys, values and
their order); ``from_json`` also reads reports from earlier versions, as the history database
keeps them: missing fields take defaults, so old sets still load.
"""

from __future__ import annotations

import copy
import json
from dataclasses import asdict, dataclass, field
from typing import Any

from formcheck.core.results import Adaptation, CountCheck, Hold, Partial, Pause, Phase, Rep


@dataclass(frozen=True)
class ExerciseName:
    da: str
    en: str


@dataclass(frozen=True)
class ReportFault:
    """A fault as the report keeps it: ``rep`` is the repetition it belongs to (None: between)."""

    id: str
    t_s: float
    message: str
    rep: int | None = None


@dataclass(frozen=True)
class PainStop:
    """The patient stopped the set for pain at ``t_s`` (older reports may lack either part)."""

    t_s: float | None
    note: str | None


@dataclass(frozen=True)
class MediaInfo:
    """The video the set came from (replay and live): cut short or damaged, frame rate, size."""

    truncated: bool
    fps: float
    size: tuple[int, int]


@dataclass(frozen=True)
class Outputs:
    """Files written beside report.json (``video`` None: no annotated video)."""

    video: str | None
    track: str


@dataclass(frozen=True)
class Latency:
    p50: float | None
    p95: float | None
    max: float | None


@dataclass(frozen=True)
class LiveInfo:
    """How a live set ran (``live.stats.LiveStats.as_dict`` plus where the frames came from)."""

    source: str  # camera or file
    every_frame: bool
    frames_processed: int = 0
    frames_dropped: int = 0
    frames_delivered: int = 0
    processed_fps: float = 0.0
    latency_ms: Latency = Latency(None, None, None)
    cpu_cores: float | None = None
    video_frames_dropped: int = 0
    # the frame rate the exercise needs (live.pace), the lowest measured over 2 s, and the seconds
    # of the set analysed below the need (> 0: the patient was told and the count may be wrong)
    needed_fps: float | None = None
    lowest_fps: float | None = None
    too_slow_s: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @staticmethod
    def from_json(d: dict[str, Any]) -> LiveInfo:
        lat = d.get("latency_ms") or {}
        return LiveInfo(
            source=d.get("source", "camera"), every_frame=bool(d.get("every_frame", False)),
            frames_processed=d.get("frames_processed", 0), frames_dropped=d.get("frames_dropped", 0),
            frames_delivered=d.get("frames_delivered", 0), processed_fps=d.get("processed_fps", 0.0),
            latency_ms=Latency(lat.get("p50"), lat.get("p95"), lat.get("max")),
            cpu_cores=d.get("cpu_cores"), video_frames_dropped=d.get("video_frames_dropped", 0),
            needed_fps=d.get("needed_fps"), lowest_fps=d.get("lowest_fps"), too_slow_s=d.get("too_slow_s", 0.0))


@dataclass(frozen=True)
class SetEnd:
    """What only the end of a set knows (the replay's or the live set's), for ``finish``."""

    media: MediaInfo | None = None
    outputs: Outputs | None = None
    ended_by: str | None = None  # live only: end_of_video, quit, next, skip, pain, target, ...
    live: LiveInfo | None = None
    program: dict[str, Any] | None = None  # live in a program: the program's place


@dataclass(frozen=True)
class SetReport:
    """One set's report; field order is report.json's key order."""

    exercise: str
    report_version: int = 1
    formcheck_version: str | None = None
    mode: str = "replay"
    exercise_name: ExerciseName | None = None
    kind: str = "reps"
    video: str | None = None
    reps: int = 0
    target: int | None = None
    reps_detail: tuple[Rep, ...] = ()
    partials: tuple[Partial, ...] = ()
    holds: tuple[Hold, ...] = ()
    faults: tuple[ReportFault, ...] = ()
    fault_counts: dict[str, int] = field(default_factory=dict)
    pauses: tuple[Pause, ...] = ()
    pain_stop: PainStop | None = None
    frames: int = 0
    frames_with_pose: int = 0
    duration_s: float = 0.0
    started_s: float | None = None
    view: str | None = None
    views_asked: tuple[str, ...] = ()
    model: str | None = None
    notes: tuple[str, ...] = ()
    # the count's thresholds placed inside the patient's own range during the set (the last value
    # of each; engine/adapt.py), and the periodicity check (engine/periodicity.py)
    adapted: tuple[Adaptation, ...] = ()
    count_check: CountCheck | None = None
    config: dict[str, Any] = field(default_factory=dict)
    profile: dict[str, Any] | None = None
    patient: str | None = None  # whose set (None: the default patient's; core.patient)
    exercise_file: str | None = None  # the exercise file read (absolute): a physio's trial copy shows here
    metrics_legend: dict[str, str] = field(default_factory=dict)
    end: SetEnd = SetEnd()

    @property
    def name(self) -> ExerciseName:
        """The exercise's name (an old report without one: its id in both languages)."""
        return self.exercise_name or ExerciseName(self.exercise, self.exercise)

    def to_json(self) -> dict[str, Any]:
        """report.json's dict: the keys of every set, then what the set's end added."""
        d: dict[str, Any] = {
            "report_version": self.report_version,
            "formcheck_version": self.formcheck_version,
            "mode": self.mode,
            "exercise": self.exercise,
            "exercise_name": asdict(self.name),
            "kind": self.kind,
            "video": self.video,
            "reps": self.reps,
            "target": self.target,
            "reps_detail": [_rep_json(r) for r in self.reps_detail],
            "partials": [{**asdict(p), "phases": [asdict(x) for x in p.phases]} for p in self.partials],
            "holds": [{"side": h.side, "held_s": h.held_s, "target_s": h.target_s, "start_s": h.start_s,
                       "end_s": h.end_s, "faults": list(h.faults)} for h in self.holds],
            "faults": [asdict(f) for f in self.faults],
            "fault_counts": dict(self.fault_counts),
            "pauses": [asdict(p) for p in self.pauses],
            "pain_stop": None if self.pain_stop is None else asdict(self.pain_stop),
            "frames": self.frames,
            "frames_with_pose": self.frames_with_pose,
            "duration_s": self.duration_s,
            "started_s": self.started_s,
            "view": self.view,
            "views_asked": list(self.views_asked),
            "model": self.model,
            "notes": list(self.notes),
            "adapted": [asdict(a) for a in self.adapted],
            "count_check": None if self.count_check is None else {
                **asdict(self.count_check), "disagrees": self.count_check.disagrees},
            "config": self.config,
            "profile": self.profile,
            "patient": self.patient,
            "exercise_file": self.exercise_file,
            "metrics_legend": dict(self.metrics_legend),
        }
        end = self.end
        if end.media is not None:
            d.update(truncated=end.media.truncated, fps=end.media.fps, size=list(end.media.size))
        if end.outputs is not None:
            d["outputs"] = asdict(end.outputs)
        if end.ended_by is not None:
            d["ended_by"] = end.ended_by
        if end.live is not None:
            d["live"] = end.live.to_json()
        if end.program is not None:
            d["program"] = end.program
        return copy.deepcopy(d)  # its dicts (config, profile, metrics...) are the caller's to change, not the report's

    @staticmethod
    def from_json(d: dict[str, Any]) -> SetReport:
        """A report from its JSON dict, this version's or an earlier one's (missing: defaults)."""
        holds = tuple(_hold(h) for h in d.get("holds") or ())
        name = d.get("exercise_name")
        partials = d.get("partials") or ()
        return SetReport(
            exercise=str(d.get("exercise") or ""),
            report_version=d.get("report_version", 1),
            formcheck_version=d.get("formcheck_version"),
            mode=d.get("mode") or "replay",
            exercise_name=ExerciseName(name.get("da", ""), name.get("en", "")) if isinstance(name, dict) else None,
            kind=d.get("kind") or ("hold" if holds else "reps"),
            video=None if d.get("video") is None else str(d["video"]),
            reps=int(d.get("reps") or 0),
            target=d.get("target"),
            reps_detail=tuple(_rep(r) for r in d.get("reps_detail") or ()),
            partials=tuple(_partial(p) for p in partials) if isinstance(partials, list) else (),
            holds=holds,
            faults=tuple(ReportFault(f.get("id", ""), f.get("t_s", 0.0), f.get("message", ""), f.get("rep"))
                         for f in d.get("faults") or ()),
            fault_counts=dict(d.get("fault_counts") or {}),
            pauses=tuple(Pause(p.get("start_s", 0.0), p.get("end_s", 0.0), p.get("reason", ""))
                         for p in d.get("pauses") or ()),
            pain_stop=_pain_stop(d.get("pain_stop")),
            frames=d.get("frames", 0),
            frames_with_pose=d.get("frames_with_pose", 0),
            duration_s=d.get("duration_s", 0.0),
            started_s=d.get("started_s"),
            view=d.get("view"),
            views_asked=tuple(d.get("views_asked") or ()),
            model=d.get("model"),
            notes=tuple(d.get("notes") or ()),
            adapted=tuple(_adaptation(a) for a in d.get("adapted") or () if isinstance(a, dict)),
            count_check=_count_check(d.get("count_check")),
            config=d.get("config") or {},
            profile=d.get("profile"),
            patient=None if d.get("patient") is None else str(d["patient"]),
            exercise_file=None if d.get("exercise_file") is None else str(d["exercise_file"]),
            metrics_legend=dict(d.get("metrics_legend") or {}),
            end=SetEnd(
                media=(MediaInfo(bool(d.get("truncated")), d["fps"], tuple(d.get("size") or (0, 0)))  # type: ignore[arg-type]
                       if "fps" in d else None),
                outputs=(Outputs(d["outputs"].get("video"), d["outputs"].get("track", ""))
                         if isinstance(d.get("outputs"), dict) else None),
                ended_by=d.get("ended_by"),
                live=LiveInfo.from_json(d["live"]) if isinstance(d.get("live"), dict) else None,
                program=d.get("program"),
            ),
        )

    def dumps(self) -> str:
        """report.json's text."""
        return json.dumps(self.to_json(), indent=2, ensure_ascii=False) + "\n"


def _rep_json(r: Rep) -> dict[str, Any]:
    d: dict[str, Any] = {
        "index": r.index, "start_s": r.start_s, "end_s": r.end_s, "bottom_s": r.bottom_s,
        "side": r.side, "metrics": r.metrics, "faults": list(r.faults),
    }
    if r.phases:
        d["phases"] = [asdict(p) for p in r.phases]
    if r.cut:
        d["cut"] = r.cut
    return d


def _phases(items: Any) -> tuple[Phase, ...]:
    return tuple(Phase(p["name"], p["start_s"], p["end_s"], p["peak_s"], p["peak"]) for p in items or ())


def _rep(r: dict[str, Any]) -> Rep:
    return Rep(r.get("index", 0), r.get("start_s", 0.0), r.get("end_s", 0.0), r.get("bottom_s", 0.0), r.get("side"),
               dict(r.get("metrics") or {}), tuple(r.get("faults") or ()), _phases(r.get("phases")), r.get("cut"))


def _partial(p: dict[str, Any]) -> Partial:
    return Partial(p.get("start_s", 0.0), p.get("end_s", 0.0), p.get("reason", ""), p.get("side"),
                   dict(p.get("metrics") or {}), _phases(p.get("phases")))


def _hold(h: dict[str, Any]) -> Hold:
    return Hold(h.get("side"), h.get("start_s", 0.0), h.get("end_s", 0.0), h.get("held_s", 0.0),
                h.get("target_s", 0.0), tuple(h.get("faults") or ()))


def _adaptation(a: dict[str, Any]) -> Adaptation:
    return Adaptation(a.get("threshold", ""), a.get("signal", ""), a.get("file_value", 0.0), a.get("value", 0.0),
                      a.get("bound", 0.0), a.get("t_s", 0.0), a.get("peaks", 0))


def _count_check(c: Any) -> CountCheck | None:
    if not isinstance(c, dict):
        return None
    return CountCheck(c.get("seen", 0), c.get("counted", 0), c.get("signal", ""), c.get("prominence", 0.0))


def _pain_stop(ps: Any) -> PainStop | None:
    """Pain stops as reports have kept them: {"t_s", "note"}, earlier a text or a flag."""
    if not ps:
        return None
    if isinstance(ps, dict):
        note = ps.get("note") or ps.get("reason") or ps.get("text")
        return PainStop(ps.get("t_s"), str(note) if note else None)
    return PainStop(None, ps if isinstance(ps, str) else None)
