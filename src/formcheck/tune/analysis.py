"""``formcheck tune``: see how an exercise's thresholds fit one recording, and what would fit it.

Runs the analyzer over a saved landmark track (``track.npz`` from ``formcheck replay``: no model,
well under a second) or a video (the pose model runs first), then prints the counted signal's
range against rest/enter/full, every repetition, partial and fault, and thresholds suggested
from what was observed, with the reasoning. ``--out PNG`` draws the signal over time.

Suggestions come from two observations, both in the counted signal's own unit:
  * the start position: the level the signal stays under while the person is at rest;
  * the peaks: the extreme of each movement away from rest (the signal more than 20% of its
    range beyond the start position), found independently of the current thresholds, so a
    too-high ``enter`` that counted nothing still shows the movements.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from pydantic import ValidationError

from formcheck.core.results import Status
from formcheck.engine.analyzer import Analyzer
from formcheck.media.track import TrackError, TrackRecorder, load_track
from formcheck.sets.pipeline import run_track
from formcheck.sets.report import ReportBuilder
from formcheck.signals import SIGNALS, compute
from formcheck.signals.base import leg_scale
from formcheck.spec.exercise import ExerciseSpec
from formcheck.tune.trace import RuleTrace, Tracer

if TYPE_CHECKING:
    from formcheck.sets.set_report import SetReport

REST_MARGIN = 0.15  # rest sits this fraction of the movement above the start-position level
ENTER_AT = 0.30  # a repetition begins this fraction of the way from start level to typical peak
FULL_MARGIN = 0.10  # full sits this fraction of the movement below the shallowest peak
GROUP_GAP = 0.30  # peaks this fraction of the movement apart form two groups (shallow and full)
MOVE_AT = 0.20  # a movement is the signal this fraction of its range beyond the start position


# ----- loading ---------------------------------------------------------------------------------
def load_source(path: Path, model: str = "lite"):
    """A Track from a saved track, a replay folder (its track.npz) or a video (runs the model)."""
    if path.is_dir():
        if not (path / "track.npz").is_file():
            raise TrackError(f"no track.npz in {path} (give a track, a replay output folder or a video)")
        path = path / "track.npz"
    if not path.exists():
        raise TrackError(f"not found: {path}")
    if path.suffix.lower() == ".npz":
        return load_track(path)
    # a video: the pose model and PyAV, which tuning a saved track never loads (bench/tune_speed.py)
    from formcheck.media.estimator import PoseEstimator
    from formcheck.media.video import VideoReader

    with VideoReader(path) as reader, PoseEstimator(model) as est:
        rec = TrackRecorder(reader.size, {"video": str(path), "model": model, "fps": reader.fps})
        for frame in reader:
            rec.add(frame.t_ms, est.detect(frame.image, frame.t_ms))
    try:
        return rec.track()
    finally:
        rec.close()


# ----- analysis --------------------------------------------------------------------------------
@dataclass
class Analysis:
    spec: Any  # ExerciseSpec
    report: SetReport
    t_s: np.ndarray  # per frame
    value: np.ndarray  # the analyzer's counted signal (smoothed, oriented), NaN when not counting
    raw: np.ndarray  # the counted signal straight from the pose, oriented like value, NaN if unseen
    status: list[str]
    count: Any | None  # effective Count for the view seen (None for holds)
    baseline: float | None = None  # relative signals: the start-position value subtracted
    positions: list[tuple[Any, np.ndarray]] = field(default_factory=list)  # holds: (Condition, raw values)
    rules: list[RuleTrace] = field(default_factory=list)  # every form rule of the spec judged with, over time
    left_out: tuple[Any, ...] = ()  # rules measured on another pose model than the track's (not checked)
    every_rule: tuple[Any, ...] = ()  # the exercise's rules before those were left out (their places: rule ids)
    faults: list[Any] = field(default_factory=list)  # the engine's Faults (with value and limit)

    def with_limits(self, limits: dict[int, float]) -> ExerciseSpec:
        """The exercise (every rule, for any pose model) with these rule limits, by the rule's
        place in ``every_rule``; raises ValidationError if that makes it invalid."""
        data = self.spec.model_dump()
        data["rules"] = [r.model_dump() for r in (self.every_rule or self.spec.rules)]
        for i, v in limits.items():
            data["rules"][i]["limit"] = v
        return ExerciseSpec.model_validate(data)


@dataclass
class Suggestion:
    key: str
    current: float | None
    value: float
    reason: str


@dataclass
class Observed:
    rest_level: float | None = None
    rest_source: str = ""
    peaks: list[tuple[float, float]] = field(default_factory=list)  # (t_s, peak) one per movement
    neg_peaks: list[tuple[float, float]] = field(default_factory=list)
    durations: list[float] = field(default_factory=list)


def from_camera(meta: dict) -> bool:
    """Whether a track's set came from a camera, which never counts a repetition from before it
    (engine/edges.py). A live track saved before tracks said so ("camera") is taken as a camera's:
    nothing counted such repetitions then, so tune counts it as it was counted."""
    return bool(meta.get("camera", meta.get("mode") == "live"))


def analyse(track, spec, target: int | None = None, source: str = "") -> Analysis:
    model = str(track.meta.get("model", ""))
    every_rule = spec.rules
    spec = spec.for_model(model)  # as replay and live judged it: checks measured on other models left out
    analyzer = Analyzer(spec, target, recorded=not from_camera(track.meta))  # as the set was counted
    builder = ReportBuilder(spec, target=analyzer.target, source=source, model=model, mode="tune")
    tracer = Tracer(analyzer, spec.rules)
    results = run_track(track, analyzer, builder, each=tracer)
    report = builder.finish(analyzer.pauses)
    count = spec.count_for(report.view) if spec.kind == "reps" else None
    t = np.array([r.t_ms / 1000.0 for r in results])
    value = np.array([np.nan if r.value is None else r.value for r in results], dtype=float)
    if count is not None:
        signal, direction = count.signal, count.direction
    else:
        conds = spec.hold.position
        signal, direction = (conds[0].signal if conds else "trunk_lean"), 1
    vals = [None if r.pose is None else compute(signal, r.pose, r.side or "L") for r in results]
    raw = np.array([np.nan if v is None else v for v in vals], dtype=float)
    baseline = None
    status = [r.status.value for r in results]
    if count is not None and count.relative:
        at_ready = np.array([s == Status.READY.value for s in status], dtype=bool)
        ready = raw[at_ready] if results else raw
        ready = ready[np.isfinite(ready)]
        finite = raw[np.isfinite(raw)]
        if len(ready):
            baseline = float(np.median(ready))
        elif len(finite):
            baseline = float(np.percentile(finite * direction, 5)) * direction
        raw = raw - (baseline if baseline is not None else 0.0)
        if SIGNALS[signal].start_scaled:  # pixels: in leg lengths at the start, as the engine reads it
            raw = raw / _leg_px(results, at_ready)
    raw = raw * direction
    positions = []
    if spec.hold is not None:
        for cond in spec.hold.position:
            vals = [np.nan if r.pose is None else compute(cond.signal, r.pose, r.side or "L") for r in results]
            positions.append((cond, np.array([np.nan if v is None else v for v in vals], dtype=float)))
    left_out = tuple(r for r in every_rule if r not in spec.rules)
    return Analysis(spec, report, t, value, raw, status, count, baseline, positions,
                    tracer.traces(len(results)), left_out, every_rule, tracer.faults)


def _leg_px(results, at_ready: np.ndarray) -> float:
    """The leg length in pixels at the start position (all frames' when it was never reached)."""
    def median(frames) -> float | None:
        legs = [v for v in (leg_scale(r.pose) for r in frames if r.pose is not None) if v]
        return float(np.median(legs)) if legs else None

    leg = median([r for r, ok in zip(results, at_ready) if ok]) or median(results)
    return leg if leg else float("nan")


def _segments(t: np.ndarray, s: np.ndarray, level: float, min_s: float) -> list[tuple[float, float, float, float]]:
    """Runs of ``s > level`` lasting at least min_s: (start, end, peak_t, peak)."""
    out, start = [], None
    above = np.isfinite(s) & (s > level)
    for i in range(len(s) + 1):
        on = i < len(s) and above[i]
        if on and start is None:
            start = i
        elif not on and start is not None:
            seg = s[start:i]
            k = int(np.nanargmax(seg))
            if t[i - 1] - t[start] >= min_s:
                out.append((float(t[start]), float(t[i - 1]), float(t[start + k]), float(seg[k])))
            start = None
    return out


def observe(a: Analysis) -> Observed:
    """The start-position level and the movement peaks, independent of the current thresholds."""
    obs = Observed()
    if a.count is None:
        return obs
    use_value = np.isfinite(a.value).sum() >= 10
    s = a.value if use_value else a.raw
    src = "the analyzer's smoothed signal" if use_value else "the raw signal (the analyzer never started counting)"
    fin = s[np.isfinite(s)]
    if len(fin) < 5:
        return obs
    two_way = a.count.mode != "single"
    mag = np.abs(s) if two_way else np.where(np.isfinite(s), np.maximum(s, 0.0), np.nan)
    lo, hi = float(np.nanpercentile(mag, 5)), float(np.nanpercentile(mag, 98))
    # the start position: frames in the lower part of the range where the signal is nearly still
    # (moving through the lower band on the way down or up is not resting)
    with np.errstate(invalid="ignore"):
        speed = np.abs(np.gradient(mag, a.t_s)) if len(mag) > 2 else np.zeros_like(mag)
    span = max(hi - lo, 1e-9)
    quiet = np.isfinite(mag) & (mag <= lo + 0.25 * span) & (np.nan_to_num(speed, nan=np.inf) < 0.5 * span)
    ready = quiet & np.array([st == "ready" for st in a.status])
    if use_value and ready.sum() >= 5:
        obs.rest_level = float(np.percentile(mag[ready], 95))
        obs.rest_source = f"95% of the {ready.sum()} still frames at rest in {src} are at or below it"
    elif quiet.sum() >= 5:
        obs.rest_level = float(np.percentile(mag[quiet], 95))
        obs.rest_source = f"95% of the {quiet.sum()} still, low frames of {src} are at or below it"
    if hi - lo <= 1e-9:
        return obs
    # a movement: the signal more than MOVE_AT of its whole range away from the start position
    # (low enough to catch shallow attempts, high above the jitter of someone standing still)
    level = (obs.rest_level if obs.rest_level is not None else lo) + MOVE_AT * (hi - lo)
    min_s = max(0.15, 0.3 * a.count.min_rep_s)
    signed = s if two_way else mag
    for seg in _segments(a.t_s, signed, level, min_s):
        obs.peaks.append((seg[2], seg[3]))
        obs.durations.append(seg[1] - seg[0])
    if two_way:
        for seg in _segments(a.t_s, -s, level, min_s):
            obs.neg_peaks.append((seg[2], seg[3]))
    return obs


def _step(span: float) -> float:
    """A rounding step about 1/20 of the movement: whole degrees for angles, 0.01 for ratios."""
    if span <= 0:
        return 0.01
    return 10.0 ** math.floor(math.log10(span / 20.0)) if span / 20.0 < 1 else 1.0


def _r(x: float, step: float) -> float:
    return round(round(x / step) * step, 6)


def suggest(a: Analysis, obs: Observed, more: tuple[Analysis, ...] = ()) -> list[Suggestion]:
    """Count thresholds from ``obs``; ``more``: other recordings (a folder's) whose movements'
    times count too."""
    c = a.count
    if c is None or obs.rest_level is None or not obs.peaks:
        return []
    peaks = [p for _, p in obs.peaks]
    typical = float(np.median(peaks))
    span = typical - obs.rest_level
    if span <= 0:
        return []
    step = _step(span)
    u = signal_unit(c.signal)
    rest = max(0.0, _r(obs.rest_level + REST_MARGIN * span, step))
    low = min(peaks)
    # enter also stays below the shallowest movement, so that one is at least seen (a partial)
    enter = max(_r(min(obs.rest_level + ENTER_AT * span, (obs.rest_level + low) / 2), step), rest + step)
    count_all = max(_r(low - FULL_MARGIN * span, step), enter)
    srt = sorted(peaks)
    gap, i = max(((srt[k + 1] - srt[k], k) for k in range(len(srt) - 1)), default=(0.0, 0))
    if gap > GROUP_GAP * span:  # two groups of movements: shallow attempts and full ones
        shallow, deep = srt[i], srt[i + 1]
        full = c.full if shallow < c.full < deep else max(_r((shallow + deep) / 2, step), enter)
        why = (("keep: " if full == c.full else "")
               + f"the movements fall in two groups: {i + 1} peaking at {shallow:.3g}{u} or less and {len(srt) - i - 1} "
               f"at {deep:.3g}{u} or more; full in the gap counts the deep ones and makes the others partials. "
               f"To count all, full = {count_all:g}")
    else:
        full = count_all
        why = (f"the shallowest of {len(peaks)} movements peaked at {low:.3g}{u}; full sits {FULL_MARGIN:.0%} of the "
               f"movement below it so all of them count. Raise it to turn shallower ones into partials")
    # a current value that already works for this recording is kept: tune fits, it does not churn
    if obs.rest_level < c.rest < c.enter and c.rest - obs.rest_level >= 0.05 * span:
        rest, rest_why = c.rest, f"keep: above the start position (about {obs.rest_level:.3g}{u}) with a margin"
    else:
        rest_why = (f"start position at about {obs.rest_level:.3g}{u} ({obs.rest_source}); rest adds "
                    f"{REST_MARGIN:.0%} of the movement ({span:.3g}{u}) so jitter there never leaves rest")
    if rest < c.enter < low and c.enter - rest >= 0.05 * span:
        enter, enter_why = c.enter, f"keep: between rest and the shallowest movement ({low:.3g}{u})"
    else:
        enter = max(enter, rest + step)
        enter_why = (f"{ENTER_AT:.0%} of the way from the start position to the typical peak {typical:.3g}{u}, and "
                     f"below the shallowest movement; the band between rest and enter absorbs jitter")
    if gap <= GROUP_GAP * span and enter < c.full <= low:
        full, why = c.full, (f"keep: all {len(peaks)} movements reach it (the shallowest peaked at {low:.3g}{u}); "
                             f"up to {_r(low - FULL_MARGIN * span, step):g} would count them all too")
    out = [Suggestion("rest", c.rest, rest, rest_why), Suggestion("enter", c.enter, enter, enter_why),
           Suggestion("full", c.full, full, why)]
    if c.mode != "single" and obs.neg_peaks:
        nlow = min(p for _, p in obs.neg_peaks)
        out.append(Suggestion("full_negative", c.full_negative or c.full, max(_r(nlow - FULL_MARGIN * span, step), enter),
                              f"the shallowest of {len(obs.neg_peaks)} movements the other way peaked at {nlow:.3g}{u}"))
    # whole movements from leaving rest to coming back, against the allowed repetition time
    durs = []
    for one in (a, *more):
        src = one.value if np.isfinite(one.value).sum() >= 10 else one.raw
        mag = np.abs(src) if c.mode != "single" else np.where(np.isfinite(src), np.maximum(src, 0.0), np.nan)
        durs += [e - b for b, e, _, pk in _segments(one.t_s, mag, rest, max(c.min_dwell_s, 0.1)) if pk >= enter]
    if durs and min(durs) < c.min_rep_s:
        out.append(Suggestion("min_rep_s", c.min_rep_s, round(max(0.2, 0.8 * min(durs)), 1),
                              f"the quickest movement took {min(durs):.2f} s from leaving rest to being back; "
                              f"min_rep_s asks at least {c.min_rep_s:g} s"))
    if durs and max(durs) > c.max_rep_s:
        out.append(Suggestion("max_rep_s", c.max_rep_s, round(1.25 * max(durs), 1),
                              f"the slowest movement took {max(durs):.2f} s; max_rep_s allows {c.max_rep_s:g} s"))
    return out


def signal_unit(signal: str) -> str:
    u = SIGNALS[signal].unit if signal in SIGNALS else ""
    return "°" if u == "deg" else ("" if u in ("", "ratio") else f" {u}")


def split_changes(a: Analysis, changes: dict[str, float]) -> tuple[dict[str, float], str | None, dict[str, float]]:
    """Which suggested values belong to the exercise's [count] and which to the per-view override
    of the camera view seen (where that view sets the same key): (base, view, view changes)."""
    view = "front" if a.report.view == "back" else a.report.view  # from behind: the front view's override
    ov = a.spec.count_views.get(view) if view else None
    if ov is None:
        return dict(changes), None, {}
    set_by_view = {k for k, v in ov.model_dump().items() if v is not None}
    return ({k: v for k, v in changes.items() if k not in set_by_view}, view,
            {k: v for k, v in changes.items() if k in set_by_view})


def retry(a: Analysis, suggestions: list[Suggestion], track, target: int | None) -> SetReport | None:
    """The report with the suggested count thresholds applied (None if they do not validate)."""
    if not suggestions or a.count is None:
        return None
    data = a.spec.model_dump()
    base, view, per_view = split_changes(a, {s.key: s.value for s in suggestions})
    data["count"].update(base)
    if view is not None:
        data["count_views"][view].update(per_view)
    try:
        spec = ExerciseSpec.model_validate(data)
    except ValidationError:
        return None
    return analyse(track, spec, target).report
