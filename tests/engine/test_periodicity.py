"""The periodicity check (engine/periodicity.py): movements read from the counted signal without
the counter, beside the count; a clear disagreement is flagged, a right count is not."""

from __future__ import annotations

import numpy as np

from factories import report_of, script, squat_keys
from formcheck.core.results import CountCheck
from formcheck.engine.periodicity import Gauge, MovementTrace, check, count_movements
from formcheck.spec.exercise import load_exercise

FPS = 30
SQUAT = Gauge(floor=50.0, rest=25.0, relative=False)  # knee_flexion: full_min 50, rest 25


def bumps(n: int, height: float, base: float = 0.0, period_s: float = 3.0, noise: float = 0.0, drift: float = 0.0):
    """``n`` smooth movements of ``height`` above ``base`` (a raised cosine each), 1 s of rest first."""
    t = np.arange(0.0, 1.0 + n * period_s + 1.0, 1.0 / FPS)
    phase = (t - 1.0) / period_s
    inside = (phase >= 0) & (phase < n)
    v = np.where(inside, height * 0.5 * (1 - np.cos(2 * np.pi * phase)), 0.0) + base + drift * t
    v += np.random.default_rng(1).normal(0.0, noise, len(t)) if noise else 0.0
    return t, v


def traced(t, v, signal="knee_flexion") -> MovementTrace:
    tr = MovementTrace()
    for a, b in zip(t, v):
        tr.add(signal, float(a), float(b))
    return tr


def test_six_movements_counted_none_are_flagged():
    t, v = bumps(6, 95.0, base=5.0, noise=1.0)
    c = check(traced(t, v), 0, {"knee_flexion": SQUAT})
    assert c is not None and (c.seen, c.counted) == (6, 0)
    assert c.disagrees


def test_a_right_count_is_not_flagged():
    t, v = bumps(6, 95.0, base=5.0, noise=1.0)
    c = check(traced(t, v), 6, {"knee_flexion": SQUAT})
    assert (c.seen, c.disagrees) == (6, False)


def test_one_off_is_not_doubted_but_two_off_of_few_is():
    assert not CountCheck(6, 5, "s", 1.0).disagrees
    assert CountCheck(4, 1, "s", 1.0).disagrees
    assert not CountCheck(15, 13, "s", 1.0).disagrees  # two of fifteen: a quarter is not reached


def test_movements_below_the_smallest_countable_rise_are_not_movements():
    t, v = bumps(5, 30.0, base=5.0, noise=1.0)  # knee dips of 30 degrees: never a squat
    assert count_movements(t, v, SQUAT)[0] == 0
    t, v = bumps(1, 0.0, noise=2.0)  # standing still, landmark noise
    assert count_movements(t, v, SQUAT)[0] == 0


def test_a_relative_signal_is_read_from_its_own_level_despite_drift():
    # a heel's height in foot lengths, drifting with the camera: 5 rises of 0.25
    t, v = bumps(5, 0.25, base=0.6, drift=0.01, noise=0.005)
    n, up = count_movements(t, v, Gauge(floor=0.13, rest=0.04, relative=True))
    assert n == 5 and up >= 0.13


def test_two_way_cycles_and_alternations():
    t = np.arange(0.0, 25.0, 1.0 / FPS)
    wave = 0.3 * np.sin(2 * np.pi * t / 5.0)  # 5 cycles: one way, then the other
    g = Gauge(floor=0.18, rest=0.04, relative=True, floor_negative=0.08)
    assert count_movements(t, wave, g, "cycle")[0] == 5
    assert count_movements(t, wave, g, "alternate")[0] == 10


def test_gaps_split_the_signal():
    t, v = bumps(4, 95.0, base=5.0)
    keep = (t < 5.0) | (t > 8.0)  # 3 s unseen in the middle of the second squat
    n, _ = count_movements(t[keep], v[keep], SQUAT)
    assert n in (3, 4)


def test_the_report_carries_both_numbers():
    keys, _ = squat_keys(4, depth=100)
    report, _ = report_of(load_exercise("squat"), script(keys, FPS, noise_px=0.5))
    assert report.reps == 4
    c = report.count_check
    assert c is not None and (c.seen, c.counted, c.signal) == (4, 4, "knee_flexion")
    j = report.to_json()["count_check"]
    assert j["seen"] == 4 and j["disagrees"] is False
    assert not [n for n in report.notes if "may be wrong" in n]
