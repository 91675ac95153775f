"""The start posture a repetition exercise needs before counting may arm (and, lying, keep on).

Counting arms on the first frame in the posture (settle.py), so the posture check is all that
stands between footage of someone doing something else and a count. It asks for the body the
exercise's instructions start from, measured so that landmark noise on a still body cannot pass
it (the thresholds sit well outside what still bodies in the other posture read):

- lying exercises: the trunk near level in the image, and (all three counted lying exercises
  start "on your back with your knees bent") the knees bent. Lying with straight legs is
  resting, not a bridge or a curl-up about to begin.
- standing exercises: standing on the feet, the thighs pointing down from the hips. Seated, the
  hips are at knee height and the thighs level; a seated foot or hip movement is no heel raise
  or weight shift.

A check whose joints are not seen passes: the gate refuses only what it sees (a clip framed on
the lower legs has no hips to judge).
"""

from __future__ import annotations

import numpy as np

from formcheck.core.pose import Landmark as L
from formcheck.core.pose import Pose
from formcheck.engine.filters import WindowMedian
from formcheck.signals import geometry as g
from formcheck.signals.base import part
from formcheck.signals.lying import trunk_elevation_3d
from formcheck.signals.standing import knee_flexion

LYING_TRUNK_MAX_DEG = 35.0  # lying exercises start only with the trunk this close to level in the image
LYING_SETTLE_S = 0.5  # ... once the trunk has been down this long
LYING_LEFT_DEG = 65.0  # ... and stop counting (as when walking) once it is this steep: sitting or standing up
LYING_LEFT_S = 0.5  # for this long, with the hips off the floor (standing or kneeling up) ...
# ... or this long with the hips still on the floor: sitting up on the mat is the top of a sit-up
# (a bigger movement than a curl-up, which counts with a cue), not leaving the exercise, unless the
# patient stays sitting. A sit-up's top lasts 0.3-1.5 s; sitting up to rest lasts longer.
SAT_UP_S = 3.0
# Hips off the floor: the hips this many trunk lengths above the lower foot in the image (the median
# while the trunk is steep). Sitting on the floor they are level with the feet (about 0, within the
# perspective of a camera above the floor; 0.1-0.2 on the real sit-up clip), on a bench 0.3-0.7
# (the real decline-bench clip, feet hooked under the pad); kneeling up puts them a thigh above (about
# 0.9), sitting on a chair a lower leg (0.9-1), standing a whole leg (1.5-1.8).
HIPS_UP_MIN = 0.8
# Knees bent, lying: the more bent knee in the image at least this much (degrees of flexion). A
# knees-bent start with the feet on the floor reads 60-120 degrees (the real bridge and curl-up
# clips, 10th percentile of their frames; a straight-leg bridge variant 25-48); lying still with
# straight legs reads 8-15 (10th-90th percentile on the real straight-legged lying clip: the 2D
# knee angle's landmark noise). 25 is ten degrees past that noise.
KNEES_BENT_MIN_DEG = 25.0
# Standing, thighs down: the hips' height above the knees over the knees' height above the ankles,
# both sides summed. With the shins upright it is the sine of the thighs' angle below level: 1
# standing straight (0.9-1.2 read on the real and rendered standing clips), 0 with level thighs
# (0.00-0.06 on the real seated clip). 0.5 is the thighs 30 degrees below level, a half squat: a
# weight shift's 45-55 degree knee bend still leaves the loaded thigh 60 degrees or more below.
THIGHS_DOWN_MIN = 0.5
# Lying with the knees bent, seen end on (a camera at the foot end, or at about 45 degrees toward
# the feet): the trunk points along the camera's axis and reads steep in the image whatever it
# does (60-90 degrees on the real foot-end bridge and hip-thrust clips), and the pose model's 3-D
# depth is too coarse to level it (40-85). What is seen from every side is the legs: lying on the
# back with the knees bent, the knees are the body's high point and the hips rest on the floor
# below them, so thighs_down() reads below 0 (-0.4 to -1.0 from the side, median -0.5 and -0.6 on
# the real foot-end bridges); seated on a chair the thighs are level (-0.02 to 0.06 on the real
# seated clip) and standing they point down (about 1). -0.25 is a quarter of the shin's height
# below level, ten times the seated clip's spread past it. Lying, and not getting up, whatever the
# trunk reads: for a curl-up too, whose 3-D trunk from the foot end is coarse (28-48 degrees lying
# on a render from 1 m up; it still counts the rise there, count_views.front).
KNEES_ABOVE_HIPS = -0.25
# ... and the trunk short in the picture: sitting up (on a chair, or on the floor with the knees up,
# where the knees are above the hips too) the trunk shows its whole length, 1.4-1.8 shoulder widths
# (1.64-1.81 on the real seated clip, 1.5-1.6 standing facing the camera); lying with the feet
# toward the camera it runs away from it (median 0.86 on the real frog pump, 1.33 on the barbell hip
# thrust, whose trunk rests inclined on a bench).
END_ON_TORSO_MAX = 1.4
# From a camera above the feet (a laptop on a table or a shelf at the foot end, looking down) the
# knees no longer rise above the hips in the picture (the thighs read level: -0.05 to 0.1 on
# renders from 1.5 m), but the trunk is foreshortened further: it runs away from the camera at the
# camera's angle of depression and reads 0.9-1.0 shoulder widths (renders from 1.5 m and 2 m
# away). Seen square on, sitting or standing, a trunk is 1.5-1.8 shoulder widths (above): below 1.1
# it points at least 45 degrees out of the picture. With the thighs not pointing down (below a
# quarter of standing's) that is lying seen end on.
END_ON_STEEP_TORSO_MAX = 1.1
END_ON_STEEP_THIGHS_MAX = 0.25
POSTURE_WINDOW_S = 0.3  # judged on the median over this much video: one bad landmark frame does not open the gate


