"""Guards on engine behaviour the other engine tests could not tell apart from a broken engine:
the dwell is measured in seconds of video (not frames), a repetition longer than max_rep_s is a
"too_long" partial, the measured body side is chosen again at rest before each repetition, and
the hysteresis band between Count.rest and Count.enter is honoured inside the Analyzer (jitter
around the thresholds adds no repetition and no partial), for squat and toe_heel (cycle mode).
"""

from __future__ import annotations

import math

import pytest
from factories import make_pose, report_of, run, script, squat_keys
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from formcheck.core.pose import Landmark as L
from formcheck.core.pose import Pose
from formcheck.core.results import Status
from formcheck.engine.analyzer import Analyzer
from formcheck.engine.counter import CounterPhase, ExcursionCounter, Thresholds
from formcheck.spec.exercise import load_exercise

SQUAT = load_exercise("squat")
TOE_HEEL = load_exercise("toe_heel")
FPS = (15, 24, 30, 60)
SQ = SQUAT.count
TH = TOE_HEEL.count
assert SQ is not None and TH is not None


def feed(an: Analyzer, frames: list) -> list:
    """Frames through the analyzer and the set closed; returns the per-frame results."""
    out = [an.update(t_ms, pose) for t_ms, pose in frames]
    out.append(an.finish(frames[-1][0]))
    return out


def times(fps: float, t0: float, n: int) -> list[float]:
    """n frame times from the frame at or after t0 on, as script() makes them (i / fps)."""
    i0 = math.ceil(t0 * fps - 1e-9)
    return [(i0 + i) / fps for i in range(n)]


# ----- 1. the dwell is seconds of video, not frames ------------------------------------------------

def frames_within(dwell_s: float, fps: float) -> int:
    """The most frames in a row that span clearly less than ``dwell_s`` (half a frame's margin)."""
    return int(math.floor((dwell_s - 0.5 / fps) * fps)) + 1


@pytest.mark.parametrize("fps", [15, 60])
def test_counter_a_crossing_shorter_than_min_dwell_s_starts_nothing(fps):
    """A trip past `enter` that lasts less than min_dwell_s seconds (at 60 fps several frames)
    neither starts nor makes an excursion, whatever the frame rate."""
    th = Thresholds(SQ.rest, SQ.enter, SQ.min_dwell_s, SQ.peak_band)
    n = frames_within(th.min_dwell_s, fps)
    if fps >= 60:
        assert n >= 3  # the point: many frames, yet less than the dwell in seconds
    c = ExcursionCounter(th)
    ts = times(fps, 0.0, 2 * fps + n + 2 * fps)
    values = [0.0] * (2 * fps) + [SQ.full + 20.0] * n + [0.0] * (2 * fps)
    got = [c.update(v, t) for v, t in zip(values, ts)]
    assert got == [None] * len(values)
    assert c.phase is CounterPhase.REST


@pytest.mark.parametrize("fps", [15, 60])
def test_counter_phase_changes_once_min_dwell_s_seconds_have_passed(fps):
    """Leaving and coming back to rest each take min_dwell_s seconds past the threshold: the
    phase changes at the first frame at least that long after the crossing, not before, at any
    frame rate (so a dwell counted in frames would be too short at 60 fps, too long at 15)."""
    th = Thresholds(SQ.rest, SQ.enter, SQ.min_dwell_s, SQ.peak_band)
    c = ExcursionCounter(th)
    t = 0.0
    for t in times(fps, 0.0, fps):  # 1 s standing
        assert c.update(0.0, t) is None
    cross = times(fps, t + 1e-9, 2 * fps)
    first = cross[0]
    for t in cross:  # past enter, and held
        assert c.update(SQ.full + 20.0, t) is None
        want = CounterPhase.OUT if t - first >= th.min_dwell_s - 1e-9 else CounterPhase.REST
        assert c.phase is want, (t - first, c.phase)
    back = times(fps, t + 1e-9, 2 * fps)
    back0 = back[0]
    ends = []
    for t in back:  # back at rest, and staying
        exc = c.update(0.0, t)
        if exc is not None:
            ends.append((t, exc))
        if t - back0 < th.min_dwell_s - 1e-9:
            assert c.phase is CounterPhase.OUT and not ends, (t - back0, c.phase)
    (t_end, exc), = ends
    assert t_end - back0 >= th.min_dwell_s - 1e-9
    assert t_end - back0 < th.min_dwell_s + 1.0 / fps + 1e-9
    assert exc.end_s == pytest.approx(back0)


