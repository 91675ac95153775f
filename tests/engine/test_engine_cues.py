"""Cues that must hold up on real footage (issue 17): a heel point the pose model drags up the
shoe is no heel lift, and a repetition that ends as the video ends still counts."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
from factories import FOOT, report_of, script, squat_keys

from formcheck.core.pose import Landmark as L
from formcheck.core.pose import Pose
from formcheck.engine.counter import CounterPhase, ExcursionCounter, Thresholds
from formcheck.spec.exercise import load_exercise


def _drag_heels(frames: list[tuple[float, Pose | None]], depth: float, pitch_deg: float) -> list[tuple[float, Pose | None]]:
    """The pose model's error on close-up deep squats: the heel points ride up the back of the
    shoe as the knees bend (to ``pitch_deg`` of foot pitch at ``depth``) while the ankles and toes
    stay where they are, the feet flat on the floor."""
    out: list[tuple[float, Pose | None]] = []
    for t, p in frames:
        if p is None:
            out.append((t, p))
            continue
        xy = p.xy.copy()
        w, h = p.image_size
        knee = 0.0
        for hip, kn, an in ((L.LEFT_HIP, L.LEFT_KNEE, L.LEFT_ANKLE), (L.RIGHT_HIP, L.RIGHT_KNEE, L.RIGHT_ANKLE)):
            a, b = (xy[hip] - xy[kn]) * (w, h), (xy[an] - xy[kn]) * (w, h)
            cos = float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))
            knee = max(knee, 180.0 - math.degrees(math.acos(max(-1.0, min(1.0, cos)))))
        rise_px = FOOT * math.sin(math.radians(pitch_deg * min(1.0, knee / depth)))
        for heel in (L.LEFT_HEEL, L.RIGHT_HEEL):
            xy[heel, 1] -= rise_px / h
        out.append((t, replace(p, xy=xy)))
    return out


def test_a_heel_point_dragged_up_the_shoe_is_no_heel_lift():
    """A real side-view squat filmed up close read foot pitch 40-65 degrees (limit 29) on every
    repetition with the heels on the floor: the heel point rises, the ankle does not. Not cued;
    the same squats with the heels truly lifted (the foot turning on the ball, the ankle rising
    with it) still are, on every repetition."""
    spec = load_exercise("squat")
    keys, _ = squat_keys(3, depth=110.0)
    flat = _drag_heels(script(keys, 30), 110.0, 45.0)
    report, _ = report_of(spec, flat)
    assert report.reps == 3
    assert all(r.metrics.get("foot_pitch", 0) > 35 for r in report.reps_detail)  # the heel point reads high ...
    assert "heels_lifting" not in report.fault_counts  # ... but the ankle stayed down
    lifted_keys, _ = squat_keys(3, depth=110.0, extra={"heel_lift": 0.6})  # about 37 degrees
    report, _ = report_of(spec, script(lifted_keys, 30))
    assert report.reps == 3 and report.fault_counts.get("heels_lifting") == 3


def test_a_squat_ending_as_the_video_ends_counts():
    """A short clip stops a few frames after the patient stands up: the repetition is whole,
    only the 0.1 s wait at the top (against jitter) was cut off. It counts; stopping on the way
    up counts once past half of the way back (engine/edges.py, marked as cut by the end), and
    before that is still an unfinished partial."""
    spec = load_exercise("squat")
    keys = [(0.0, {"knee": 0.0}), (0.2, {"knee": 0.0}), (0.6, {"knee": 95.0}), (1.1, {"knee": 0.0})]
    frames = [f for f in script(keys, 30) if f[0] <= 1034.0]  # ends as they stand up (knees straighter than 25 degrees)
    report, _ = report_of(spec, frames)
    assert report.reps == 1 and not report.partials, (report.reps, report.partials)
    cut = [f for f in frames if f[0] <= 900.0]  # on the way up, knees at 38 of their 95 degrees
    report, _ = report_of(spec, cut)
    assert report.reps == 1 and not report.partials and report.reps_detail[0].cut == "end"
    early = [f for f in frames if f[0] <= 750.0]  # only starting up: knees still at 66 degrees
    report, _ = report_of(spec, early)
    assert report.reps == 0 and [p.reason for p in report.partials] == ["unfinished"]


def test_the_counter_ends_a_trip_back_at_rest_when_the_samples_end():
    c = ExcursionCounter(Thresholds(rest=5.0, enter=10.0, min_dwell_s=0.1))
    for i, v in enumerate([0, 0, 20, 40, 60, 60, 30, 2]):
        assert c.update(float(v), i * 0.05) is None
    exc = c.end_back_at_rest()
    assert exc is not None and exc.peak == 60 and abs(exc.end_s - 7 * 0.05) < 1e-9
    assert c.phase is CounterPhase.REST
    c2 = ExcursionCounter(Thresholds(rest=5.0, enter=10.0, min_dwell_s=0.1))
    for i, v in enumerate([0, 0, 20, 40, 60, 60, 30]):
        c2.update(float(v), i * 0.05)
    assert c2.end_back_at_rest() is None and c2.phase is CounterPhase.OUT  # still on the way back




def test_a_cue_from_the_bottom_of_a_squat_is_gone_once_the_patient_stands():
    """"The cue stays on screen after the patient has stood up": a fault cue seen during a
    repetition comes down once the repetition is back at the start and the cue has been up about
    a second (CUE_READ_S), not the full CUE_HOLD_S."""
    from formcheck.engine.analyzer import Analyzer
    from formcheck.engine.cues import CUE_READ_S

    spec = load_exercise("squat")
    keys = [(0.0, {"knee": 0.0, "heel_lift": 0.0}), (1.0, {"knee": 0.0, "heel_lift": 0.0}),
            (1.6, {"knee": 110.0, "heel_lift": 0.6}), (1.8, {"knee": 110.0, "heel_lift": 0.6}),
            (2.4, {"knee": 0.0, "heel_lift": 0.0}), (6.0, {"knee": 0.0, "heel_lift": 0.0})]
    an = Analyzer(spec)
    shown, rep_end = None, None
    for t_ms, pose in script(keys, 30):
        r = an.update(t_ms, pose)
        if r.cue is not None and r.cue.id == "heels_lifting" and shown is None:
            shown = t_ms / 1000
        if r.new_rep is not None:
            rep_end = t_ms / 1000
            assert "heels_lifting" in r.new_rep.faults
        if rep_end is not None and t_ms / 1000 >= max(rep_end, shown + CUE_READ_S) + 0.05:
            assert r.cue is None or r.cue.id != "heels_lifting", (t_ms, shown, rep_end)
    assert shown is not None and rep_end is not None
