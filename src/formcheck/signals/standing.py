"""Standing exercises' signals (squat, heel raise, toe-heel, weight shift): joint angles, the
feet, and the hips' height and position over the ankles."""

from __future__ import annotations

import math

import numpy as np

from formcheck.core.pose import Landmark as L
from formcheck.core.pose import Pose
from formcheck.signals import geometry as g
from formcheck.signals.base import (
    Signal,
    angle,
    ankle_centre,
    foot_length,
    leg_scale,
    mean_over_sides,
    part,
)


def knee_flexion(pose: Pose, side: str) -> float | None:
    a = angle(pose, side, "hip", "knee", "ankle")
    return None if a is None else 180.0 - a


def hip_flexion(pose: Pose, side: str) -> float | None:
    a = angle(pose, side, "shoulder", "hip", "knee")
    return None if a is None else 180.0 - a


def trunk_lean(pose: Pose, side: str) -> float | None:
    sh, hp = part(pose, side, "shoulder"), part(pose, side, "hip")
    return None if sh is None or hp is None else g.angle_to_vertical(sh, hp)


def shin_lean(pose: Pose, side: str) -> float | None:
    kn, an = part(pose, side, "knee"), part(pose, side, "ankle")
    return None if kn is None or an is None else g.angle_to_vertical(kn, an)


def back_vs_shin(pose: Pose, side: str) -> float | None:
    """Trunk lean minus shin lean: in a good squat the back stays about parallel to the shins."""
    t, s = trunk_lean(pose, side), shin_lean(pose, side)
    return None if t is None or s is None else t - s


def head_drop(pose: Pose, side: str) -> float | None:
    """How far the head hangs forward of the trunk line (degrees at the shoulder)."""
    a = angle(pose, side, "ear", "shoulder", "hip")
    return None if a is None else 180.0 - a


def heel_height(pose: Pose, side: str) -> float | None:
    """Height of the heel above the toes' level, in foot lengths (up is positive)."""
    he, to = part(pose, side, "heel", 0.3), part(pose, side, "toe", 0.3)
    fl = foot_length(pose, side)
    if he is None or to is None or fl is None:
        return None
    return float(to[1] - he[1]) / fl


def foot_pitch(pose: Pose, side: str) -> float | None:
    """Angle of the foot (heel to toes) to the horizontal: + heel up (on the toes), - toes up."""
    he, to = part(pose, side, "heel", 0.3), part(pose, side, "toe", 0.3)
    if he is None or to is None:
        return None
    dx = abs(float(to[0] - he[0]))
    return math.degrees(math.atan2(float(to[1] - he[1]), max(dx, 1e-6)))


def ankle_lift(pose: Pose, side: str) -> float | None:
    """The ankle's height above the toes, in shin lengths (knee to ankle: the one leg segment
    that keeps its length in the image through a squat seen from the side). The foot's pitch
    alone reads heels lifting where they are not: the pose model pulls the heel point up the back
    of the shoe as the shin tips forward. A heel truly coming off the floor turns the foot on the
    ball and lifts the ankle with it; flat on the floor the ankle stays where it stood. Use it
    relative to the start."""
    an, to, kn = part(pose, side, "ankle", 0.3), part(pose, side, "toe", 0.3), part(pose, side, "knee")
    if an is None or to is None or kn is None:
        return None
    shin = float(np.linalg.norm(kn - an))
    return float(to[1] - an[1]) / shin if shin > 1e-6 else None


def foot_pitch_both(pose: Pose, side: str) -> float | None:
    """Foot pitch averaged over the feet that are seen (both feet should rise together)."""
    return mean_over_sides(foot_pitch, pose)


def heel_height_both(pose: Pose, side: str) -> float | None:
    return mean_over_sides(heel_height, pose)


