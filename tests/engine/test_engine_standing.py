"""The engine on the standing counted exercises (squat, heel_raise, toe_heel), fed scripted
poses from tests/factories.py: counts and rep times at several frame rates, dropouts,
partial repetitions with their reasons, faults, idle and walking footage, and properties of the
hysteresis (jitter inside the band never adds a repetition)."""

from __future__ import annotations

import pytest
from factories import make_pose, run, script, squat_keys, toe_heel_keys
from hypothesis import given, settings
from hypothesis import strategies as st

from formcheck.engine.analyzer import Analyzer
from formcheck.engine.counter import ExcursionCounter, Thresholds
from formcheck.spec.exercise import load_exercise

SQUAT = load_exercise("squat")
HEEL_RAISE = load_exercise("heel_raise")
TOE_HEEL = load_exercise("toe_heel")
FPS = (15, 24, 30, 60)


def fault_ids(an: Analyzer) -> set[str]:
    return {f.id for f in an.faults}


def back_up_at(end_s: float, up_s: float, depth: float, rest: float) -> float:
    """When a linear rise from ``depth`` reaching 0 at ``end_s`` crosses the rest threshold."""
    return end_s - up_s * rest / depth


# ----- the factory itself ----------------------------------------------------------------------

def test_factory_reads_back_its_angles():
    from formcheck.signals import compute

    p = make_pose(knee=90, trunk=30, heel_lift=0.25)
    assert compute("knee_flexion", p, "L") == pytest.approx(90, abs=0.5)
    assert compute("trunk_lean", p, "L") == pytest.approx(30, abs=0.5)
    assert compute("heel_height", p, "L") == pytest.approx(0.25, abs=0.01)
    front = make_pose(knee=90, view="front", knees_in=0.3)
    assert compute("knee_width_ratio", front, "L") == pytest.approx(0.7, abs=0.01)
    with pytest.raises(ValueError):
        make_pose(view="top")


# ----- squat: counts, rep times, frame rates ----------------------------------------------------

@pytest.mark.parametrize("fps", FPS)
def test_squat_counts_and_rep_times_at_every_frame_rate(fps):
    keys, ends = squat_keys(4, depth=100)
    an = run(Analyzer(SQUAT), script(keys, fps, noise_px=1.0, seed=fps))
    assert len(an.reps) == 4, an.partials
    assert not an.partials
    rest = SQUAT.count.rest
    for rep, end in zip(an.reps, ends):
        # a repetition ends on the return to standing: the knees back under `rest` degrees
        assert rep.end_s == pytest.approx(back_up_at(end, 1.0, 100, rest), abs=0.2)
        assert rep.faults == ()
        assert rep.metrics["peak"] == pytest.approx(100, abs=6)


def test_squat_rep_times_agree_across_frame_rates():
    keys, _ = squat_keys(3)
    ends = {fps: [r.end_s for r in run(Analyzer(SQUAT), script(keys, fps, noise_px=0.5, seed=1)).reps]
            for fps in FPS}
    assert {len(v) for v in ends.values()} == {3}
    for fps in FPS:
        for a, b in zip(ends[fps], ends[60]):
            assert abs(a - b) <= 1.0 / fps + 0.05


def test_squat_short_dropout_does_not_lose_the_rep():
    keys, _ = squat_keys(3)
    frames = script(keys, 30, noise_px=1.0, dropouts=[(2.6, 2.9)])  # 0.3 s without a person, mid-squat
    an = run(Analyzer(SQUAT), frames)
    assert len(an.reps) == 3


def test_squat_long_dropout_drops_that_rep_as_a_partial():
    keys, ends = squat_keys(3)
    frames = script(keys, 30, noise_px=1.0, dropouts=[(2.0, 3.2)])  # gone for 1.2 s in rep 1
    an = run(Analyzer(SQUAT), frames)
    assert len(an.reps) == 2
    assert [p.reason for p in an.partials] == ["tracking_lost"]
    assert an.pauses and an.pauses[0].start_s == pytest.approx(2.0, abs=0.05)


