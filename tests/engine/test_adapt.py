"""The count's depth adapts to the patient (engine/adapt.py): a stiff patient and a fit one doing
the same exercise both count; the adapted depth never goes below the exercise file's clinical
minimum (full_min); the report says what was adapted and to what."""

from __future__ import annotations

import pytest

from factories import report_of, run, script, squat_keys
from formcheck.core.results import Adaptation
from formcheck.engine.adapt import ADAPT_SHARE, RangeAdapter
from formcheck.engine.analyzer import Analyzer
from formcheck.spec.exercise import load_exercise
from formcheck.spec.parts import Count


def squats(depth: float, reps: int = 6, fps: int = 30):
    keys, _ = squat_keys(reps, depth=depth)
    return script(keys, fps, noise_px=0.5, seed=3)


def test_a_stiff_and_a_fit_patient_both_count():
    spec = load_exercise("squat")
    assert spec.count.full == 70 and spec.count.full_min == 50
    fit = run(Analyzer(spec), squats(105))
    stiff = run(Analyzer(spec), squats(60))  # 60 degrees of knee bend: short of 70, past the minimum 50
    assert len(fit.reps) == 6 and not fit.partials
    # the first is judged before the patient's range is known: a partial with the cue to bend more;
    # from the second on the depth is theirs
    assert len(stiff.reps) == 5
    assert [p.reason for p in stiff.partials] == ["too_shallow"]
    assert stiff.partials[0].end_s < stiff.reps[0].start_s


def test_the_report_names_the_adapted_threshold_and_the_fit_patient_has_none():
    spec = load_exercise("squat")
    stiff, _ = report_of(spec, squats(60))
    fit, _ = report_of(spec, squats(105))
    assert fit.adapted == ()
    assert len(stiff.adapted) == 1
    a = stiff.adapted[0]
    assert (a.threshold, a.signal, a.file_value, a.bound) == ("full", "knee_flexion", 70, 50)
    assert 50 <= a.value < 60  # inside the patient's own range, and never below the minimum
    assert a.value == pytest.approx(ADAPT_SHARE * 60, abs=4)
    assert a.peaks >= 2
    note = [n for n in stiff.notes if "own range" in n]
    assert note and "knee_flexion" in note[0] and "70" in note[0]
    j = stiff.to_json()
    assert j["adapted"][0]["value"] == a.value
    assert type(stiff).from_json(j).adapted == stiff.adapted


def test_adapted_depth_never_goes_below_the_clinical_minimum():
    spec = load_exercise("squat")
    an = run(Analyzer(spec), squats(42))  # a dip of the knees: below the minimum of 50
    assert len(an.reps) == 0
    assert len(an.partials) == 6 and {p.reason for p in an.partials} == {"too_shallow"}
    adapted = an._log.adaptations
    assert adapted and all(a.value >= spec.count.full_min for a in adapted)


def test_a_fit_patients_shallow_dip_after_deep_squats_is_still_a_partial():
    keys, _ = squat_keys(4, depth=105)
    t0 = keys[-1][0]
    keys += [(t0 + 1.2, {"knee": 55.0}), (t0 + 1.4, {"knee": 55.0}), (t0 + 2.4, {"knee": 0.0}), (t0 + 3.5, {"knee": 0.0})]
    an = run(Analyzer(load_exercise("squat")), script(keys, 30))
    assert len(an.reps) == 4
    assert [p.reason for p in an.partials] == ["too_shallow"]


def test_no_full_min_means_a_fixed_full():
    count = Count(signal="knee_flexion", rest=25, enter=35, full=70)
    ad = RangeAdapter()
    assert all(ad.observe(count, 55.0, t) is None for t in range(5))
    assert ad.count(count) is count


def test_the_adapter_stays_between_minimum_and_file_value():
    count = Count(signal="knee_flexion", rest=25, enter=35, full=70, full_min=50)
    ad = RangeAdapter()
    assert ad.observe(count, 40.0, 1.0) is None  # one movement: not yet the patient's range
    a = ad.observe(count, 41.0, 2.0)
    assert isinstance(a, Adaptation) and a.value == 50  # 0.8 x 40.5 is below the minimum
    for t in range(3, 9):
        ad.observe(count, 120.0, float(t))
    assert ad.count(count).full == 70  # a deep range keeps the file's own full, never more


def test_a_confirming_measure_is_lowered_with_the_count():
    heel = load_exercise("heel_raise").count
    ad = RangeAdapter()
    ad.observe(heel, 0.15, 1.0)
    ad.observe(heel, 0.15, 2.0)
    c = ad.count(heel)
    assert heel.full_min <= c.full < heel.full
    assert heel.confirm.enter < c.confirm.full < heel.confirm.full


def test_full_min_is_checked_in_exercise_files():
    with pytest.raises(ValueError, match="full_min"):
        Count(signal="knee_flexion", rest=25, enter=35, full=70, full_min=80)
    with pytest.raises(ValueError, match="full_min"):
        Count(signal="knee_flexion", rest=25, enter=35, full=70, full_min=30)
    with pytest.raises(ValueError, match="single"):
        Count(signal="heel_height", mode="cycle", relative=True, rest=0.04, enter=0.06, full=0.18, full_min=0.13)


def test_stiff_heel_raises_count_from_the_side():
    """Heel raises read at about 0.15 foot lengths (short of 0.18, past the minimum 0.13), the
    body's rise confirming in proportion: counted from the second on."""
    keys = [(0.0, {"heel_lift": 0.0}), (1.0, {"heel_lift": 0.0})]
    t = 1.0
    for _ in range(5):
        keys += [(t + 0.8, {"heel_lift": 0.17}), (t + 1.2, {"heel_lift": 0.17}), (t + 2.0, {"heel_lift": 0.0}),
                 (t + 3.0, {"heel_lift": 0.0})]
        t += 3.0
    an = run(Analyzer(load_exercise("heel_raise")), script(keys, 30))
    assert len(an.reps) == 4 and [p.reason for p in an.partials] == ["incomplete_rise"]
