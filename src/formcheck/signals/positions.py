"""Holds and one-sided positions (glute and calf stretches, core bracing): these pick the leg
that matters themselves (the crossed leg, the back leg) instead of using the better-seen side,
so they work whichever way the person faces and whichever leg is worked."""

from __future__ import annotations

import numpy as np

from formcheck.core.pose import Landmark as L
from formcheck.core.pose import Pose
from formcheck.signals import geometry as g
from formcheck.signals.base import Signal, leg_scale, part
from formcheck.signals.standing import heel_height, hip_flexion, knee_flexion


def _ankle_to_other_knee(pose: Pose, side: str) -> float | None:
    """Distance from this side's ankle to the other leg's knee, in leg lengths."""
    an, kn = part(pose, side, "ankle", 0.3), part(pose, g.other(side), "knee", 0.3)
    leg = leg_scale(pose)
    if an is None or kn is None or leg is None:
        return None
    return float(np.linalg.norm(an - kn)) / leg


# Seen from the side, two legs drawn up together cover each other, and the pose model then puts
# both legs' knees and both ankles on the one leg it sees (a real figure-4 stretch: knees and
# ankles 0.01-0.08 leg lengths apart for 5 s). Crossed or not cannot be told then. A leg really
# crossed keeps its ankle on the other knee, a shin's length from the other ankle (0.4-0.7 leg
# lengths on rendered crossings), so legs this close are hidden, not crossed.
LEGS_OVERLAP = 0.15  # leg lengths: both knees and both ankles this close read as one leg


def legs_overlap(pose: Pose) -> bool:
    """Both knees and both ankles on top of each other: the pose shows one leg for two."""
    leg = leg_scale(pose)
    pts = [part(pose, s, j, 0.0) for j in ("knee", "ankle") for s in ("L", "R")]
    if leg is None or any(p is None for p in pts):
        return False
    kd = float(np.linalg.norm(pts[0] - pts[1])) / leg  # type: ignore[operator]
    ad = float(np.linalg.norm(pts[2] - pts[3])) / leg  # type: ignore[operator]
    return kd < LEGS_OVERLAP and ad < LEGS_OVERLAP


def crossed_ankle_gap(pose: Pose, side: str) -> float | None:
    """How close the crossed ankle rests to the other knee, in leg lengths (the smaller of the two
    ankle-to-opposite-knee distances). Lying or sitting with both feet down it is about half a
    leg length or more; with an ankle laid on the other knee about 0.1-0.2. None (not seen) while
    the legs cover each other (legs_overlap)."""
    if legs_overlap(pose):
        return None
    vals = [v for v in (_ankle_to_other_knee(pose, "L"), _ankle_to_other_knee(pose, "R")) if v is not None]
    return min(vals) if vals else None


def crossed_side(pose: Pose, side: str) -> float | None:
    """Which leg is crossed over the other (its ankle on the other knee): + left, - right, -1..1.

    The difference of the two ankle-to-opposite-knee distances over their sum, so near 0 when
    neither leg is crossed; image distances, so it works seen from the side or the front."""
    a, b = _ankle_to_other_knee(pose, "L"), _ankle_to_other_knee(pose, "R")
    if a is None or b is None or a + b < 1e-6 or legs_overlap(pose):
        return None
    return (b - a) / (a + b)


def _crossed_leg(pose: Pose, margin: float = 0.15) -> str | None:
    c = crossed_side(pose, "L")
    if c is None or abs(c) < margin:
        return None
    return "L" if c > 0 else "R"