@pytest.mark.parametrize("fps", [15, 60])
def test_counter_a_dip_to_rest_shorter_than_min_dwell_s_does_not_end_the_excursion(fps):
    """Mid-movement, a return to rest lasting less than min_dwell_s (at 60 fps several frames)
    does not split one excursion into two."""
    th = Thresholds(SQ.rest, SQ.enter, SQ.min_dwell_s, SQ.peak_band)
    c = ExcursionCounter(th)
    n = frames_within(th.min_dwell_s, fps)
    deep = SQ.full + 20.0
    values = [0.0] * fps + [deep] * fps + [0.0] * n + [deep] * fps + [0.0] * (2 * fps)
    ts = times(fps, 0.0, len(values))
    got = [e for v, t in zip(values, ts) if (e := c.update(v, t)) is not None]
    assert len(got) == 1


@pytest.mark.parametrize("fps", [15, 60])
def test_analyzer_a_knee_flick_shorter_than_min_dwell_s_is_no_squat(fps):
    """Through the whole engine (smoothing included): the counted knee bend past `enter` for
    less than min_dwell_s seconds, at 60 fps for several frames, makes no repetition and no
    partial, and the status never says a repetition is in progress."""
    flick = 0.9 * SQ.min_dwell_s
    keys = [(0.0, {"knee": 0.0}), (2.0, {"knee": 0.0}), (2.02, {"knee": 60.0}), (2.02 + flick, {"knee": 60.0}),
            (2.04 + flick, {"knee": 0.0}), (4.0, {"knee": 0.0})]
    frames = script(keys, fps)
    an = Analyzer(SQUAT)
    results = feed(an, frames)
    # what the counter saw: past enter for some frames in a row, for less than min_dwell_s
    above = [r.t_ms / 1000.0 for r in results if r.value is not None and r.value > SQ.enter]
    assert above and above[-1] - above[0] < SQ.min_dwell_s
    assert len(above) == round((above[-1] - above[0]) * fps) + 1  # one run of frames in a row
    if fps >= 60:
        assert len(above) >= 3
    assert an.reps == [] and an.partials == []
    assert all(r.status is not Status.MOVING for r in results)


# ----- 2. max_rep_s ---------------------------------------------------------------------------------

def test_squat_longer_than_max_rep_s_is_a_too_long_partial():
    """Staying down longer than max_rep_s (resting in a squat) is not one squat: it is not
    counted and is reported as a partial with reason "too_long" (no form fault); the same squat
    with a shorter stay at the bottom counts."""
    down_s, up_s = 1.2, 1.0
    long_bottom = SQ.max_rep_s - down_s - up_s + 1.5  # the whole trip: max_rep_s + 1.5 s or so
    keys, _ = squat_keys(1, down_s=down_s, bottom_s=long_bottom, up_s=up_s, rest_s=1.5)
    an = run(Analyzer(SQUAT), script(keys, 30, noise_px=0.5))
    assert an.reps == []
    assert [p.reason for p in an.partials] == ["too_long"]
    (part,) = an.partials
    assert part.end_s - part.start_s > SQ.max_rep_s
    assert "too_long" not in {f.id for f in an.faults}

    short_bottom = SQ.max_rep_s - down_s - up_s - 2.0  # the whole trip about 2 s under max_rep_s
    keys, _ = squat_keys(1, down_s=down_s, bottom_s=short_bottom, up_s=up_s, rest_s=1.5)
    ok = run(Analyzer(SQUAT), script(keys, 30, noise_px=0.5))
    assert len(ok.reps) == 1 and ok.partials == []
    assert ok.reps[0].metrics["duration_s"] <= SQ.max_rep_s


# ----- 3. the measured side is chosen again before each repetition --------------------------------

PAIRS = [(lm, L[lm.name.replace("LEFT", "RIGHT")]) for lm in L if "LEFT" in lm.name]


