"""Standing foot exercises seen from the front or from behind (issue 17, camera views): heel
raises and toes-heels count there too, a walking step or a walk toward the camera does not, and
the report names the form checks that view cannot make."""

from __future__ import annotations

import numpy as np
import pytest
from factories import make_pose, report_of, run, script, toe_heel_keys

from formcheck.core.pose import Landmark as L
from formcheck.core.pose import Pose
from formcheck.engine.analyzer import Analyzer
from formcheck.signals import SIGNALS, compute
from formcheck.spec.exercise import load_exercise
from formcheck.spec.parts import Confirm

HEEL_RAISE = load_exercise("heel_raise")
TOE_HEEL = load_exercise("toe_heel")


def heel_keys(reps: int, top: float, *, lead_s: float = 1.0, start: float = 0.0):
    """Heel raises to ``top`` (foot lengths); ``start``: the set begins up on the toes this high."""
    keys = [(0.0, {"heel_lift": start}), (lead_s, {"heel_lift": start})]
    t = lead_s
    if start:
        t += 0.8
        keys.append((t, {"heel_lift": 0.0}))
        t += 0.7
        keys.append((t, {"heel_lift": 0.0}))
    for _ in range(reps):
        for dt, lift in ((0.8, top), (0.8, top), (0.8, 0.0), (0.7, 0.0)):
            t += dt
            keys.append((t, {"heel_lift": lift}))
    return keys


def with_xy(pose: Pose, xy: np.ndarray) -> Pose:
    return Pose(xy, pose.visibility, pose.world, pose.t_ms, pose.image_size)


def one_foot_flat(frames, flat: Pose):
    """The right foot kept where it stands flat (heel, ankle and toes): only the left foot rises
    (a walking step's push-off), while the body still rises with it."""
    out = []
    for t, p in frames:
        xy = p.xy.copy()
        for lm in (L.RIGHT_HEEL, L.RIGHT_ANKLE, L.RIGHT_FOOT_INDEX):
            xy[lm] = flat.xy[lm]
        out.append((t, with_xy(p, xy)))
    return out


def toes_follow_the_heels(frames, flat: Pose):
    """As the pose model draws a foot seen from behind: the hidden toe point moves up with the
    heel, so the heel's rise over the toes reads nothing while the ankles rise with the body."""
    out = []
    for t, p in frames:
        xy = p.xy.copy()
        for heel, toe in ((L.LEFT_HEEL, L.LEFT_FOOT_INDEX), (L.RIGHT_HEEL, L.RIGHT_FOOT_INDEX)):
            xy[toe] = xy[heel] + (flat.xy[toe] - flat.xy[heel])
        out.append((t, with_xy(p, xy)))
    return out


def growing(frames, per_s: float):
    """The person coming toward the camera: the picture of them grows ``per_s`` a second about
    the bottom centre of the image."""
    out = []
    for t, p in frames:
        k = 1.0 + per_s * t / 1000.0
        anchor = np.array([0.5, 1.0])
        out.append((t, with_xy(p, anchor + (p.xy - anchor) * k)))
    return out


def test_heel_lift_reads_the_heel_over_the_toes_in_shank_lengths_from_the_front():
    flat, up = make_pose(view="front"), make_pose(heel_lift=0.35, view="front")
    rise = compute("heel_lift", up, "L") - compute("heel_lift", flat, "L")
    # the factory's front foot: the heel rises FOOT * 0.35 = 19 px over a 100 px shank
    assert rise == pytest.approx(0.19, abs=0.02)
    assert compute("heel_lift_both", up, "L") == pytest.approx(compute("heel_lift", up, "L"), abs=1e-9)
    # heel_height (foot lengths) saturates from the front: the foot points at the camera
    assert compute("heel_height", up, "L") - compute("heel_height", flat, "L") < 0.1


def test_ankle_rise_is_each_ankle_s_height_in_the_picture_from_the_start():
    """Both ankles rise with the body onto the toes; a height in the picture, so measured from the
    start in the leg's length there (start-scaled)."""
    flat, up = make_pose(view="front"), make_pose(heel_lift=0.35, view="front")
    for side, lm in (("L", L.LEFT_ANKLE), ("R", L.RIGHT_ANKLE)):
        rise = compute("ankle_rise", up, side) - compute("ankle_rise", flat, side)
        assert rise == pytest.approx((flat.px(lm) - up.px(lm))[1])
        assert rise > 5.0  # pixels: the factory's ankle rises about 20 px for a 0.35 foot-length lift
    assert SIGNALS["ankle_rise"].start_scaled


@pytest.mark.parametrize("fps", (15, 30, 60))
def test_heel_raise_counts_from_the_front(fps):
    an = run(Analyzer(HEEL_RAISE), script(heel_keys(4, 0.35), fps, noise_px=0.7, seed=fps, view="front"))
    assert len(an.reps) == 4, an.partials
    assert not an.partials


def test_heel_raise_from_the_front_reports_the_sway_check_as_skipped():
    report, _ = report_of(HEEL_RAISE, script(heel_keys(2, 0.35), 30, noise_px=0.5, view="front"))
    assert report.reps == 2
    assert report.view == "front"
    skipped = [n for n in report.notes if "skipped" in n]
    assert len(skipped) == 1 and "hip_sway" in skipped[0] and "too_fast" not in skipped[0]
    assert not any("checked from the" in n for n in report.notes)  # the front is a view it is checked from
    side, _ = report_of(HEEL_RAISE, script(heel_keys(2, 0.35), 30, noise_px=0.5))
    assert not any("skipped" in n for n in side.notes)