def test_squat_does_not_count_before_standing_still():
    # the video starts in the middle of a squat: that one is not counted (no start seen)
    keys = [(0.0, {"knee": 90.0}), (1.0, {"knee": 0.0}), (2.0, {"knee": 0.0})]
    more, _ = squat_keys(2, lead_s=0.0)
    keys += [(2.0 + t, kv) for t, kv in more[1:]]
    an = run(Analyzer(SQUAT), script(keys, 30, noise_px=1.0))
    assert len(an.reps) == 2


# ----- squat: partials and faults ------------------------------------------------------------------

def test_shallow_squat_is_a_partial_with_its_reason():
    # 45 degrees: short of full (70) and of the clinical minimum it adapts down to (full_min 50)
    keys, _ = squat_keys(3, depth=45)
    an = run(Analyzer(SQUAT), script(keys, 30, noise_px=1.0))
    assert len(an.reps) == 0
    assert [p.reason for p in an.partials] == ["too_shallow"] * 3
    assert "too_shallow" in fault_ids(an)


def test_dip_inside_the_hysteresis_band_is_nothing():
    keys, _ = squat_keys(3, depth=30)  # past rest (25) but not past enter (35)
    an = run(Analyzer(SQUAT), script(keys, 30, noise_px=0.5))
    assert not an.reps and not an.partials


@pytest.mark.parametrize("extra,fault", [
    ({"trunk": 70.0}, "back_rounded"),
    ({"heel_lift": 0.7}, "heels_lifting"),
    ({"head": 60.0}, "head_down"),  # looking down at the floor at the bottom
])
def test_side_view_faults(extra, fault):
    keys, _ = squat_keys(3, depth=100, extra=extra)
    an = run(Analyzer(SQUAT), script(keys, 30, noise_px=0.5))
    assert len(an.reps) == 3
    assert all(fault in r.faults for r in an.reps)


def test_good_squat_has_no_faults():
    keys, _ = squat_keys(3, depth=100)
    an = run(Analyzer(SQUAT), script(keys, 30, noise_px=1.0))
    assert len(an.reps) == 3 and not an.faults


@pytest.mark.parametrize("down_s,dropped", [(0.25, True), (0.5, False), (1.2, False)])
def test_dropping_into_the_squat_is_too_fast_and_a_brisk_squat_is_not(down_s, dropped):
    """Falling into the squat (0.25 s from standing to the bottom) is too_fast; a brisk
    controlled squat (0.5 s down, as healthy people squat in the real test videos) is not."""
    keys, _ = squat_keys(3, depth=100, down_s=down_s, up_s=0.6)
    an = run(Analyzer(SQUAT), script(keys, 30, noise_px=0.5))
    assert len(an.reps) == 3
    assert ["too_fast" in r.faults for r in an.reps] == [dropped] * 3


def test_front_view_counts_on_hip_drop_and_sees_knees_caving():
    keys, _ = squat_keys(3, depth=110)
    good = run(Analyzer(SQUAT), script(keys, 30, noise_px=1.0, view="front"))
    assert len(good.reps) == 3 and not good.faults
    keys, _ = squat_keys(3, depth=110, extra={"knees_in": 0.35})
    caving = run(Analyzer(SQUAT), script(keys, 30, noise_px=1.0, view="front"))
    assert len(caving.reps) == 3
    assert all("knees_caving" in r.faults for r in caving.reps)


# ----- idle, stepping in, walking --------------------------------------------------------------

@pytest.mark.parametrize("spec", [SQUAT, HEEL_RAISE, TOE_HEEL], ids=lambda s: s.id)
def test_standing_idle_counts_nothing(spec):
    frames = script([(0.0, {"knee": 0.0}), (20.0, {"knee": 0.0})], 30, noise_px=2.0, seed=3)
    an = run(Analyzer(spec), frames)
    assert not an.reps and not an.partials and not an.faults


def _walk(t0: float, t1: float, x0: float, x1: float, step_s: float = 1.0) -> list:
    """Walking sideways across the picture with big steps: the knees bend to 85 degrees, as
    deep as a squat, so only the walking gate keeps these from counting. 400 px in 1.6 s is
    about 2 torso lengths a second (1 m/s), an ordinary walking pace."""
    keys, t, bent = [], t0, False
    while t <= t1 + 1e-9:
        x = x0 + (x1 - x0) * (t - t0) / (t1 - t0)
        keys.append((t, {"knee": 85.0 if bent else 5.0, "offset_px": x}))
        bent, t = not bent, t + step_s / 2
    return keys