def hips_up(pose: Pose) -> float | None:
    """How far the hips are above the lower seen ankle, in trunk lengths (image rows); None when
    the hips, an ankle or the trunk are not seen."""
    hp, trunk = g.hip_centre(pose), g.torso_length(pose)
    ankles = [a for a in (part(pose, s, "ankle") for s in ("L", "R")) if a is not None]
    if hp is None or not ankles or not trunk:
        return None
    return float(max(a[1] for a in ankles) - hp[1]) / trunk


def knees_bent(pose: Pose) -> float | None:
    """The more bent knee's flexion in the image, degrees; None when neither knee is seen."""
    vals = [v for v in (knee_flexion(pose, s) for s in ("L", "R")) if v is not None]
    return max(vals) if vals else None


def thighs_down(pose: Pose) -> float | None:
    """Hips above the knees over knees above the ankles (image rows, both seen sides summed):
    about 1 standing, about 0 seated; None when no leg is seen whole."""
    drop = shank = 0.0
    for side in ("L", "R"):
        hp, kn, an = part(pose, side, "hip"), part(pose, side, "knee"), part(pose, side, "ankle")
        if hp is None or kn is None or an is None:
            continue
        drop += float(kn[1] - hp[1])  # image y grows downward
        shank += abs(float(an[1] - kn[1]))
    return drop / shank if shank > 0 else None


