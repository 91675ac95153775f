"""The One Euro filter: steady when still, little lag when moving, the same curve at any frame rate."""

from __future__ import annotations

import numpy as np
import pytest
from filter_lag import crossing, repetition  # the bench's own scripted repetition

from formcheck.engine.filters import OneEuro


def rep(t: np.ndarray, amp: float = 100.0) -> np.ndarray:
    return repetition(t, amp)


def run(f: OneEuro, t: np.ndarray, x: np.ndarray) -> np.ndarray:
    return np.array([f(float(v), float(ti)) for v, ti in zip(x, t)])


def first_crossing(t: np.ndarray, s: np.ndarray, level: float) -> float:
    c = crossing(t, s, level)
    assert c is not None, f"never reaches {level}"
    return c


def test_a_still_signal_passes_unchanged():
    t = np.arange(0, 2, 1 / 30)
    assert np.allclose(run(OneEuro(1.5, 0.05), t, np.full_like(t, 42.0)), 42.0)


def test_jitter_when_still_is_smoothed():
    rng = np.random.default_rng(1)
    t = np.arange(0, 5, 1 / 30)
    x = 10.0 + rng.normal(0.0, 2.0, len(t))
    y = run(OneEuro(1.5, 0.05), t, x)
    assert y[30:].std() < 0.5 * x[30:].std()


@pytest.mark.parametrize("fps", [15, 24, 60])
def test_the_same_curve_at_any_frame_rate(fps):
    """Time comes from timestamps: at the times both share, 30 fps and another rate agree."""
    t30, tn = np.arange(0, 4, 1 / 30), np.arange(0, 4, 1 / fps)
    y30 = run(OneEuro(1.5, 0.05), t30, rep(t30))
    yn = run(OneEuro(1.5, 0.05), tn, rep(tn))
    assert np.max(np.abs(np.interp(t30, tn, yn) - y30)) < 3.0  # of a 100-degree movement


def test_the_squat_filter_lags_a_repetition_by_tens_of_milliseconds():
    """squat.toml's filter on a 2 s squat at 30 fps: the count's `enter` is crossed at most 50 ms
    late and the depth keeps 95% of its peak. With beta 0 (a plain low-pass at the same cutoff)
    the lag is several times larger: beta is what keeps it small."""
    from formcheck.engine.readings import one_euro
    from formcheck.spec.exercise import load_exercise

    count = load_exercise("squat").count
    t = np.arange(0, 4, 1 / 30)
    x = rep(t, amp=1.3 * count.full)
    sm = count.smoothing
    fast, plain = run(one_euro(sm), t, x), run(OneEuro(sm.min_cutoff, 0.0, sm.d_cutoff), t, x)
    delay = first_crossing(t, fast, count.enter) - first_crossing(t, x, count.enter)
    delay_plain = first_crossing(t, plain, count.enter) - first_crossing(t, x, count.enter)
    assert 0.0 <= delay < 0.05
    assert delay_plain > 3 * delay
    assert fast.max() > 0.95 * x.max()


def test_a_repeated_timestamp_keeps_the_last_estimate():
    f = OneEuro(1.5, 0.05)
    f(0.0, 0.0)
    y = f(10.0, 0.1)
    assert f(50.0, 0.1) == y
    f.reset()
    assert f(7.0, 0.2) == 7.0