@pytest.mark.parametrize("spec", [SQUAT, HEEL_RAISE, TOE_HEEL], ids=lambda s: s.id)
def test_walking_about_counts_nothing(spec):
    keys = []
    for i in range(4):  # across and back, twice, turning round for 0.25 s at each end
        t0 = i * 1.85
        x0, x1 = (-200.0, 200.0) if i % 2 == 0 else (200.0, -200.0)
        keys += _walk(t0, t0 + 1.6, x0, x1, step_s=0.8) + [(t0 + 1.85, {"knee": 5.0, "offset_px": x1})]
    an = run(Analyzer(spec), script(keys, 30, noise_px=1.0))
    assert not an.reps


def test_stepping_in_then_squatting_counts_only_the_squats():
    walk = _walk(0.0, 1.2, -250.0, 0.0, step_s=0.6)
    keys = walk + [(1.7, {"knee": 0.0, "offset_px": 0.0})]
    sq, _ = squat_keys(2, lead_s=0.0)
    keys += [(1.7 + t, kv | {"offset_px": 0.0}) for t, kv in sq[1:]]
    an = run(Analyzer(SQUAT), script(keys, 30, noise_px=1.0))
    assert len(an.reps) == 2
    assert all(r.start_s > 1.2 for r in an.reps)


def test_walking_off_and_back_mid_set_pauses_counting_and_the_report_says_so():
    # two squats, a walk to the side and back (3.5 s), two more squats
    sq, _ = squat_keys(2)
    t_walk = sq[-1][0]
    keys = list(sq) + _walk(t_walk, t_walk + 1.6, 0.0, 300.0, step_s=0.8)
    keys += _walk(t_walk + 1.85, t_walk + 3.45, 300.0, 0.0, step_s=0.8) + [(t_walk + 4.0, {"knee": 0.0, "offset_px": 0.0})]
    more, _ = squat_keys(2, lead_s=0.0)
    keys += [(t_walk + 4.0 + t, kv | {"offset_px": 0.0}) for t, kv in more[1:]]
    an = run(Analyzer(SQUAT), script(keys, 30, noise_px=1.0))
    assert len(an.reps) == 4
    from formcheck.engine.reps import MOVED_REASON
    moved = [p for p in an.pauses if p.reason == MOVED_REASON]
    assert len(moved) == 1, an.pauses
    # from soon after the walk begins until the patient stands still again after it
    assert t_walk < moved[0].start_s < t_walk + 1.0 and t_walk + 3.45 <= moved[0].end_s < t_walk + 5.0
    assert all(r.start_s > moved[0].end_s or r.end_s < moved[0].start_s for r in an.reps)


def test_walking_off_mid_squat_leaves_its_faults_behind():
    """A squat with a rounded back, abandoned by walking off sideways; the clean squat made
    after standing still again carries no fault of it."""
    def at(t, knee, trunk, x):
        return (t, {"knee": knee, "trunk": trunk, "offset_px": x})
    keys = [at(0.0, 0, 0, 0), at(1.0, 0, 0, 0), at(2.2, 100, 70, 0), at(2.5, 100, 70, 0), at(2.9, 60, 40, 150),
            at(3.6, 0, 0, 150), at(6.0, 0, 0, 150), at(7.2, 100, 40, 150), at(7.4, 100, 40, 150),
            at(8.4, 0, 0, 150), at(10.0, 0, 0, 150)]
    an = run(Analyzer(SQUAT), script(keys, 30, noise_px=0.3))
    assert [r.faults for r in an.reps] == [()]
    assert "back_rounded" not in fault_ids(an)


# ----- heel raise and toes-heels ---------------------------------------------------------------------

def heel_keys(reps: int, top: float, *, hip_forward: float = 0.0, lead_s: float = 1.0):
    keys = [(0.0, {"heel_lift": 0.0, "hip_forward": 0.0}), (lead_s, {"heel_lift": 0.0, "hip_forward": 0.0})]
    t = lead_s
    for _ in range(reps):
        for dt, lift, fwd in ((0.8, top, hip_forward), (0.8, top, hip_forward), (0.8, 0.0, 0.0), (0.7, 0.0, 0.0)):
            t += dt
            keys.append((t, {"heel_lift": lift, "hip_forward": fwd}))
    return keys


