from __future__ import annotations

import numpy as np
import pytest

from formcheck.core.pose import N_LANDMARKS, Landmark, Pose
from formcheck.signals import geometry as g


def pose_from_px(points: dict[Landmark, tuple[float, float]], size=(640, 480), vis=1.0) -> Pose:
    w, h = size
    xy = np.full((N_LANDMARKS, 2), 0.5)
    v = np.zeros(N_LANDMARKS)
    for lm, (x, y) in points.items():
        xy[lm] = (x / w, y / h)
        v[lm] = vis
    return Pose(xy=xy, visibility=v, world=np.zeros((N_LANDMARKS, 3)), t_ms=0, image_size=size)


def test_pose_checks_shapes():
    with pytest.raises(ValueError, match="shape"):
        Pose(xy=np.zeros((32, 2)), visibility=np.zeros(33), world=np.zeros((33, 3)), t_ms=0, image_size=(1, 1))
    with pytest.raises(ValueError, match="image_size"):
        Pose(xy=np.zeros((33, 2)), visibility=np.zeros(33), world=np.zeros((33, 3)), t_ms=0, image_size=(0, 1))


def test_pose_is_frozen_and_arrays_read_only():
    p = pose_from_px({Landmark.NOSE: (10, 10)})
    with pytest.raises(AttributeError):
        p.t_ms = 5  # type: ignore[misc]
    with pytest.raises(ValueError):
        p.xy[0, 0] = 1.0


def test_right_angle_is_measured_in_pixels_not_normalised_units():
    # a true 90 degree knee in a wide 1280x480 image: in normalised units it would look skewed
    pts = {Landmark.LEFT_HIP: (600, 100), Landmark.LEFT_KNEE: (600, 300), Landmark.LEFT_ANKLE: (800, 300)}
    p = pose_from_px(pts, size=(1280, 480))
    assert g.joint_angle(p, Landmark.LEFT_HIP, Landmark.LEFT_KNEE, Landmark.LEFT_ANKLE) == pytest.approx(90.0)


def test_angle_is_none_when_a_joint_is_poorly_seen():
    pts = {Landmark.LEFT_HIP: (600, 100), Landmark.LEFT_KNEE: (600, 300), Landmark.LEFT_ANKLE: (800, 300)}
    p = pose_from_px(pts, vis=0.2)
    assert g.joint_angle(p, Landmark.LEFT_HIP, Landmark.LEFT_KNEE, Landmark.LEFT_ANKLE) is None


@pytest.mark.parametrize(
    "shoulder_dx,expected",
    [(2, "side"), (50, "oblique"), (100, "front")],
)
def test_view_from_shoulder_width(shoulder_dx, expected):
    cx = 320
    pts = {
        Landmark.LEFT_SHOULDER: (cx + shoulder_dx / 2, 100), Landmark.RIGHT_SHOULDER: (cx - shoulder_dx / 2, 100),
        Landmark.LEFT_HIP: (cx + shoulder_dx / 3, 250), Landmark.RIGHT_HIP: (cx - shoulder_dx / 3, 250),
    }
    assert g.classify_view(pose_from_px(pts)) == expected


def test_best_side_follows_visibility():
    p = pose_from_px({Landmark.NOSE: (1, 1)})
    vis = np.array(p.visibility)
    vis[[Landmark.RIGHT_SHOULDER, Landmark.RIGHT_HIP, Landmark.RIGHT_KNEE, Landmark.RIGHT_ANKLE]] = 0.9
    q = Pose(xy=p.xy, visibility=vis, world=p.world, t_ms=0, image_size=p.image_size)
    assert g.best_side(q) == "R"


def _view_switch_s(fps: float) -> float:
    """Seconds after the person turns from side-on to facing the camera until the view follows."""
    from factories import make_pose

    from formcheck.engine.viewpoint import Viewpoint

    vp, step = Viewpoint(), 1000.0 / fps
    n_side = int(3 * fps)
    for i in range(n_side):
        vp.vote(make_pose(view="side", t_ms=i * step))
    assert vp.view == "side"
    for i in range(n_side, n_side + int(3 * fps)):
        vp.vote(make_pose(view="front", t_ms=i * step))
        if vp.view == "front":
            return (i - n_side) * step / 1000.0
    raise AssertionError("the view never followed")


def test_the_view_vote_is_over_seconds_so_any_frame_rate_turns_alike():
    times = {fps: _view_switch_s(fps) for fps in (15, 24, 30, 60)}
    assert max(times.values()) - min(times.values()) <= 1 / 15 + 1e-9, times
    assert 0.3 <= times[30] <= 1.5, times  # one odd frame never flips it; a real turn does, promptly


def test_trunk_elevation_3d_reads_the_lift_whatever_the_image_shows():
    """Seen from the foot end the image cannot show a curl-up; the world landmarks can (y down)."""
    import math

    import numpy as np

    from formcheck.core.pose import N_LANDMARKS, Pose
    from formcheck.core.pose import Landmark as L
    from formcheck.signals.lying import trunk_elevation_3d

    def pose(lift_deg: float, world: bool = True) -> Pose:
        w = np.zeros((N_LANDMARKS, 3))
        if world:
            a = math.radians(lift_deg)
            for lm, x in ((L.LEFT_HIP, 0.1), (L.RIGHT_HIP, -0.1)):
                w[lm] = (x, 0.0, 0.0)
            for lm, x in ((L.LEFT_SHOULDER, 0.18), (L.RIGHT_SHOULDER, -0.18)):
                w[lm] = (x, -0.5 * math.sin(a), 0.5 * math.cos(a))  # toward the camera's depth axis
        return Pose(xy=np.full((N_LANDMARKS, 2), 0.5), visibility=np.full(N_LANDMARKS, 0.9), world=w, t_ms=0.0,
                    image_size=(640, 480))

    assert trunk_elevation_3d(pose(0.0), "L") == pytest.approx(0.0, abs=1e-6)
    assert trunk_elevation_3d(pose(30.0), "L") == pytest.approx(30.0, abs=1e-6)
    assert trunk_elevation_3d(pose(90.0), "L") == pytest.approx(90.0, abs=1e-6)
    assert trunk_elevation_3d(pose(30.0, world=False), "L") is None  # poses not from the model
