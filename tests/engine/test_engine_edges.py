"""Repetitions cut by the edges of a video (engine/edges.py): begun before its first frame, or
still on their way back at its last. Scripted signals: squats (knee angle, an absolute count),
heel raises and curl-ups (counted from the start position)."""

from __future__ import annotations

from factories import report_of, run, script, squat_keys
from test_engine_lying import CURL, Lying, play, rep, rest

from formcheck.engine.analyzer import Analyzer
from formcheck.engine.counter import CounterPhase, ExcursionCounter, Thresholds
from formcheck.engine.edges import END_RETURN_SHARE, END_TREND_S
from formcheck.sets.set_report import SetReport
from formcheck.spec.exercise import load_exercise

SQUAT = load_exercise("squat")
CURL_UP = load_exercise("curl_up")


def begun_at_the_bottom(reps: int = 2, knee: float = 110.0) -> list[tuple[float, dict[str, float]]]:
    """A clip that begins at the bottom of a squat (knees ``knee`` degrees, rising at once),
    standing by 0.8 s, then ``reps`` whole squats."""
    keys, _ = squat_keys(reps, lead_s=1.5)
    return [(0.0, {"knee": knee}), (0.8, {"knee": 0.0})] + keys[1:]


def test_the_counter_ends_a_trip_cut_on_its_way_back():
    def counter(values):
        c = ExcursionCounter(Thresholds(rest=5.0, enter=10.0, min_dwell_s=0.1))
        for i, v in enumerate(values):
            assert c.update(float(v), i * 0.05) is None
        return c, (len(values) - 1) * 0.05

    c, t = counter([0, 0, 20, 40, 60, 60, 50, 40, 28])  # back past half of 60, still heading down
    exc = c.end_on_the_way_back(t, END_RETURN_SHARE, END_TREND_S)
    assert exc is not None and exc.peak == 60 and exc.end_s == t and c.phase is CounterPhase.REST
    for values in ([0, 0, 20, 40, 60, 60, 60, 60, 60],  # sits at the top: half a repetition
                   [0, 0, 20, 40, 60, 60, 55, 45, 35],  # only starting back (35 of 60)
                   [0, 0, 20, 40, 60, 30, 25, 25, 25, 27, 29]):  # stopped half-way, rising again
        c, t = counter(values)
        assert c.end_on_the_way_back(t, END_RETURN_SHARE, END_TREND_S) is None and c.phase is CounterPhase.OUT


def test_a_squat_the_video_began_in_counts_and_is_marked():
    """The video begins at the bottom of a squat (as squat_bodyweight_side_handheld_6reps): the
    way up is that squat's end. Counted, marked as cut, and its tempo is not judged."""
    frames = script(begun_at_the_bottom(), 30, noise_px=0.5)
    report, _ = report_of(SQUAT, frames)
    assert report.reps == 3, (report.reps_detail, report.partials)
    first = report.reps_detail[0]
    assert first.cut == "start" and first.start_s == 0.0 and 0.6 <= first.end_s <= 0.9
    assert not first.faults  # 0.8 s seen of it: no "too fast" for what the video cut off
    assert [r.cut for r in report.reps_detail[1:]] == [None, None]
    assert any(n.startswith("the video began during a repetition: repetition 1") for n in report.notes), report.notes
    # report.json keeps the mark
    again = SetReport.from_json(report.to_json())
    assert [r.cut for r in again.reps_detail] == ["start", None, None]


def test_a_live_camera_set_has_no_repetition_before_its_start():
    """A live camera's set starts with the patient in position after a countdown: a movement in
    its first frames is the patient getting ready (up from a chair), never counted."""
    frames = script(begun_at_the_bottom(), 30, noise_px=0.5)
    an = run(Analyzer(SQUAT, recorded=False), frames)
    assert len(an.reps) == 2 and not any(r.cut for r in an.reps)


def test_no_repetition_before_the_video_from_a_still_or_a_shallow_start():
    # seated still for 3 s (knees at 90), then stands up: not a squat under way when the video began
    seated = [(0.0, {"knee": 90.0}), (3.0, {"knee": 90.0}), (3.8, {"knee": 0.0})] + squat_keys(2, lead_s=4.5)[0][1:]
    an = run(Analyzer(SQUAT), script(seated, 30, noise_px=0.5))
    assert len(an.reps) == 2 and not any(r.cut for r in an.reps), an.reps
    # knees bent 30 degrees at the first frame: short of `enter`, no repetition under way
    an = run(Analyzer(SQUAT), script(begun_at_the_bottom(knee=30.0), 30, noise_px=0.5))
    assert len(an.reps) == 2 and not any(r.cut for r in an.reps)
    # on the way up from 60 degrees, short of the full 70: its depth before the video is unknown,
    # neither a repetition nor a fault
    an = run(Analyzer(SQUAT), script(begun_at_the_bottom(knee=60.0), 30, noise_px=0.5))
    assert len(an.reps) == 2 and not an.partials and not an.faults


