"""The engine's core on scripted poses (tests/factories.py): Count.confirm (a second measure
that must agree), Count.max_rate (a jump faster than a body moves spoils the repetition) and
pausing a set by hand (Analyzer.pause / resume)."""

from __future__ import annotations

import numpy as np
import pytest
from factories import run, script, squat_keys

from formcheck.core.pose import Landmark as L
from formcheck.core.pose import Pose
from formcheck.core.results import Status
from formcheck.engine.analyzer import USER_PAUSE_REASON, Analyzer
from formcheck.spec.exercise import ExerciseSpec, load_exercise
from formcheck.spec.parts import Confirm

SQUAT = load_exercise("squat")
HEEL_RAISE = load_exercise("heel_raise")


def with_count(spec: ExerciseSpec, **changes) -> ExerciseSpec:
    return spec.model_copy(update={"count": spec.count.model_copy(update=changes)})


def moved(pose: Pose, lms: tuple[L, ...], dx_px: float = 0.0, dy_px: float = 0.0) -> Pose:
    """The pose with some landmarks shifted (a pose model's glitch), image y down."""
    xy = pose.xy.copy()
    w, h = pose.image_size
    for lm in lms:
        xy[lm] += (dx_px / w, dy_px / h)
    return Pose(xy=xy, visibility=pose.visibility, world=pose.world, t_ms=pose.t_ms, image_size=pose.image_size)


def glitch(frames: list, a_s: float, b_s: float, lms: tuple[L, ...], dx_px: float = 0.0, dy_px: float = 0.0) -> list:
    """Shift ``lms`` in the frames from a_s to b_s, ramping in and out over 0.4 s."""
    out = []
    for t_ms, p in frames:
        t = t_ms / 1000.0
        f = float(np.clip(min(t - a_s, b_s - t) / 0.4, 0.0, 1.0))
        out.append((t_ms, p if p is None or f == 0 else moved(p, lms, dx_px * f, dy_px * f)))
    return out


STANDING = [(0.0, {"knee": 0.0}), (5.0, {"knee": 0.0})]


# ----- Count.confirm -----------------------------------------------------------------------------

def test_confirm_a_heel_point_glitch_alone_is_no_heel_raise():
    # the heel points jump up (as when the pose model loses the foot on a rug); the body stays put
    frames = glitch(script(STANDING, 30, noise_px=0.3), 2.0, 3.6, (L.LEFT_HEEL, L.RIGHT_HEEL), dy_px=-15.0)
    unconfirmed = run(Analyzer(with_count(HEEL_RAISE, confirm=None)), frames)
    assert len(unconfirmed.reps) + len(unconfirmed.partials) == 1  # the heel alone reads as a raise
    confirmed = run(Analyzer(HEEL_RAISE), frames)
    assert confirmed.reps == [] and confirmed.partials == []


def test_confirm_real_heel_raises_count_with_the_body_rising():
    keys = [(0.0, {"heel_lift": 0.0}), (1.0, {"heel_lift": 0.0})]
    t = 1.0
    for _ in range(3):
        keys += [(t + 0.6, {"heel_lift": 0.35}), (t + 1.4, {"heel_lift": 0.35}), (t + 2.0, {"heel_lift": 0.0}),
                 (t + 2.8, {"heel_lift": 0.0})]
        t += 2.8
    an = run(Analyzer(HEEL_RAISE), script(keys, 30, noise_px=0.3))
    assert len(an.reps) == 3, an.partials


def test_confirm_the_count_is_held_back_where_the_second_measure_disagrees():
    # knee flexion confirmed by the body going down (body_rise falls as one squats): the knee
    # landmarks swinging forward alone bend the "knee" without the hips and shoulders dropping
    spec = with_count(SQUAT, max_rate=None,
                      confirm=Confirm(signal="body_rise", direction=-1, rest=0.02, enter=0.04, full=0.1))
    frames = glitch(script(STANDING, 30, noise_px=0.3), 2.0, 3.6, (L.LEFT_KNEE, L.RIGHT_KNEE), dx_px=90.0)
    assert len(run(Analyzer(with_count(SQUAT, max_rate=None)), frames).reps) == 1  # unconfirmed: a "squat"
    assert run(Analyzer(spec), frames).reps == []
    keys, _ = squat_keys(2)
    assert len(run(Analyzer(spec), script(keys, 30, noise_px=0.3)).reps) == 2  # real squats still count


# ----- Count.max_rate ----------------------------------------------------------------------------

