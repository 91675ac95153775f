"""Form checking: the exercise file's rules turned into faults and cues, frame by frame and per
repetition. Form thresholds only: the counting ones live in counting.py and counter.py.

A frame rule (max/min) must be broken for Rule.min_duration_s before it counts, so one glitchy
frame is no fault; its cue then shows at once. Outside a repetition the fault is reported once
per stretch; inside one it is kept and judged when the repetition is done, against the part of
the movement the rule is about (Rule.during: descent, bottom, return or the whole rep). Duration
rules time a finished repetition's phases.
"""

from __future__ import annotations

from dataclasses import dataclass

from formcheck.core.pose import Pose
from formcheck.core.results import Fault
from formcheck.engine import rules as R
from formcheck.engine.counter import Excursion
from formcheck.engine.cues import CuePicker, rule_cue
from formcheck.engine.events import SetLog
from formcheck.engine.readings import Readings
from formcheck.engine.viewpoint import Viewpoint
from formcheck.spec.exercise import ExerciseSpec
from formcheck.spec.parts import Rule


@dataclass
class _Violation:
    rule: Rule
    since_s: float
    worst: float
    reported: bool = False


class FormChecker:
    def __init__(self, spec: ExerciseSpec, readings: Readings, cues: CuePicker, log: SetLog, viewpoint: Viewpoint) -> None:
        self.spec = spec
        self.readings = readings
        self.cues = cues
        self.log = log
        self.viewpoint = viewpoint
        self._violations: dict[str, _Violation] = {}
        self._in_rep: list[tuple[Rule, float, float]] = []  # (rule, t_s, value) broken during the repetition in progress
        # (rule, t_s, value, the rule's place in spec.rules, its confirm's value) every measured frame of it
        self._rep_values: list[tuple[Rule, float, float, int, float | None]] = []
        # for formcheck tune, which traces every rule: each frame rule's latest reading by its place in
        # spec.rules, (t_s, smoothed value, smoothed confirm value or None) ...
        self.seen: dict[int, tuple[float, float, float | None]] = {}
        # ... and the last judged repetition's worst value of each rule in its part of it (seconds for
        # duration rules), with its confirm's worst there
        self.judged: dict[int, tuple[float, float | None]] = {}

    def applies(self, rule: Rule) -> bool:
        """The rule is trustworthy from the current camera view (or no view is known yet)."""
        view = self.viewpoint.view
        return view is None or view in rule.views

    def check_frame(self, pose: Pose, t_s: float, moving: bool, holding: bool) -> list[str]:
        """Check the frame rules; ``moving``: inside a repetition, ``holding``: the hold timer
        is on. Returns the ids of faults reported at this frame (outside repetitions)."""
        reported: list[str] = []
        side = self.viewpoint.side
        for i, rule in enumerate(self.spec.rules):
            if rule.kind not in R.FRAME_RULES:
                continue
            key = f"{i}:{rule.id}"  # several rules may share a fault id (two ways to see one fault)
            if not self.applies(rule):  # the view changed: a fault seen from the old view is over
                self._violations.pop(key, None)
                continue
            in_scope = {"always": True, "hold": holding}.get(rule.during, moving)
            raw = self.readings.raw(rule.signal, pose, side, rule.relative) if in_scope else None  # type: ignore[arg-type]
            if raw is None:
                self._violations.pop(key, None)
                continue
            val = self.readings.smooth(f"rule:{key}", raw, t_s)
            confirmed, cval = self._confirmed(rule, key, pose, side, t_s)  # its filter follows every frame
            self.seen[i] = (t_s, val, cval)
            if moving:
                self._rep_values.append((rule, t_s, val, i, cval))
            if not R.FRAME_RULES[rule.kind](rule, val) or not confirmed:
                self._violations.pop(key, None)
                continue
            vio = self._violations.get(key)
            if vio is None:
                vio = self._violations[key] = _Violation(rule, t_s, val)
            if (val > vio.worst) if rule.kind == "max" else (val < vio.worst):
                vio.worst = val
            if t_s - vio.since_s < rule.min_duration_s:
                continue
            self.cues.show(rule_cue(rule, side), t_s)
            if moving:
                self._in_rep.append((rule, t_s, val))
            elif not vio.reported:
                vio.reported = True
                self.log.fault(Fault(rule.id, round(t_s, 3), R.describe(rule, vio.worst), round(vio.worst, 3), rule.limit))
                reported.append(rule.id)
        return reported

    def _confirmed(self, rule: Rule, key: str, pose: Pose, side: str, t_s: float) -> tuple[bool, float | None]:
        """The rule's second measure (Rule.confirm) agrees that its limit is broken, or it has none;
        and its smoothed value. Not seen, it does not agree: the fault needs both."""
        c = rule.confirm
        if c is None:
            return True, None
        raw = self.readings.raw(c.signal, pose, side, rule.relative)
        if raw is None:
            return False, None
        val = self.readings.smooth(f"rule:{key}:confirm", raw, t_s)
        return (val > c.limit if rule.kind == "max" else val < c.limit), val

    def blocking(self, t_s: float) -> bool:
        """A fault that stops a hold's timer (Rule.pauses_hold) lasts now."""
        return any(v.rule.pauses_hold and t_s - v.since_s >= v.rule.min_duration_s for v in self._violations.values())

    def forget_rep(self) -> None:
        """The repetition in progress is over (judged or dropped)."""
        self._in_rep = []
        self._rep_values = []

    def judge_rep(self, main: Excursion, rep_index: int, timed: bool = True) -> tuple[list[str], dict[str, float]]:
        """The faults of a finished repetition (``main``: its phase away from the start): frame
        rules broken in their part of it, then duration rules (not when ``timed`` is False: the
        video cut the repetition, so its duration is not known). Logs them; returns their ids and,
        as metrics by signal, each frame rule's worst value in its part of the repetition, broken
        or not (how close a good repetition came to a limit), a broken rule's first."""
        ids: list[str] = []
        metrics: dict[str, float] = {}

        def in_part(rule: Rule, ft: float) -> bool:
            return {
                "descent": ft <= main.peak_s,
                "return": ft >= main.peak_s,
                "bottom": main.reached_s <= ft <= main.left_s,  # at the peak (within Count.peak_band)
            }.get(rule.during, True)

        seen = [(rule, ft, x) for rule, ft, x in self._in_rep if in_part(rule, ft)]
        for rule, ft, _ in seen:
            if rule.id not in ids:
                values = [x for r, _, x in seen if r is rule]  # its worst within its part only
                w = max(values) if rule.kind == "max" else min(values)
                ids.append(rule.id)
                metrics[rule.signal or rule.id] = round(w, 3)
                self.log.fault(Fault(rule.id, round(ft, 3), R.describe(rule, w), round(w, 3), rule.limit, rep_index))
        self.judged = {}
        for rule, i in dict.fromkeys((r, i) for r, _, _, i, _ in self._rep_values):  # the rules not broken, too
            values = [x for r, ft, x, j, _ in self._rep_values if j == i and in_part(r, ft)]
            if values and rule.signal is not None and rule.signal not in metrics:
                metrics[rule.signal] = round(max(values) if rule.kind == "max" else min(values), 3)
            worst = max if rule.kind == "max" else min
            confirms = [c for r, ft, _, j, c in self._rep_values if j == i and c is not None and in_part(r, ft)]
            if values:
                self.judged[i] = (worst(values), worst(confirms) if confirms else None)
        for i, rule in enumerate(self.spec.rules):
            if timed and rule.kind in R.REP_RULES and self.applies(rule):
                # (the way back, and so the whole repetition, timed to counter.TIMED_BACK_SHARE)
                secs = R.phase_duration(rule.phase or "rep", main.start_s, main.peak_s, main.back_s,
                                        main.reach_s, main.leave_s)
                self.judged[i] = (secs, None)
                if R.REP_RULES[rule.kind](rule, secs) and rule.id not in ids:
                    ids.append(rule.id)
                    self.log.fault(Fault(rule.id, round(main.end_s, 3), R.describe(rule, secs), round(secs, 3),
                                         rule.limit, rep_index))
                    self.cues.show(rule_cue(rule, self.viewpoint.side), main.end_s)
        return ids, metrics