@pytest.mark.parametrize("fps", FPS)
def test_heel_raise_counts_at_every_frame_rate(fps):
    an = run(Analyzer(HEEL_RAISE), script(heel_keys(4, 0.35), fps, noise_px=0.7, seed=fps))
    assert len(an.reps) == 4 and not an.faults


def test_heel_raise_partial_rise_and_hip_sway():
    low = run(Analyzer(HEEL_RAISE), script(heel_keys(3, 0.12), 30, noise_px=0.5))
    assert not low.reps
    assert [p.reason for p in low.partials] == ["incomplete_rise"] * 3
    sway = run(Analyzer(HEEL_RAISE), script(heel_keys(3, 0.35, hip_forward=0.12), 30, noise_px=0.5))
    assert len(sway.reps) == 3
    assert all(r.faults == ("hip_sway",) for r in sway.reps)


@pytest.mark.parametrize("fps", FPS)
def test_toe_heel_counts_whole_cycles_with_both_phases(fps):
    an = run(Analyzer(TOE_HEEL), script(toe_heel_keys(3), fps, noise_px=0.7, seed=fps))
    assert len(an.reps) == 3
    for rep in an.reps:
        assert [p.name for p in rep.phases] == ["toes", "heels"]
        assert rep.phases[0].peak > 0 > rep.phases[1].peak


def test_toe_heel_without_rising_onto_the_toes_is_incomplete():
    an = run(Analyzer(TOE_HEEL), script(toe_heel_keys(3, toes=0.02), 30, noise_px=0.5))
    assert not an.reps
    assert "incomplete_rise" in {p.reason for p in an.partials}


def test_toe_heel_with_a_short_rock_onto_the_heels_reports_the_phase_that_missed():
    """Full rises onto the toes but rocks onto the heels short of full_negative: each cycle is a
    partial "incomplete_rise" covering both phases, its peak the heels' (the one that fell short),
    not the toes' (which cleared full and would make the partial look complete)."""
    keys = toe_heel_keys(3, heels=-0.07)
    an = run(Analyzer(TOE_HEEL), script(keys, 30))
    assert not an.reps
    short = [p for p in an.partials if p.reason == "incomplete_rise"]
    assert len(short) == 3
    for p in short:
        assert [ph.name for ph in p.phases] == ["toes", "heels"]
        assert p.phases[0].peak >= TOE_HEEL.count.full  # the toes were fine ...
        assert abs(p.phases[1].peak) < TOE_HEEL.count.full_negative  # ... the heels were not
        assert p.metrics["peak"] == pytest.approx(abs(p.phases[1].peak), abs=0.01)
        assert (p.start_s, p.end_s) == (p.phases[0].start_s, p.phases[1].end_s)


# ----- hysteresis properties -------------------------------------------------------------------------

REST, ENTER = 25.0, 35.0


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(0.0, ENTER), min_size=1, max_size=400))
def test_counter_never_leaves_rest_below_enter(values):
    c = ExcursionCounter(Thresholds(REST, ENTER, 0.1))
    assert all(c.update(v, i / 30.0) is None for i, v in enumerate(values))


phase = st.integers(min_value=4, max_value=30)  # frames at 30 fps: at least the 0.1 s dwell


@settings(max_examples=200, deadline=None)
@given(st.data(), st.integers(min_value=1, max_value=6))
def test_jitter_inside_the_band_never_adds_an_excursion(data, n):
    """Rest phases hold values <= rest, excursions values > enter; anywhere, frames in the band
    (rest, enter] may be mixed in. Exactly n excursions, whatever the jitter."""
    band = st.floats(REST + 1e-6, ENTER)
    values: list[float] = []
    for i in range(2 * n + 1):
        out = i % 2 == 1
        for _ in range(data.draw(phase)):
            if data.draw(st.booleans()):
                values.append(data.draw(band))
            values.append(data.draw(st.floats(ENTER + 1e-6, 120.0) if out else st.floats(0.0, REST)))
        # each phase ends with a clean dwell so that the crossing itself is unambiguous
        values.extend([70.0 if out else 5.0] * 4)
    c = ExcursionCounter(Thresholds(REST, ENTER, 0.1))
    got = [e for i, v in enumerate(values) if (e := c.update(v, i / 30.0)) is not None]
    assert len(got) == n