def turned(pose: Pose | None) -> Pose | None:
    """The same pose with its left and right sides' visibilities swapped: the person has turned
    round so the camera now sees the right side better (both sides still seen)."""
    if pose is None:
        return None
    vis = pose.visibility.copy()
    for a, b in PAIRS:
        vis[a], vis[b] = pose.visibility[b], pose.visibility[a]
    return Pose(xy=pose.xy, visibility=vis, world=pose.world, t_ms=pose.t_ms, image_size=pose.image_size)


def sides_when_turning_at(turn_s: float) -> tuple[list[str], Analyzer]:
    keys, _ = squat_keys(4)
    frames = [(t, turned(p) if t / 1000.0 >= turn_s else p) for t, p in script(keys, 30, noise_px=0.3)]
    report, an = report_of(SQUAT, frames)
    return [r.side for r in report.reps_detail], an


def test_measured_side_follows_the_person_turning_round_between_reps():
    """A person seen from their left for two squats, who then turns so their right side is the
    better seen, is measured on the right from the next squat on (sides L, L, R, R)."""
    keys, ends = squat_keys(4)
    turn_s = ends[1] + 0.4  # standing still between squats 2 and 3
    assert make_pose().visibility[L.LEFT_KNEE] > make_pose().visibility[L.RIGHT_KNEE]  # starts seen from the left
    sides, an = sides_when_turning_at(turn_s)
    assert sides == ["L", "L", "R", "R"]
    assert an.partials == []


def test_measured_side_does_not_change_inside_a_repetition():
    """Turning at the bottom of squat 3 does not move that squat to the other side: the side is
    chosen at rest, so squat 3 stays on the left and squat 4 is measured on the right."""
    keys, ends = squat_keys(4)
    turn_s = ends[1] + 0.8 + 1.2 + 0.1  # after squat 2: 0.8 s standing, 1.2 s down, at the bottom
    sides, an = sides_when_turning_at(turn_s)
    assert sides == ["L", "L", "L", "R"]
    assert an.partials == []


# ----- 4. hysteresis inside the engine ----------------------------------------------------------------

fps_st = st.sampled_from(FPS)
# each example runs the whole engine over seconds of video: shrinking a failure takes minutes,
# so a failing example is reported as found
NO_SHRINK = (Phase.explicit, Phase.reuse, Phase.generate)


def hover(t: float, param: str, lo: float, hi: float, levels: list[float], step_s: float) -> tuple[list, float]:
    """Keyframes from ``t`` holding each of ``levels`` (clipped to [lo, hi]) for ``step_s``."""
    keys = []
    for x in levels:
        x = min(max(x, lo), hi)
        keys += [(t + 0.05, {param: x}), (t + step_s, {param: x})]
        t += step_s
    return keys, t


def _band_case(data, rest: float, enter: float) -> tuple[float, float]:
    """Where in the band to hover: all of it, just below enter, or around rest (small amplitude)."""
    where = data.draw(st.sampled_from(["band", "near_enter", "near_rest"]), label="where")
    margin = 0.05 * (enter - rest)
    if where == "band":
        return rest + margin, enter - margin
    if where == "near_enter":
        return enter - 0.25 * (enter - rest), enter - margin
    return rest - 0.25 * (enter - rest), rest + 0.25 * (enter - rest)


@settings(max_examples=25, deadline=None, phases=NO_SHRINK)
@given(st.data(), fps_st)
def test_squat_hovering_inside_the_band_after_settling_counts_nothing(data, fps):
    """Standing still, then the knees hovering anywhere between rest and enter (or just below
    enter, or around rest) for seconds: no repetition, no partial, at any frame rate."""
    lo, hi = _band_case(data, SQ.rest, SQ.enter)
    levels = data.draw(st.lists(st.floats(lo, hi), min_size=3, max_size=12), label="levels")
    step_s = data.draw(st.floats(0.05, 0.6), label="step_s")
    keys = [(0.0, {"knee": 0.0}), (1.5, {"knee": 0.0})]
    more, t = hover(1.5, "knee", lo, hi, levels, step_s)
    keys += more + [(t + 0.5, {"knee": 0.0}), (t + 1.5, {"knee": 0.0})]
    an = Analyzer(SQUAT)
    results = feed(an, script(keys, fps))
    assert any(r.status is Status.READY for r in results if r.t_ms < 1500.0)  # settled before hovering
    assert an.reps == [] and an.partials == []


