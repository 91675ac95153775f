"""Lying exercises' signals (pelvic lift, curl-ups): the bridge, the trunk's lift off the floor,
the head's tuck and which shoulder leads."""

from __future__ import annotations

import math

import numpy as np

from formcheck.core.pose import Landmark as L
from formcheck.core.pose import Pose
from formcheck.signals import geometry as g
from formcheck.signals.base import Signal, part


def bridge_line(pose: Pose, side: str) -> float | None:
    """Hip against the shoulder-knee line, degrees: 0 straight, + above it (arched), - below."""
    sh, hp, kn = part(pose, side, "shoulder"), part(pose, side, "hip"), part(pose, side, "knee")
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


def trunk_elevation_3d(pose: Pose, side: str) -> float | None:
    """Elevation of the hip->shoulder line above the camera's horizontal plane (degrees), on the
    pose model's 3-D (world) landmarks: a curl-up's lift seen from the foot or head end, where the
    image line points at the camera and its 2-D angle stays near 90 whatever the trunk does. The
    model's depth is coarse, so a lift reads smaller than it is (a rendered curl-up from the foot
    end: 22-30 lying, 45-50 curled). None without world landmarks (all zero: not from the model)."""
    w = pose.world
    if w is None or not np.any(w):
        return None
    v = (w[L.LEFT_SHOULDER] + w[L.RIGHT_SHOULDER] - w[L.LEFT_HIP] - w[L.RIGHT_HIP]) / 2.0
    flat = float(np.hypot(v[0], v[2]))
    if flat < 1e-9 and abs(float(v[1])) < 1e-9:
        return None
    return math.degrees(math.atan2(-float(v[1]), flat))  # world y points down


def hip_lift(pose: Pose, side: str) -> float | None:
    """Hip centre height above the shoulder centre, in torso lengths (image vertical, up +).

    Lying on the back seen from the side both are on the floor (about 0); a bridge lifts the
    hips. From an oblique camera the floor is not level in the image, so use it relative to the
    start position.
    """
    sh, hp, torso = g.shoulder_centre(pose), g.hip_centre(pose), g.torso_length(pose)
    if sh is None or hp is None or torso is None:
        return None
    return float(sh[1] - hp[1]) / torso


def chin_tuck(pose: Pose, side: str) -> float | None:
    """How far the face is turned toward the chest, degrees: 90 minus the angle between the
    face line (ear to nose) and the trunk (shoulder to hip). Use relative to lying: + = chin
    tucked, - = head tipped back. It follows the head's own rotation, which the ear's position
    against the shoulder does not show (the head also slides forward as the trunk curls)."""
    ear = part(pose, side, "ear", 0.3)
    if ear is None:
        ear = part(pose, g.other(side), "ear", 0.3)
    nose = g.point(pose, L.NOSE, 0.3)
    sh, hp = g.shoulder_centre(pose), g.hip_centre(pose)
    if ear is None or nose is None or sh is None or hp is None:
        return None
    face, trunk = nose - ear, hp - sh
    nf, nt = float(np.linalg.norm(face)), float(np.linalg.norm(trunk))
    if nf < 1e-6 or nt < 1e-6:
        return None
    cos = float(np.dot(face, trunk)) / (nf * nt)
    return 90.0 - math.degrees(math.acos(max(-1.0, min(1.0, cos))))


FAR_SHOULDER_WEIGHT = 0.6  # the far shoulder is mostly hidden by the chest: the pose model guesses
# it and tends to lift it along with the near one, so its lift counts at 60%


def shoulder_roll(pose: Pose, side: str) -> float | None:
    """Which shoulder leads a lift, seen from the side: + left, - right (use relative to lying).

    ``side`` is the shoulder nearer the camera. Each shoulder's lift is its height above the hip
    centre in torso lengths; when the near shoulder lifts toward the far thigh it rises clearly,
    when the far one lifts the trunk turns over the near shoulder, which stays down.
    """
    near = g.point(pose, g.SIDES[side]["shoulder"], 0.3)
    far = g.point(pose, g.SIDES[g.other(side)]["shoulder"], 0.1)
    hp, torso = g.hip_centre(pose), g.torso_length(pose)
    if near is None or far is None or hp is None or torso is None:
        return None
    lead = float(hp[1] - near[1]) / torso - FAR_SHOULDER_WEIGHT * float(hp[1] - far[1]) / torso
    return lead if side == "L" else -lead


FAMILY: tuple[Signal, ...] = (
    Signal("bridge_line", "deg", "hip against the shoulder-knee line: + arched, - below", bridge_line, (("shoulder", "hip"), ("hip", "knee"))),
    Signal("trunk_elevation", "deg", "upper body lift above the floor line", trunk_elevation, (("shoulder", "hip"),)),
    Signal("trunk_elevation_3d", "deg", "upper body lift above level, in 3-D (seen from the foot or head end)", trunk_elevation_3d, (("shoulder", "hip"),)),
    Signal("chin_tuck", "deg", "face turned toward the chest against the trunk (relative: + chin tucked)", chin_tuck, (("ear", "shoulder"),)),
    Signal("shoulder_roll", "torso lengths", "which shoulder leads a lift (side view, relative): + left, - right", shoulder_roll, (("shoulder", "hip"),)),
    Signal("hip_lift", "torso lengths", "hip height above the shoulders (lying: a bridge's lift)", hip_lift, (("shoulder", "hip"),)),
)
