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
from .signals import SIGNALS, body_scale, compute
from .spec import Count, ExerciseSpec, Rule

LOST_GRACE_S = 0.5  # key joints unseen this long: counting pauses
CUE_HOLD_S = 2.5  # a cue stays up at least this long, so it can be read
SIDE_SWITCH_MARGIN = 0.1  # visibility margin before the measured side changes
LYING_TRUNK_MAX_DEG = 35.0  # lying exercises start only with the trunk this close to level in the image
LYING_LEFT_DEG = 65.0  # ... and stop counting (as when walking) once it is this steep: sitting or standing up
LYING_LEFT_S = 0.5  # for this long
LYING_SETTLE_S = 0.5  # ... once the trunk has been down this long
SETTLING_S = 0.5  # Count.follow_start: a movement begun this soon after arming may still be settling
# Count.max_rate: the counted signal's speed is measured against its value at least JUMP_MIN_DT
# earlier (one frame at 25 fps; at higher frame rates a single frame's jitter would dominate), and
# a jump this shortly before a repetition began still spoils it (the jump into garbage)
JUMP_MIN_DT = 0.04
JUMP_LEAD_S = 0.2
_MOTION_LANDMARKS = [L.LEFT_SHOULDER, L.RIGHT_SHOULDER, L.LEFT_HIP, L.RIGHT_HIP, L.LEFT_KNEE,
                     L.RIGHT_KNEE, L.LEFT_ANKLE, L.RIGHT_ANKLE, L.LEFT_WRIST, L.RIGHT_WRIST]
# Repetition exercises judge "keeping still" and "walking" over a fixed stretch of video time,
# not frame to frame: landmark jitter divided by one frame's time grows with the frame rate (and
# at 30 fps a still person already "moves" 0.5 torso lengths a second), over 0.25 s it does not.
# Keeping still means the body's shape not changing: shoulders, knees and ankles measured from
# the hip centre (a hand-held camera that pans moves them all alike), arms left out (patients
# hold them out for balance). Walking is the feet travelling sideways (the hips also travel back
# in every squat, the feet stay put).
WINDOW_S = 0.25
_STILL_LANDMARKS = [L.LEFT_SHOULDER, L.RIGHT_SHOULDER, L.LEFT_KNEE, L.RIGHT_KNEE, L.LEFT_ANKLE, L.RIGHT_ANKLE]
_FEET = [L.LEFT_ANKLE, L.RIGHT_ANKLE, L.LEFT_HEEL, L.RIGHT_HEEL, L.LEFT_FOOT_INDEX, L.RIGHT_FOOT_INDEX]
# Holds judge stillness over a longer stretch (HOLD_WINDOW_S) and by the mean, not the median, of
# those landmarks' movement: in a hold any one limb fidgeting (a foot shuffling, a knee rocking)
# breaks the stillness, and over half a second landmark jitter averages out while a real movement
# does not. The unit is the same: torso lengths per second (HoldSpec.still_max).
HOLD_WINDOW_S = 0.5
NOT_STILL_S = 0.5  # moving this long inside a settled hold is fidgeting (the not_still fault)
NOT_STILL_LONG_S = 3.0  # moving on in the position this long is fidgeting in any case
STILL_RESUME = 0.7  # a paused hold timer resumes once the movement is below this share of still_max
HOLD_SETTLED_S = 2.0  # a hold counts as settled once its timer has run this long

