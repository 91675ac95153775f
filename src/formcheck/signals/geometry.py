"""Geometry on a Pose as pure functions. Angles are in degrees, measured in pixels so that the
image's aspect ratio does not bend them; distances are divided by a body length, never pixels.

Every function returns ``None`` when a landmark it needs is poorly seen: no silent angle from a
hidden limb.
"""

from __future__ import annotations

import math

import numpy as np

from formcheck.core.pose import Landmark as L
from formcheck.core.pose import Pose

MIN_VIS = 0.5

SIDES = {
    "L": {
        "shoulder": L.LEFT_SHOULDER, "elbow": L.LEFT_ELBOW, "wrist": L.LEFT_WRIST, "hip": L.LEFT_HIP,
        "knee": L.LEFT_KNEE, "ankle": L.LEFT_ANKLE, "heel": L.LEFT_HEEL, "toe": L.LEFT_FOOT_INDEX,
        "ear": L.LEFT_EAR, "eye": L.LEFT_EYE,
    },
    "R": {
        "shoulder": L.RIGHT_SHOULDER, "elbow": L.RIGHT_ELBOW, "wrist": L.RIGHT_WRIST, "hip": L.RIGHT_HIP,
        "knee": L.RIGHT_KNEE, "ankle": L.RIGHT_ANKLE, "heel": L.RIGHT_HEEL, "toe": L.RIGHT_FOOT_INDEX,
        "ear": L.RIGHT_EAR, "eye": L.RIGHT_EYE,
    },
}


def other(side: str) -> str:
    return "R" if side == "L" else "L"


def point(pose: Pose, lm: L, min_vis: float = MIN_VIS) -> np.ndarray | None:
    """Pixel position of a landmark, or None when it is poorly seen."""
    if pose.visibility[lm] < min_vis:
        return None
    return pose.px(lm)


def midpoint(pose: Pose, a: L, b: L, min_vis: float = MIN_VIS) -> np.ndarray | None:
    pa, pb = point(pose, a, min_vis), point(pose, b, min_vis)
    if pa is None or pb is None:
        return None
    return (pa + pb) / 2.0