def test_max_rate_a_jump_faster_than_a_body_is_an_implausible_partial():
    # the knee reading jumps from straight to 110 degrees between two frames (1650 deg/s against
    # the frame before last, over the squat's max_rate of 1200), then comes back up normally
    keys = [(0.0, {"knee": 0.0}), (2.0, {"knee": 0.0}), (2.001, {"knee": 110.0}), (3.0, {"knee": 110.0}),
            (4.2, {"knee": 0.0}), (5.5, {"knee": 0.0})]
    more, _ = squat_keys(1, lead_s=0.0)
    keys += [(5.5 + t, kv) for t, kv in more[1:]]
    an = run(Analyzer(SQUAT), script(keys, 30, noise_px=0.5))
    assert [p.reason for p in an.partials] == ["implausible"]
    assert an.partials[0].start_s <= 2.05 <= an.partials[0].end_s
    assert len(an.reps) == 1 and an.reps[0].start_s > 5.0  # the squat after it counts
    assert not any(f.id == "implausible" for f in an.faults)  # a tracking error, not the patient's fault


def test_max_rate_the_same_movement_at_a_body_speed_counts():
    keys = [(0.0, {"knee": 0.0}), (2.0, {"knee": 0.0}), (2.5, {"knee": 110.0}), (3.0, {"knee": 110.0}),
            (4.2, {"knee": 0.0}), (5.5, {"knee": 0.0})]
    an = run(Analyzer(SQUAT), script(keys, 30, noise_px=0.5))
    assert len(an.reps) == 1 and an.partials == []
    unlimited = run(Analyzer(with_count(SQUAT, max_rate=None)), script(keys[:2] + [(2.001, {"knee": 110.0})] + keys[3:], 30))
    assert len(unlimited.reps) == 1  # without max_rate the jump is counted


# ----- pause and resume --------------------------------------------------------------------------

def feed(an: Analyzer, frames: list, pause_at: float | None = None, resume_at: float | None = None) -> list:
    """Frames to the analyzer, pausing and resuming at those times (the pause's own results too)."""
    out = []
    for t_ms, pose in frames:
        if pause_at is not None and t_ms / 1000.0 >= pause_at:
            out.append(an.pause(t_ms))
            pause_at = None
        if resume_at is not None and t_ms / 1000.0 >= resume_at:
            out.append(an.resume(t_ms))
            resume_at = None
        out.append(an.update(t_ms, pose))
    out.append(an.finish(frames[-1][0]))
    return out


def test_pause_drops_the_rep_in_progress_and_records_a_user_pause():
    keys, ends = squat_keys(4)  # squats from 1.0, 4.2, 7.4 and 10.6 s, each back up 2.4 s later
    an = Analyzer(SQUAT)
    results = feed(an, script(keys, 30, noise_px=0.5), pause_at=ends[1] + 1.5, resume_at=ends[2] + 0.3)
    # squat 3 was half-way down at the pause; squat 4 counts after settling again
    assert [r.end_s for r in an.reps] == pytest.approx([ends[0], ends[1], ends[3]], abs=0.4)
    (part,) = an.partials
    assert part.reason == "paused" and part.end_s == pytest.approx(ends[1] + 1.5, abs=0.05)
    (pause,) = an.pauses
    assert pause.reason == USER_PAUSE_REASON
    assert (pause.start_s, pause.end_s) == pytest.approx((ends[1] + 1.5, ends[2] + 0.3), abs=0.05)
    # the pause's own result carries what it closed, for the report
    paused = next(r for r in results if r.new_pause is not None)
    assert paused.new_partial == part and paused.status is Status.NO_PERSON


def test_a_dropped_repetitions_faults_are_not_pinned_on_the_next_one():
    """A squat with a rounded back is cut off by a pause; the clean squat after it is clean."""
    keys = [(0.0, {"knee": 0.0, "trunk": 0.0}), (1.0, {"knee": 0.0, "trunk": 0.0}),
            (2.2, {"knee": 100.0, "trunk": 70.0}), (2.6, {"knee": 100.0, "trunk": 70.0}),
            (3.6, {"knee": 0.0, "trunk": 0.0}), (6.0, {"knee": 0.0, "trunk": 0.0}),
            (7.2, {"knee": 100.0, "trunk": 40.0}), (7.4, {"knee": 100.0, "trunk": 40.0}),
            (8.4, {"knee": 0.0, "trunk": 0.0}), (10.0, {"knee": 0.0, "trunk": 0.0})]
    frames = script(keys, 30, noise_px=0.3)
    an = run(Analyzer(SQUAT), frames)  # uninterrupted, the first squat is the rounded one
    assert [r.faults for r in an.reps] == [("back_rounded",), ()]
    an = Analyzer(SQUAT)
    feed(an, frames, pause_at=2.7, resume_at=3.9)
    assert [p.reason for p in an.partials] == ["paused"]
    assert [r.faults for r in an.reps] == [()]
    assert "back_rounded" not in {f.id for f in an.faults}