@settings(max_examples=12, deadline=None)
@given(st.integers(0, 10_000), st.floats(0.0, 4.5))
def test_analyzer_knee_jitter_inside_the_band_keeps_the_count(seed, amplitude):
    """Knee-angle jitter of up to +-4.5 degrees (the band is 10 degrees wide) on 3 squats."""
    import numpy as np

    rng = np.random.default_rng(seed)
    keys, _ = squat_keys(3)
    clean = script(keys, 30)
    an = Analyzer(SQUAT)
    from factories import _interp

    t_ms = 0.0
    for t_ms, _pose in clean:
        knee = _interp(keys, t_ms / 1000.0)["knee"] + rng.uniform(-amplitude, amplitude)
        an.update(t_ms, make_pose(knee=max(knee, 0.0), t_ms=t_ms))
    an.finish(t_ms)
    assert len(an.reps) == 3


def test_toe_heel_half_cycle_does_not_survive_losing_the_person():
    # up on the toes and down, then out of sight for 1.5 s, then back on the heels: the cycle
    # was interrupted, so it is no repetition; its half is reported with the reason
    keys = [(0.0, {"heel_lift": 0.0}), (1.0, {"heel_lift": 0.0}), (1.7, {"heel_lift": 0.35}),
            (2.2, {"heel_lift": 0.35}), (2.8, {"heel_lift": 0.0}), (7.0, {"heel_lift": 0.0}),
            (7.6, {"heel_lift": -0.25}), (8.1, {"heel_lift": -0.25}), (8.7, {"heel_lift": 0.0}),
            (10.0, {"heel_lift": 0.0})]
    whole = run(Analyzer(TOE_HEEL), script(keys, 30, noise_px=0.5))
    assert len(whole.reps) == 1  # the same movement seen throughout is one slow cycle
    cut = run(Analyzer(TOE_HEEL), script(keys, 30, noise_px=0.5, dropouts=[(3.5, 5.0)]))
    assert cut.reps == []
    assert "tracking_lost" in {p.reason for p in cut.partials}
    assert all(p.start_s == round(p.start_s, 3) and p.end_s == round(p.end_s, 3) for p in cut.partials)


def test_a_cue_on_both_legs_highlights_both_legs():
    """Knees caving in is the two knees' distance: the overlay marks both legs, not the one the
    measured side happens to be (a one-leg signal marks that leg only)."""
    from formcheck.core.pose import Landmark as L
    from formcheck.engine.cues import segments

    both = {lm for seg in segments("knee_width_ratio", "L") for lm in seg}
    assert {L.LEFT_KNEE, L.RIGHT_KNEE} <= both
    one = {lm for seg in segments("knee_flexion", "L") for lm in seg}
    assert L.LEFT_KNEE in one and L.RIGHT_KNEE not in one


def test_a_good_repetition_reports_how_close_it_came_to_each_limit():
    """A physiotherapist reviewing a clean set sees each form check's worst value per
    repetition (the trunk lean, the head), not only the values of checks that fired."""
    keys, _ = squat_keys(3)
    an = run(Analyzer(SQUAT), script(keys, 30, noise_px=0.5))
    assert len(an.reps) == 3
    frame_rules = [r for r in SQUAT.rules if r.kind in ("max", "min") and "side" in r.views and r.during != "hold"]
    for rep in an.reps:
        assert not rep.faults
        for rule in frame_rules:
            value = rep.metrics[rule.signal]  # measured though not broken
            assert value < rule.limit if rule.kind == "max" else value > rule.limit, (rule.id, value)


