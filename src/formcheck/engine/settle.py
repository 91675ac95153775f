"""Arming: start counting as soon as the body is in the exercise's posture; take the baselines.

Repetition exercises arm at once (Settler(arm_at_once=True)): the first frame in the posture
(posture.PostureGate: standing on the feet and not walking; lying down with the knees bent for
lying exercises; for an absolute count, at the start position) with the counted signal seen gives provisional baselines, taken again as
the medians over REFINE_S the first time the patient keeps still at the start (Settler.refine;
later a still moment between repetitions can be the start of the next one's rise, and moving
the zero up there cost real bridges their depth); until then the counted signal's own
rest-side envelope moves its zero down while the patient moves on (counting.py). Waiting for
stillness first lost the first repetitions of a set begun straight away and every repetition of
continuous movers (crunches whose head never rests). Two-way relative counts (a rest in the
middle of the movement, as toe_heel's) and holds still wait for the patient to keep still in
the start position for ExerciseSpec.settle_s: their start cannot be read off an envelope; so
does every exercise once the patient walked off or got up mid-set (Settler.came_back). Lying exercises need the patient lying down: counting starts
only then, and stops once they sit or stand up (the trunk's angle to the image horizontal
tells which).
"""

from __future__ import annotations

from collections import deque
from enum import Enum

import numpy as np

from formcheck.core.pose import Pose
from formcheck.engine.cues import CuePicker, ready_cue
from formcheck.engine.posture import PostureGate
from formcheck.engine.readings import Readings
from formcheck.engine.viewpoint import Viewpoint
from formcheck.signals import SIGNALS, body_scale, compute
from formcheck.signals import geometry as g
from formcheck.spec.exercise import ExerciseSpec
from formcheck.spec.parts import Count

# Once the pose model finds a person, its landmarks drift for about this many frames before they
# steady (frames, not seconds: the model refines each frame from the one before). On the 16
# lying clips that begin still (rendered and real), the hips read 0.01-0.04 torso lengths
# (median 0.02; up to 3.5 degrees of the bridge line) lower in the first 0.1 s than later; by
# the 8th frame within about 0.005.
TRACKER_WARMUP_FRAMES = 8
REFINE_S = 0.5  # a baseline taken in the drift is taken again over this long (at least settle_s) once steady


class Settling(Enum):
    NOT_READY = "not_ready"  # moving, not in the start position, or a needed joint unseen
    WAITING = "waiting"  # still in the start position, not for long enough yet
    SETTLED = "settled"  # baselines taken: counting may start