class PostureGate:
    def __init__(self, posture: str | None, trunk_counted: bool = False, counts_end_on: bool = True) -> None:
        """``posture``: a repetition exercise's ("lying" or "standing"); None (holds) passes always.
        ``trunk_counted``: the exercise counts the trunk lifting from the floor (curl-ups), so sitting
        up briefly with the hips down is its movement, too big; for any other lying exercise (a
        bridge) sitting up is leaving it. ``counts_end_on``: the exercise is counted seen end on (it has a
        count for the front view, count_views.front); one that is not (the oblique curl-up, whose
        side view's trunk angle means nothing there) does not start from the foot end, and the
        trainer asks the patient to turn."""
        self.posture = posture
        self.trunk_counted = trunk_counted
        self.counts_end_on = counts_end_on
        self._lying_since: float | None = None  # when the trunk came down
        self._upright_since: float | None = None  # when the trunk came up
        self._hips_up: list[float] = []  # hips_up() since then
        self._recent = WindowMedian(POSTURE_WINDOW_S)  # the posture measure seen lately
        self._thighs = WindowMedian(POSTURE_WINDOW_S)  # lying: thighs_down() lately (seen end on)
        self._thighs_at: tuple[float, float | None] | None = None  # (t_s, its median then)

    def _tilt(self, pose: Pose) -> float | None:
        """The trunk's angle to level: in the image, or for a curl-up also in 3-D, where the image
        cannot show it (seen from the foot or head end the image line points at the camera and
        reads near 90 lying or sitting). The smaller of the two: either seeing it level is lying."""
        if self.posture != "lying":
            return None
        sh, hp = g.shoulder_centre(pose), g.hip_centre(pose)
        flat = None if sh is None or hp is None else g.angle_to_horizontal(hp, sh)
        # only for the exercises that count the trunk itself (curl-ups, counted in 3-D from the
        # foot end); a bridge is counted from the side or at an angle, where the image is enough
        deep = trunk_elevation_3d(pose, "L") if self.trunk_counted else None
        vals = [abs(v) for v in (flat, deep) if v is not None]
        return min(vals) if vals else None

    def _end_on(self, pose: Pose, t_s: float, curl_top: bool = False) -> bool:
        """Lying with the knees bent seen end on: the thighs not pointing down (median over
        POSTURE_WINDOW_S) and the trunk short in the picture (KNEES_ABOVE_HIPS, END_ON_STEEP_*).
        ``curl_top`` (got_up, curl-ups): the looser reading of a curl's top seen from above the
        feet, the trunk shorter than END_ON_TORSO_MAX with the thighs not pointing down (1.2-1.28
        shoulder widths, thighs -0.2 to 0.0, rendered 1.3 and 1.6 m up). A seated body can read so
        too, so it only stops a steep trunk from reading as getting up at once (SAT_UP_S still
        does)."""
        if self.posture != "lying" or not self.counts_end_on:
            return False
        if self._thighs_at is None or self._thighs_at[0] != t_s:  # once a frame (both checks ask)
            self._thighs_at = (t_s, self._thighs.update(t_s, thighs_down(pose)))
        m = self._thighs_at[1]
        if m is None or m > END_ON_STEEP_THIGHS_MAX:
            return False
        torso, a, b = g.torso_length(pose), g.point(pose, L.LEFT_SHOULDER, 0.1), g.point(pose, L.RIGHT_SHOULDER, 0.1)
        if torso is None or a is None or b is None:
            return False
        width = float(np.linalg.norm(a - b))
        return torso < (END_ON_TORSO_MAX if m <= KNEES_ABOVE_HIPS or curl_top else END_ON_STEEP_TORSO_MAX) * width

    def _legs(self, pose: Pose, t_s: float) -> bool:
        """The legs as the start needs them (median over POSTURE_WINDOW_S); unseen passes."""
        lying = self.posture == "lying"
        v = knees_bent(pose) if lying else thighs_down(pose)
        m = self._recent.update(t_s, v)
        return m is None or m >= (KNEES_BENT_MIN_DEG if lying else THIGHS_DOWN_MIN)

    def in_posture(self, pose: Pose, t_s: float, set_start_s: float) -> bool:
        """In the exercise's start posture. Lying: trunk near level, not sitting or kneeling, and
        for LYING_SETTLE_S already (or since the set began, ``set_start_s``): someone still lying
        back has their shoulders moving while the legs, which dominate stillness, do not; and the
        knees bent. Standing: the thighs pointing down (not seated)."""
        if self.posture is None:
            return True
        legs = self._legs(pose, t_s)
        if self.posture != "lying":
            return legs
        a = self._tilt(pose)
        if self._end_on(pose, t_s) and a is not None:
            a = 0.0  # seen end on: the trunk's image angle says nothing
        if a is None or a > LYING_TRUNK_MAX_DEG:
            self._lying_since = None
            return False
        if self._lying_since is None:
            self._lying_since = t_s
        return legs and (t_s - self._lying_since >= LYING_SETTLE_S or self._lying_since <= set_start_s)

    def got_up(self, pose: Pose, t_s: float) -> bool:
        """Lying exercises: the trunk has been steep for LYING_LEFT_S. For an exercise that counts
        the trunk lifting (``trunk_counted``) only with the hips off the floor (standing or kneeling
        up) or for SAT_UP_S (sitting up to rest): a sit-up's brief top, hips on the floor, is not
        getting up but a repetition with more range than asked (counted, and cued)."""
        a = self._tilt(pose)
        end_on = self._end_on(pose, t_s)  # (every frame: its window follows the legs)
        # a trunk shorter in the picture than the shoulders are wide points at the camera: its
        # image angle is no sign of getting up (at a bridge's top seen from the feet it is a few
        # pixels long and turns every way); standing or sitting up it is long again. A curl-up's
        # steep trunk may be a curl's top (curl_top below), or sitting up: not taken as lying here
        torso, size = g.torso_length(pose), g.trunk_size(pose)
        end_on = not self.trunk_counted and (end_on or (torso is not None and size is not None and torso < size))
        curl_top = self.trunk_counted and self._end_on(pose, t_s, curl_top=True)
        if a is None or a < LYING_LEFT_DEG or end_on:
            self._upright_since = None
            self._hips_up.clear()
            return False
        if self._upright_since is None:
            self._upright_since = t_s
        up_s = t_s - self._upright_since
        if up_s >= SAT_UP_S or (not self.trunk_counted and up_s >= LYING_LEFT_S):
            return True  # (before the hips are kept: the list never outgrows SAT_UP_S of frames)
        if curl_top:  # seen from above the feet the hips read high over the ankles (the floor
            return False  # recedes up the picture): a curl's top, unless it lasts SAT_UP_S
        h = hips_up(pose) if self.trunk_counted else None
        if h is not None:
            self._hips_up.append(h)
        # feet not seen: the hips cannot be judged, and a steep trunk is taken as getting up
        return up_s >= LYING_LEFT_S and (not self._hips_up or float(np.median(self._hips_up)) >= HIPS_UP_MIN)
