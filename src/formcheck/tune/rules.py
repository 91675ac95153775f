"""The form rules against recordings: each rule's worst reading per repetition (or hold), where
it fired, and a limit suggested from the good repetitions (``formcheck tune``).

A repetition is *good* for a rule when the physiotherapist says so (``--good``), else when that
rule's fault was not reported on it. The suggested limit lies a margin beyond the worst good
reading, so every good repetition would pass it:

  * max and min rules (a signal past a limit): the margin is MARGIN_SHARE of how far the signal
    moves in a good repetition (the median, over them, of its smallest to largest reading there),
    at least one rounding step (1 degree; 0.01 of a ratio or length);
  * duration rules (seconds of a phase): MARGIN_SHARE of the good repetitions' extreme time, at
    least 0.05 s;

then rounded outward to the step. A current limit that every good repetition already passes is
kept (tune fits, it does not churn), with the tightest value that would still pass them.
A rule with a ``confirm`` fires only when both measures are past their limits: the confirm's
limit gets its own suggestion, and either one suffices to stop the fault on those repetitions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from formcheck.core.results import Fault
from formcheck.engine.rules import FRAME_RULES
from formcheck.spec.parts import LENGTH_MAX, UNIT_MAX, Rule
from formcheck.tune.trace import RuleTrace

MARGIN_SHARE = 0.10  # of the good repetitions' movement (frame rules) or time (duration rules)
MIN_SECONDS = 0.05  # the least margin of a duration rule
PHASE_METRIC = {"descent": "descent_s", "return": "return_s", "rep": "duration_s"}  # a report's rep metrics


@dataclass(frozen=True)
class Unit:
    """One repetition (or hold) as one rule judged it."""

    label: str  # "rep 3", "hold 1"; in a folder, with the set's name
    start_s: float
    end_s: float
    worst: float | None  # its worst reading in the rule's part (seconds for a duration rule)
    confirm: float | None  # the confirm's worst there
    spread: float | None  # how far the signal moved in it (its 5th to 95th percentile reading)
    fired: bool  # the rule's fault was reported on it
    good: bool
    # frame rules: the worst reading the signal stayed past for the rule's min_duration_s, as it
    # must to fire (a limit past it would not have fired here; a glitch shorter than that does
    # not count); the confirm's likewise. None: as ``worst``
    held: float | None = None
    confirm_held: float | None = None


@dataclass
class RuleFinding:
    """One rule against one recording."""

    index: int
    rule: Rule
    trace: RuleTrace | None
    units: list[Unit] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    unchecked: str | None = None  # why the rule was never checked here (None: it was)


@dataclass(frozen=True)
class LimitSuggestion:
    key: str  # "limit" or "confirm"
    signal: str | None
    current: float
    value: float | None  # None: nothing to suggest from (no good repetition measured)
    keep: bool
    reason: str
    good: int  # good repetitions it rests on ...
    sets: int  # ... from this many sets
    still_past: tuple[str, ...] = ()  # the other repetitions that would still read past it ...
    others: int = 0  # ... of this many measured

    def others_line(self) -> str | None:
        """What the suggested limit does to the repetitions not called good (None: there are none)."""
        if not self.others or self.value is None:
            return None
        if not self.still_past:
            return (f"none of the {self.others} other repetition(s) reads past it: it would no longer catch them "
                    "(fine if they were good too)")
        more = f" ... and {len(self.still_past) - 20} more" if len(self.still_past) > 20 else ""
        return f"still past it: {len(self.still_past)} of the {self.others} others: {', '.join(self.still_past[:20])}{more}"


def unit_of(rule: Rule, confirm: bool = False) -> str:
    """The unit the rule's limit is in: seconds, degrees or the signal's own."""
    from formcheck.tune.analysis import (
        signal_unit,  # (analysis imports nothing of this module)
    )

    if rule.kind not in FRAME_RULES:
        return " s"
    return signal_unit(rule.confirm.signal if confirm and rule.confirm else rule.signal or "")


def _step(rule: Rule, confirm: bool = False) -> float:
    if rule.kind not in FRAME_RULES:
        return 0.01
    return 1.0 if unit_of(rule, confirm) == "°" else 0.01


def findings(a, good: set[int] | None = None, only: str | None = None) -> list[RuleFinding]:
    """Every rule of ``a.spec`` (an Analysis) against its recording; ``good``: the repetitions
    the physiotherapist calls good (None: those without the rule's fault); ``only``: a rule id."""
    rep, view = a.report, a.report.view
    view = "front" if view == "back" else view
    out = []
    checked = {id(r): j for j, r in enumerate(a.spec.rules)}  # (the same Rule objects, some left out)
    for i, rule in enumerate(a.every_rule or a.spec.rules):
        if only is not None and rule.id != only:
            continue
        j = checked.get(id(rule))
        if j is None:
            out.append(RuleFinding(i, rule, None, unchecked=f"left out: its limit was measured on the "
                                   f"{'/'.join(rule.models or ())} pose model, this track is "
                                   f"{a.report.model or 'another'}'s"))
            continue
        trace = a.rules[j] if j < len(a.rules) and rule.kind in FRAME_RULES else None
        f = RuleFinding(i, rule, trace)
        f.faults = [x for x in a.faults if x.id == rule.id and (x.limit is None or x.limit == rule.limit)]
        if view is not None and view not in rule.views:
            f.unchecked = f"not checked from the {view} view (it is for {', '.join(rule.views)})"
        elif trace is not None and not np.isfinite(trace.value).any():
            f.unchecked = "never checked: its signal was not seen in its part of the movement"
        judged = a.rules[j].judged if j < len(a.rules) else {}
        for r in rep.reps_detail:
            worst, conf = judged.get(r.index, (None, None))
            if worst is None and rule.kind not in FRAME_RULES:
                worst = r.metrics.get(PHASE_METRIC[rule.phase or "rep"])
            fired = rule.id in r.faults
            held = _held_in(a.t_s, trace, rule, r.start_s, r.end_s, _part(rule, r)) if trace is not None else (None, None)
            f.units.append(Unit(f"rep {r.index}", r.start_s, r.end_s, worst, conf,
                                _spread(a.t_s, trace, r.start_s, r.end_s), fired,
                                (r.index in good) if good is not None else not fired, *held))
        for k, h in enumerate(rep.holds, 1):
            worst = conf = None
            held: tuple[float | None, float | None] = (None, None)
            if trace is not None:
                worst, conf = _worst_in(a.t_s, trace, rule, h.start_s, h.end_s)
                held = _held_in(a.t_s, trace, rule, h.start_s, h.end_s, (h.start_s, h.end_s))
            fired = rule.id in h.faults
            f.units.append(Unit(f"hold {k}" + (f" ({h.side})" if h.side else ""), h.start_s, h.end_s, worst, conf,
                                _spread(a.t_s, trace, h.start_s, h.end_s), fired,
                                (k in good) if good is not None else not fired, *held))
        out.append(f)
    return out


def _window(t: np.ndarray, start: float, end: float) -> np.ndarray:
    return (t >= start - 1e-6) & (t <= end + 1e-6)


def _spread(t: np.ndarray, trace: RuleTrace | None, start: float, end: float) -> float | None:
    if trace is None:
        return None
    v = trace.value[_window(t, start, end)]
    v = v[np.isfinite(v)]  # (its middle 90%: a glitch does not widen the margin)
    return float(np.percentile(v, 95) - np.percentile(v, 5)) if len(v) else None


def _worst_in(t: np.ndarray, trace: RuleTrace, rule: Rule, start: float, end: float) -> tuple[float | None, float | None]:
    pick = np.nanmax if rule.kind == "max" else np.nanmin
    w = _window(t, start, end)
    out = []
    for arr in (trace.value, trace.confirm):
        seg = arr[w] if arr is not None else np.zeros(0)
        out.append(float(pick(seg)) if np.isfinite(seg).any() else None)
    return out[0], out[1]


def _part(rule: Rule, r) -> tuple[float, float]:
    """The times of a repetition's part a rule judges (engine.form.FormChecker.judge_rep), from
    the report's timings: the bottom is from reaching the peak to leaving it."""
    reached = r.start_s + r.metrics.get("descent_s", 0.0)
    # the way back (return_s) and the whole repetition (duration_s) are timed to the same point
    # (counter.TIMED_BACK_SHARE), which may come after end_s (the repetition judged over sooner)
    back = r.start_s + r.metrics["duration_s"] if "duration_s" in r.metrics else r.end_s
    left = back - r.metrics.get("return_s", 0.0)
    return {"descent": (r.start_s, r.bottom_s), "return": (r.bottom_s, r.end_s),
            "bottom": (min(reached, r.bottom_s), max(left, r.bottom_s))}.get(rule.during, (r.start_s, r.end_s))


def _held_in(t: np.ndarray, trace: RuleTrace, rule: Rule, start: float, end: float,
             part: tuple[float, float]) -> tuple[float | None, float | None]:
    """The worst readings (the rule's and its confirm's) held for ``rule.min_duration_s`` in
    unbroken runs of readings within start..end that end inside ``part`` (the engine times a
    breach from its first frame and judges it where it fires)."""
    w = np.flatnonzero(_window(t, start, end))
    upward = rule.kind == "max"
    out: list[float | None] = []
    for arr in (trace.value, trace.confirm):
        best = None
        if arr is not None and len(w):
            tt, vv = t[w], arr[w]
            j = 0
            for i in range(len(tt)):
                if not np.isfinite(vv[i]):
                    j = i + 1
                    continue
                if not part[0] - 1e-6 <= tt[i] <= part[1] + 1e-6:
                    continue
                k = i  # the latest start of a run lasting min_duration_s up to frame i
                while k > j and tt[i] - tt[k] < rule.min_duration_s:
                    k -= 1
                if tt[i] - tt[k] < rule.min_duration_s:
                    continue
                seg = vv[k:i + 1]
                v = float(seg.min() if upward else seg.max())
                best = v if best is None or (v > best if upward else v < best) else best
        out.append(best)
    return out[0], out[1]


def _past(rule: Rule, value: float, limit: float) -> bool:
    """``value`` breaks ``limit`` the way the rule fires."""
    return value > limit if rule.kind in ("max", "max_duration") else value < limit


def suggest_limits(rule: Rule, units: list[tuple[str, Unit]]) -> list[LimitSuggestion]:
    """The rule's limit (and its confirm's) from the good units; ``units``: (set name, unit)."""
    out = [_suggest(rule, units, confirm=False)]
    if rule.confirm is not None:
        out.append(_suggest(rule, units, confirm=True))
    return out


def _suggest(rule: Rule, units: list[tuple[str, Unit]], confirm: bool) -> LimitSuggestion:
    key = "confirm" if confirm else "limit"
    signal = (rule.confirm.signal if confirm and rule.confirm else rule.signal)
    current = rule.confirm.limit if confirm and rule.confirm else rule.limit
    u = unit_of(rule, confirm)
    def value_of(x: Unit) -> float | None:  # what the limit must clear: the held worst where known
        if confirm:
            return x.confirm_held if x.confirm_held is not None else x.confirm
        return x.held if x.held is not None else x.worst

    good = [(s, x) for s, x in units if x.good and value_of(x) is not None]
    if not good:
        why = ("no good repetition was measured" if any(x.good for _, x in units) else
               "no good repetition: every one had this fault (if they were in good form, say which with --good)")
        return LimitSuggestion(key, signal, current, None, False, why, 0, 0)
    upward = rule.kind in ("max", "max_duration")
    vals = [value_of(x) for _, x in good]
    worst = max(vals) if upward else min(vals)
    sets = len({s for s, _ in good})
    step = _step(rule, confirm)
    if rule.kind not in FRAME_RULES:
        margin = max(MARGIN_SHARE * abs(worst), MIN_SECONDS)
        how = f"{MARGIN_SHARE:.0%} of it, at least {MIN_SECONDS:g} s"
    elif confirm:
        margin = max(MARGIN_SHARE * abs(worst), step)
        how = f"{MARGIN_SHARE:.0%} of it, at least {step:g}{u}"
    else:
        spreads = [x.spread for _, x in good if x.spread is not None]
        moves = float(np.median(spreads)) if spreads else abs(worst)
        margin = max(MARGIN_SHARE * moves, step)
        how = f"{MARGIN_SHARE:.0%} of the {moves:.3g}{u} it moves in a good repetition, at least {step:g}{u}"
    raw = worst + margin if upward else worst - margin
    value = (math.ceil if upward else math.floor)(round(raw / step, 6)) * step
    value = round(_clip(rule, value, confirm), 6)
    n = f"{len(good)} good repetition{'s' if len(good) != 1 else ''}" + (f" in {sets} sets" if sets > 1 else "")
    what = ("quickest" if rule.kind == "min_duration" else "slowest" if rule.kind == "max_duration"
            else f"worst held {rule.min_duration_s:g} s")
    basis = f"{what} of {n}: {worst:.3g}{u}, margin {margin:.3g}{u} ({how})"
    if rule.kind == "min_duration" and value <= 0:
        return LimitSuggestion(key, signal, current, None, False, f"{basis}: too quick to leave room for a limit",
                               len(good), sets)
    fired_good = [x for _, x in good if x.fired]
    keep = not fired_good and not _past(rule, worst, current)
    still = tuple((f"{s}: " if sets > 1 or s else "") + x.label for s, x in units
                  if not x.good and value_of(x) is not None and _past(rule, value_of(x), value))  # type: ignore[arg-type]
    if keep:
        closer = _past(rule, value, current)  # the current limit is nearer to them than the margin
        reason = (f"keep: every good repetition stays within it; {basis}"
                  + (f"; that is closer than the margin: {value:g} would leave it" if closer else
                     f"; {value:g} would pass them too"))
        value = current
    else:
        reason = basis + (f"; {len(fired_good)} of them had the fault" if fired_good else "")
    if confirm:
        reason += "; the fault needs both measures past their limits, so either change clears it"
    others = sum(1 for _, x in units if not x.good and value_of(x) is not None)
    return LimitSuggestion(key, signal, current, value, keep, reason, len(good), sets, still, others)


def _clip(rule: Rule, value: float, confirm: bool) -> float:
    """Within what the signal can measure (or 600 s for a duration)."""
    if rule.kind not in FRAME_RULES:
        return min(value, 600.0)
    from formcheck.signals import SIGNALS

    sig = rule.confirm.signal if confirm and rule.confirm else rule.signal or ""
    top = UNIT_MAX.get(SIGNALS[sig].unit, LENGTH_MAX) if sig in SIGNALS else LENGTH_MAX
    return max(-top, min(top, value))


def profile_line(spec, rule: Rule, limit: float) -> str:
    """The patient-profile line that sets this rule's limit (rules sharing an id by signal)."""
    shared = [r for r in spec.rules if r.id == rule.id]
    key = f"rules.{rule.id}"
    if len(shared) > 1:
        key += "." + (rule.signal or rule.phase or rule.kind)
    return f"[exercises.{spec.id}] {key} = {{ limit = {limit:g} }}"
