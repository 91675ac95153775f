"""The exercise engine: poses in, one FrameResult per frame out.

It gates counting on the person being seen, in the start position and still (so walking in,
getting ready and standing idle count nothing), takes baselines there, smooths the counted
signal, feeds the excursion counter, turns excursions into repetitions or partials, checks
form rules, times holds, and picks the one cue to show. Time is the frames' own video time.
"""

from __future__ import annotations

from collections import Counter as _Tally
from collections import deque
from dataclasses import dataclass, field

import numpy as np

from . import geometry as g
from . import rules as R
from .counter import Excursion, ExcursionCounter, Thresholds
from .filters import OneEuro
from .pose import Landmark as L
from .pose import Pose
from .results import Cue, Fault, FrameResult, Hold, Partial, Pause, Phase, Rep, Status
from .signals import SIGNALS, compute
from .spec import Count, ExerciseSpec, Rule

LOST_GRACE_S = 0.5  # key joints unseen this long: counting pauses
CUE_HOLD_S = 2.5  # a cue stays up at least this long, so it can be read
SIDE_SWITCH_MARGIN = 0.1  # visibility margin before the measured side changes
_MOTION_LANDMARKS = [L.LEFT_SHOULDER, L.RIGHT_SHOULDER, L.LEFT_HIP, L.RIGHT_HIP, L.LEFT_KNEE,
                     L.RIGHT_KNEE, L.LEFT_ANKLE, L.RIGHT_ANKLE, L.LEFT_WRIST, L.RIGHT_WRIST]

GUIDE = {
    "step_into_view": Cue("step_into_view", "Stil dig så hele kroppen kan ses", "Step back so your whole body is visible", 1),
    "get_ready": Cue("get_ready", "Find startstillingen og stå roligt", "Get into the start position and keep still", 1),
    "turn_sideways": Cue("turn_sideways", "Vend siden til kameraet", "Turn your side to the camera", 1),
    "face_camera": Cue("face_camera", "Vend ansigtet mod kameraet", "Face the camera", 1),
    "not_still": Cue("not_still", "Hold stillingen i ro", "Hold the position still", 2),
    "get_in_position": Cue("get_in_position", "Find stillingen og hold den", "Get into the position and hold it", 1),
}


@dataclass
class _Violation:
    rule: Rule
    since_s: float
    worst: float
    reported: bool = False


@dataclass
class _RepFaults:
    """Faults seen during the excursion in progress: (rule id, t_s, value)."""

    items: list[tuple[Rule, float, float]] = field(default_factory=list)


def _segments(rule: Rule, side: str) -> tuple[tuple[L, L], ...]:
    if rule.signal is None:
        return ()
    s = g.SIDES[side]
    return tuple((s[a], s[b]) for a, b in SIGNALS[rule.signal].parts)


