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
    # True: ``fn`` gives a height in the image in pixels (up +), which means something only as a
    # change from the start position: used relative, the engine divides that change by the leg
    # length measured at the start, so it reads in leg lengths. Measuring each frame's height in
    # that frame's own leg length would not do: a 2% wobble of the leg's landmarks, multiplied by
    # the height's distance from the top of the picture, is as large as a heel raise.
    start_scaled: bool = False


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


def body_height_px(pose: Pose, side: str) -> float | None:
    """Height of the hips and shoulders in the image, pixels, up + (mean of the hip centre and the
    shoulder centre). Only meaningful relative to the start position with a still camera: rising
    onto the toes lifts the whole body by about half to two thirds of the heel's lift, and that rise is
    seen clearly even from angles where the feet are not (toes on a rug, a foot hidden behind
    the other, the camera in front or behind)."""
    hp, sh = g.hip_centre(pose), g.shoulder_centre(pose)
    if hp is None or sh is None:
        return None
    return -float(hp[1] + sh[1]) / 2.0


def hip_height_px(pose: Pose, side: str) -> float | None:
    """Hip centre above the ankles in pixels (start-scaled: relative only).

    The squat's depth seen from the front: the hips' drop from standing in leg lengths measured
    at the start. Per-frame body lengths do not serve here: from the front the thighs and the
    shins both shorten in the image as the knees come forward, so a height divided by either
    hardly moves until the squat is deep (``hip_height_shins`` even rises a little down to about
    60 degrees of knee bend). Measured from the ankles, so a camera that drifts up or down a
    little does not change it."""
    hp = g.hip_centre(pose)
    an = g.midpoint(pose, L.LEFT_ANKLE, L.RIGHT_ANKLE, 0.3)
    if an is None:
        an = _p(pose, side, "ankle", 0.3)
    if hp is None or an is None:
        return None
    return float(an[1] - hp[1])


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


def hip_height_shins(pose: Pose, side: str) -> float | None:
    """Hip-centre height above the ankles in shin lengths (knee to ankle): falls as one squats.

    Made for a front camera: seen from the front the thighs shorten in the image as they come
    forward in a squat, so ``hip_height`` (per leg length) hardly moves, while the shins stay
    near their length. Standing is about 2; use it relative to the start position.
    """
    hp = g.hip_centre(pose)
    if hp is None:
        return None
    heights = []
    for s in ("L", "R"):
        kn, an = _p(pose, s, "knee"), _p(pose, s, "ankle")
        if kn is None or an is None:
            continue
        shin = float(np.linalg.norm(kn - an))
        if shin > 1e-6:
            heights.append(float(an[1] - hp[1]) / shin)
    return float(np.mean(heights)) if heights else None


def hip_ahead(pose: Pose, side: str) -> float | None:
    """Hips in front of the ankles, in leg lengths (+ forward, - back; side view).

    "Forward" is the way the measured foot points (heel to toes), so the sign holds whichever
    way the person faces. Use it relative to the start position: a rise onto the toes should
    lift the body straight up, not sway the hips forward.
    """
    hp = g.hip_centre(pose)
    an = g.midpoint(pose, L.LEFT_ANKLE, L.RIGHT_ANKLE, 0.3)
    if an is None:
        an = _p(pose, side, "ankle", 0.3)
    he, to = _p(pose, side, "heel", 0.3), _p(pose, side, "toe", 0.3)
    leg = _leg_scale(pose)
    if hp is None or an is None or he is None or to is None or leg is None:
        return None
    facing = float(to[0] - he[0])
    if abs(facing) < 1e-6:
        return None
    return float(hp[0] - an[0]) * (1.0 if facing > 0 else -1.0) / leg


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
    ear = _p(pose, side, "ear", 0.3)
    if ear is None:
        ear = _p(pose, g.other(side), "ear", 0.3)
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


# ----- holds and one-sided positions (glute and calf stretches, core bracing, weight shift) -----
# These pick the leg that matters themselves (the crossed leg, the back leg) instead of using the
# better-seen side, so they work whichever way the person faces and whichever leg is worked.


def _ankle_to_other_knee(pose: Pose, side: str) -> float | None:
    """Distance from this side's ankle to the other leg's knee, in leg lengths."""
    an, kn = _p(pose, side, "ankle", 0.3), _p(pose, g.other(side), "knee", 0.3)
    leg = _leg_scale(pose)
    if an is None or kn is None or leg is None:
        return None
    return float(np.linalg.norm(an - kn)) / leg


