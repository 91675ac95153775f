"""Gauges of how much the body moves, in torso lengths per second of video time.

They judge movement over a fixed stretch of video time, not frame to frame: landmark jitter
divided by one frame's time grows with the frame rate (at 30 fps a still person already "moves"
0.5 torso lengths a second), over a quarter of a second it does not. Keeping still means the
body's shape not changing: shoulders, knees and ankles measured from the hip centre (a hand-held
camera that pans moves them all alike), arms left out (patients hold them out for balance).
Walking is the feet travelling sideways (the hips also travel back in every squat, the feet
stay put).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

import numpy as np

from formcheck.core.pose import Landmark as L
from formcheck.core.pose import Pose
from formcheck.engine.filters import WindowMedian
from formcheck.signals import geometry as g

WINDOW_S = 0.25  # repetition exercises: keeping still and walking are judged over this much video
# Holds judge stillness over a longer stretch and by the mean, not the median, of the landmarks'
# movement: in a hold any one limb fidgeting (a foot shuffling, a knee rocking) breaks the
# stillness, and over half a second landmark jitter averages out while a real movement does not.
# The unit is the same: torso lengths per second (HoldSpec.still_max).
HOLD_WINDOW_S = 0.5
GAP_MS = 500  # a gap this long without a person (or a jump back in time) starts a window again
_STILL_LANDMARKS = [L.LEFT_SHOULDER, L.RIGHT_SHOULDER, L.LEFT_KNEE, L.RIGHT_KNEE, L.LEFT_ANKLE, L.RIGHT_ANKLE]
_FEET = [L.LEFT_ANKLE, L.RIGHT_ANKLE, L.LEFT_HEEL, L.RIGHT_HEEL, L.LEFT_FOOT_INDEX, L.RIGHT_FOOT_INDEX]


class PoseWindow:
    """The poses of the last ``span_s`` seconds of video."""

    def __init__(self, span_s: float) -> None:
        self.span_s = span_s
        self.poses: deque[Pose] = deque()

    def push(self, pose: Pose) -> float:
        """Add a pose; returns the seconds between the oldest pose kept and this one."""
        poses = self.poses
        if poses and (pose.t_ms <= poses[-1].t_ms or pose.t_ms - poses[-1].t_ms > GAP_MS):
            poses.clear()
        poses.append(pose)
        while len(poses) > 1 and pose.t_ms - poses[1].t_ms >= self.span_s * 1000:
            poses.popleft()
        return (pose.t_ms - poses[0].t_ms) / 1000.0


def shape_change(pose: Pose, old: Pose, torso: float, reduce: Callable[[np.ndarray], float]) -> float:
    """How far the shoulders, knees and ankles moved about the hip centre between two poses,
    ``reduce``d over the ones seen in both, in torso lengths (0 when none is seen)."""
    hip_now, hip_old = g.hip_centre(pose), g.hip_centre(old)
    idx = _STILL_LANDMARKS
    ok = (pose.visibility[idx] > 0.5) & (old.visibility[idx] > 0.5)
    if not ok.any() or hip_now is None or hip_old is None:
        return 0.0
    w, h = pose.image_size
    d = (pose.xy[idx][ok] * (w, h) - hip_now) - (old.xy[idx][ok] * (w, h) - hip_old)
    return float(reduce(np.linalg.norm(d, axis=1))) / torso


class RepMotion:
    """Repetition exercises: (keeping-still speed, sideways foot travel speed) over WINDOW_S."""

    def __init__(self) -> None:
        self._window = PoseWindow(WINDOW_S)

    def update(self, pose: Pose) -> tuple[float, float]:
        """Both in torso lengths per second; (0, 0) until WINDOW_S of video has been seen."""
        dt = self._window.push(pose)
        old = self._window.poses[0]
        torso = g.trunk_size(pose)  # (not the bare torso length: it vanishes seen end on)
        if dt < WINDOW_S * 0.8 or torso is None:
            return 0.0, 0.0
        still = shape_change(pose, old, torso, np.median) / dt
        okf = (pose.visibility[_FEET] > 0.3) & (old.visibility[_FEET] > 0.3)
        travel = 0.0
        if okf.any():
            dx = (pose.xy[_FEET][okf, 0] - old.xy[_FEET][okf, 0]) * pose.image_size[0]
            travel = abs(float(np.mean(dx))) / torso / dt
        return still, travel


class HoldMotion:
    """Holds: how far the body's shape changed within the last HOLD_WINDOW_S, per second, beyond
    what landmark jitter alone moves it.

    Measured from the start and from the middle of the window, the larger counts: a to-and-fro
    as long as the window is back where it started at its end, but not half-way through it.
    Each is one difference of two poses, so landmark jitter weighs the same at any frame rate.
    The jitter is the clip's own (JitterGauge): a soft, low-bitrate video makes a body lying
    still "move" 0.07-0.13 torso lengths a second on raw landmarks, a sharp one 0.01, so a fixed
    threshold either times nothing on the one or lets fidgeting pass on the other. What jitter
    can move the shape in a window (NOISE_K times the frame-to-frame jitter) is taken off first.

    The difference of two poses is the sum of the frame-to-frame steps between them, each
    landmark's step capped at what a body can move in a frame (StepTrail, MAX_SPEED): the pose
    model re-reading a hidden limb somewhere else (a crossed leg seen at 45 degrees: the knee
    and ankle jump 0.2-0.3 torso lengths in one frame and stay, or jump back) is not a movement
    the person made, and counts only for the cap.
    """

    def __init__(self) -> None:
        self._window = PoseWindow(HOLD_WINDOW_S)
        self._jitter = JitterGauge()
        self._trail = StepTrail()

    def update(self, pose: Pose) -> float:
        """Torso lengths per second; 0 until HOLD_WINDOW_S of video has been seen."""
        window = self._window.push(pose)
        recent = self._window.poses
        noise = self._jitter.update(pose, recent)
        self._trail.push(pose, recent, noise)
        if window < HOLD_WINDOW_S * 0.8:
            return 0.0
        old = recent[0]
        mid = min(recent, key=lambda q: abs(pose.t_ms - q.t_ms - window * 500.0))
        moved = max(self._trail.moved(pose, old), self._trail.moved(pose, mid))
        return max(0.0, moved - NOISE_K * noise) / window


# A body holding a stretch that shifts (takes a new grip, lets go, shuffles a foot) moves a limb at
# 0.2-1 m/s; MAX_SPEED caps a landmark's frame-to-frame step at 1 torso length (about 0.5 m) a
# second. Capped so, any real movement still reads far above every hold's still_max (0.05-0.25:
# one limb of the six landmarks moving at the cap reads 0.33), while the pose model's jumps (2-8
# torso lengths a second for 1-3 frames) count for little. A step within JUMP_K jitter steps is
# never capped: at 60 fps a soft clip's jitter alone steps faster than the cap, and capping it
# would bias the sum of steps low.
MAX_SPEED = 1.0
JUMP_K = 3.0


class StepTrail:
    """Each still landmark's position about the hip centre as the running sum of its capped
    frame-to-frame steps (torso lengths), one entry per pose of the window it is kept beside."""

    def __init__(self) -> None:
        self._trail: dict[int, tuple[np.ndarray, np.ndarray]] = {}  # id(pose) -> (position, seen)
        self._last: tuple[Pose, np.ndarray, np.ndarray] | None = None  # last pose, its rel. pixels, seen

    def push(self, pose: Pose, recent: deque[Pose], jitter: float) -> None:
        """Add ``pose`` (the last of ``recent``); entries of poses no longer in it are dropped.
        ``jitter`` is the clip's frame-to-frame jitter step in torso lengths."""
        idx = _STILL_LANDMARKS
        hip, torso = g.hip_centre(pose), g.torso_length(pose)
        self._trail = {id(q): self._trail[id(q)] for q in recent if id(q) in self._trail}
        last = self._last
        from_last = last is not None and id(last[0]) in self._trail
        if hip is None or torso is None:
            # Not measured on this frame: the last position carried (never compared: nothing
            # seen), and the next frame's steps taken from the last frame that was measured, so a
            # one-frame dropout does not start the sums again from another origin.
            pos = self._trail[id(last[0])][0] if from_last else np.zeros((len(idx), 2))
            self._trail[id(pose)] = (pos, np.zeros(len(idx), bool))
            return
        seen = pose.visibility[idx] > 0.5
        rel = pose.xy[idx] * pose.image_size - hip
        if not from_last:
            # A new origin: sums kept from an older one must not be compared with it.
            self._trail = {}
            pos = np.zeros((len(idx), 2))
        else:
            assert last is not None
            prev_pose, prev_rel, prev_seen = last
            step = (rel - prev_rel) / torso
            both = seen & prev_seen
            step[~both] = 0.0
            dt = max((pose.t_ms - prev_pose.t_ms) / 1000.0, 0.0)
            cap = max(MAX_SPEED * dt, JUMP_K * jitter)
            n = np.linalg.norm(step, axis=1)
            big = n > cap
            step[big] *= (cap / n[big])[:, None]
            pos = self._trail[id(prev_pose)][0] + step
        self._trail[id(pose)] = (pos, seen)
        self._last = (pose, rel, seen)

    def moved(self, pose: Pose, old: Pose) -> float:
        """Mean distance the landmarks seen in both travelled between ``old`` and ``pose`` (torso
        lengths; 0 when none is)."""
        a, b = self._trail.get(id(pose)), self._trail.get(id(old))
        if a is None or b is None:
            return 0.0
        both = a[1] & b[1]
        if not both.any():
            return 0.0
        return float(np.mean(np.linalg.norm(a[0][both] - b[0][both], axis=1)))