class Settler:
    def __init__(self, spec: ExerciseSpec, readings: Readings, gate: PostureGate, viewpoint: Viewpoint,
                 cues: CuePicker, *, arm_at_once: bool = False) -> None:
        """``arm_at_once``: repetition exercises (see the module's doc): no wait for stillness,
        unless the count is relative and two-way."""
        self.spec = spec
        c = spec.count
        self.arm_at_once = arm_at_once and not (c is not None and c.relative and c.mode != "single")
        # back after walking off or getting up mid-set (came_back()): the next arming waits for a
        # still start. Between two bouts of walking (a turn, a step back) the body is briefly in the
        # posture without being back in position; arming there at once would end the pause and
        # open another one as the walk goes on
        self._still_start = False
        self._armed_at_once = False  # how the current baselines were taken
        self.readings = readings
        self.gate = gate
        self.viewpoint = viewpoint  # the counter's own: the side it tracks
        self.cues = cues  # where "get ready" goes while waiting
        self._times: deque[float] = deque()  # frames of the current wait
        self._values: dict[str, deque[float]] = {}  # raw values of the baseline signals
        self._shifts: dict[str, deque[float]] = {}  # the other side's value minus this side's, per signal
        self._scales: deque[float] = deque()  # leg lengths in pixels (start-scaled signals)
        self._smoothed: deque[float] = deque()  # the counted signal as the counter will see it
        # the baselines were taken while the landmarks still drifted (TRACKER_WARMUP_FRAMES): they
        # are taken again from the first steady, still frames at the start position (refine())
        self.provisional = False
        self._refine: list[tuple[float, dict[str, float], float | None, float]] = []  # (t_s, raw values, scale, count value)

    def baseline_signals(self, count: Count | None, rules: bool = True) -> set[str]:
        """Signals measured from the start position: the count's, a hold position's and (with
        ``rules``) the form rules'."""
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
            if r.relative and r.confirm is not None:
                names.add(r.confirm.signal)
        if self.spec.hold:
            names.update(c.signal for c in self.spec.hold.position if c.relative)
        return names

    def wait(self, pose: Pose, t_s: float, motion: float, count: Count | None, set_start_s: float) -> bool:
        """One frame of getting ready (``motion``: keeping-still speed, torso lengths per second):
        the patient is asked to get ready while not still in the start position; True once
        settled, with the baselines taken."""
        viewpoint, cues = self.viewpoint, self.cues
        viewpoint.update_side(pose)
        window = len(self._times) + 1  # this frame and the wait's frames before it
        settling = self.feed(pose, t_s, motion, viewpoint.side, count, set_start_s)
        if settling is Settling.NOT_READY:
            cues.show(ready_cue(self.spec.views, viewpoint.view), t_s)
        if settling is not Settling.SETTLED:
            return False
        self._armed_at_once = self.at_once
        self._still_start = False
        self.provisional = bool(self.readings.baseline) and (
            self._armed_at_once or viewpoint.tracked_frames - window < TRACKER_WARMUP_FRAMES)
        self._refine.clear()
        cues.clear_guidance()
        return True

    def refine(self, pose: Pose, t_s: float, motion: float, viewpoint: Viewpoint, count: Count) -> bool:
        """While counting is armed and no movement has begun: baselines taken in the pose model's
        first frames (``provisional``) are taken again as the medians over the first REFINE_S (at
        least settle_s) of steady frames, kept still at the start position. True when they were
        (the caller's filters then start afresh). Callers stop calling once a movement begins:
        the start then stays as it was."""
        if not self.provisional or viewpoint.tracked_frames <= TRACKER_WARMUP_FRAMES:
            return False
        side, readings = viewpoint.side, self.readings
        names = self.baseline_signals(count)
        raw = {n: compute(n, pose, side) for n in names}
        v = readings.raw(count.signal, pose, side, count.relative)
        if motion > self.spec.settle_motion_max or v is None or any(raw[n] is None for n in self.baseline_signals(count, rules=False)):
            self._refine.clear()
            return False
        # kept still: judged on the counted signal as the counter sees it (smoothed, as the wait's
        # rest band in feed()); the raw heel point of a standing patient jitters by more than the
        # rest band (1 cm) frame to frame, and a raw window never filled
        v = readings.smooth("refine", v * count.direction, t_s, count.smoothing)
        self._refine.append((t_s, {n: float(x) for n, x in raw.items() if x is not None}, body_scale(pose), v))
        while max(f[3] for f in self._refine) - min(f[3] for f in self._refine) > count.rest:  # still moving
            self._refine.pop(0)
        if t_s - self._refine[0][0] < max(self.spec.settle_s, REFINE_S):
            return False
        for n in list(readings.baseline):
            vals = [f[1][n] for f in self._refine if n in f[1]]
            if vals:
                readings.set_base(n, side, float(np.median(vals)))
        scales = [f[2] for f in self._refine if f[2] is not None]
        if scales and readings.start_scale is not None:
            readings.start_scale = float(np.median(scales))
        self.provisional = False
        self._refine.clear()
        return True

    @property
    def at_once(self) -> bool:
        """The next arming takes the first frame in the posture (no wait for stillness)."""
        return self.arm_at_once and not self._still_start

    def came_back(self) -> None:
        """The patient walked off or got up mid-set: counting starts again only once they keep
        still in the start position for settle_s (see __init__)."""
        self._still_start = True

    def keep_start(self) -> None:
        """A movement began: the baselines stay as they are (no refine() until still again)."""
        if not self._armed_at_once:
            self.provisional = False
        self._refine.clear()

    def reset(self) -> None:
        """Start the wait again."""
        self._times.clear()
        self._values.clear()
        self._shifts.clear()
        self._scales.clear()
        self._smoothed.clear()
        self.readings.forget("settle")
        self.readings.forget("refine")

    def feed(self, pose: Pose, t_s: float, motion: float, side: str, count: Count | None,
             set_start_s: float) -> Settling:
        """One frame of the wait; on SETTLED the readings have their new baselines (and fresh
        filters)."""
        spec = self.spec
        names = self.baseline_signals(count)
        raw = {n: compute(n, pose, side) for n in names}
        at_start = True
        if count is not None and not count.relative:
            v = compute(count.signal, pose, side)
            at_start = v is not None and v * count.direction <= count.rest
        at_start = at_start and self.gate.in_posture(pose, t_s, set_start_s)
        # the counted signal and a hold's position need their baseline; a form rule whose signal
        # is not seen from this view (e.g. the knees from the side) just goes without one
        required = self.baseline_signals(count, rules=False)
        at_once = self.at_once
        moving = motion > spec.settle_motion_max and not at_once
        if moving or not at_start or any(raw[n] is None for n in required):
            self.reset()
            return Settling.NOT_READY
        scale = body_scale(pose)
        if any(SIGNALS[n].start_scaled for n in required) and scale is None:
            self.reset()
            return Settling.WAITING
        self._times.append(t_s)
        for n, v in raw.items():
            if v is not None:
                self._values.setdefault(n, deque()).append(float(v))
            other = compute(n, pose, g.other(side))  # the other side's start, for a turn later on
            if v is not None and other is not None:
                self._shifts.setdefault(n, deque()).append(float(other) - float(v))
        if scale is not None:
            self._scales.append(scale)
        if count is not None and count.relative:
            # the counter sees the smoothed signal, so judge settling on it too (raw landmark
            # jitter of a foot or heel is larger than the rest band, smoothed it is not)
            v = float(raw[count.signal])  # type: ignore[arg-type]
            if SIGNALS[count.signal].start_scaled:
                v /= scale  # type: ignore[operator]
            self._smoothed.append(self.readings.smooth("settle", v, t_s, count.smoothing))
        if t_s - self._times[0] < spec.settle_s and not at_once:
            return Settling.WAITING
        if count is not None and count.relative and not at_once:
            vals = np.array(self._smoothed)
            # settled: the window's frames within the rest band around the baseline taken (all
            # but one in five, so that one bad landmark frame does not restart the wait)
            if float(np.percentile(np.abs(vals - np.median(vals)), 80)) > count.rest:
                self.reset()
                return Settling.WAITING
        enough = max(1, len(self._times) // 2)  # an optional baseline needs half the settle frames
        self.readings.baseline = {n: float(np.median(v)) for n, v in self._values.items() if len(v) >= enough}
        self.readings.base_side = side
        self.readings.side_shift = {n: float(np.median(v)) for n, v in self._shifts.items()
                                    if n in self.readings.baseline and len(v) >= enough}
        self.readings.start_scale = float(np.median(self._scales)) if self._scales else None
        self.reset()
        self.readings.forget()
        return Settling.SETTLED
