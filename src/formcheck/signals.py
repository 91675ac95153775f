"""Named body signals computed from one Pose: the vocabulary exercise files use.

Each signal is a pure function ``(pose, side) -> float | None`` with a unit and a plain
description for physiotherapists. ``side`` is the body side the exercise measures ('L'/'R',
chosen by visibility per repetition). Angles are degrees; lengths are in body lengths
(torso or foot), never pixels, so thresholds hold at any distance from the camera.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

from . import geometry as g
from .pose import Landmark as L
from .pose import Pose

SignalFn = Callable[[Pose, str], "float | None"]


@dataclass(frozen=True)
class Signal:
    name: str
    unit: str
    description: str
    fn: SignalFn
    # landmarks (by generic part name, on the measured side) whose segments the overlay can
    # highlight when a rule on this signal fires
    parts: tuple[tuple[str, str], ...] = ()


def _p(pose: Pose, side: str, part: str, min_vis: float = g.MIN_VIS) -> np.ndarray | None:
    return g.point(pose, g.SIDES[side][part], min_vis)


def _angle(pose: Pose, side: str, a: str, b: str, c: str) -> float | None:
    s = g.SIDES[side]
    return g.joint_angle(pose, s[a], s[b], s[c])


def knee_flexion(pose: Pose, side: str) -> float | None:
    a = _angle(pose, side, "hip", "knee", "ankle")
    return None if a is None else 180.0 - a


def hip_flexion(pose: Pose, side: str) -> float | None:
    a = _angle(pose, side, "shoulder", "hip", "knee")
    return None if a is None else 180.0 - a


def trunk_lean(pose: Pose, side: str) -> float | None:
    sh, hp = _p(pose, side, "shoulder"), _p(pose, side, "hip")
    return None if sh is None or hp is None else g.angle_to_vertical(sh, hp)


def shin_lean(pose: Pose, side: str) -> float | None:
    kn, an = _p(pose, side, "knee"), _p(pose, side, "ankle")
    return None if kn is None or an is None else g.angle_to_vertical(kn, an)


def back_vs_shin(pose: Pose, side: str) -> float | None:
    """Trunk lean minus shin lean: in a good squat the back stays about parallel to the shins."""
    t, s = trunk_lean(pose, side), shin_lean(pose, side)
    return None if t is None or s is None else t - s


def head_drop(pose: Pose, side: str) -> float | None:
    """How far the head hangs forward of the trunk line (degrees at the shoulder)."""
    a = _angle(pose, side, "ear", "shoulder", "hip")
    return None if a is None else 180.0 - a


def _foot_length(pose: Pose, side: str) -> float | None:
    he, to = _p(pose, side, "heel", 0.3), _p(pose, side, "toe", 0.3)
    if he is None or to is None:
        return None
    d = float(np.linalg.norm(he - to))
    return d if d > 1e-6 else None


def _leg_scale(pose: Pose) -> float | None:
    """Mean hip-to-ankle length in pixels over the seen sides (a stable body length)."""
    vals = [v for v in (g.leg_length(pose, "L"), g.leg_length(pose, "R")) if v]
    return float(np.mean(vals)) if vals else None


def heel_height(pose: Pose, side: str) -> float | None:
    """Height of the heel above the toes' level, in foot lengths (up is positive)."""
    he, to = _p(pose, side, "heel", 0.3), _p(pose, side, "toe", 0.3)
    fl = _foot_length(pose, side)
    if he is None or to is None or fl is None:
        return None
    return float(to[1] - he[1]) / fl


def foot_pitch(pose: Pose, side: str) -> float | None:
    """Angle of the foot (heel to toes) to the horizontal: + heel up (on the toes), - toes up."""
    he, to = _p(pose, side, "heel", 0.3), _p(pose, side, "toe", 0.3)
    if he is None or to is None:
        return None
    dx = abs(float(to[0] - he[0]))
    return math.degrees(math.atan2(float(to[1] - he[1]), max(dx, 1e-6)))


def _mean_over_sides(fn: SignalFn, pose: Pose) -> float | None:
    vals = [v for v in (fn(pose, "L"), fn(pose, "R")) if v is not None]
    return float(np.mean(vals)) if vals else None


def foot_pitch_both(pose: Pose, side: str) -> float | None:
    """Foot pitch averaged over the feet that are seen (both feet should rise together)."""
    return _mean_over_sides(foot_pitch, pose)


def heel_height_both(pose: Pose, side: str) -> float | None:
    return _mean_over_sides(heel_height, pose)


def heel_y(pose: Pose, side: str) -> float | None:
    """Heel height in leg lengths, up positive; use relative to the start (a lift)."""
    he = _p(pose, side, "heel", 0.3)
    leg = _leg_scale(pose)
    return None if he is None or leg is None else -float(he[1]) / leg


def toe_y(pose: Pose, side: str) -> float | None:
    to = _p(pose, side, "toe", 0.3)
    leg = _leg_scale(pose)
    return None if to is None or leg is None else -float(to[1]) / leg


def hip_height(pose: Pose, side: str) -> float | None:
    """Hip-centre height in leg lengths above the ankles (falls as one squats)."""
    hp = g.hip_centre(pose)
    an = g.midpoint(pose, L.LEFT_ANKLE, L.RIGHT_ANKLE, 0.3)
    if an is None:
        an = _p(pose, side, "ankle", 0.3)
    leg = _leg_scale(pose)
    if hp is None or an is None or leg is None:
        return None
    return float(an[1] - hp[1]) / leg