@settings(max_examples=25, deadline=None, phases=NO_SHRINK)
@given(st.data(), fps_st)
def test_toe_heel_hovering_inside_the_band_after_settling_counts_nothing(data, fps):
    """toe_heel (cycle mode): the foot tilting either way but staying inside the band between
    rest and enter, after standing still with the feet flat: no repetition, no partial."""
    lo, hi = _band_case(data, TH.rest, TH.enter)
    sign = data.draw(st.sampled_from([1.0, -1.0]), label="sign")
    levels = data.draw(st.lists(st.floats(lo, hi), min_size=3, max_size=12), label="levels")
    step_s = data.draw(st.floats(0.05, 0.6), label="step_s")
    keys = [(0.0, {"heel_lift": 0.0}), (1.5, {"heel_lift": 0.0})]
    more, t = hover(1.5, "heel_lift", lo, hi, levels, step_s)
    keys += [(tk, {"heel_lift": sign * kv["heel_lift"]}) for tk, kv in more]
    keys += [(t + 0.5, {"heel_lift": 0.0}), (t + 1.5, {"heel_lift": 0.0})]
    an = Analyzer(TOE_HEEL)
    results = feed(an, script(keys, fps))
    assert any(r.status is Status.READY for r in results if r.t_ms < 1500.0)  # settled before hovering
    assert an.reps == [] and an.partials == []


def jitter(data, t: float, param: str, centre: float, amp_lo: float, amp_hi: float, sign: float = 1.0,
           label: str = "") -> tuple[list, float]:
    """Keyframes swinging around ``centre`` (alternately above and below it, by up to
    ``amp_hi``, at least ``amp_lo``), each swing held long enough to pass a dwell."""
    n = data.draw(st.integers(2, 4), label=f"{label} swings")
    half = data.draw(st.floats(0.25, 0.5), label=f"{label} half-period")
    first_up = data.draw(st.booleans(), label=f"{label} first up")
    levels = []
    for i in range(n):
        a = data.draw(st.floats(amp_lo, amp_hi), label=f"{label} amplitude")
        up = (i % 2 == 0) == first_up
        levels.append(centre + a if up else centre - a)
    keys = []
    for x in levels:
        keys += [(t + 0.08, {param: sign * x}), (t + half, {param: sign * x})]
        t += half
    return keys, t


@settings(max_examples=25, deadline=None, phases=NO_SHRINK)
@given(st.data(), fps_st, st.integers(1, 2))
def test_squat_knees_swinging_around_enter_and_rest_keep_the_count(data, fps, reps):
    """Squats whose way down and up lingers with the knees swinging a few degrees around rest
    and around enter (never across the whole band): exactly one repetition per squat and no
    partial, at any frame rate; only crossing the whole band starts or ends one."""
    band = SQ.enter - SQ.rest
    amp = (0.2 * band, 0.45 * band)
    k = "knee"
    keys = [(0.0, {k: 0.0}), (1.5, {k: 0.0})]
    t = 1.5
    for r in range(reps):
        for centre, label in ((SQ.rest, "down rest"), (SQ.enter, "down enter")):
            more, t = jitter(data, t, k, centre, *amp, label=f"{r} {label}")
            keys += more
        keys += [(t + 0.6, {k: 100.0}), (t + 0.8, {k: 100.0})]
        t += 0.8
        for centre, label in ((SQ.enter, "up enter"), (SQ.rest, "up rest")):
            more, t = jitter(data, t, k, centre, *amp, label=f"{r} {label}")
            keys += more
        keys += [(t + 0.4, {k: 0.0}), (t + 1.2, {k: 0.0})]
        t += 1.2
    an = run(Analyzer(SQUAT), script(keys, fps))
    assert len(an.reps) == reps, an.partials
    assert an.partials == []