def crossed_ankle_gap(pose: Pose, side: str) -> float | None:
    """How close the crossed ankle rests to the other knee, in leg lengths (the smaller of the two
    ankle-to-opposite-knee distances). Lying or sitting with both feet down it is about half a
    leg length or more; with an ankle laid on the other knee about 0.1-0.2."""
    vals = [v for v in (_ankle_to_other_knee(pose, "L"), _ankle_to_other_knee(pose, "R")) if v is not None]
    return min(vals) if vals else None


def crossed_side(pose: Pose, side: str) -> float | None:
    """Which leg is crossed over the other (its ankle on the other knee): + left, - right, -1..1.

    The difference of the two ankle-to-opposite-knee distances over their sum, so near 0 when
    neither leg is crossed; image distances, so it works seen from the side or the front."""
    a, b = _ankle_to_other_knee(pose, "L"), _ankle_to_other_knee(pose, "R")
    if a is None or b is None or a + b < 1e-6:
        return None
    return (b - a) / (a + b)


def _crossed_leg(pose: Pose, margin: float = 0.15) -> str | None:
    c = crossed_side(pose, "L")
    if c is None or abs(c) < margin:
        return None
    return "L" if c > 0 else "R"


def hip_flexion_max(pose: Pose, side: str) -> float | None:
    """The larger hip flexion of the two legs (degrees): a knee pulled toward the chest."""
    vals = [v for v in (hip_flexion(pose, "L"), hip_flexion(pose, "R")) if v is not None]
    return max(vals) if vals else None


def _shin_tilt(pose: Pose, side: str) -> float | None:
    kn, an = _p(pose, side, "knee", 0.3), _p(pose, side, "ankle", 0.3)
    return None if kn is None or an is None else g.angle_to_vertical(kn, an)


def shin_tilt_max(pose: Pose, side: str) -> float | None:
    """The more tilted shin's angle from vertical (degrees). Sitting seen from the front, shins
    hang near vertical (under 15°); a shin laid across the other knee shows 60-90°."""
    vals = [v for v in (_shin_tilt(pose, "L"), _shin_tilt(pose, "R")) if v is not None]
    return max(vals) if vals else None


def crossed_knee_height(pose: Pose, side: str) -> float | None:
    """Height of the crossed leg's knee above the hip centre, in torso lengths (+ above).

    Seated glute stretch from the front: crossing the leg lifts its knee above the hips;
    pressing the knee down brings it level with or below them. None when no leg is crossed."""
    leg = _crossed_leg(pose)
    if leg is None:
        return None
    kn, hp, torso = _p(pose, leg, "knee", 0.3), g.hip_centre(pose), g.torso_length(pose)
    if kn is None or hp is None or torso is None:
        return None
    return float(hp[1] - kn[1]) / torso


def _facing_x(pose: Pose) -> float | None:
    """Which way the person faces along the image x axis (side or oblique view): + right, - left.

    The mean direction of heel->toes of the seen feet and of ears->nose, each -1..1; None when
    the cues are too weak to tell (e.g. facing the camera)."""
    terms = []
    for s in ("L", "R"):
        he, to = _p(pose, s, "heel", 0.3), _p(pose, s, "toe", 0.3)
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
    al, ar = _p(pose, "L", "ankle", 0.3), _p(pose, "R", "ankle", 0.3)
    if f is None or al is None or ar is None:
        return None
    return "L" if (al[0] - ar[0]) * f < 0 else "R"


def stance_split(pose: Pose, side: str) -> float | None:
    """Front-to-back distance between the ankles in leg lengths (side view): a step back for a
    calf stretch is about 0.8-1.0; standing with the feet together about 0."""
    al, ar = _p(pose, "L", "ankle", 0.3), _p(pose, "R", "ankle", 0.3)
    leg = _leg_scale(pose)
    if al is None or ar is None or leg is None:
        return None
    return abs(float(al[0] - ar[0])) / leg


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


BACK_HEEL_KNEE_MAX = 30.0  # back_heel_lift is not measured past this much back-knee bend