GUIDE = {
    "step_into_view": Cue("step_into_view", "Stil dig så hele kroppen kan ses", "Step back so your whole body is visible", 1),
    "get_ready": Cue("get_ready", "Find startstillingen og stå roligt", "Get into the start position and keep still", 1),
    "turn_sideways": Cue("turn_sideways", "Vend siden til kameraet", "Turn your side to the camera", 1),
    "face_camera": Cue("face_camera", "Vend ansigtet mod kameraet", "Face the camera", 1),
    "not_still": Cue("not_still", "Hold stillingen i ro", "Hold the position still", 2),
    "get_in_position": Cue("get_in_position", "Find stillingen og hold den", "Get into the position and hold it", 1),
    "hold_done": Cue("hold_done", "Godt! Slap af et øjeblik", "Well done! Relax for a moment", 1),
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
        self._recent: deque[Pose] = deque()  # poses of the last WINDOW_S, for _windowed_motion
        self._hold_recent: deque[Pose] = deque()  # poses of the last HOLD_WINDOW_S, for _hold_motion
        self._settle: deque[tuple[float, float]] = deque()
        self._settle_raw: dict[str, deque[float]] = {}
        self._beyond_start: deque[tuple[float, float]] = deque()  # follow_start: values past the start
        self._moved_by = 0.0
        self._armed_at = 0.0
        self._lying_since: float | None = None  # lying exercises: when the trunk came down
        self._first_s: float | None = None  # video time of the set's first frame
        self._upright_since: float | None = None  # lying exercises: when the trunk came up
        self._side_votes = 0.0  # Count.side_signal: its value weighted by the lift, over the repetition
        self._baseline: dict[str, float] = {}
        self._start_scale: float | None = None  # body length at the start, for Signal.start_scaled
        self._rate_ref: deque[tuple[float, float]] = deque()  # Count.max_rate: recent (t_s, raw value)
        self._last_jump_s: float | None = None  # Count.max_rate: when the counted signal last jumped
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
        self._still_bad_peak = 0.0
        self._still_bad_settled = False
        self._still_since: float | None = None  # holds: the current stretch of keeping still began
        self._hold_rest_until = -1.0
        self._still = True  # holds: keeping still (with hysteresis, see STILL_RESUME)
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
        scaled = SIGNALS[name].start_scaled
        if relative:
            base = self._baseline.get(name)
            if base is None or (scaled and self._start_scale is None):
                return None
            v -= base
            if scaled:
                v /= self._start_scale  # type: ignore[operator]
        elif scaled:
            return None  # a pixel height on its own means nothing
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

    def _windowed_motion(self, pose: Pose, t_s: float) -> tuple[float, float]:
        """(trunk and leg speed, sideways foot travel speed) over the last WINDOW_S of video, in
        torso lengths per second; (0, 0) until that much video has been seen."""
        recent = self._recent
        if recent and (pose.t_ms <= recent[-1].t_ms or pose.t_ms - recent[-1].t_ms > 500):
            recent.clear()  # a jump in time (or a gap without a person): start again
        recent.append(pose)
        while len(recent) > 1 and pose.t_ms - recent[1].t_ms >= WINDOW_S * 1000:
            recent.popleft()
        old = recent[0]
        dt = (pose.t_ms - old.t_ms) / 1000.0
        torso = g.torso_length(pose)
        if dt < WINDOW_S * 0.8 or torso is None:
            return 0.0, 0.0
        w, h = pose.image_size
        idx = _STILL_LANDMARKS
        ok = (pose.visibility[idx] > 0.5) & (old.visibility[idx] > 0.5)
        still = 0.0
        hip_now, hip_old = g.hip_centre(pose), g.hip_centre(old)
        if ok.any() and hip_now is not None and hip_old is not None:
            d = (pose.xy[idx][ok] * (w, h) - hip_now) - (old.xy[idx][ok] * (w, h) - hip_old)
            still = float(np.median(np.linalg.norm(d, axis=1))) / torso / dt
        okf = (pose.visibility[_FEET] > 0.3) & (old.visibility[_FEET] > 0.3)
        travel = 0.0
        if okf.any():
            dx = (pose.xy[_FEET][okf, 0] - old.xy[_FEET][okf, 0]) * w
            travel = abs(float(np.mean(dx))) / torso / dt
        return still, travel

    def _hold_motion(self, pose: Pose) -> float:
        """Holds: how far the shoulders, knees and ankles moved about the hip centre within the last
        HOLD_WINDOW_S of video (mean over the seen ones), per HOLD_WINDOW_S, in torso lengths per
        second; 0 until that much video has been seen. Measured from the start and from the middle
        of the window, the larger counts: a to-and-fro as long as the window is back where it
        started at its end, but not half-way through it. Each is one difference of two poses, so
        landmark jitter weighs the same at any frame rate."""
        recent = self._hold_recent
        if recent and (pose.t_ms <= recent[-1].t_ms or pose.t_ms - recent[-1].t_ms > 500):
            recent.clear()
        recent.append(pose)
        while len(recent) > 1 and pose.t_ms - recent[1].t_ms >= HOLD_WINDOW_S * 1000:
            recent.popleft()
        old = recent[0]
        window = (pose.t_ms - old.t_ms) / 1000.0
        if window < HOLD_WINDOW_S * 0.8:
            return 0.0
        mid = min(recent, key=lambda q: abs(pose.t_ms - q.t_ms - window * 500.0))
        return max(self._moved(pose, old), self._moved(pose, mid)) / window

    @staticmethod
    def _moved(pose: Pose, old: Pose) -> float:
        """Mean distance the shoulders, knees and ankles moved about the hip centre, torso lengths."""
        torso = g.torso_length(pose)
        hip_now, hip_old = g.hip_centre(pose), g.hip_centre(old)
        if torso is None or hip_now is None or hip_old is None:
            return 0.0
        idx = _STILL_LANDMARKS
        ok = (pose.visibility[idx] > 0.5) & (old.visibility[idx] > 0.5)
        if not ok.any():
            return 0.0
        w, h = pose.image_size
        d = (pose.xy[idx][ok] * (w, h) - hip_now) - (old.xy[idx][ok] * (w, h) - hip_old)
        return float(np.mean(np.linalg.norm(d, axis=1))) / torso

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
        if self._first_s is None:
            self._first_s = t_s
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
            self._update_reps(pose, t_s, *self._windowed_motion(pose, t_s), new)
        else:
            self._update_hold(pose, t_s, self._hold_motion(pose), travel, new)
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
        self._reset_settle()
        self.status = Status.NO_PERSON
        pause = Pause(self._lost_since, -1.0, "person or key joints not seen")
        self.pauses.append(pause)
        new["pause"] = pause
        self._set_cue(GUIDE["step_into_view"], t_s, force=True)

    # ----- repetitions -------------------------------------------------------------------------
    def _update_reps(self, pose: Pose, t_s: float, motion: float, travel: float, new: dict) -> None:
        spec = self.spec
        if travel > spec.move_max or self._got_up(pose, t_s):  # walking about / got up: settle again
            if self._counter is not None and self._counter.abandon() is not None:
                pass  # a 'rep' made while walking is no rep at all
            self._armed = False
            self._reset_settle()
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
        if count.max_rate is not None:
            self._check_rate(raw, t_s, count.max_rate)
        v = self._filtered("count", raw * count.direction, t_s, count)
        if count.follow_start and self._follow_start(v, t_s, count):
            v = self._filtered("count", (raw - self._moved_by) * count.direction, t_s, count)
        if count.confirm is not None:
            v = self._confirmed(v, pose, t_s, count)
            if v is None:
                return
        self._value = v
        exc = self._counter.update(v, t_s)
        out = self._counter.phase.value == "out"
        if count.side_signal and (out or exc is not None):
            sv = self._raw(count.side_signal, pose, True)
            self._side_votes += 0.0 if sv is None else abs(v) * sv
        self.status = Status.MOVING if out else Status.READY
        self._check_rules(pose, t_s, v, out, new)
        if exc is not None:
            self._on_excursion(exc, t_s, new)
        if not out:
            self._side_votes = 0.0
        if not out and self._cue is None and spec.views and self.view and self.view not in spec.views:
            self._set_cue(GUIDE["turn_sideways" if "side" in spec.views else "face_camera"], t_s)
        self._set_cue(None, t_s)

    def _check_rate(self, raw: float, t_s: float, max_rate: float) -> None:
        """Count.max_rate: note when the counted signal changes faster than a body can move it."""
        refs = self._rate_ref
        while refs and t_s - refs[0][0] > 0.3:
            refs.popleft()
        ref = next((r for r in reversed(refs) if t_s - r[0] >= JUMP_MIN_DT), None)
        if ref is not None and abs(raw - ref[1]) / (t_s - ref[0]) > max_rate:
            self._last_jump_s = t_s
        refs.append((t_s, raw))

    def _confirmed(self, v: float, pose: Pose, t_s: float, count: Count) -> float | None:
        """Count.confirm: the counted value where the second measure agrees. The second one is
        mapped onto the count's units piecewise linearly (its rest, enter and full onto the
        count's), and the smaller of the two taken (0 when they disagree on the direction).
        None while the second measure is not seen."""
        c = count.confirm
        assert c is not None
        raw = self._raw(c.signal, pose, c.relative)
        if raw is None:
            return None
        x = self._filtered("confirm", raw * c.direction, t_s, count)
        w = float(np.interp(abs(x), [0.0, c.rest, c.enter, c.full], [0.0, count.rest, count.enter, count.full]))
        if abs(x) > c.full:
            w += (abs(x) - c.full) * (count.full - count.enter) / (c.full - c.enter)
        if v * x <= 0:
            return 0.0
        return v if abs(v) < w else float(np.sign(v)) * w

    def _follow_start(self, v: float, t_s: float, count: Count) -> bool:
        """Relative counts: the start position follows the patient while they settle. A level
        held beyond the start (e.g. the knees bent after lying down with straight legs), or a
        level short of a full repetition held just after counting began (still lying back onto
        the floor), becomes the new zero instead of an excursion. True when the zero moved."""
        assert self._counter is not None
        out = self._counter.phase.value == "out"
        began = self._counter.current_start_s
        settling = out and began is not None and began - self._armed_at <= SETTLING_S and v < count.full
        if count.mode != "single" or not count.relative or not (settling or (not out and v < -count.rest)):
            self._beyond_start.clear()
            return False
        self._beyond_start.append((t_s, v))
        if t_s - self._beyond_start[0][0] < max(self.spec.settle_s, 0.3):
            return False
        vals = np.array([x for _, x in self._beyond_start])
        if float(vals.max() - vals.min()) > count.enter - count.rest:  # still moving
            self._beyond_start.popleft()
            return False
        self._moved_by = float(np.median(vals)) * count.direction
        moved = self._moved_by
        if SIGNALS[count.signal].start_scaled and self._start_scale:
            moved *= self._start_scale  # the baseline is in pixels, the counted value in start leg lengths
        self._baseline[count.signal] += moved
        self._smooth.pop("count", None)
        self._beyond_start.clear()
        if out:  # that was no repetition: forget it
            self._counter.reset()
            self._rep_faults = _RepFaults()
            self._side_votes = 0.0
        return True

    def _trunk_tilt(self, pose: Pose) -> float | None:
        """Lying rep exercises: trunk angle to the image horizontal (None for other exercises)."""
        if self.spec.posture != "lying" or self.spec.kind != "reps":
            return None
        sh, hp = g.shoulder_centre(pose), g.hip_centre(pose)
        return None if sh is None or hp is None else g.angle_to_horizontal(hp, sh)

    def _in_posture(self, pose: Pose, t_s: float) -> bool:
        """Lying exercises start only lying down (trunk near level), not sitting or kneeling, and
        only once the trunk has been down LYING_SETTLE_S (or since the set began): someone still
        lying back has their shoulders moving while the legs, which dominate stillness, do not."""
        if self.spec.posture != "lying" or self.spec.kind != "reps":
            return True
        a = self._trunk_tilt(pose)
        if a is None or a > LYING_TRUNK_MAX_DEG:
            self._lying_since = None
            return False
        if self._lying_since is None:
            self._lying_since = t_s
        return t_s - self._lying_since >= LYING_SETTLE_S or self._lying_since <= self._first_s

    def _got_up(self, pose: Pose, t_s: float) -> bool:
        """Lying exercises: the trunk has been steep (sitting or standing up) for LYING_LEFT_S."""
        a = self._trunk_tilt(pose)
        if a is None or a < LYING_LEFT_DEG:
            self._upright_since = None
            return False
        if self._upright_since is None:
            self._upright_since = t_s
        return t_s - self._upright_since >= LYING_LEFT_S

    def _reset_settle(self) -> None:
        self._settle.clear()
        self._settle_raw.clear()
        self._smooth.pop("settle", None)

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
        at_start = at_start and self._in_posture(pose, t_s)
        # the counted signal and a hold's position need their baseline; a form rule whose signal
        # is not seen from this view (e.g. the knees from the side) just goes without one
        required = self._baseline_signals(count, rules=False)
        if motion > spec.settle_motion_max or not at_start or any(raw[n] is None for n in required):
            self._reset_settle()
            self._set_cue(GUIDE["get_ready"], t_s)
            return
        scale = body_scale(pose)
        if any(SIGNALS[n].start_scaled for n in required) and scale is None:
            self._reset_settle()
            return
        self._settle.append((t_s, motion))
        for n, v in raw.items():
            if v is not None:
                self._settle_raw.setdefault(n, deque()).append(float(v))
        if scale is not None:
            self._settle_raw.setdefault("~scale", deque()).append(scale)
        if count is not None and count.relative:
            # the counter sees the smoothed signal, so judge settling on it too (raw landmark
            # jitter of a foot or heel is larger than the rest band, smoothed it is not)
            v = float(raw[count.signal])  # type: ignore[arg-type]
            sm = self._filtered("settle", v / scale if SIGNALS[count.signal].start_scaled else v, t_s, count)  # type: ignore[operator]
            self._settle_raw.setdefault("~settle", deque()).append(sm)
        if t_s - self._settle[0][0] < spec.settle_s:
            return
        if count is not None and count.relative:
            vals = np.array(self._settle_raw["~settle"])
            # settled: the window's frames within the rest band around the baseline taken (all
            # but one in five, so that one bad landmark frame does not restart the wait)
            if float(np.percentile(np.abs(vals - np.median(vals)), 80)) > count.rest:
                self._reset_settle()
                return
        enough = max(1, len(self._settle) // 2)  # an optional baseline needs half the settle frames
        self._baseline = {n: float(np.median(v)) for n, v in self._settle_raw.items()
                          if len(v) >= enough and not n.startswith("~")}
        scales = self._settle_raw.get("~scale")
        self._start_scale = float(np.median(scales)) if scales else None
        self._reset_settle()
        self._armed = True
        self._armed_at = t_s
        self._smooth.clear()
        if count is not None:
            self._count = count
            self._counter = ExcursionCounter(
                Thresholds(count.rest, count.enter, count.min_dwell_s, count.peak_band), two_way=count.mode != "single"
            )
            self.status = Status.READY
        if self._cue is not None and self._cue.id in GUIDE:
            self._cue, self._cue_until = None, -1.0

    def _baseline_signals(self, count: Count | None, rules: bool = True) -> set[str]:
        names: set[str] = set()
        if count is not None and count.relative:
            names.add(count.signal)
        if count is not None and count.side_signal:
            names.add(count.side_signal)
        if count is not None and count.confirm is not None and count.confirm.relative:
            names.add(count.confirm.signal)
        for r in self.spec.rules if rules else ():
            if r.relative and r.signal:
                names.add(r.signal)
        if self.spec.hold:
            names.update(c.signal for c in self.spec.hold.position if c.relative)
        return names

    def _rule_applies(self, rule: Rule) -> bool:
        return self.view is None or self.view in rule.views

    def _check_rules(self, pose: Pose, t_s: float, v: float | None, out: bool, new: dict) -> None:
        """Frame rules: a fault must last min_duration_s; its cue shows at once."""
        for i, rule in enumerate(self.spec.rules):
            if rule.kind not in R.FRAME_RULES or not self._rule_applies(rule):
                continue
            key = f"{i}:{rule.id}"  # several rules may share a fault id (two ways to see one fault)
            scope_ok = {
                "always": True,
                "hold": self.status is Status.HOLDING or self.status is Status.HOLD_PAUSED,
            }.get(rule.during, out)
            raw = self._raw(rule.signal, pose, rule.relative) if scope_ok else None  # type: ignore[arg-type]
            if raw is None:
                self._violations.pop(key, None)
                continue
            val = self._filtered(f"rule:{key}", raw, t_s)
            if not R.FRAME_RULES[rule.kind](rule, val):
                self._violations.pop(key, None)
                continue
            vio = self._violations.get(key)
            if vio is None:
                vio = self._violations[key] = _Violation(rule, t_s, val)
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
        if self._last_jump_s is not None and exc.start_s - JUMP_LEAD_S <= self._last_jump_s <= t_s:
            # Count.max_rate: the pose model lost the limb during this movement; it is no repetition
            if self._pending is not None:
                self._partial(self._pending, "implausible", self.side, new)
                self._pending = None
            self._partial(exc, "implausible", self.side, new)
            self._rep_faults = _RepFaults()
            return
        # Count.side_signal: its sign over the repetition, weighted toward the top of the movement
        voted = ("L" if self._side_votes > 0 else "R") if count.side_signal else None
        if count.mode == "single":
            if exc.sign > 0:
                self._finish_rep([exc], voted, new)
        elif count.mode == "alternate":
            side = voted or (("L" if exc.sign > 0 else "R") if count.side_from_sign else self.side)
            self._finish_rep([exc], side, new)
        else:  # cycle: one phase each way makes one repetition
            if self._pending is None:
                self._pending = exc
                return
            if self._pending.sign == exc.sign:
                # the other phase was too small to register at all: the range was incomplete
                self._partial(self._pending, count.shallow_fault, self.side, new)
                self._pending = exc
                return
            first, self._pending = self._pending, None
            self._finish_rep([first, exc], self.side, new)
        self._rep_faults = _RepFaults()

    def _partial(self, exc: Excursion, reason: str, side: str | None, new: dict) -> None:
        part = Partial(round(exc.start_s, 3), round(exc.end_s, 3), reason, side, {"peak": round(abs(exc.peak), 2)})
        self.partials.append(part)
        new["partial"] = part
        if reason not in ("too_short", "too_long", "incomplete_cycle", "tracking_lost", "implausible"):
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
            if count.follow_start and count.mode == "single" and (self._value or 0.0) < -count.enter:
                return None  # it ended well beyond the start: still getting into the start position, no attempt
            return self._partial(main, count.shallow_fault, side, new)
        metrics = {"peak": round(abs(main.peak), 2), "duration_s": round(dur, 3),
                   "descent_s": round(main.reached_s - main.start_s, 3), "return_s": round(main.end_s - main.left_s, 3)}
        fault_ids: list[str] = []
        rep_index = len(self.reps) + 1
        for rule, ft, val in self._rep_faults.items:
            in_scope = {
                "descent": ft <= main.peak_s,
                "return": ft >= main.peak_s,
                "bottom": main.reached_s <= ft <= main.left_s,  # at the peak (within Count.peak_band)
            }.get(rule.during, True)
            if in_scope and rule.id not in fault_ids:
                worst = [x for r, _, x in self._rep_faults.items if r is rule]
                w = max(worst) if rule.kind == "max" else min(worst)
                fault_ids.append(rule.id)
                metrics[rule.signal or rule.id] = round(w, 3)
                f = Fault(rule.id, round(ft, 3), R.describe(rule, w), round(w, 3), rule.limit, rep_index)
                self.faults.append(f)
                new["faults"].append(f)
        for rule in self.spec.rules:
            if rule.kind in R.REP_RULES and self._rule_applies(rule):
                secs = R.phase_duration(rule.phase or "rep", main.start_s, main.peak_s, main.end_s,
                                        main.reach_s, main.leave_s)
                if R.REP_RULES[rule.kind](rule, secs) and rule.id not in fault_ids:
                    fault_ids.append(rule.id)
                    f = Fault(rule.id, round(main.end_s, 3), R.describe(rule, secs), round(secs, 3), rule.limit, rep_index)
                    self.faults.append(f)
                    new["faults"].append(f)
                    self._set_cue(self._rule_cue(rule), main.end_s)
        if count.same_side_fault and self.reps and self.reps[-1].side == side:  # sides should alternate
            fault_ids.append(count.same_side_fault)
            f = Fault(count.same_side_fault, round(main.end_s, 3), f"side {side} twice in a row; the sides should alternate",
                      rep_index=rep_index)
            self.faults.append(f)
            new["faults"].append(f)
            if count.same_side_cue:
                self._set_cue(Cue(f.id, count.same_side_cue.da, count.same_side_cue.en, 2), main.end_s)
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
        # hysteresis: moving past still_max pauses the timer, it resumes below STILL_RESUME of it
        self._still = motion <= hold.still_max * (1.0 if self._still else STILL_RESUME)
        still = self._still
        self._check_rules(pose, t_s, None, False, new)
        blocking = any(v.rule.pauses_hold and t_s - v.since_s >= v.rule.min_duration_s for v in self._violations.values())
        dt = 0.0 if self._last_t is None else min(max(t_s - self._last_t, 0.0), 0.5)
        resting = t_s < self._hold_rest_until  # HoldSpec.end_at_target: the pause between holds
        if in_pos and not self._hold_active and not resting:
            self._hold_active, self._hold_start, self._hold_held = True, t_s, 0.0
            self._hold_sides.clear()
            self._hold_faults.clear()
            self._still_bad_since = self._still_since = None
        if self._hold_active:
            if in_pos:
                self._hold_off_since = None
                if hold.side_signal:
                    sv = compute(hold.side_signal, pose, self.side)
                    if sv is not None:
                        self._hold_sides["L" if sv > 0 else "R"] += 1
                self._track_stillness(still, motion, t_s, new)
                if still and not blocking:
                    self._hold_held += dt
                    self.status = Status.HOLDING
                else:
                    self.status = Status.HOLD_PAUSED
                if hold.end_at_target and self._hold_held >= hold.target_s:
                    self._end_hold(t_s, new)
                    self._hold_rest_until = t_s + hold.rest_s
                    self.status = Status.READY
                    self._set_cue(GUIDE["hold_done"], t_s, force=True)
            else:
                self.status = Status.HOLD_PAUSED
                self._hold_off_since = self._hold_off_since or t_s
                if t_s - self._hold_off_since > hold.grace_s:
                    self._end_hold(self._hold_off_since, new)
        else:
            self.status = Status.READY
            cue = "hold_done" if resting else "get_in_position"
            if not resting and self.view and self.spec.views and self.view not in self.spec.views:
                cue = "turn_sideways" if "side" in self.spec.views else "face_camera"
            self._set_cue(GUIDE[cue], t_s)
        self._set_cue(None, t_s)

    def _track_stillness(self, still: bool, motion: float, t_s: float, new: dict) -> None:
        """The not_still fault: moving for NOT_STILL_S inside a hold that had already settled (its
        timer ran HOLD_SETTLED_S), then settling again in the position for NOT_STILL_S; or moving
        on in the position for NOT_STILL_LONG_S, settled or not. Getting into the position and
        leaving it are movements too, but short ones that end with the hold not yet started or the
        position left, so they are no fault."""
        if not still:
            self._still_since = None
            if self._still_bad_since is None:
                self._still_bad_since, self._still_bad_peak = t_s, motion
                self._still_bad_settled = self._hold_held >= HOLD_SETTLED_S
            self._still_bad_peak = max(self._still_bad_peak, motion)
            moving_s = t_s - self._still_bad_since
            if self._still_bad_settled and moving_s >= NOT_STILL_S or moving_s >= NOT_STILL_LONG_S:
                self._set_cue(GUIDE["not_still"], t_s)
            if moving_s >= NOT_STILL_LONG_S:
                self._not_still_fault(new)
            return
        if self._still_bad_since is None:
            return
        if self._still_since is None:
            self._still_since = t_s
        if t_s - self._still_since < NOT_STILL_S:  # not settled back yet: the movement may go on
            return
        if self._still_bad_settled and self._still_since - self._still_bad_since >= NOT_STILL_S:
            self._not_still_fault(new)
        self._still_bad_since = None

    def _not_still_fault(self, new: dict) -> None:
        hold = self.spec.hold
        assert hold is not None and self._still_bad_since is not None
        if "not_still" in self._hold_faults:
            return
        self._hold_faults.add("not_still")
        f = Fault("not_still", round(self._still_bad_since, 3), "the position was not held still",
                  round(self._still_bad_peak, 3), hold.still_max)
        self.faults.append(f)
        new["faults"].append(f)

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