def heel_lift(pose: Pose, side: str) -> float | None:
    """Heel above the toes in shank lengths (knee to ankle), up +, toes up -: one foot.

    Made for a camera in front or behind, where the foot points at the lens and its length in
    the image (heel_height's unit) shrinks to nothing, so a heel raise barely moves heel_height.
    The heel's rise over the toes is a vertical distance in the image, seen from any horizontal
    view, and the shank stands upright beside it, so its length holds while the heel rises.
    Measured inside one frame (heel, toes and shank together), a camera that pans or drifts does
    not move it. Use it relative to standing with the feet flat."""
    he, to = part(pose, side, "heel", 0.3), part(pose, side, "toe", 0.3)
    kn, an = part(pose, side, "knee"), part(pose, side, "ankle", 0.3)
    if he is None or to is None or kn is None or an is None:
        return None
    shank = float(np.linalg.norm(kn - an))
    return None if shank < 1e-6 else float(to[1] - he[1]) / shank


def heel_lift_both(pose: Pose, side: str) -> float | None:
    """heel_lift averaged over the feet that are seen (both heels rise together; the mean
    halves one heel point's jitter, and a walking step, one heel up while the other stands, reads
    half)."""
    return mean_over_sides(heel_lift, pose)


def heel_y(pose: Pose, side: str) -> float | None:
    """Heel height in leg lengths, up positive; use relative to the start (a lift)."""
    he = part(pose, side, "heel", 0.3)
    leg = leg_scale(pose)
    return None if he is None or leg is None else -float(he[1]) / leg


def toe_y(pose: Pose, side: str) -> float | None:
    to = part(pose, side, "toe", 0.3)
    leg = leg_scale(pose)
    return None if to is None or leg is None else -float(to[1]) / leg


def hip_height(pose: Pose, side: str) -> float | None:
    """Hip-centre height in leg lengths above the ankles (falls as one squats)."""
    h, leg = hip_height_px(pose, side), leg_scale(pose)
    return None if h is None or leg is None else h / leg


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


def ankle_height_px(pose: Pose, side: str) -> float | None:
    """Height of one ankle in the image in pixels, up + (start-scaled: relative only, still camera).

    Rising onto the toes lifts the ankle joint by as much as the hips (the legs above it stay
    straight), on both legs at once; a walking step lifts one foot while the other stands. The
    ankle (the malleoli) is seen from the front and from behind, where the pose model misplaces
    the heel and the toes: from behind it moves the hidden toe point up with the heel, so the
    heel's rise over the toes reads nothing there (rendered clips from behind: 0.00-0.02 shank
    lengths for a 9 cm rise, while both ankles rise 0.06-0.08 leg lengths with the hips)."""
    an = part(pose, side, "ankle", 0.3)
    return None if an is None else -float(an[1])


def hip_height_px(pose: Pose, side: str) -> float | None:
    """Hip centre above the ankles in pixels (start-scaled: relative only).

    The squat's depth seen from the front: the hips' drop from standing in leg lengths measured
    at the start. Per-frame body lengths do not serve here: from the front the thighs and the
    shins both shorten in the image as the knees come forward, so a height divided by either
    hardly moves until the squat is deep (``hip_height_shins`` even rises a little down to about
    60 degrees of knee bend). Measured from the ankles, so a camera that drifts up or down a
    little does not change it."""
    hp = g.hip_centre(pose)
    an = ankle_centre(pose, side)
    if hp is None or an is None:
        return None
    return float(an[1] - hp[1])


def hip_forward(pose: Pose, side: str) -> float | None:
    """Horizontal hip position relative to the ankles, in leg lengths (sway when relative)."""
    hp = g.hip_centre(pose)
    an = ankle_centre(pose, side)
    leg = leg_scale(pose)
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
        kn, an = part(pose, s, "knee"), part(pose, s, "ankle")
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
    an = ankle_centre(pose, side)
    he, to = part(pose, side, "heel", 0.3), part(pose, side, "toe", 0.3)
    leg = leg_scale(pose)
    if hp is None or an is None or he is None or to is None or leg is None:
        return None
    facing = float(to[0] - he[0])
    if abs(facing) < 1e-6:
        return None
    return float(hp[0] - an[0]) * (1.0 if facing > 0 else -1.0) / leg


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