def test_frames_while_paused_are_not_analysed():
    keys, _ = squat_keys(3)
    an = Analyzer(SQUAT)
    results = feed(an, script(keys, 30, noise_px=0.5), pause_at=0.5)  # never resumed
    assert an.reps == [] and an.partials == []
    after = results[next(i for i, r in enumerate(results) if r.new_pause is not None):]
    assert len(after) > 200 and all(r.status is Status.NO_PERSON and r.cue is None for r in after)
    (pause,) = an.pauses
    assert pause.start_s == pytest.approx(0.5, abs=0.05) and pause.end_s == pytest.approx(keys[-1][0])  # closed by finish


def test_pause_and_resume_twice_change_nothing_more():
    an = Analyzer(SQUAT)
    for t, p in script(STANDING, 30)[:30]:
        an.update(t, p)
    first = an.pause(1000.0)
    again = an.pause(1100.0)
    assert first.new_pause is not None and again.new_pause is None and len(an.pauses) == 1
    an.resume(1500.0)
    an.resume(1600.0)
    assert len(an.pauses) == 1 and an.pauses[0].end_s == 1.5
    assert an.resume(1700.0).new_pause is None


def test_pause_closes_an_open_not_seen_pause():
    frames = script(STANDING, 30, dropouts=[(1.0, 5.0)])
    an = Analyzer(SQUAT)
    for t, p in frames[:60]:  # unseen from 1.0 s: a pause opens after half a second
        an.update(t, p)
    assert an.pauses and an.pauses[0].end_s < 0
    an.pause(2000.0)
    assert [(p.end_s, p.reason) for p in an.pauses] == [(2.0, "person or key joints not seen"), (-1.0, USER_PAUSE_REASON)]


def test_report_notes_when_counting_was_paused_for_much_of_the_set():
    """Squats done while the body is not seen are not counted: the report must say the count
    may be low, so a physiotherapist does not read a low count as a patient doing less."""
    from factories import report_of, squat_keys

    keys, _ = squat_keys(4)  # 13.8 s
    lost, _ = report_of(SQUAT, script(keys, 30, dropouts=[(3.0, 6.0)]))
    assert lost.reps < 4
    assert any("count may be low" in n for n in lost.notes), lost.notes
    blink, _ = report_of(SQUAT, script(keys, 30, dropouts=[(3.0, 3.3)]))  # a short dropout: no note
    assert blink.reps == 4
    assert not any("count may be low" in n for n in blink.notes)


def test_report_says_when_counting_never_started():
    """A clip cut mid-squat (knees already bent, never standing, ending at the bottom): nothing
    is counted, and the report says why instead of a bare 0."""
    from factories import report_of

    cut, _ = report_of(SQUAT, script([(0.0, {"knee": 40.0}), (0.6, {"knee": 130.0}), (1.6, {"knee": 120.0})], 30))
    assert cut.reps == 0 and cut.started_s is None
    # (a one-way count starts at the first moment in the start position: no still wait to name)
    assert any(n.startswith("counting never started") and "never seen in the start position" in n
               for n in cut.notes), cut.notes
    whole, _ = report_of(SQUAT, script(STANDING, 30))
    # issue 17: counting arms as soon as the person stands in the start position (no still wait)
    assert whole.started_s is not None and 0.0 <= whole.started_s <= 1.0
    assert not any("never started" in n for n in whole.notes)


def test_a_pause_the_patient_asked_for_is_not_a_reason_to_doubt_the_count():
    from formcheck.sets.report import ReportBuilder

    frames = script(STANDING, 30)
    an = Analyzer(SQUAT)
    b = ReportBuilder(SQUAT, target=10, source="x", model="lite", mode="test")
    for i, (t, p) in enumerate(frames):
        if i == 30:
            b.add(an.pause(t))
        elif i == 120:
            b.add(an.resume(t))
        else:
            b.add(an.update(t, p))
    report = b.finish(an.pauses)
    assert [p.reason for p in report.pauses] == [USER_PAUSE_REASON]
    assert not any("count may be low" in n for n in report.notes)


def test_pause_ends_a_hold_at_once():
    spec = ExerciseSpec.model_validate({
        "id": "test_hold", "kind": "hold", "name": {"da": "Test", "en": "Test"},
        "instructions": {"da": ["x"], "en": ["x"]}, "posture": "standing", "views": ["side"],
        "hold": {"target_s": 20, "still_max": 0.1, "min_hold_s": 2.0,
                 "position": [{"signal": "knee_flexion", "min": 60}]},
    })
    keys = [(0.0, {"knee": 0.0}), (1.0, {"knee": 0.0}), (1.5, {"knee": 80.0}), (12.0, {"knee": 80.0})]
    an = Analyzer(spec)
    results = feed(an, script(keys, 30), pause_at=6.0, resume_at=8.0)
    first, second = an.holds  # one before the pause, one after it
    assert first.end_s == pytest.approx(6.0, abs=0.05) and 3.5 <= first.held_s <= 4.6
    assert second.start_s >= 8.0
    assert next(r for r in results if r.new_pause is not None).new_hold == first


