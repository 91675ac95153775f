"""The start posture counting arms in (engine/posture.py): standing on the feet, lying with the
knees bent. Footage of someone sitting or lying with straight legs is no repetition exercise."""

from __future__ import annotations

import numpy as np
from factories import make_pose
from test_engine_lying import BRIDGE, Lying, analyse, rep, rest, summary

from formcheck.core.pose import Landmark as L
from formcheck.core.pose import Pose
from formcheck.engine.posture import THIGHS_DOWN_MIN, PostureGate, thighs_down


def _seated(pose: Pose) -> Pose:
    """The same figure with its hips at its knees' height (thighs level, as on a chair)."""
    xy = pose.xy.copy()
    for hip, knee in ((L.LEFT_HIP, L.LEFT_KNEE), (L.RIGHT_HIP, L.RIGHT_KNEE)):
        xy[hip, 1] = xy[knee, 1] - 0.01
    return Pose(xy=xy, visibility=pose.visibility, world=pose.world, t_ms=pose.t_ms, image_size=pose.image_size)


def test_standing_reads_thighs_down_and_seated_does_not():
    for view in ("front", "side"):
        standing = make_pose(view=view)
        assert thighs_down(standing) > 0.9
        assert thighs_down(_seated(standing)) < 0.1 < THIGHS_DOWN_MIN


def test_the_standing_gate_refuses_a_seated_body_and_passes_unseen_legs():
    gate = PostureGate("standing")
    assert gate.in_posture(make_pose(view="front", t_ms=0), 0.0, 0.0)
    gate = PostureGate("standing")
    assert not any(gate.in_posture(_seated(make_pose(view="front", t_ms=t * 1000)), t, 0.0) for t in np.arange(0, 1, 0.1))
    hidden = make_pose(view="front", hidden=(L.LEFT_HIP, L.RIGHT_HIP))
    assert PostureGate("standing").in_posture(hidden, 0.0, 0.0)
    assert PostureGate(None).in_posture(_seated(make_pose(view="front")), 0.0, 0.0)  # holds: no gate


def test_hips_moving_while_lying_with_straight_legs_are_no_bridges():
    flat = Lying(straight_legs=1.0)
    an = analyse("pelvic_lift", rest(1.5, flat) + rep(Lying(straight_legs=1.0, hip_h=55), base=flat) * 3, start=flat)
    assert summary(an)[0] == 0
    for ex in ("curl_up", "oblique_curl_up"):
        assert summary(analyse(ex, rest(1.5, flat) + rep(Lying(straight_legs=1.0, curl=22, chin=30), base=flat) * 3,
                               start=flat))[0] == 0


def test_bridges_from_bent_knees_still_count():
    assert summary(analyse("pelvic_lift", rest(1.5) + rep(BRIDGE) * 3))[0] == 3