FAMILY: tuple[Signal, ...] = (
    Signal("knee_flexion", "deg", "knee bend, 0 = straight leg", knee_flexion, (("hip", "knee"), ("knee", "ankle"))),
    Signal("hip_flexion", "deg", "hip bend between trunk and thigh, 0 = straight", hip_flexion, (("shoulder", "hip"), ("hip", "knee"))),
    Signal("trunk_lean", "deg", "trunk forward lean from vertical", trunk_lean, (("shoulder", "hip"),)),
    Signal("shin_lean", "deg", "shin forward lean from vertical", shin_lean, (("knee", "ankle"),)),
    Signal("back_vs_shin", "deg", "trunk lean minus shin lean (back parallel to shins = 0)", back_vs_shin, (("shoulder", "hip"),)),
    Signal("head_drop", "deg", "head hanging forward of the trunk line", head_drop, (("ear", "shoulder"),)),
    Signal("heel_height", "foot lengths", "heel above toe level, measured side", heel_height, (("heel", "toe"),)),
    Signal("heel_height_both", "foot lengths", "heel above toe level, both feet averaged", heel_height_both, (("heel", "toe"),), both_sides=True),
    Signal("foot_pitch", "deg", "foot angle: + heel up, - toes up", foot_pitch, (("heel", "toe"),)),
    Signal("ankle_lift", "shin lengths", "ankle above the toes (use relative to the start: + the ankle rose, as a heel lift raises it)",
           ankle_lift, (("knee", "ankle"), ("heel", "toe"))),
    Signal("foot_pitch_both", "deg", "foot angle over both feet: + heel up, - toes up", foot_pitch_both, (("heel", "toe"),), both_sides=True),
    Signal("heel_lift", "shank lengths", "heel above the toes in shank lengths (any horizontal view)", heel_lift, (("heel", "toe"), ("knee", "ankle"))),
    Signal("heel_lift_both", "shank lengths", "heel above the toes in shank lengths, both feet averaged (front or behind)",
           heel_lift_both, (("heel", "toe"), ("knee", "ankle")), both_sides=True),
    Signal("heel_y", "leg lengths", "heel height (use relative to the start)", heel_y, (("heel", "toe"),)),
    Signal("toe_y", "leg lengths", "toe height (use relative to the start)", toe_y, (("heel", "toe"),)),
    Signal("body_rise", "leg lengths", "hips and shoulders risen above the start position (relative only, still camera)",
           body_height_px, (("shoulder", "hip"), ("hip", "knee")), start_scaled=True),
    Signal("ankle_rise", "leg lengths", "one ankle risen above the start position (relative only, still camera)",
           ankle_height_px, (("knee", "ankle"),), start_scaled=True),
    Signal("hip_height_start", "leg lengths", "hips above the ankles compared with the start (relative only; front view squat depth)",
           hip_height_px, (("hip", "knee"), ("knee", "ankle")), start_scaled=True),
    Signal("hip_height", "leg lengths", "hip height above the ankles", hip_height, (("hip", "knee"),)),
    Signal("hip_forward", "leg lengths", "hips in front of the ankles", hip_forward, (("shoulder", "hip"), ("hip", "knee"))),
    Signal("knee_width_ratio", "ratio", "knee distance over ankle distance (front view)", knee_width_ratio, (("hip", "knee"), ("knee", "ankle")), both_sides=True),
    Signal("hip_height_shins", "shin lengths", "hip height above the ankles (front view squat depth)", hip_height_shins, (("hip", "knee"), ("knee", "ankle"))),
    Signal("hip_ahead", "leg lengths", "hips in front of the ankles (+ forward, side view)", hip_ahead, (("shoulder", "hip"), ("hip", "knee"))),
    Signal("hip_shift", "ankle half-widths", "sideways hip shift: +1 over left ankle, -1 over right", hip_shift, (("hip", "knee"),), both_sides=True),
)