def test_an_excursion_ends_back_in_the_lowest_share_of_its_own_peak_and_the_next_needs_a_new_rise():
    """Thresholds.return_share (issue 17, ends of repetitions): a 90-unit excursion that comes back
    to 12 (rest is 3) has ended; hovering at 12-14 afterwards (above enter, but within the
    hysteresis band of where it came down to) starts nothing; the next full rise is one more."""
    th = Thresholds(rest=3.0, enter=6.0, min_dwell_s=0.1, return_share=0.2)
    values = [0.0] * 10 + [90.0] * 20 + [12.0, 14.0, 13.0, 12.5, 14.5] * 8 + [90.0] * 20 + [12.0] * 20
    c = ExcursionCounter(th)
    got = [e for i, v in enumerate(values) if (e := c.update(v, i / 30.0)) is not None]
    assert len(got) == 2
    # only the rest band ends an excursion without return_share: the first never ends
    c = ExcursionCounter(Thresholds(rest=3.0, enter=6.0, min_dwell_s=0.1))
    assert [e for i, v in enumerate(values) if (e := c.update(v, i / 30.0)) is not None] == []


def test_the_way_back_is_timed_to_the_same_depth_however_soon_the_repetition_ended():
    """An excursion judged over in the lowest 40 % of its peak (return_share 0.4) is timed on its
    way back as a counter judging it over within a fifth of it (counter.TIMED_BACK_SHARE) would
    have timed it: a steady 100 -> 0 lowering over 1 s from t = 1 s, then rest, is back at rest
    (3) at t = 1.97 s either way; one that comes down to 30 and stays is timed to when it would
    have reached 20 at the speed it was coming back."""
    from formcheck.engine.counter import TIMED_BACK_SHARE

    assert TIMED_BACK_SHARE == 0.2
    lowering = [(1.01 + i / 100.0, 100.0 - i) for i in range(100)] + [(2.01 + i / 100.0, 0.0) for i in range(50)]

    def ended(values, share):
        c = ExcursionCounter(Thresholds(rest=3.0, enter=6.0, min_dwell_s=0.1, return_share=share))
        samples = [(i / 100.0, 0.0) for i in range(20)] + [(0.2 + i / 100.0, 100.0 * i / 80) for i in range(81)]
        return [e for t, v in samples + values if (e := c.update(v, t)) is not None]

    late, early = ended(lowering, 0.2), ended(lowering, 0.4)
    assert len(late) == len(early) == 1
    assert early[0].end_s < late[0].end_s - 0.15  # judged over sooner, higher up ...
    assert late[0].returned_s is None and late[0].back_s == late[0].end_s == pytest.approx(1.98, abs=0.015)
    assert early[0].back_s == pytest.approx(late[0].back_s, abs=0.001)  # ... timed the same
    held = [(t, v) for t, v in lowering if v >= 30.0] + [(1.71 + i / 100.0, 30.0) for i in range(40)]
    stopped = ended(held, 0.4)  # came down to 30 and stayed: never at 20
    assert len(stopped) == 1 and stopped[0].back_s > stopped[0].end_s


def test_a_fast_drop_stays_fast_when_it_settles_high_or_rises_again():
    """The way back of a repetition judged over in the lowest 40 % but never seen within a fifth:
    timed at the speed it came down to its lowest point, not including the stillness after it
    (a seat dropped in 0.2 s that settles at 30 % of the lift) nor a rise after it; and a
    repetition ended at its valley (end_at_valley: the start was read too low) ends its way back
    there."""
    th = Thresholds(rest=3.0, enter=6.0, min_dwell_s=0.1, return_share=0.4)
    up = [(i / 100.0, 0.0) for i in range(20)] + [(0.2 + i / 100.0, 100.0 * i / 80) for i in range(81)]
    drop = [(1.01 + i / 100.0, 100.0 - 3.5 * i) for i in range(21)]  # 100 -> 30 in 0.2 s
    settled = drop + [(1.22 + i / 100.0, 30.0) for i in range(60)]
    c = ExcursionCounter(th)
    got = [e for t, v in up + settled if (e := c.update(v, t)) is not None]
    assert len(got) == 1
    assert got[0].back_s - got[0].left_s < 0.35  # fast: about 0.23 s, not 0.57
    assert got[0].back_s >= got[0].end_s
    c = ExcursionCounter(th)
    for t, v in up + drop[:20]:
        assert c.update(v, t) is None
    for t, v in [(1.22 + i / 100.0, 35.0 + 3 * i) for i in range(10)]:  # rises again from 35
        assert c.update(v, t) is None
    valley = c.end_at_valley()
    assert valley is not None and valley.back_s == valley.end_s