def test_report_keeps_every_partial_even_when_one_frame_closes_two():
    """finish() can close an unfinished movement and a pending half cycle in the same frame;
    the report (a fold over FrameResults) must still hold every partial the analyzer made."""
    from factories import report_of, script

    from formcheck.spec.exercise import load_exercise

    spec = load_exercise("toe_heel")
    # settle flat, one rise onto the toes (a pending half cycle), back down, then up again and the
    # set ends while still up: the pending toes phase and the unfinished rise close together
    frames = script([(0.0, {"heel_lift": 0.0}), (1.5, {"heel_lift": 0.0}), (2.2, {"heel_lift": 0.35}),
                     (3.0, {"heel_lift": 0.35}), (3.7, {"heel_lift": 0.0}), (4.5, {"heel_lift": 0.0}),
                     (5.2, {"heel_lift": 0.35}), (6.0, {"heel_lift": 0.35})], fps=30)
    report, an = report_of(spec, frames)
    assert len(an.partials) >= 2
    assert len(report.partials) == len(an.partials)


# ----- judging a finished repetition ---------------------------------------------------------------

def test_a_rep_faults_worst_value_comes_from_the_part_of_the_rep_its_rule_is_about():
    """A rule judged at the bottom reports the worst value seen at the bottom, not on the way."""
    from formcheck.engine.counter import Excursion
    from formcheck.engine.cues import CuePicker
    from formcheck.engine.events import SetLog
    from formcheck.engine.form import FormChecker
    from formcheck.engine.readings import Readings
    from formcheck.engine.viewpoint import Viewpoint

    spec = load_exercise("curl_up")
    (rule,) = [r for r in spec.rules if r.during == "bottom"]
    log = SetLog()
    form = FormChecker(spec, Readings(None), CuePicker(), log, Viewpoint())
    far = rule.limit + 50 if rule.kind == "max" else rule.limit - 50  # much worse, but on the way up
    near = rule.limit + 5 if rule.kind == "max" else rule.limit - 5  # broken at the bottom
    form._in_rep = [(rule, 1.1, far), (rule, 1.5, near), (rule, 1.7, near), (rule, 2.4, far)]
    rep = Excursion(sign=1, start_s=1.0, end_s=2.5, peak_s=1.6, peak=30.0, reach_s=1.4, leave_s=1.8)
    ids, metrics = form.judge_rep(rep, 1)
    assert ids == [rule.id]
    assert metrics[rule.signal] == pytest.approx(near)
    assert [(f.id, f.t_s, f.value) for f in log.faults] == [(rule.id, 1.5, pytest.approx(near))]


def test_every_metric_in_the_report_is_explained_with_its_unit():
    """A physiotherapist reading report.json must not guess what "peak" or "descent_s" is: each
    metric key of the repetitions and partials has plain words and a unit in metrics_legend."""
    from factories import report_of, squat_keys

    keys, _ = squat_keys(3)
    t = keys[-1][0]
    shallow = [(t + 1.0, {"knee": 50.0}), (t + 2.0, {"knee": 0.0}), (t + 3.0, {"knee": 0.0})]  # a partial
    report, _ = report_of(SQUAT, script(keys + shallow, 30))
    assert report.reps >= 2 and report.partials
    legend = report.metrics_legend
    for item in (*report.reps_detail, *report.partials):
        assert set(item.metrics) <= set(legend), (item.metrics, legend)
    assert "knee_flexion" in legend["peak"] and "deg" in legend["peak"]  # the squat counts knee bend from the side
    assert "seconds" in legend["descent_s"] and "top of a bridge" in legend["descent_s"]


@pytest.mark.parametrize("exercise, cue", [("pelvic_lift", "lie_side_on"), ("core_bracing", "lie_side_on"),
                                           ("squat", "step_into_view"), ("seated_glute_stretch", "step_into_view")])
def test_the_person_lost_is_asked_into_view_lying_side_on_for_a_lying_exercise(exercise, cue):
    """A laptop on the floor at the foot end of the mat sees the knees and little else: the pose
    model finds no one on most frames. "Make sure your whole body is in view" does not say how;
    a lying exercise asks for the side, so the patient is asked to lie with the side to the camera."""
    an = Analyzer(load_exercise(exercise))
    results = [an.update(t_ms, None) for t_ms in np.arange(0.0, 2000.0, 33.3)]
    assert results[-1].status is Status.NO_PERSON
    assert results[-1].cue is not None and results[-1].cue.id == cue