def test_a_squat_cut_at_both_ends_counts_once():
    """squat_bodyweight_side_woman_good_1rep: knees at 40 degrees in the first frame, 130 at
    the bottom, 60 at the last frame on the way up (past half-way back, not yet in the lowest
    share of the squat, reps.RETURN_SHARE): one squat, cut at both ends."""
    keys = [(0.0, {"knee": 40.0}), (0.6, {"knee": 130.0}), (1.0, {"knee": 130.0}), (1.6, {"knee": 60.0})]
    report, _ = report_of(SQUAT, script(keys, 30, noise_px=0.5))
    assert report.reps == 1 and report.reps_detail[0].cut == "both", (report.reps_detail, report.partials)
    assert any("began during a repetition" in n and "form and tempo were not checked" in n
               and "also ended before" in n for n in report.notes), report.notes


def test_the_end_of_the_video_on_the_way_back_counts_but_not_the_patients_end():
    """A bridge-like squat whose video ends on its way back up (back past half of its depth):
    counted, marked as cut by the end. At the top (not started back) it is unfinished; so is a
    movement under way when the patient ends the set (q, or the hands-free end)."""
    keys, _ = squat_keys(3)
    bottom = keys[-4][0]  # the third squat's bottom, 1.0 s up from there
    frames = script(keys, 30, noise_px=0.5)
    late = [f for f in frames if f[0] <= (bottom + 0.2 + 0.7) * 1000]  # 30 of 100 degrees left
    an = run(Analyzer(SQUAT), late)
    assert len(an.reps) == 3 and an.reps[-1].cut == "end" and not an.partials
    at_top = [f for f in frames if f[0] <= (bottom + 0.1) * 1000]
    an = run(Analyzer(SQUAT), at_top)
    assert len(an.reps) == 2 and [p.reason for p in an.partials] == ["unfinished"]
    an = Analyzer(SQUAT)
    for t, p in late:
        an.update(t, p)
    an.finish(late[-1][0], source_ended=False)  # the patient ended the set
    assert len(an.reps) == 2 and [p.reason for p in an.partials] == ["unfinished"]


def test_a_curl_up_the_video_began_in_counts():
    """The video begins curled up (the shoulders lifted, as curl_up_foot_end_no_rest's first
    frame): counting waits for the patient lying down, and the way down is that curl-up's end."""
    script_ = rest(0.3, CURL) + [(1.2, Lying())] + rest(1.0) + rep(CURL) * 2
    frames = play(script_, 30, start=CURL, noise_seed=0)
    an = run(Analyzer(CURL_UP), frames)
    assert len(an.reps) == 3 and [r.cut for r in an.reps] == ["start", None, None], (an.reps, an.partials)


def test_sitting_still_then_lying_back_is_no_curl_up():
    """A video that begins with the patient sitting still on the mat, who then lies back to
    start: no repetition under way when it began (the trunk did not move in its first second)."""
    sitting = Lying(curl=85)
    script_ = rest(2.0, sitting) + [(1.5, Lying())] + rest(1.0) + rep(CURL) * 2
    an = run(Analyzer(CURL_UP), play(script_, 30, start=sitting, noise_seed=0))
    assert len(an.reps) == 2 and not any(r.cut for r in an.reps), (an.reps, an.partials)


def test_a_title_card_and_the_pose_models_first_frames_do_not_hide_the_first_repetition():
    """situp_side_man_gym_10reps: a white title card (nobody seen), then the pose model's first
    frames on the fading-in picture drift as far as a walk; the first sit-up is under way by then.
    Neither the card (no pose) nor the drift of the model's warm-up (no walk) loses it."""
    keys = [(0.0, {"knee": 110.0, "offset_px": 0.0}), (0.15, {"knee": 110.0, "offset_px": 120.0}),
            (0.3, {"knee": 110.0, "offset_px": 120.0}), (1.1, {"knee": 0.0, "offset_px": 120.0})]
    keys += [(t + 0.3, {**k, "offset_px": 120.0}) for t, k in squat_keys(2, lead_s=1.2)[0][1:]]
    frames = [(t + 600.0, p) for t, p in script(keys, 30, noise_px=0.5)]
    carded = [(t, None) for t in range(0, 600, 33)] + frames
    report, _ = report_of(SQUAT, carded)
    assert report.reps == 3 and report.reps_detail[0].cut == "start", (report.reps_detail, report.pauses)