class Analyzer:
    """Per-exercise analysis of a pose stream; one instance per set."""

    def __init__(self, spec: ExerciseSpec, target: int | None = None) -> None:
        self.spec = spec
        self.target = target if target is not None else spec.target
        self._reset_state()

    # ----- state -------------------------------------------------------------------------
    def _reset_state(self) -> None:
        self.status = Status.NO_PERSON
        self.reps: list[Rep] = []
        self.partials: list[Partial] = []
        self.holds: list[Hold] = []
        self.pauses: list[Pause] = []
        self.faults: list[Fault] = []
        self.view: str | None = None
        self._views: deque[str] = deque(maxlen=45)
        self.side = "L"
        self._last_seen_s: float | None = None
        self._lost_since: float | None = None
        self._prev_pose: Pose | None = None
        self._motion = OneEuro(min_cutoff=1.0, beta=0.0)
        self._travel = OneEuro(min_cutoff=1.0, beta=0.0)
        self._settle: deque[tuple[float, float]] = deque()
        self._settle_raw: dict[str, deque[float]] = {}
        self._baseline: dict[str, float] = {}
        self._armed = False
        self._count: Count | None = None
        self._counter: ExcursionCounter | None = None
        self._smooth: dict[str, OneEuro] = {}
        self._value: float | None = None
        self._pending: Excursion | None = None  # cycle mode: first half of a cycle
        self._rep_faults = _RepFaults()
        self._violations: dict[str, _Violation] = {}
        self._cue: Cue | None = None
        self._cue_until = -1.0
        self._hold_active = False
        self._hold_start = 0.0
        self._hold_held = 0.0
        self._hold_off_since: float | None = None
        self._hold_sides: _Tally[str] = _Tally()
        self._hold_faults: set[str] = set()
        self._still_bad_since: float | None = None
        self._last_t: float | None = None

    def restart(self) -> None:
        """Start the set again (the trainer's 'r' key)."""
        self._reset_state()

    # ----- helpers -------------------------------------------------------------------------
    def _filtered(self, key: str, value: float, t_s: float, count: Count | None = None) -> float:
        f = self._smooth.get(key)
        if f is None:
            sm = (count or self.spec.count).smoothing if (count or self.spec.count) else None
            f = OneEuro(sm.min_cutoff, sm.beta, sm.d_cutoff) if sm else OneEuro(1.5, 0.05)
            self._smooth[key] = f
        return f(value, t_s)

    def _raw(self, name: str, pose: Pose, relative: bool) -> float | None:
        v = compute(name, pose, self.side)
        if v is None:
            return None
        if relative:
            base = self._baseline.get(name)
            if base is None:
                return None
            v -= base
        return v

    def _body_motion(self, pose: Pose, t_s: float) -> tuple[float, float]:
        """(landmark speed, horizontal foot travel speed), both in torso lengths per second."""
        prev = self._prev_pose
        self._prev_pose = pose
        torso = g.torso_length(pose)
        if prev is None or torso is None or t_s * 1000 <= prev.t_ms:
            return 0.0, 0.0
        dt = t_s - prev.t_ms / 1000.0
        if dt > 0.5:
            return 0.0, 0.0
        idx = _MOTION_LANDMARKS
        ok = (pose.visibility[idx] > 0.5) & (prev.visibility[idx] > 0.5)
        w, h = pose.image_size
        if not ok.any():
            return 0.0, 0.0
        d = (pose.xy[idx][ok] - prev.xy[idx][ok]) * (w, h)
        speed = float(np.median(np.linalg.norm(d, axis=1))) / torso / dt
        feet = [L.LEFT_ANKLE, L.RIGHT_ANKLE, L.LEFT_HIP, L.RIGHT_HIP]
        okf = (pose.visibility[feet] > 0.3) & (prev.visibility[feet] > 0.3)
        travel = 0.0
        if okf.any():
            dx = (pose.xy[feet][okf, 0] - prev.xy[feet][okf, 0]) * w
            travel = abs(float(np.mean(dx))) / torso / dt
        return self._motion(speed, t_s), self._travel(travel, t_s)

    def _update_side(self, pose: Pose) -> None:
        cur = g.side_visibility(pose, self.side)
        oth = g.side_visibility(pose, g.other(self.side))
        if oth > cur + SIDE_SWITCH_MARGIN:
            self.side = g.other(self.side)

    def _set_cue(self, cue: Cue | None, t_s: float, force: bool = False) -> None:
        if cue is None:
            if t_s >= self._cue_until:
                self._cue = None
            return
        if force or self._cue is None or t_s >= self._cue_until or cue.severity > self._cue.severity:
            if self._cue is None or cue.id != self._cue.id:
                self._cue_until = t_s + CUE_HOLD_S
            self._cue = cue

    def _rule_cue(self, rule: Rule) -> Cue:
        return Cue(rule.id, rule.cue.da, rule.cue.en, rule.severity + 1, _segments(rule, self.side))

    def _key_signal(self) -> str:
        if self.spec.kind == "reps":
            return self.spec.count_for(self.view).signal
        conds = self.spec.hold.position if self.spec.hold else ()
        return conds[0].signal if conds else "trunk_lean"

    # ----- main entry ------------------------------------------------------------------------
    def update(self, t_ms: float, pose: Pose | None) -> FrameResult:
        t_s = t_ms / 1000.0
        new: dict = {"faults": []}
        key = self._key_signal()
        seen = pose is not None and compute(key, pose, self.side) is not None
        if pose is not None and not seen:
            self._update_side(pose)
            seen = compute(key, pose, self.side) is not None
        if not seen:
            self._on_lost(t_s, new)
            self._last_t = t_s
            return self._result(t_ms, pose, new)
        assert pose is not None
        if self._lost_since is not None:
            if self.pauses and self.pauses[-1].end_s < 0:
                self.pauses[-1] = Pause(self.pauses[-1].start_s, t_s, self.pauses[-1].reason)
            self._lost_since = None
        self._last_seen_s = t_s
        view = g.classify_view(pose)
        if view:
            self._views.append(view)
            self.view = _Tally(self._views).most_common(1)[0][0]
        motion, travel = self._body_motion(pose, t_s)
        if self.spec.kind == "reps":
            self._update_reps(pose, t_s, motion, travel, new)
        else:
            self._update_hold(pose, t_s, motion, travel, new)
        self._last_t = t_s
        return self._result(t_ms, pose, new)

    def _on_lost(self, t_s: float, new: dict) -> None:
        if self._lost_since is None:
            self._lost_since = t_s
        if t_s - self._lost_since < LOST_GRACE_S:
            return
        if self.status is Status.NO_PERSON and self.pauses and self.pauses[-1].end_s < 0:
            return
        # pause counting: drop a repetition in progress, end a hold, re-settle when back
        if self._counter is not None:
            dropped = self._counter.abandon()
            if dropped is not None:
                part = Partial(dropped[0], t_s, "tracking_lost", self.side, {"peak": round(dropped[2], 2)})
                self.partials.append(part)
                new["partial"] = part
        self._end_hold(t_s, new)
        self._armed = False
        self._settle.clear()
        self.status = Status.NO_PERSON
        pause = Pause(self._lost_since, -1.0, "person or key joints not seen")
        self.pauses.append(pause)
        new["pause"] = pause
        self._set_cue(GUIDE["step_into_view"], t_s, force=True)

    # ----- repetitions -------------------------------------------------------------------------
    def _update_reps(self, pose: Pose, t_s: float, motion: float, travel: float, new: dict) -> None:
        spec = self.spec
        if travel > spec.move_max:  # walking about: not an exercise, settle again afterwards
            if self._counter is not None and self._counter.abandon() is not None:
                pass  # a 'rep' made while walking is no rep at all
            self._armed = False
            self._settle.clear()
            self.status = Status.POSITIONING
            self._set_cue(GUIDE["get_ready"], t_s)
            return
        if not self._armed:
            self._try_arm(pose, t_s, motion)
            return
        count = self._count
        assert count is not None and self._counter is not None
        if self._counter.phase.value == "rest":
            self._update_side(pose)
        raw = self._raw(count.signal, pose, count.relative)
        if raw is None:
            return
        v = self._filtered("count", raw * count.direction, t_s, count)
        self._value = v
        exc = self._counter.update(v, t_s)
        out = self._counter.phase.value == "out"
        self.status = Status.MOVING if out else Status.READY
        self._check_rules(pose, t_s, v, out, new)
        if exc is not None:
            self._on_excursion(exc, t_s, new)
        if not out and self._cue is None and spec.views and self.view and self.view not in spec.views:
            self._set_cue(GUIDE["turn_sideways" if "side" in spec.views else "face_camera"], t_s)
        self._set_cue(None, t_s)

    def _try_arm(self, pose: Pose, t_s: float, motion: float) -> None:
        """Wait until the person is still in the start position, then take baselines."""
        spec = self.spec
        count = spec.count_for(self.view) if spec.kind == "reps" else None
        self.status = Status.POSITIONING
        self._update_side(pose)
        names = self._baseline_signals(count)
        raw = {n: compute(n, pose, self.side) for n in names}
        at_start = True
        if count is not None and not count.relative:
            v = compute(count.signal, pose, self.side)
            at_start = v is not None and v * count.direction <= count.rest
        if motion > 0.5 or not at_start or any(v is None for v in raw.values()):
            self._settle.clear()
            self._settle_raw.clear()
            self._set_cue(GUIDE["get_ready"], t_s)
            return
        self._settle.append((t_s, motion))
        for n, v in raw.items():
            self._settle_raw.setdefault(n, deque()).append(float(v))  # type: ignore[arg-type]
        if t_s - self._settle[0][0] < spec.settle_s:
            return
        if count is not None and count.relative:
            vals = np.array(self._settle_raw[count.signal])
            if float(vals.max() - vals.min()) > (count.enter - count.rest):
                self._settle.clear()
                self._settle_raw.clear()
                return
        self._baseline = {n: float(np.median(v)) for n, v in self._settle_raw.items()}
        self._settle.clear()
        self._settle_raw.clear()
        self._armed = True
        self._smooth.clear()
        if count is not None:
            self._count = count
            self._counter = ExcursionCounter(
                Thresholds(count.rest, count.enter, count.min_dwell_s), two_way=count.mode != "single"
            )
            self.status = Status.READY
        if self._cue is not None and self._cue.id in GUIDE:
            self._cue, self._cue_until = None, -1.0

    def _baseline_signals(self, count: Count | None) -> set[str]:
        names: set[str] = set()
        if count is not None and count.relative:
            names.add(count.signal)
        for r in self.spec.rules:
            if r.relative and r.signal:
                names.add(r.signal)
        if self.spec.hold:
            names.update(c.signal for c in self.spec.hold.position if c.relative)
        return names

    def _rule_applies(self, rule: Rule) -> bool:
        return self.view is None or self.view in rule.views

    def _check_rules(self, pose: Pose, t_s: float, v: float | None, out: bool, new: dict) -> None:
        """Frame rules: a fault must last min_duration_s; its cue shows at once."""
        for rule in self.spec.rules:
            if rule.kind not in R.FRAME_RULES or not self._rule_applies(rule):
                continue
            scope_ok = {
                "always": True,
                "hold": self.status is Status.HOLDING or self.status is Status.HOLD_PAUSED,
            }.get(rule.during, out)
            raw = self._raw(rule.signal, pose, rule.relative) if scope_ok else None  # type: ignore[arg-type]
            if raw is None:
                self._violations.pop(rule.id, None)
                continue
            val = self._filtered(f"rule:{rule.id}", raw, t_s)
            if not R.FRAME_RULES[rule.kind](rule, val):
                self._violations.pop(rule.id, None)
                continue
            vio = self._violations.get(rule.id)
            if vio is None:
                vio = self._violations[rule.id] = _Violation(rule, t_s, val)
            worse = val > vio.worst if rule.kind == "max" else val < vio.worst
            if worse:
                vio.worst = val
            if t_s - vio.since_s >= rule.min_duration_s:
                self._set_cue(self._rule_cue(rule), t_s)
                if out:
                    self._rep_faults.items.append((rule, t_s, val))
                elif not vio.reported:
                    vio.reported = True
                    f = Fault(rule.id, round(t_s, 3), R.describe(rule, vio.worst), round(vio.worst, 3), rule.limit)
                    self.faults.append(f)
                    new["faults"].append(f)
                    if self._hold_active:
                        self._hold_faults.add(rule.id)

    def _on_excursion(self, exc: Excursion, t_s: float, new: dict) -> None:
        count = self._count
        assert count is not None
        if count.mode == "single":
            if exc.sign > 0:
                self._finish_rep([exc], None, new)
        elif count.mode == "alternate":
            side = ("L" if exc.sign > 0 else "R") if count.side_from_sign else self.side
            self._finish_rep([exc], side, new)
        else:  # cycle: one phase each way makes one repetition
            if self._pending is None:
                self._pending = exc
                return
            if self._pending.sign == exc.sign:
                self._partial(self._pending, "incomplete_cycle", self.side, new)
                self._pending = exc
                return
            first, self._pending = self._pending, None
            self._finish_rep([first, exc], self.side, new)
        self._rep_faults = _RepFaults()

    def _partial(self, exc: Excursion, reason: str, side: str | None, new: dict) -> None:
        part = Partial(round(exc.start_s, 3), round(exc.end_s, 3), reason, side, {"peak": round(abs(exc.peak), 2)})
        self.partials.append(part)
        new["partial"] = part
        if reason not in ("too_short", "too_long", "incomplete_cycle", "tracking_lost"):
            rule_text = {"en": reason.replace("_", " ")}
            f = Fault(reason, round(exc.peak_s, 3), f"partial repetition: {rule_text['en']}", round(abs(exc.peak), 2))
            self.faults.append(f)
            new["faults"].append(f)
            cue = self._shallow_cue(reason)
            if cue:
                self._set_cue(cue, t_s=exc.end_s, force=True)

    def _shallow_cue(self, reason: str) -> Cue | None:
        count = self._count
        if count is None or count.shallow_cue is None or reason != count.shallow_fault:
            return None
        segs = tuple((g.SIDES[self.side][a], g.SIDES[self.side][b]) for a, b in SIGNALS[count.signal].parts)
        return Cue(reason, count.shallow_cue.da, count.shallow_cue.en, 3, segs)

    def _finish_rep(self, excs: list[Excursion], side: str | None, new: dict) -> None:
        count = self._count
        assert count is not None
        start, end = excs[0].start_s, excs[-1].end_s
        main = max(excs, key=lambda e: e.sign)  # the + phase carries the depth
        side = side or self.side
        dur = end - start
        need_neg = count.full_negative or count.full
        shallow = any(abs(e.peak) < (count.full if e.sign > 0 else need_neg) for e in excs)
        if count.full_at is not None and count.relative:
            base = self._baseline.get(count.signal, 0.0)
            absolute_peak = base + main.peak * count.direction
            shallow = shallow or (absolute_peak * count.direction < count.full_at * count.direction)
        if dur < count.min_rep_s:
            return self._partial(main, "too_short", side, new)
        if dur > count.max_rep_s:
            return self._partial(main, "too_long", side, new)
        if shallow:
            return self._partial(main, count.shallow_fault, side, new)
        metrics = {"peak": round(abs(main.peak), 2), "duration_s": round(dur, 3),
                   "descent_s": round(main.peak_s - main.start_s, 3), "return_s": round(main.end_s - main.peak_s, 3)}
        fault_ids: list[str] = []
        rep_index = len(self.reps) + 1
        for rule, ft, val in self._rep_faults.items:
            in_scope = {
                "descent": ft <= main.peak_s,
                "return": ft >= main.peak_s,
                "bottom": True,
            }.get(rule.during, True)
            if in_scope and rule.id not in fault_ids:
                worst = [x for r, _, x in self._rep_faults.items if r.id == rule.id]
                w = max(worst) if rule.kind == "max" else min(worst)
                fault_ids.append(rule.id)
                metrics[rule.signal or rule.id] = round(w, 3)
                f = Fault(rule.id, round(ft, 3), R.describe(rule, w), round(w, 3), rule.limit, rep_index)
                self.faults.append(f)
                new["faults"].append(f)
        for rule in self.spec.rules:
            if rule.kind in R.REP_RULES and self._rule_applies(rule):
                secs = R.phase_duration(rule.phase or "rep", main.start_s, main.peak_s, main.end_s)
                if R.REP_RULES[rule.kind](rule, secs) and rule.id not in fault_ids:
                    fault_ids.append(rule.id)
                    f = Fault(rule.id, round(main.end_s, 3), R.describe(rule, secs), round(secs, 3), rule.limit, rep_index)
                    self.faults.append(f)
                    new["faults"].append(f)
                    self._set_cue(self._rule_cue(rule), main.end_s)
        phases = tuple(
            Phase(count.phase_names[0 if e.sign > 0 else 1], round(e.start_s, 3), round(e.end_s, 3),
                  round(e.peak_s, 3), round(e.peak, 2))
            for e in excs
        ) if len(excs) > 1 or count.mode != "single" else ()
        rep = Rep(rep_index, round(start, 3), round(end, 3), round(main.peak_s, 3), side, metrics, tuple(fault_ids), phases)
        self.reps.append(rep)
        new["rep"] = rep

    # ----- holds ---------------------------------------------------------------------------------
    def _update_hold(self, pose: Pose, t_s: float, motion: float, travel: float, new: dict) -> None:
        hold = self.spec.hold
        assert hold is not None
        if not self._armed:
            self._baseline = {}
            if self._baseline_signals(None):
                self._try_arm(pose, t_s, motion)
                if not self._armed:
                    return
            self._armed = True
        self._update_side(pose)
        in_pos = True
        for c in hold.position:
            raw = self._raw(c.signal, pose, c.relative)
            if raw is None:
                in_pos = False
                break
            v = self._filtered(f"pos:{c.signal}:{c.min}:{c.max}", raw, t_s)
            if (c.min is not None and v < c.min) or (c.max is not None and v > c.max):
                in_pos = False
        if hold.position:
            self._value = self._filtered("value", compute(hold.position[0].signal, pose, self.side) or 0.0, t_s)
        still = motion <= hold.still_max
        self._check_rules(pose, t_s, None, False, new)
        blocking = any(v.rule.pauses_hold and t_s - v.since_s >= v.rule.min_duration_s for v in self._violations.values())
        dt = 0.0 if self._last_t is None else min(max(t_s - self._last_t, 0.0), 0.5)
        if in_pos and not self._hold_active:
            self._hold_active, self._hold_start, self._hold_held = True, t_s, 0.0
            self._hold_sides.clear()
            self._hold_faults.clear()
        if self._hold_active:
            if in_pos:
                self._hold_off_since = None
                if hold.side_signal:
                    sv = compute(hold.side_signal, pose, self.side)
                    if sv is not None:
                        self._hold_sides["L" if sv > 0 else "R"] += 1
                if not still:
                    self._still_bad_since = self._still_bad_since or t_s
                    if t_s - self._still_bad_since >= 0.5 and "not_still" not in self._hold_faults:
                        self._hold_faults.add("not_still")
                        f = Fault("not_still", round(t_s, 3), "the position was not held still", round(motion, 3), hold.still_max)
                        self.faults.append(f)
                        new["faults"].append(f)
                    self._set_cue(GUIDE["not_still"], t_s)
                else:
                    self._still_bad_since = None
                if still and not blocking:
                    self._hold_held += dt
                    self.status = Status.HOLDING
                else:
                    self.status = Status.HOLD_PAUSED
            else:
                self.status = Status.HOLD_PAUSED
                self._hold_off_since = self._hold_off_since or t_s
                if t_s - self._hold_off_since > hold.grace_s:
                    self._end_hold(self._hold_off_since, new)
        else:
            self.status = Status.READY
            self._set_cue(GUIDE["get_in_position"], t_s)
        self._set_cue(None, t_s)

    def _hold_side(self) -> str | None:
        hold = self.spec.hold
        if hold is None or not hold.sides:
            return None
        if self._hold_sides:
            return self._hold_sides.most_common(1)[0][0]
        return self.side

    def _end_hold(self, t_s: float, new: dict) -> None:
        hold = self.spec.hold
        if hold is None or not self._hold_active:
            return
        self._hold_active = False
        self._hold_off_since = None
        if self._hold_held >= hold.min_hold_s:
            h = Hold(self._hold_side(), round(self._hold_start, 3), round(t_s, 3), round(self._hold_held, 2),
                     hold.target_s, tuple(sorted(self._hold_faults)))
            self.holds.append(h)
            new["hold"] = h
        self._hold_held = 0.0

    def finish(self, t_ms: float) -> FrameResult:
        """Close what is open at the end of the video or set; returns a last result."""
        t_s = t_ms / 1000.0
        new: dict = {"faults": []}
        self._end_hold(t_s, new)
        if self._counter is not None and self._counter.phase.value == "out":
            d = self._counter.abandon()
            if d is not None:
                part = Partial(round(d[0], 3), round(t_s, 3), "unfinished", self.side, {"peak": round(abs(d[2]), 2)})
                self.partials.append(part)
                new["partial"] = part
        if self._pending is not None:
            self._partial(self._pending, "incomplete_cycle", self.side, new)
            self._pending = None
        if self.pauses and self.pauses[-1].end_s < 0:
            self.pauses[-1] = Pause(self.pauses[-1].start_s, t_s, self.pauses[-1].reason)
        return self._result(t_ms, None, new)

    def _result(self, t_ms: float, pose: Pose | None, new: dict) -> FrameResult:
        hold = self.spec.hold
        progress = None
        if self._count is not None and self._value is not None:
            progress = float(np.clip(abs(self._value) / self._count.full, 0.0, 1.0))
        return FrameResult(
            t_ms=t_ms,
            pose=pose,
            status=self.status,
            reps=len(self.reps),
            target=self.target,
            cue=self._cue,
            view=self.view,
            side=self.side,
            value=self._value,
            progress=progress,
            hold_s=self._hold_held if hold else None,
            hold_target_s=hold.target_s if hold else None,
            holds_done=sum(1 for h in self.holds if h.held_s >= h.target_s),
            partials=len(self.partials),
            new_rep=new.get("rep"),
            new_partial=new.get("partial"),
            new_hold=new.get("hold"),
            new_faults=tuple(new["faults"]),
            new_pause=new.get("pause"),
        )