# Landmark jitter is told from movement by its shape in time: a movement (even a fidget) is smooth
# from frame to frame, so the second difference of a landmark (x[t] - 2 x[t-1] + x[t-2]) is near
# 0 for it, while for jitter it is sqrt(3) times a frame-to-frame jitter step. Its median over
# NOISE_S is the clip's jitter step, in torso lengths. The pose model smooths its landmarks, so
# jitter is correlated over a few frames and grows over a window: on a real, soft clip of a body
# lying still the shape changes over half a second by a median 1.8 and at most (90th
# percentile) 3.6 jitter steps; NOISE_K = 3 of them is what jitter can do. A rendered fidget
# (0.3 torso lengths a second) reads 0.002 jitter steps and moves 0.02 in half a second: 10 steps.
NOISE_S = 2.0
NOISE_K = 3.0


class JitterGauge:
    """The landmarks' frame-to-frame jitter over the last NOISE_S (see above)."""

    def __init__(self) -> None:
        self._steps: deque[tuple[float, float]] = deque()  # (t_ms, jitter step)

    def update(self, pose: Pose, recent: deque[Pose]) -> float:
        """Add ``pose`` (the last of ``recent``, the frames before it); the median jitter step
        in torso lengths, 0 before three frames were seen."""
        torso = g.torso_length(pose)
        if len(recent) >= 3 and torso is not None:
            step = _second_difference(recent[-1], recent[-2], recent[-3])
            if step is not None:
                self._steps.append((pose.t_ms, step / torso / np.sqrt(3.0)))
        while self._steps and (pose.t_ms - self._steps[0][0] > NOISE_S * 1000 or self._steps[0][0] > pose.t_ms):
            self._steps.popleft()
        return float(np.median([s for _, s in self._steps])) if self._steps else 0.0


