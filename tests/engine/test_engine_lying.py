"""Lying counted exercises (pelvic lift, curl-up, oblique curl-up) on scripted pose sequences.

A small 2-D stick figure lies on its back, head to the right, seen from its left side; the
scripts lift the hips, curl the trunk, tuck the chin or lead with one shoulder, and the bundled
exercise files must count, name partials and raise faults as a physiotherapist would, at any
frame rate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pytest

from formcheck.core.pose import N_LANDMARKS, Pose
from formcheck.core.pose import Landmark as L
from formcheck.engine.analyzer import Analyzer
from formcheck.engine.counter import ExcursionCounter, Thresholds
from formcheck.spec.exercise import load_exercise

SIZE = (640, 480)
FLOOR = 380.0
TORSO = 150.0


@dataclass(frozen=True)
class Lying:
    """Body parameters of the figure (pixels and degrees)."""

    hip_h: float = 0.0  # hips above the floor (bridge)
    curl: float = 0.0  # upper trunk lifted about the hips, degrees (90 = sitting up)
    chin: float = 0.0  # face turned toward the chest against the trunk, degrees
    near_lift: float = 0.0  # extra lift of the near (left) shoulder, pixels (oblique curl-up)
    far_lift: float = 0.0  # extra lift of the far (right) shoulder, pixels
    straight_legs: float = 0.0  # 0 = knees bent, feet on the floor; 1 = legs flat on the floor


def lying_pose(t_ms: float, b: Lying, noise: np.random.Generator | None = None) -> Pose:
    """A side-view pose (camera on the subject's left) lying on the back, head to the right."""
    sh_floor = np.array([460.0, FLOOR])
    if b.curl:
        hip = np.array([sh_floor[0] - TORSO, FLOOR])
        u = np.array([math.cos(math.radians(b.curl)), -math.sin(math.radians(b.curl))])
        sh = hip + TORSO * u
    else:
        h = min(b.hip_h, TORSO * 0.95)
        hip = np.array([sh_floor[0] - math.sqrt(TORSO**2 - h**2), FLOOR - h])
        sh = sh_floor
        u = (sh - hip) / TORSO
    n = np.array([u[1], -u[0]])  # away from the floor
    if n[1] > 0:
        n = -n
    bent_knee, bent_ankle = np.array([225.0, 300.0]), np.array([150.0, FLOOR])
    flat_knee, flat_ankle = np.array([hip[0] - 110.0, FLOOR - 8.0]), np.array([hip[0] - 215.0, FLOOR - 4.0])
    s = b.straight_legs
    knee = (1 - s) * bent_knee + s * flat_knee
    ankle = (1 - s) * bent_ankle + s * flat_ankle
    near_sh = sh - np.array([0.0, b.near_lift])
    far_sh = sh + np.array([-4.0, -12.0]) - np.array([0.0, b.far_lift])  # far side: a little higher
    ear = sh + 45 * u + 10 * n - np.array([0.0, 0.5 * (b.near_lift + b.far_lift)])
    c = math.radians(b.chin)
    face = n * math.cos(c) - u * math.sin(c)
    nose = ear + 25 * face
    elbow, wrist = hip + 0.6 * (sh - hip) + 5 * n, hip + 0.15 * (sh - hip) + 5 * n
    pts = {
        L.NOSE: nose, L.LEFT_EAR: ear, L.RIGHT_EAR: ear + (-3, -6), L.LEFT_EYE: ear + 15 * face + 8 * u,
        L.RIGHT_EYE: ear + 15 * face + 8 * u + (-2, -4),
        L.LEFT_SHOULDER: near_sh, L.RIGHT_SHOULDER: far_sh,
        L.LEFT_ELBOW: elbow, L.RIGHT_ELBOW: elbow + (-4, -10), L.LEFT_WRIST: wrist, L.RIGHT_WRIST: wrist + (-4, -10),
        L.LEFT_HIP: hip, L.RIGHT_HIP: hip + (-4, -10),
        L.LEFT_KNEE: knee, L.RIGHT_KNEE: knee + (-4, -10), L.LEFT_ANKLE: ankle, L.RIGHT_ANKLE: ankle + (-4, -10),
        L.LEFT_HEEL: ankle + (-10, 5), L.RIGHT_HEEL: ankle + (-14, -5),
        L.LEFT_FOOT_INDEX: ankle + (-35, 5), L.RIGHT_FOOT_INDEX: ankle + (-39, -5),
    }
    w, h = SIZE
    xy = np.full((N_LANDMARKS, 2), 0.5)
    vis = np.full(N_LANDMARKS, 0.99)
    for lm, p in pts.items():
        p = np.asarray(p, dtype=float)
        if noise is not None:
            p = p + noise.normal(0.0, 0.7, 2)
        xy[lm] = (p[0] / w, p[1] / h)
    for lm in (L.RIGHT_SHOULDER, L.RIGHT_HIP, L.RIGHT_KNEE, L.RIGHT_ANKLE, L.RIGHT_ELBOW, L.RIGHT_WRIST):
        vis[lm] = 0.85  # the far side is seen less well
    return Pose(xy=xy, visibility=vis, world=np.zeros((N_LANDMARKS, 3)), t_ms=t_ms, image_size=SIZE)


# ----- scripts: (seconds, target body) segments, eased between -----------------------------------
Script = list[tuple[float, Lying]]


def rest(s: float, b: Lying = Lying()) -> Script:
    return [(s, b)]


def rep(up: Lying, rise: float = 1.2, hold: float = 1.0, lower: float = 1.5, pause: float = 1.0,
        base: Lying = Lying()) -> Script:
    return [(rise, up), (hold, up), (lower, base), (pause, base)]


def play(script: Script, fps: float, start: Lying = Lying(), noise_seed: int | None = None):
    """(t_ms, pose) at ``fps``, easing (cosine) from each segment's start to its target."""
    rng = np.random.default_rng(noise_seed) if noise_seed is not None else None
    out, t0, cur = [], 0.0, start
    for dur, target in script:
        n = max(1, round(dur * fps))
        for i in range(n):
            a = 0.5 - 0.5 * math.cos(math.pi * (i + 1) / n)
            mix = Lying(**{f: getattr(cur, f) + a * (getattr(target, f) - getattr(cur, f))
                           for f in Lying.__dataclass_fields__})
            t = t0 + (i + 1) / fps
            out.append((t * 1000.0, lying_pose(t * 1000.0, mix, rng)))
        t0 += n / fps
        cur = target
    return out


def analyse(exercise: str, script: Script, fps: float = 30, start: Lying = Lying(), noise_seed: int | None = 0):
    an = Analyzer(load_exercise(exercise))
    frames = play(script, fps, start, noise_seed)
    for t_ms, pose in frames:
        an.update(t_ms, pose)
    an.finish(frames[-1][0])
    return an


def summary(an: Analyzer) -> tuple:
    return (len(an.reps), [r.side for r in an.reps], sorted({f for r in an.reps for f in r.faults}),
            [p.reason for p in an.partials])


BRIDGE = Lying(hip_h=55)  # shoulders, hips and knees in line
# hips lifted about 12 degrees, below the line and below pelvic_lift's clinical minimum (full_min = 15):
# never a repetition, however the count adapts to the patient (a lift of 18 is adapted to: test_adapt.py)
LOW_BRIDGE = Lying(hip_h=15)
ARCHED = Lying(hip_h=95)  # hips pushed far above the line
CURL = Lying(curl=22, chin=30)
CURL_NO_CHIN = Lying(curl=22, chin=0)
HEAD_ONLY = Lying(curl=5, chin=30)


# ----- pelvic lift ---------------------------------------------------------------------------------
@pytest.mark.parametrize("fps", [15, 30, 60])
def test_bridges_count_on_the_way_down_at_any_frame_rate(fps):
    an = analyse("pelvic_lift", rest(1.5) + rep(BRIDGE) * 3, fps)
    assert summary(an) == (3, ["L", "L", "L"], [], [])
    # each repetition counts when the hips are back down (in the lowest share of the lift,
    # reps.RETURN_SHARE: over half-way through a 1.5 s lowering), not at the top; the way back is
    # timed from the top tenth as a counter judging it over within a fifth of the lift would
    # (counter.TIMED_BACK_SHARE): 0.73-1.0 s of a 1.5 s eased lowering when that was the rule
    assert all(r.end_s > r.bottom_s + 0.5 for r in an.reps)
    assert all(0.7 < r.metrics["return_s"] < 1.05 for r in an.reps), [r.metrics for r in an.reps]


@pytest.mark.parametrize("fps", [15, 30, 60])
def test_low_bridges_are_partials_with_their_reason(fps):
    an = analyse("pelvic_lift", rest(1.5) + rep(LOW_BRIDGE) * 3, fps)
    n, _, _, partials = summary(an)
    assert n == 0
    assert partials == ["hips_too_low"] * 3
    assert [f.id for f in an.faults] == ["hips_too_low"] * 3


def test_over_arched_bridge_is_flagged_and_a_straight_one_is_not():
    bad = analyse("pelvic_lift", rest(1.5) + rep(ARCHED) * 2)
    assert summary(bad)[0] == 2 and summary(bad)[2] == ["over_arching"]
    good = analyse("pelvic_lift", rest(1.5) + rep(BRIDGE) * 2)
    assert not good.faults


@pytest.mark.parametrize("fps", [15, 30, 60])
def test_dropping_the_hips_is_lowering_too_fast(fps):
    an = analyse("pelvic_lift", rest(1.5) + rep(BRIDGE, lower=0.25) * 2, fps)
    assert summary(an) == (2, ["L", "L"], ["lowering_too_fast"], [])
    assert all(r.faults == ("lowering_too_fast",) for r in an.reps)


def test_a_long_hold_at_the_top_is_not_timed_as_lowering():
    # 4 s at the top then a slow 1.5 s lowering: fine; the hold must not hide a quick drop either
    slow = analyse("pelvic_lift", rest(1.5) + rep(BRIDGE, hold=4.0, lower=1.5) * 2)
    assert summary(slow) == (2, ["L", "L"], [], [])
    fast = analyse("pelvic_lift", rest(1.5) + rep(BRIDGE, hold=4.0, lower=0.25) * 2)
    assert summary(fast)[2] == ["lowering_too_fast"]


def test_lying_still_counts_nothing():
    an = analyse("pelvic_lift", rest(20.0))
    assert summary(an) == (0, [], [], [])
    assert an.status.value == "ready"  # armed and waiting, not stuck


def test_getting_down_onto_the_floor_counts_nothing_and_the_bridges_after_it_count():
    sitting = Lying(curl=85)
    script = rest(2.0, sitting) + [(1.5, Lying())] + rest(1.0) + rep(BRIDGE) * 2
    an = analyse("pelvic_lift", script, start=sitting)
    assert summary(an) == (2, ["L", "L"], [], [])


def test_bridges_count_after_bending_the_knees_from_lying_with_straight_legs():
    flat = Lying(straight_legs=1.0)
    script = rest(2.0, flat) + [(1.0, Lying())] + rest(1.0) + rep(BRIDGE) * 3
    an = analyse("pelvic_lift", script, start=flat)
    assert summary(an) == (3, ["L", "L", "L"], [], [])


def test_sitting_up_in_the_middle_of_a_set_is_no_repetition():
    sitting = Lying(curl=85)
    script = rest(1.5) + rep(BRIDGE) + [(1.5, sitting), (2.0, sitting), (1.5, Lying())] + rest(1.0) + rep(BRIDGE)
    an = analyse("pelvic_lift", script)
    assert summary(an) == (2, ["L", "L"], [], [])


def test_a_brisk_bridge_counts_and_its_quick_lowering_is_cued():
    """Issue 17: tempo is a form cue, not a count gate (a 0.6 s bridge used to be a too_short
    partial); only a movement shorter than a glitch (min_rep_s, 0.3 s) is dropped."""
    an = analyse("pelvic_lift", rest(1.5) + rep(BRIDGE, rise=0.2, hold=0.1, lower=0.3, pause=1.5))
    assert summary(an)[0] == 1
    assert not an.partials


def test_bridges_whose_hips_settle_a_little_above_the_start_count():
    """Issue 17 (ends of repetitions): real hips rarely come back to the exact start height. A
    bridge ends once the hips are back in the lowest fifth of its own lift (reps.RETURN_SHARE),
    here 10 px (about 8 degrees) above where they lay, twice the rest band."""
    settled = Lying(hip_h=10)
    an = analyse("pelvic_lift", rest(1.5) + rep(BRIDGE, base=settled) * 3)
    assert summary(an) == (3, ["L", "L", "L"], [], [])


def test_a_full_lift_short_of_the_straight_line_counts_with_its_cue():
    """Issue 17: a bridge lifted the full amount (at least 20 degrees from lying) whose top stops
    short of the straight shoulder-hip-knee line is a repetition with the hips_too_low fault and
    cue, not a partial (the 2D line moves with the camera by more than its tolerance)."""
    an = analyse("pelvic_lift", rest(1.5) + rep(Lying(hip_h=30)) * 2)
    assert summary(an) == (2, ["L", "L"], ["hips_too_low"], [])
    assert all(r.faults == ("hips_too_low",) for r in an.reps)
    assert [f.rep_index for f in an.faults] == [1, 2]


# ----- curl-up -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("fps", [15, 30, 60])
def test_curl_ups_count_at_any_frame_rate(fps):
    an = analyse("curl_up", rest(1.5) + rep(CURL) * 3, fps)
    assert summary(an) == (3, ["L", "L", "L"], [], [])


@pytest.mark.parametrize("fps", [15, 30, 60])
def test_curl_up_without_chin_tuck_is_flagged(fps):
    an = analyse("curl_up", rest(1.5) + rep(CURL_NO_CHIN) * 3, fps)
    assert summary(an) == (3, ["L", "L", "L"], ["chin_not_tucked"], [])
    assert all("chin_not_tucked" in r.faults for r in an.reps)


def test_chin_tucked_a_moment_after_the_lift_starts_is_fine():
    # the trunk lifts first, the chin follows within a third of a second: no fault
    script = rest(1.5)
    for _ in range(3):
        script += [(0.4, Lying(curl=10, chin=0)), (0.3, Lying(curl=16, chin=30)), (0.5, CURL), (1.0, CURL),
                   (1.5, Lying()), (1.0, Lying())]
    an = analyse("curl_up", script)
    assert summary(an) == (3, ["L", "L", "L"], [], [])


def test_dropping_back_from_a_curl_up_is_too_fast():
    an = analyse("curl_up", rest(1.5) + rep(CURL, lower=0.15) * 2)
    assert summary(an) == (2, ["L", "L"], ["too_fast"], [])


def test_a_brisk_controlled_roll_down_is_not_dropping_back():
    """Issue 17: the handout's "roll down slowly" is against letting go. A curl lowered in half a
    second (2-3 times as long as the head and shoulders take to fall back) is brisk but held, and
    gets no cue; let go (0.15 s) it does."""
    brisk = analyse("curl_up", rest(1.5) + rep(CURL, rise=0.5, hold=0.2, lower=0.5, pause=0.8) * 3)
    assert summary(brisk) == (3, ["L", "L", "L"], [], [])
    dropped = analyse("curl_up", rest(1.5) + rep(CURL, rise=0.5, hold=0.2, lower=0.15, pause=0.8) * 3)
    assert summary(dropped) == (3, ["L", "L", "L"], ["too_fast"], [])


def test_from_the_foot_end_the_roll_down_is_not_timed_and_the_report_says_so():
    """Issue 17: from the foot end the lift is read on the pose model's 3-D landmarks, whose depth
    wanders by 10-15 degrees within a frame or two (a rendered 1.4 s roll-down read as 0.1 s): the
    roll-down is not timed there, and the report names the check it skipped."""
    from formcheck.sets.report_notes import skipped_checks
    from formcheck.sets.set_report import SetReport

    def note(view):
        return skipped_checks(load_exercise("curl_up"), SetReport.from_json(
            {"exercise": "curl_up", "kind": "reps", "reps": 3, "target": 10, "frames": 300, "frames_with_pose": 300,
             "duration_s": 10.0, "started_s": 0.5, "view": view, "views_asked": ["side", "oblique", "front"]}))
    assert "too_fast" in (note("front") or "")
    assert note("side") is None


def test_lifting_only_the_head_is_a_partial_curl_up():
    an = analyse("curl_up", rest(1.5) + rep(Lying(curl=8.5, chin=30)) * 2)
    assert summary(an)[0] == 0
    assert [p.reason for p in an.partials] == ["too_shallow"] * 2


# ----- oblique curl-up ---------------------------------------------------------------------------------
NEAR = Lying(curl=14, chin=25, near_lift=45, far_lift=5)  # left (near) shoulder leads
FAR = Lying(curl=14, chin=25, near_lift=0, far_lift=40)  # right (far) shoulder leads


@pytest.mark.parametrize("fps", [15, 30, 60])
def test_oblique_curl_ups_report_the_lifting_shoulder(fps):
    an = analyse("oblique_curl_up", rest(1.5) + rep(NEAR) + rep(FAR) + rep(NEAR) + rep(FAR), fps)
    assert summary(an) == (4, ["L", "R", "L", "R"], [], [])


def test_oblique_curl_up_sides_follow_the_movement_and_a_repeated_side_is_pointed_out():
    an = analyse("oblique_curl_up", rest(1.5) + rep(FAR) + rep(FAR) + rep(NEAR))
    assert [r.side for r in an.reps] == ["R", "R", "L"]
    assert [r.faults for r in an.reps] == [(), ("same_side",), ()]


def test_a_sit_up_with_a_twist_is_counted_without_judging_its_side():
    """Issue 17: lifted far past an oblique curl-up, the shoulders' heights mostly show the lift,
    not the turn of the trunk (a real twisting sit-up read the same side five times over): its side
    is not judged, the alternation is not checked, and the report says so. Small lifts keep theirs."""
    high_near = Lying(curl=45, chin=25, near_lift=45, far_lift=5)
    high_far = Lying(curl=45, chin=25, near_lift=0, far_lift=40)
    an = analyse("oblique_curl_up", rest(1.5) + rep(high_far) + rep(high_near) + rep(high_far) + rep(high_near))
    assert summary(an) == (4, [None] * 4, [], [])
    mixed = analyse("oblique_curl_up", rest(1.5) + rep(FAR) + rep(high_near) + rep(FAR))
    assert summary(mixed) == (3, ["R", None, "R"], [], [])  # a side not judged breaks no alternation
    from factories import report_of

    spec = load_exercise("oblique_curl_up")
    report, _ = report_of(spec, play(rest(1.5) + rep(FAR) + rep(high_near) + rep(FAR), 30))
    assert any(n.startswith("which side lifted was not judged on 1 of 3 repetitions") for n in report.notes), report.notes
    small, _ = report_of(spec, play(rest(1.5) + rep(FAR) + rep(NEAR), 30))
    assert not any("not judged" in n for n in small.notes)


# ----- the counter's peak band (timing a hold at the top) -----------------------------------------------
def test_peak_band_times_the_way_back_from_the_end_of_a_hold():
    def run(band):
        c = ExcursionCounter(Thresholds(rest=2, enter=5, min_dwell_s=0.0, peak_band=band))
        exc = None
        for i in range(601):
            t = i / 100
            v = min(t, 1.0) * 20 if t < 5 else max(0.0, 20 - (t - 5) * 40)  # 1 s up, 4 s hold, 0.5 s down
            v += 0.3 * math.sin(i)  # a little wobble at the top: the peak falls anywhere in the hold
            exc = c.update(v, t) or exc
        return exc

    banded, bare = run(0.1), run(0.0)
    assert banded.end_s - banded.left_s == pytest.approx(0.45, abs=0.08)
    assert banded.reached_s - banded.start_s == pytest.approx(0.9, abs=0.1)
    assert bare.reach_s == bare.leave_s == bare.peak_s  # default: exactly the old peak timing


def test_a_per_view_count_with_another_signal_drops_full_at():
    spec = load_exercise("pelvic_lift")
    assert spec.count_for("side").full_at is not None
    oblique = spec.count_for("oblique")
    assert oblique.signal != spec.count.signal and oblique.full_at is None


# ----- the pose model's first frames -------------------------------------------------------------
def _drifting_start(frames, drift_h: float = -6.0, n: int = 8):
    """The pose model's landmarks drift for the first frames after it finds the person: the hips
    read low (``drift_h`` pixels below the floor at first, steady by the ``n``-th frame), as
    measured on real and rendered clips (settle.TRACKER_WARMUP_FRAMES)."""
    out = list(frames)
    for i in range(min(n, len(out))):
        t_ms = out[i][0]
        out[i] = (t_ms, lying_pose(t_ms, Lying(hip_h=drift_h * (1 - i / n)), np.random.default_rng(i)))
    return out


def _count(frames, exercise: str = "pelvic_lift") -> Analyzer:
    an = Analyzer(load_exercise(exercise))
    for t_ms, pose in frames:
        an.update(t_ms, pose)
    an.finish(frames[-1][0])
    return an


@pytest.mark.parametrize("fps", [15, 30, 60])
def test_a_start_taken_in_the_first_drifting_frames_is_taken_again_once_steady(fps, monkeypatch):
    # lying still from the first frame, then bridges that keep some tension between them: the
    # hips rest 2.5 px up (about 2 degrees of the bridge line, inside the 4 degree rest band)
    tense = Lying(hip_h=2.5)
    frames = _drifting_start(play(rest(1.5) + rep(BRIDGE, base=tense) * 3, fps))
    assert summary(_count(frames)) == (3, ["L", "L", "L"], [], [])
    # measured from the drifted first frames instead, the rests between them are outside the
    # band (about 5 degrees up) and the bridges run together. (Issue 17: counting arms on the
    # first frame in the posture and every such start is provisional, so the start is kept by
    # not taking it again at all, not by pretending the landmarks never drift.)
    # Each bridge also ends once the hips are back in the lowest fifth of its own lift
    # (reps.RETURN_SHARE), so the drifted start alone no longer joins them ...
    from formcheck.engine import reps, settle
    monkeypatch.setattr(settle.Settler, "refine", lambda *args: False)
    assert summary(_count(frames)) == (3, ["L", "L", "L"], [], [])
    # ... nor alone without the return share, since a bridge that came back into the lower half of
    # its own lift and rose again ends there while the start is provisional (reps.VALLEY_SHARE) ...
    monkeypatch.setattr(reps, "RETURN_SHARE", 0.0)
    assert summary(_count(frames)) == (3, ["L", "L", "L"], [], [])
    # ... and only without all three does it
    monkeypatch.setattr(reps.RepExercise, "_valley_end", lambda *args: None)
    assert summary(_count(frames))[0] < 3


def test_a_lift_begun_in_the_first_frames_keeps_its_start():
    # the clip begins as the first bridge starts (as a cut video may): nothing steady at rest
    # comes before it, so the start stays as taken and every bridge counts
    frames = _drifting_start(play(rest(0.15) + rep(BRIDGE) * 3, 30), drift_h=-4.0, n=4)
    assert summary(_count(frames)) == (3, ["L", "L", "L"], [], [])


def test_sit_ups_count_as_curl_ups_that_went_too_high():
    """Issue 17: a full sit-up (trunk up to 85 degrees, hips on the floor) is a curl-up with more
    range than asked: counted, with the too_high cue. Sitting up used to be read as getting up."""
    an = analyse("curl_up", rest(1.5) + rep(Lying(curl=85, chin=30), rise=1.0, hold=0.5, lower=1.0) * 3)
    assert summary(an) == (3, ["L", "L", "L"], ["too_high"], [])
    assert not an.pauses
    small = analyse("curl_up", rest(1.5) + rep(CURL) * 2)
    assert "too_high" not in summary(small)[2]


def test_sitting_up_to_rest_in_a_curl_up_set_is_no_repetition():
    # sitting up for 4 s (past posture.SAT_UP_S) is resting, not a sit-up: counting pauses
    sitting = Lying(curl=85)
    an = analyse("curl_up", rest(1.5) + [(1.0, sitting), (4.0, sitting), (1.0, Lying())] + rest(1.5) + rep(CURL))
    assert summary(an)[0] == 1
    assert [p.reason for p in an.pauses] == ["moving about or getting up (or the pose jumping)"]