@settings(max_examples=25, deadline=None, phases=NO_SHRINK)
@given(st.data(), fps_st)
def test_toe_heel_foot_swinging_around_enter_keeps_the_cycle(data, fps):
    """toe_heel (cycle mode): a cycle whose rise onto the toes and rock onto the heels each
    linger with the foot swinging around `enter` (not back to rest) is still one repetition,
    with no partial (no extra phase, no incomplete cycle), at any frame rate."""
    band = TH.enter - TH.rest
    amp = (0.3 * band, 0.6 * band)
    k = "heel_lift"
    keys = [(0.0, {k: 0.0}), (1.5, {k: 0.0})]
    t = 1.5
    for sign, top, label in ((1.0, 0.35, "toes"), (-1.0, -0.25, "heels")):
        more, t = jitter(data, t, k, TH.enter, *amp, sign=sign, label=f"{label} rising")
        keys += more + [(t + 0.4, {k: top}), (t + 0.8, {k: top})]
        t += 0.8
        more, t = jitter(data, t, k, TH.enter, *amp, sign=sign, label=f"{label} lowering")
        keys += more + [(t + 0.4, {k: 0.0}), (t + 1.0, {k: 0.0})]
        t += 1.0
    an = run(Analyzer(TOE_HEEL), script(keys, fps))
    assert len(an.reps) == 1, an.partials
    assert an.partials == []
    assert [p.name for p in an.reps[0].phases] == list(TOE_HEEL.count.phase_names)


def _toe_heel_keys(cycles: int, start_s: float = 4.5) -> list:
    keys = [(0.0, {"heel_lift": 0.0}), (start_s, {"heel_lift": 0.0})]
    for k in range(cycles):
        t = start_s + 5.0 * k
        keys += [(t + 0.7, {"heel_lift": 0.35}), (t + 1.2, {"heel_lift": 0.35}), (t + 1.8, {"heel_lift": 0.0}),
                 (t + 2.1, {"heel_lift": 0.0}), (t + 2.7, {"heel_lift": -0.25}), (t + 3.2, {"heel_lift": -0.25}),
                 (t + 3.8, {"heel_lift": 0.0}), (t + 5.0, {"heel_lift": 0.0})]
    return keys


def _right_heel_higher(pose: Pose | None) -> Pose | None:
    """One heel reads a little higher than the other (4 px), as real landmarks do."""
    if pose is None:
        return None
    xy = pose.xy.copy()
    xy[L.RIGHT_HEEL, 1] -= 4.0 / pose.image_size[1]
    return Pose(xy=xy, visibility=pose.visibility, world=pose.world, t_ms=pose.t_ms, image_size=pose.image_size)


def test_turning_round_while_standing_still_is_no_movement():
    """When the better-seen side changes at rest, that side is measured from its own start
    value: measured against the other side's, standing still read as a rise (a phantom
    'unfinished' partial)."""
    still = script([(0.0, {"heel_lift": 0.0}), (12.0, {"heel_lift": 0.0})], 30)
    an = run(Analyzer(TOE_HEEL), [(t, _right_heel_higher(turned(p) if t >= 4000.0 else p)) for t, p in still])
    assert an.side == "R"  # the turn was seen
    assert not an.reps and not an.partials, an.partials
    frames = script(_toe_heel_keys(2), 30)
    an = run(Analyzer(TOE_HEEL), [(t, _right_heel_higher(turned(p) if t >= 4000.0 else p)) for t, p in frames])
    assert len(an.reps) == 2 and all(r.side == "R" for r in an.reps)


@pytest.mark.parametrize("turn_s", [4.5 + 5.0 + 1.95, 4.5 + 5.0 + 4.4], ids=["between_phases", "between_cycles"])
def test_turning_round_during_a_toe_heel_set_loses_no_cycle(turn_s: float):
    """Turning round between the toes and the heels, or between two cycles: every cycle counts
    (counting is not stopped to take the start again)."""
    frames = [(t, turned(p) if t >= turn_s * 1000.0 else p) for t, p in script(_toe_heel_keys(3), 30)]
    an = run(Analyzer(TOE_HEEL), frames)
    assert len(an.reps) == 3 and not an.partials, an.partials


@pytest.mark.parametrize("dt", [0.0, 0.2, 0.35, 0.45])
def test_turning_round_as_a_squat_begins_loses_no_squat(dt: float):
    """The side changes in the first moments of a squat, while the knees are still within rest:
    the squat counts (the visibilities change as the body moves, so this happens in real sets)."""
    keys, ends = squat_keys(4)
    turn_s = ends[1] + 0.8 + dt
    frames = [(t, turned(p) if t / 1000.0 >= turn_s else p) for t, p in script(keys, 30, noise_px=0.3)]
    report, _ = report_of(SQUAT, frames)
    assert report.reps == 4 and not report.partials, report.partials