def _second_difference(a: Pose, b: Pose, c: Pose) -> float | None:
    """Mean size of the still landmarks' second difference (about the hip centre) over three
    frames, in pixels; None when no landmark is seen in all three."""
    idx = _STILL_LANDMARKS
    ok = (a.visibility[idx] > 0.5) & (b.visibility[idx] > 0.5) & (c.visibility[idx] > 0.5)
    hips = [g.hip_centre(p) for p in (a, b, c)]
    if not ok.any() or any(h is None for h in hips):
        return None
    w, h = a.image_size
    s = [p.xy[idx][ok] * (w, h) - hc for p, hc in zip((a, b, c), hips)]
    return float(np.mean(np.linalg.norm(s[0] - 2 * s[1] + s[2], axis=1)))


SIZE_WINDOW_S = 0.3  # the body's size in the picture is judged on its median over this much video


class SizeDrift:
    """Count.size_max: how much bigger or smaller the body is in the picture than at the start
    (a fraction, from the leg's length over the last SIZE_WINDOW_S): walking toward or away from
    the camera. One frame's leg landmarks wobble by several percent; their median does not."""

    def __init__(self) -> None:
        self._leg = WindowMedian(SIZE_WINDOW_S)  # the leg's length in pixels

    def update(self, t_s: float, scale: float | None, start_scale: float | None) -> float:
        """0 when the size is not known."""
        leg = self._leg.update(t_s, scale)
        return 0.0 if leg is None or not start_scale else abs(leg / start_scale - 1.0)