def hip_forward(pose: Pose, side: str) -> float | None:
    """Horizontal hip position relative to the ankles, in leg lengths (sway when relative)."""
    hp = g.hip_centre(pose)
    an = g.midpoint(pose, L.LEFT_ANKLE, L.RIGHT_ANKLE, 0.3)
    if an is None:
        an = _p(pose, side, "ankle", 0.3)
    leg = _leg_scale(pose)
    if hp is None or an is None or leg is None:
        return None
    return abs(float(hp[0] - an[0])) / leg


def knee_width_ratio(pose: Pose, side: str) -> float | None:
    """Distance between the knees over distance between the ankles (front view; < 1 caving)."""
    kl, kr = g.point(pose, L.LEFT_KNEE), g.point(pose, L.RIGHT_KNEE)
    al, ar = g.point(pose, L.LEFT_ANKLE), g.point(pose, L.RIGHT_ANKLE)
    if kl is None or kr is None or al is None or ar is None:
        return None
    ank = abs(float(al[0] - ar[0]))
    if ank < 1e-6:
        return None
    return abs(float(kl[0] - kr[0])) / ank


def bridge_line(pose: Pose, side: str) -> float | None:
    """Hip against the shoulder-knee line, degrees: 0 straight, + above it (arched), - below."""
    sh, hp, kn = _p(pose, side, "shoulder"), _p(pose, side, "hip"), _p(pose, side, "knee")
    if sh is None or hp is None or kn is None:
        return None
    a = g.angle_at(sh, hp, kn)
    if a is None:
        return None
    line = kn - sh
    rel = hp - sh
    cross = float(line[0] * rel[1] - line[1] * rel[0])
    # hip above the line (smaller y) when, walking from shoulder to knee, it lies on the up side
    above = cross < 0 if line[0] > 0 else cross > 0
    return (180.0 - a) if above else -(180.0 - a)


def trunk_elevation(pose: Pose, side: str) -> float | None:
    """Elevation of the hip->shoulder line above the horizontal (degrees): a curl-up's lift."""
    sh, hp = g.shoulder_centre(pose), g.hip_centre(pose)
    if sh is None or hp is None:
        return None
    v = sh - hp
    n = float(np.linalg.norm(v))
    if n < 1e-6:
        return None
    return math.degrees(math.asin(max(-1.0, min(1.0, -float(v[1]) / n))))


def hip_shift(pose: Pose, side: str) -> float | None:
    """Sideways hip shift over the feet: +1 over the left ankle, -1 over the right, 0 centred."""
    hp = g.hip_centre(pose)
    al, ar = g.point(pose, L.LEFT_ANKLE, 0.3), g.point(pose, L.RIGHT_ANKLE, 0.3)
    if hp is None or al is None or ar is None:
        return None
    axis = al - ar
    n = float(np.linalg.norm(axis))
    if n < 1e-6:
        return None
    mid = (al + ar) / 2.0
    return float(np.dot(hp - mid, axis)) / (n * n / 2.0)


SIGNALS: dict[str, Signal] = {
    s.name: s
    for s in (
        Signal("knee_flexion", "deg", "knee bend, 0 = straight leg", knee_flexion, (("hip", "knee"), ("knee", "ankle"))),
        Signal("hip_flexion", "deg", "hip bend between trunk and thigh, 0 = straight", hip_flexion, (("shoulder", "hip"), ("hip", "knee"))),
        Signal("trunk_lean", "deg", "trunk forward lean from vertical", trunk_lean, (("shoulder", "hip"),)),
        Signal("shin_lean", "deg", "shin forward lean from vertical", shin_lean, (("knee", "ankle"),)),
        Signal("back_vs_shin", "deg", "trunk lean minus shin lean (back parallel to shins = 0)", back_vs_shin, (("shoulder", "hip"),)),
        Signal("head_drop", "deg", "head hanging forward of the trunk line", head_drop, (("ear", "shoulder"),)),
        Signal("heel_height", "foot lengths", "heel above toe level, measured side", heel_height, (("heel", "toe"),)),
        Signal("heel_height_both", "foot lengths", "heel above toe level, both feet averaged", heel_height_both, (("heel", "toe"),)),
        Signal("foot_pitch", "deg", "foot angle: + heel up, - toes up", foot_pitch, (("heel", "toe"),)),
        Signal("foot_pitch_both", "deg", "foot angle over both feet: + heel up, - toes up", foot_pitch_both, (("heel", "toe"),)),
        Signal("heel_y", "leg lengths", "heel height (use relative to the start)", heel_y, (("heel", "toe"),)),
        Signal("toe_y", "leg lengths", "toe height (use relative to the start)", toe_y, (("heel", "toe"),)),
        Signal("hip_height", "leg lengths", "hip height above the ankles", hip_height, (("hip", "knee"),)),
        Signal("hip_forward", "leg lengths", "hips in front of the ankles", hip_forward, (("shoulder", "hip"), ("hip", "knee"))),
        Signal("knee_width_ratio", "ratio", "knee distance over ankle distance (front view)", knee_width_ratio, (("hip", "knee"), ("knee", "ankle"))),
        Signal("bridge_line", "deg", "hip against the shoulder-knee line: + arched, - below", bridge_line, (("shoulder", "hip"), ("hip", "knee"))),
        Signal("trunk_elevation", "deg", "upper body lift above the floor line", trunk_elevation, (("shoulder", "hip"),)),
        Signal("hip_shift", "ankle half-widths", "sideways hip shift: +1 over left ankle, -1 over right", hip_shift, (("hip", "knee"),)),
    )
}


def compute(name: str, pose: Pose, side: str) -> float | None:
    return SIGNALS[name].fn(pose, side)
