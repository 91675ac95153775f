"""Lying signals seen end on (a camera at the foot end): the hip's extension in 3-D and the hip's
lift in a trunk size that does not vanish when the trunk points at the camera."""

from __future__ import annotations

import math

import numpy as np
import pytest

from formcheck.core.pose import N_LANDMARKS, Pose
from formcheck.core.pose import Landmark as L
from formcheck.signals import geometry as g
from formcheck.signals.lying import hip_extension_3d, hip_lift


def _supine_world(flexion: float, abduction: float = 0.0, free_leg_flexion: float | None = None) -> np.ndarray:
    """World landmarks (metres, y down) of someone lying on their back along +z (head away from a
    camera at the feet), hips flexed ``flexion`` degrees (the thighs up from the trunk's line),
    each thigh turned out ``abduction`` degrees; the right thigh at ``free_leg_flexion`` if given."""
    w = np.zeros((N_LANDMARKS, 3))
    for side, x in (("LEFT", 0.12), ("RIGHT", -0.12)):
        w[L[f"{side}_HIP"]] = (x, 0.0, 0.0)
        w[L[f"{side}_SHOULDER"]] = (x * 1.5, 0.0, 0.5)  # the head end is +z
    for side, sign in (("LEFT", 1.0), ("RIGHT", -1.0)):
        f = math.radians(free_leg_flexion if side == "RIGHT" and free_leg_flexion is not None else flexion)
        a = math.radians(abduction)
        # straight: the thigh goes on along the trunk's line, toward the feet (-z); flexed: up (-y)
        sag = np.array([0.0, -math.sin(f), -math.cos(f)])
        thigh = 0.45 * (math.cos(a) * sag + math.sin(a) * np.array([sign, 0.0, 0.0]))
        w[L[f"{side}_KNEE"]] = w[L[f"{side}_HIP"]] + thigh
    return w


def _pose(world: np.ndarray, px: dict[L, tuple[float, float]] | None = None, size=(640, 480)) -> Pose:
    xy = np.full((N_LANDMARKS, 2), 0.5)
    vis = np.zeros(N_LANDMARKS)
    for lm, (x, y) in (px or {}).items():
        xy[lm] = (x / size[0], y / size[1])
        vis[lm] = 1.0
    return Pose(xy=xy, visibility=vis, world=world, t_ms=0, image_size=size)


@pytest.mark.parametrize("flexion", [0.0, 20.0, 45.0, 60.0])
def test_hip_extension_3d_is_minus_the_flexion(flexion):
    assert hip_extension_3d(_pose(_supine_world(flexion)), "L") == pytest.approx(-flexion, abs=0.5)


def test_hip_extension_3d_ignores_knees_out():
    """A frog pump's knees fall out to the sides: only flexion and extension are measured."""
    for flexion in (0.0, 45.0):
        out = hip_extension_3d(_pose(_supine_world(flexion, abduction=40.0)), "L")
        assert out == pytest.approx(-flexion, abs=0.5)


def test_hip_extension_3d_takes_the_working_leg_of_a_one_leg_bridge():
    """The free leg pulled up toward the chest does not hide the working hip's extension."""
    assert hip_extension_3d(_pose(_supine_world(5.0, free_leg_flexion=90.0)), "L") == pytest.approx(-5.0, abs=0.5)


def test_hip_extension_3d_none_without_world_landmarks_and_skips_a_body_turned_over():
    assert hip_extension_3d(_pose(np.zeros((N_LANDMARKS, 3))), "L") is None
    # both thighs past any hip's reach behind the trunk (the model turned the body over)
    assert hip_extension_3d(_pose(_supine_world(-150.0)), "L") is None


# a camera at the foot end, a little above the floor: the trunk points away and is short in the
# picture; shoulders 120 px apart, the hips below them
def _end_on(hip_y: float) -> Pose:
    px = {L.LEFT_SHOULDER: (380, 200), L.RIGHT_SHOULDER: (260, 200),
          L.LEFT_HIP: (370, hip_y), L.RIGHT_HIP: (270, hip_y)}
    return _pose(np.zeros((N_LANDMARKS, 3)), px)


def test_trunk_size_falls_back_to_the_shoulders_when_the_trunk_is_seen_end_on():
    assert g.trunk_size(_end_on(300)) == pytest.approx(120.0)  # torso 100 px < shoulders 120 px
    assert g.trunk_size(_end_on(205)) == pytest.approx(120.0)  # hips up at the shoulders: 5 px of torso
    side = _pose(np.zeros((N_LANDMARKS, 3)), {L.LEFT_SHOULDER: (100, 300), L.RIGHT_SHOULDER: (102, 300),
                                               L.LEFT_HIP: (300, 300), L.RIGHT_HIP: (302, 300)})
    assert g.trunk_size(side) == pytest.approx(200.0)  # from the side: the torso's length, as before


def test_hip_lift_seen_end_on_follows_the_hips_up_to_the_shoulders():
    """Before: each frame's own (vanishing) torso length made every lift read about -1 until the
    hips passed the shoulders, then +1. Now the lift grows steadily with the hips' rise."""
    lifts = [hip_lift(_end_on(y), "L") for y in (300, 260, 230, 205)]
    assert lifts == sorted(lifts)
    assert lifts[0] == pytest.approx(-100 / 120)
    assert lifts[-1] == pytest.approx(-5 / 120)
    assert lifts[-1] - lifts[0] > 0.7