def back_heel_lift(pose: Pose, side: str) -> float | None:
    """Heel of the leg stepped back above its toes' level, in foot lengths (side view).

    Measured only while the back knee is fairly straight (at most BACK_HEEL_KNEE_MAX degrees):
    with a bent knee the ankle bends sharply and the pose model puts the heel point up the
    Achilles tendon, which would read as a lifted heel."""
    leg = _back_leg(pose)
    if leg is None:
        return None
    kf = knee_flexion(pose, leg)
    if kf is None or kf > BACK_HEEL_KNEE_MAX:
        return None
    return heel_height(pose, leg)


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
        Signal("body_rise", "leg lengths", "hips and shoulders risen above the start position (relative only, still camera)",
               body_height_px, (("shoulder", "hip"), ("hip", "knee")), start_scaled=True),
        Signal("hip_height_start", "leg lengths", "hips above the ankles compared with the start (relative only; front view squat depth)",
               hip_height_px, (("hip", "knee"), ("knee", "ankle")), start_scaled=True),
        Signal("hip_height", "leg lengths", "hip height above the ankles", hip_height, (("hip", "knee"),)),
        Signal("hip_forward", "leg lengths", "hips in front of the ankles", hip_forward, (("shoulder", "hip"), ("hip", "knee"))),
        Signal("knee_width_ratio", "ratio", "knee distance over ankle distance (front view)", knee_width_ratio, (("hip", "knee"), ("knee", "ankle"))),
        Signal("hip_height_shins", "shin lengths", "hip height above the ankles (front view squat depth)", hip_height_shins, (("hip", "knee"), ("knee", "ankle"))),
        Signal("hip_ahead", "leg lengths", "hips in front of the ankles (+ forward, side view)", hip_ahead, (("shoulder", "hip"), ("hip", "knee"))),
        Signal("bridge_line", "deg", "hip against the shoulder-knee line: + arched, - below", bridge_line, (("shoulder", "hip"), ("hip", "knee"))),
        Signal("trunk_elevation", "deg", "upper body lift above the floor line", trunk_elevation, (("shoulder", "hip"),)),
        Signal("hip_shift", "ankle half-widths", "sideways hip shift: +1 over left ankle, -1 over right", hip_shift, (("hip", "knee"),)),
        Signal("chin_tuck", "deg", "face turned toward the chest against the trunk (relative: + chin tucked)", chin_tuck, (("ear", "shoulder"),)),
        Signal("shoulder_roll", "torso lengths", "which shoulder leads a lift (side view, relative): + left, - right", shoulder_roll, (("shoulder", "hip"),)),
        Signal("hip_lift", "torso lengths", "hip height above the shoulders (lying: a bridge's lift)", hip_lift, (("shoulder", "hip"),)),
        Signal("crossed_ankle_gap", "leg lengths", "crossed ankle to the other knee (small = leg crossed)", crossed_ankle_gap, (("knee", "ankle"),)),
        Signal("crossed_side", "ratio", "which leg is crossed over the other: + left, - right", crossed_side, (("knee", "ankle"),)),
        Signal("hip_flexion_max", "deg", "larger hip flexion of the two legs (knee toward the chest)", hip_flexion_max, (("hip", "knee"),)),
        Signal("shin_tilt_max", "deg", "the more tilted shin from vertical (front view: a shin across the other knee)", shin_tilt_max, (("knee", "ankle"),)),
        Signal("crossed_knee_height", "torso lengths", "crossed leg's knee above the hip centre (+ above)", crossed_knee_height, (("hip", "knee"),)),
        Signal("stance_split", "leg lengths", "front-to-back distance between the ankles (side view)", stance_split, (("hip", "knee"), ("knee", "ankle"))),
        Signal("back_leg_side", "sign", "the leg stepped back: +1 left, -1 right", back_leg_side, (("knee", "ankle"),)),
        Signal("back_knee_flexion", "deg", "knee bend of the leg stepped back, 0 = straight", back_knee_flexion, (("hip", "knee"), ("knee", "ankle"))),
        Signal("front_knee_flexion", "deg", "knee bend of the front leg, 0 = straight", front_knee_flexion, (("hip", "knee"), ("knee", "ankle"))),
        Signal("back_heel_lift", "foot lengths", "heel of the leg stepped back above its toes (side view)", back_heel_lift, (("heel", "toe"),)),
    )
}


def compute(name: str, pose: Pose, side: str) -> float | None:
    return SIGNALS[name].fn(pose, side)


def body_scale(pose: Pose) -> float | None:
    """The body length start-scaled signals are divided by (leg length in pixels)."""
    return _leg_scale(pose)
