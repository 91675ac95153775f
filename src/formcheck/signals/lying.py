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


# A hip extends at most about 20-30 degrees past the trunk's line; a side reading more than this
# is the pose model turning the body over (seen from the foot end at the top of a bridge, when the
# hips hide the face, it reads 150-180), not a movement.
HIP_EXTENSION_MAX = 60.0


def _world(pose: Pose) -> np.ndarray | None:
    """The pose model's 3-D (world) landmarks, None when it gave none (all zero)."""
    w = pose.world
    return w if w is not None and np.any(w) else None


def hip_extension_3d(pose: Pose, side: str) -> float | None:
    """The hip's extension in 3-D, degrees, as the bridge line reads it from the side: 0 with the
    thigh in line with the trunk, - flexed (lying with the knees bent about -40 to -60), + past
    the line. On the pose model's world landmarks, in the body's own sagittal plane: the thigh's
    sideways part (knees out in a frog pump, a knee falling in) is taken off first, so only
    flexion and extension are measured, and of the two thighs the more extended one is taken
    (the working leg of a one-leg bridge; the free leg may be held up). Seen from the foot end
    or at an angle the image angles collapse (the thighs and the trunk point at the camera);
    the model's coarse depth makes a lift read a little larger or smaller than it is, but its
    change from lying is there from every side. ``side`` is not used. None without world
    landmarks."""
    w = _world(pose)
    if w is None:
        return None
    hip = (w[L.LEFT_HIP] + w[L.RIGHT_HIP]) / 2.0
    up = (w[L.LEFT_SHOULDER] + w[L.RIGHT_SHOULDER]) / 2.0 - hip  # trunk, toward the head
    across = (w[L.LEFT_HIP] - w[L.RIGHT_HIP]) + (w[L.LEFT_SHOULDER] - w[L.RIGHT_SHOULDER])  # toward the left
    n_up = float(np.linalg.norm(up))
    if n_up < 1e-6:
        return None
    up = up / n_up
    across = across - float(np.dot(across, up)) * up  # square to the trunk
    n_across = float(np.linalg.norm(across))
    if n_across < 1e-6:
        return None
    across = across / n_across
    best = None
    for h, k in ((L.LEFT_HIP, L.LEFT_KNEE), (L.RIGHT_HIP, L.RIGHT_KNEE)):
        thigh = w[k] - w[h]
        thigh = thigh - float(np.dot(thigh, across)) * across  # the sagittal part
        if float(np.linalg.norm(thigh)) < 1e-6:
            continue
        # flexion: the thigh turned from the trunk's line (-up) toward the front, about -across
        flexion = math.degrees(math.atan2(float(np.dot(np.cross(up, thigh), across)), float(np.dot(-up, thigh))))
        ext = -flexion
        if ext > HIP_EXTENSION_MAX:  # no hip opens that far: the model turned the body over
            continue
        best = ext if best is None else max(best, ext)
    return best


def hip_lift(pose: Pose, side: str) -> float | None:
    """Hip centre height above the shoulder centre, in torso lengths (image vertical, up +).

    Lying on the back seen from the side both are on the floor (about 0); a bridge lifts the
    hips. From an oblique camera the floor is not level in the image, so use it relative to the
    start position. Seen from the foot end the trunk is short in the picture and the hips rise
    up to and past the shoulders there: measured in the shoulders' width where the torso looks
    shorter (geometry.trunk_size), else every lift would read as the whole torso length.
    """
    sh, hp, torso = g.shoulder_centre(pose), g.hip_centre(pose), g.trunk_size(pose)
    if sh is None or hp is None or torso is None:
        return None
    return float(sh[1] - hp[1]) / torso


def hip_image_height_px(pose: Pose, side: str) -> float | None:
    """The hip centre's height in the image in pixels, up + (start-scaled: relative only, still
    camera; divided by the legs' length in the picture at the start, so from the foot end, where
    the legs look short, a leg length is fewer centimetres)."""
    hp = g.hip_centre(pose)
    return None if hp is None else -float(hp[1])


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
    Signal("hip_extension_3d", "deg", "hip extension in 3-D (seen from the foot end or at an angle): 0 straight, - flexed", hip_extension_3d, (("shoulder", "hip"), ("hip", "knee"))),
    Signal("hip_lift", "torso lengths", "hip height above the shoulders (lying: a bridge's lift)", hip_lift, (("shoulder", "hip"),)),
    Signal("hip_rise", "leg lengths", "hips risen in the picture above the start position (relative only, still camera)",
           hip_image_height_px, (("shoulder", "hip"),), start_scaled=True),
)