def test_toe_heel_counts_from_the_front():
    an = run(Analyzer(TOE_HEEL), script(toe_heel_keys(3), 30, noise_px=0.7, seed=3, view="front"))
    assert len(an.reps) == 3, an.partials
    for rep in an.reps:
        assert [p.name for p in rep.phases] == ["toes", "heels"]


def test_one_foot_rising_with_the_body_is_no_heel_raise_from_the_front():
    """A walking step: the body bobs up while one foot pushes off and the other stands flat."""
    frames = script(heel_keys(3, 0.35), 30, noise_px=0.5, view="front")
    an = run(Analyzer(HEEL_RAISE), one_foot_flat(frames, make_pose(view="front")))
    assert not an.reps


def test_heel_raises_count_from_behind_where_the_toe_point_moves_with_the_heel():
    """From behind the toes are hidden behind the heels and the pose model moves them up with the
    heels (rendered clips: the heel over the toes reads 0.00-0.02 shank lengths for a 9 cm rise):
    the body's rise counts, both ankles rising with it confirm it. 0 of 3 when the heel's rise over
    the toes had to confirm it."""
    flat = make_pose(view="front")
    frames = toes_follow_the_heels(script(heel_keys(3, 0.35), 30, noise_px=0.5, view="front"), flat)
    assert abs(compute("heel_lift", frames[len(frames) // 2][1], "L") - compute("heel_lift", flat, "L")) < 0.01
    report, _ = report_of(HEEL_RAISE, mirrored(frames))
    assert report.view == "back"
    assert report.reps == 3, report.partials


def test_coming_toward_the_camera_stops_the_count_from_the_front():
    """The body grows in the picture (12% a second): its rise in the picture is the walk, and
    counting stops as when walking about; standing still, the same raises count."""
    frames = script(heel_keys(3, 0.35), 30, noise_px=0.5, view="front")
    walking = run(Analyzer(HEEL_RAISE), growing(frames, 0.12))
    assert len(walking.reps) <= 1
    assert walking.pauses


def test_heel_raise_set_begun_up_on_the_toes_counts_every_raise():
    """Counting arms on the first frame, here on the way down from a raise (as a clip cut
    mid-set): the body's start (the confirming measure) is found again at the rest below it, as
    the heel's is. The raise the video began in, seen up at full height and coming down, is a
    repetition too, marked as cut (engine/edges.py); a live camera's set has none."""
    for view in ("side", "front"):
        keys = heel_keys(3, 0.35, start=0.35, lead_s=0.1)
        an = run(Analyzer(HEEL_RAISE), script(keys, 30, noise_px=0.5, view=view))
        assert len(an.reps) == 4, (view, an.partials)
        assert [r.cut for r in an.reps] == ["start", None, None, None]
        live = run(Analyzer(HEEL_RAISE, recorded=False), script(keys, 30, noise_px=0.5, view=view))
        assert len(live.reps) == 3 and not any(r.cut for r in live.reps), (view, live.partials)


def test_confirm_both_sides_needs_a_one_side_signal():
    Confirm(signal="heel_lift", both_sides=True, rest=0.01, enter=0.02, full=0.03)
    with pytest.raises(ValueError, match="both sides"):
        Confirm(signal="heel_lift_both", both_sides=True, rest=0.01, enter=0.02, full=0.03)


def mirrored(frames):
    """The same picture mirrored left to right: a person facing the camera seen from behind."""
    return [(t, with_xy(p, np.column_stack([1.0 - p.xy[:, 0], p.xy[:, 1]]))) for t, p in frames]


def test_from_behind_heel_raises_count_and_the_report_says_behind():
    report, _ = report_of(HEEL_RAISE, mirrored(script(heel_keys(3, 0.35), 30, noise_px=0.5, view="front")))
    assert report.reps == 3
    assert report.view == "back" and "back" in report.views_asked
    assert not any("checked from the" in n for n in report.notes)
    assert any("from behind" in n and "hip_sway" in n for n in report.notes)  # the sway check was skipped


def test_toe_heel_from_behind_asks_the_patient_to_turn_their_side_to_the_camera():
    """From behind the toes lift out of sight: the trainer says how to turn, in the patient's
    words, and the report says it was filmed from behind; from the front it counts."""
    frames = mirrored(script(toe_heel_keys(2), 30, noise_px=0.5, view="front"))
    an = Analyzer(TOE_HEEL)
    cues = set()
    for t, p in frames:
        r = an.update(t, p)
        if r.cue is not None:
            cues.add(r.cue.id)
    assert "turn_sideways" in cues
    report, _ = report_of(TOE_HEEL, frames)
    assert report.view == "back" and "back" not in report.views_asked
    assert any("filmed mostly from behind" in n for n in report.notes)
    facing = Analyzer(TOE_HEEL)
    seen = set()
    for t, p in script(toe_heel_keys(2), 30, noise_px=0.5, view="front"):
        r = facing.update(t, p)
        if r.cue is not None:
            seen.add(r.cue.id)
    assert "turn_sideways" not in seen