def hip_flexion_max(pose: Pose, side: str) -> float | None:
    """The larger hip flexion of the two legs (degrees): a knee pulled toward the chest.

    On the pose model's 3-D (world) landmarks when it gives them: lying seen from the side the
    far leg is hidden and its image landmarks are dropped as unseen, and in a figure-4 the far
    leg is the crossed one, the more bent (rendered: 105-115 degrees against the near leg's
    63-65 in the image; in 3-D 93-124 for both sides and bodies). Without world landmarks, the
    image angles of the legs seen."""
    w = pose.world
    if w is not None and np.any(w):
        vals = [_angle_3d(w[g.SIDES[s]["shoulder"]], w[g.SIDES[s]["hip"]], w[g.SIDES[s]["knee"]]) for s in ("L", "R")]
        good = [180.0 - v for v in vals if v is not None]
        if good:
            return max(good)
    vals2 = [v for v in (hip_flexion(pose, "L"), hip_flexion(pose, "R")) if v is not None]
    return max(vals2) if vals2 else None


def _angle_3d(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> float | None:
    """The angle at ``b`` between ``a`` and ``c`` (degrees); None when a side has no length."""
    u, v = a - b, c - b
    n = float(np.linalg.norm(u) * np.linalg.norm(v))
    if n < 1e-12:
        return None
    return float(np.degrees(np.arccos(np.clip(float(u @ v) / n, -1.0, 1.0))))


def _shin_tilt(pose: Pose, side: str) -> float | None:
    kn, an = part(pose, side, "knee", 0.3), part(pose, side, "ankle", 0.3)
    return None if kn is None or an is None else g.angle_to_vertical(kn, an)


def _has_world(pose: Pose) -> bool:
    w = pose.world
    return w is not None and bool(np.any(w))


def _shin_tilt_3d(pose: Pose, side: str) -> float | None:
    """The shin's angle from vertical on the 3-D (world) landmarks (degrees, 0 hanging)."""
    w = pose.world
    d = w[g.SIDES[side]["ankle"]] - w[g.SIDES[side]["knee"]]
    n = float(np.linalg.norm(d))
    return None if n < 1e-9 else float(np.degrees(np.arccos(min(1.0, abs(float(d[1])) / n))))


# Seated, the crossed shin lies across the other knee (3-D: 54-87 degrees from vertical seen from
# the front and at 45 degrees with the crossed leg near the camera, rendered, four bodies) while
# the other hangs (2-19): 35 degrees apart or more. A shin this much more across than the other
# is the crossed one. With the crossed leg away from a 45-degree camera the model mixes the legs
# up (the hanging shin read 25-40 degrees, the crossed one 22-31): closer than this is no reading.
ACROSS_MARGIN = 30.0


def shin_tilt_max(pose: Pose, side: str) -> float | None:
    """The more tilted shin's angle from vertical (degrees). Sitting, shins hang near vertical
    (under 20°); a shin laid across the other knee shows 60-90°.

    On the 3-D (world) landmarks when the pose model gives them: seen from the front, a crossed
    ankle lying behind the other knee is often unseen in the image (visibility 0.2) and the model
    folds the shin up to a stub at the knee, which reads near vertical (a rendered left-leg
    stretch read 1° and was never timed); in 3-D it reads 79-83°. Without world landmarks, the
    image angles of the shins seen."""
    if _has_world(pose):
        vals = [v for v in (_shin_tilt_3d(pose, "L"), _shin_tilt_3d(pose, "R")) if v is not None]
        if vals:
            return max(vals)
    vals = [v for v in (_shin_tilt(pose, "L"), _shin_tilt(pose, "R")) if v is not None]
    return max(vals) if vals else None


def _across_leg(pose: Pose) -> str | None:
    """Seated: the leg whose shin lies across (3-D shin tilts ACROSS_MARGIN apart); without world
    landmarks, the image's crossed leg (ankle on the other knee)."""
    if not _has_world(pose):
        return _crossed_leg(pose)
    tl, tr = _shin_tilt_3d(pose, "L"), _shin_tilt_3d(pose, "R")
    if tl is None or tr is None or abs(tl - tr) < ACROSS_MARGIN:
        return None
    return "L" if tl > tr else "R"


def across_shin_side(pose: Pose, side: str) -> float | None:
    """Seated: which shin lies across the other knee, + left, - right (-1..1: the difference of
    the two shins' 3-D tilts over 90 degrees); None when neither does clearly. Without world
    landmarks, crossed_side (image distances)."""
    if not _has_world(pose):
        return crossed_side(pose, side)
    leg = _across_leg(pose)
    if leg is None:
        return None
    tl, tr = _shin_tilt_3d(pose, "L"), _shin_tilt_3d(pose, "R")
    return float(np.clip((tl - tr) / 90.0, -1.0, 1.0))  # type: ignore[operator]


def crossed_knee_height(pose: Pose, side: str) -> float | None:
    """Height of the crossed leg's knee above the hip centre, in torso lengths (+ above).

    Seated glute stretch from the front: crossing the leg lifts its knee above the hips;
    pressing the knee down brings it level with or below them. The crossed leg is the one whose
    shin lies across (_across_leg); the height is read in the image (the 3-D landmarks put
    seated knees 0.1-0.4 torso lengths off their true height). None when no leg is crossed."""
    leg = _across_leg(pose)
    if leg is None:
        return None
    kn, hp, torso = part(pose, leg, "knee", 0.3), g.hip_centre(pose), g.torso_length(pose)
    if kn is None or hp is None or torso is None:
        return None
    return float(hp[1] - kn[1]) / torso


def _facing_x(pose: Pose) -> float | None:
    """Which way the person faces along the image x axis (side or oblique view): + right, - left.

    The mean direction of heel->toes of the seen feet and of ears->nose, each -1..1; None when
    the cues are too weak to tell (e.g. facing the camera)."""
    terms = []
    for s in ("L", "R"):
        he, to = part(pose, s, "heel", 0.3), part(pose, s, "toe", 0.3)
        if he is not None and to is not None:
            d = to - he
            n = float(np.linalg.norm(d))
            if n > 1e-6:
                terms.append(float(d[0]) / n)
    nose = g.point(pose, L.NOSE, 0.3)
    ears = g._mid_any(pose, L.LEFT_EAR, L.RIGHT_EAR)
    if nose is not None and ears is not None:
        d = nose - ears
        n = float(np.linalg.norm(d))
        if n > 1e-6:
            terms.append(float(d[0]) / n)
    if not terms:
        return None
    f = float(np.mean(terms))
    return f if abs(f) >= 0.3 else None


def _back_leg(pose: Pose) -> str | None:
    """The leg stepped back: its ankle lies behind the other, against the way the person faces."""
    f = _facing_x(pose)
    al, ar = part(pose, "L", "ankle", 0.3), part(pose, "R", "ankle", 0.3)
    if f is None or al is None or ar is None:
        return None
    return "L" if (al[0] - ar[0]) * f < 0 else "R"


def stance_split(pose: Pose, side: str) -> float | None:
    """Front-to-back distance between the ankles in leg lengths: a step back for a calf stretch
    is 0.5-0.9, standing with the feet together under 0.2.

    Measured on the pose model's 3-D (world) landmarks, along the way the hips face (square to
    the line between the hips, level): the same from the side and at 45 degrees. In the image a
    45-degree camera shortens the step to 0.38 of a leg, under the feet side by side seen from
    the front (0.4-0.6). Without world landmarks (all zero: poses not from the model) the image's
    horizontal distance, which holds from the side only."""
    al, ar = part(pose, "L", "ankle", 0.3), part(pose, "R", "ankle", 0.3)
    if al is None or ar is None:
        return None
    w = pose.world
    if w is not None and np.any(w):
        across = (w[L.RIGHT_HIP] - w[L.LEFT_HIP])[[0, 2]]  # x right, z depth; y is vertical
        legs = [float(np.linalg.norm(w[g.SIDES[s]["hip"]] - w[g.SIDES[s]["knee"]])
                      + np.linalg.norm(w[g.SIDES[s]["knee"]] - w[g.SIDES[s]["ankle"]])) for s in ("L", "R")]
        n = float(np.linalg.norm(across))
        if n > 1e-6 and min(legs) > 1e-6:
            facing = np.array([-across[1], across[0]]) / n
            step = (w[L.LEFT_ANKLE] - w[L.RIGHT_ANKLE])[[0, 2]]
            return abs(float(step @ facing)) / float(np.mean(legs))
    leg = leg_scale(pose)
    return None if leg is None else abs(float(al[0] - ar[0])) / leg


def back_leg_side(pose: Pose, side: str) -> float | None:
    """Which leg is stepped back: +1 left, -1 right (side or oblique view)."""
    leg = _back_leg(pose)
    return None if leg is None else (1.0 if leg == "L" else -1.0)


def back_knee_flexion(pose: Pose, side: str) -> float | None:
    """Knee bend of the leg stepped back (degrees, 0 straight)."""
    leg = _back_leg(pose)
    return None if leg is None else knee_flexion(pose, leg)


def front_knee_flexion(pose: Pose, side: str) -> float | None:
    """Knee bend of the front leg (degrees, 0 straight)."""
    leg = _back_leg(pose)
    return None if leg is None else knee_flexion(pose, g.other(leg))


# back_heel_lift is not measured past this much back-knee bend: the straight back leg of the
# stretch reads 4-13° (full model, rendered clips), and on the way into and out of it, with the
# knee bending, the heel point already reads 0.39-0.42 foot lengths up with the heel down
BACK_HEEL_KNEE_MAX = 20.0


def back_heel_lift(pose: Pose, side: str) -> float | None:
    """Heel of the leg stepped back above its toes' level, in foot lengths (side view).

    Measured only while the back knee is straight (at most BACK_HEEL_KNEE_MAX degrees):
    with a bent knee the ankle bends sharply and the pose model puts the heel point up the
    Achilles tendon, which would read as a lifted heel."""
    leg = _back_leg(pose)
    if leg is None:
        return None
    kf = knee_flexion(pose, leg)
    if kf is None or kf > BACK_HEEL_KNEE_MAX:
        return None
    return heel_height(pose, leg)


FAMILY: tuple[Signal, ...] = (
    Signal("crossed_ankle_gap", "leg lengths", "crossed ankle to the other knee (small = leg crossed)", crossed_ankle_gap, (("knee", "ankle"),)),
    Signal("crossed_side", "ratio", "which leg is crossed over the other: + left, - right", crossed_side, (("knee", "ankle"),)),
    Signal("hip_flexion_max", "deg", "larger hip flexion of the two legs (knee toward the chest)", hip_flexion_max, (("hip", "knee"),)),
    Signal("shin_tilt_max", "deg", "the more tilted shin from vertical (front view: a shin across the other knee)", shin_tilt_max, (("knee", "ankle"),)),
    Signal("across_shin_side", "ratio", "seated: which shin lies across the other knee: + left, - right", across_shin_side, (("knee", "ankle"),)),
    Signal("crossed_knee_height", "torso lengths", "crossed leg's knee above the hip centre (+ above)", crossed_knee_height, (("hip", "knee"),)),
    Signal("stance_split", "leg lengths", "front-to-back distance between the ankles (side view)", stance_split, (("hip", "knee"), ("knee", "ankle"))),
    Signal("back_leg_side", "sign", "the leg stepped back: +1 left, -1 right", back_leg_side, (("knee", "ankle"),)),
    Signal("back_knee_flexion", "deg", "knee bend of the leg stepped back, 0 = straight", back_knee_flexion, (("hip", "knee"), ("knee", "ankle"))),
    Signal("front_knee_flexion", "deg", "knee bend of the front leg, 0 = straight", front_knee_flexion, (("hip", "knee"), ("knee", "ankle"))),
    Signal("back_heel_lift", "foot lengths", "heel of the leg stepped back above its toes (side view)", back_heel_lift, (("heel", "toe"),)),
)