def angle_at(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> float | None:
    """Interior angle ABC in degrees (180 = straight)."""
    v1, v2 = a - b, c - b
    n1, n2 = float(np.linalg.norm(v1)), float(np.linalg.norm(v2))
    if n1 < 1e-6 or n2 < 1e-6:
        return None
    cos = float(np.dot(v1, v2)) / (n1 * n2)
    return math.degrees(math.acos(max(-1.0, min(1.0, cos))))


def joint_angle(pose: Pose, a: L, b: L, c: L, min_vis: float = MIN_VIS) -> float | None:
    """Interior angle at landmark ``b`` between ``a`` and ``c`` in the image plane."""
    pa, pb, pc = point(pose, a, min_vis), point(pose, b, min_vis), point(pose, c, min_vis)
    if pa is None or pb is None or pc is None:
        return None
    return angle_at(pa, pb, pc)


def angle_to_vertical(top: np.ndarray, bottom: np.ndarray) -> float | None:
    """Unsigned angle of the segment bottom->top to the upward vertical, 0..180 degrees."""
    v = top - bottom
    n = float(np.linalg.norm(v))
    if n < 1e-6:
        return None
    return math.degrees(math.acos(max(-1.0, min(1.0, -v[1] / n))))


def angle_to_horizontal(a: np.ndarray, b: np.ndarray) -> float | None:
    """Elevation of the segment a->b above the horizontal, 0..90 degrees (direction-free)."""
    v = b - a
    n = float(np.linalg.norm(v))
    if n < 1e-6:
        return None
    return math.degrees(math.asin(min(1.0, abs(v[1]) / n)))


def side_visibility(pose: Pose, side: str) -> float:
    """Mean visibility of one side's hip, knee, ankle and shoulder."""
    s = SIDES[side]
    return float(np.mean(pose.visibility[[s["shoulder"], s["hip"], s["knee"], s["ankle"]]]))


def best_side(pose: Pose) -> str:
    """The better-seen side of the body ('L' or 'R'), e.g. the one facing a side camera."""
    return "L" if side_visibility(pose, "L") >= side_visibility(pose, "R") else "R"


def torso_length(pose: Pose) -> float | None:
    """Shoulder-centre to hip-centre distance in pixels: the body size we normalise by."""
    sh = _mid_any(pose, L.LEFT_SHOULDER, L.RIGHT_SHOULDER)
    hp = _mid_any(pose, L.LEFT_HIP, L.RIGHT_HIP)
    if sh is None or hp is None:
        return None
    d = float(np.linalg.norm(sh - hp))
    return d if d > 1e-6 else None


def trunk_size(pose: Pose) -> float | None:
    """The torso's length in pixels, or the shoulders' width where that is more: the trunk seen end
    on (lying, from the foot end) is short in the picture, and at the top of a bridge, the hips up
    at the shoulders' height, it is a few pixels long while the body is as big as before. The
    shoulders are 0.7-0.8 of a torso length apart, so seen from the side or the front the torso's
    length is the larger (unchanged); only a trunk foreshortened below that falls back to them."""
    torso = torso_length(pose)
    a, b = point(pose, L.LEFT_SHOULDER, 0.1), point(pose, L.RIGHT_SHOULDER, 0.1)
    width = float(np.linalg.norm(a - b)) if a is not None and b is not None else 0.0
    if torso is None:
        return None
    return max(torso, width)


def leg_length(pose: Pose, side: str) -> float | None:
    """Hip-knee plus knee-ankle length in pixels on one side."""
    s = SIDES[side]
    hip, knee, ankle = point(pose, s["hip"]), point(pose, s["knee"]), point(pose, s["ankle"])
    if hip is None or knee is None or ankle is None:
        return None
    return float(np.linalg.norm(hip - knee) + np.linalg.norm(knee - ankle))


def _mid_any(pose: Pose, a: L, b: L, min_vis: float = 0.3) -> np.ndarray | None:
    """Midpoint of two paired landmarks, or the better-seen one if only one is seen."""
    pa, pb = point(pose, a, min_vis), point(pose, b, min_vis)
    if pa is not None and pb is not None:
        return (pa + pb) / 2.0
    return pa if pa is not None else pb


def hip_centre(pose: Pose) -> np.ndarray | None:
    return _mid_any(pose, L.LEFT_HIP, L.RIGHT_HIP)


def shoulder_centre(pose: Pose) -> np.ndarray | None:
    return _mid_any(pose, L.LEFT_SHOULDER, L.RIGHT_SHOULDER)


def faces_away(pose: Pose) -> bool | None:
    """Seen from the front or from behind: True when the person's back is to the camera. Facing
    the camera, their left shoulder and hip are on the picture's right; from behind, on its left
    (the pose model names the sides by the body, not by the picture). None when the shoulders and
    the hips disagree or are not seen."""
    votes = 0
    for a, b in ((L.LEFT_SHOULDER, L.RIGHT_SHOULDER), (L.LEFT_HIP, L.RIGHT_HIP)):
        pa, pb = point(pose, a, 0.1), point(pose, b, 0.1)
        if pa is not None and pb is not None:
            votes += 1 if pa[0] < pb[0] else -1
    return None if votes == 0 else votes > 0


def classify_view(pose: Pose) -> str | None:
    """'front' (or back), 'side' or 'oblique' from shoulder and hip width against torso length.

    Seen from the side the shoulders overlap (width near 0), standing or lying; from the front
    they are about as wide as the torso is long.
    """
    torso = torso_length(pose)
    if torso is None:
        return None
    widths = []
    for a, b in ((L.LEFT_SHOULDER, L.RIGHT_SHOULDER), (L.LEFT_HIP, L.RIGHT_HIP)):
        pa, pb = point(pose, a, 0.1), point(pose, b, 0.1)
        if pa is not None and pb is not None:
            widths.append(float(np.linalg.norm(pa - pb)) / torso)
    if not widths:
        return None
    w = max(widths)
    if w < 0.22:
        return "side"
    if w > 0.45:
        return "front"
    return "oblique"
