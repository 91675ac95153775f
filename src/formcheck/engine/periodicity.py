"""The periodicity check: how many movements the counted signal shows, read without the counter.

The counter (counter.py) needs the start position, its rest band, arming, the plausibility gates
and the exercise's range; any of them can reject real movement ("saw 6 heel raises, counted 0").
This check reads the same body signal another way, knowing none of that: every frame the
patient is in place (not walking about), its value, averaged in bins of BIN_S; the rest level as
the signal's lower envelope (a running low percentile over ENVELOPE_S, so a slow drift of the
camera or of the patient's start does not add up); and a movement as a rise above that level by
at least half the patient's own range (the 95th percentile of the rise, so one glitch does not
set it) and at least the smallest rise the exercise could count (its full, or its clinical
minimum full_min), then a fall back below RETURN_SHARE of that or into the rest band. A smaller
wobble is no repetition either way. An absolute count (a knee angle) rises from its own zero.

Two-way counts (toe-heel cycles, weight shifts) rest in the middle: there the level is the
running median and each way is read on its own range; a toe-heel cycle is a trip each way.

Sampling in bins keeps a set of an hour at 36,000 numbers. Hand-written (about 40 lines of
numpy) rather than scipy.signal.find_peaks: the hysteresis below is all it needs, and scipy
would add a large dependency and half a second to every set's end for it.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass

import numpy as np

from formcheck.core.results import CountCheck

BIN_S = 0.1  # samples are averaged over this much video time
GAP_S = 1.0  # a gap longer than this (not seen, walking about) splits the signal: no movement spans it
ENVELOPE_S = 8.0  # the rest level is the running low percentile over this window (a few repetitions)
ENVELOPE_PCT = 10
RANGE_PCT = 95  # the patient's own range: this percentile of the rise above the rest level
RANGE_SHARE = 0.3  # a movement rises past this share of that range ...
RETURN_SHARE = 0.4  # ... and ends when back below this share of the rise that started it
MIN_SAMPLES = 5  # shorter pieces show no movement


class MovementTrace:
    """The counted signal of one set, binned (BIN_S); one trace per signal (a view that counts
    another signal is another unit)."""

    def __init__(self) -> None:
        self._t: dict[str, array] = {}
        self._v: dict[str, array] = {}
        self._bin: dict[str, tuple[int, float, int]] = {}  # signal: (bin index, sum, n) being filled

    def add(self, signal: str, t_s: float, value: float) -> None:
        b = int(t_s // BIN_S)
        cur = self._bin.get(signal)
        if cur is not None and cur[0] == b:
            self._bin[signal] = (b, cur[1] + value, cur[2] + 1)
            return
        if cur is not None:
            self._flush(signal, cur)
        self._bin[signal] = (b, value, 1)

    def _flush(self, signal: str, cur: tuple[int, float, int]) -> None:
        self._t.setdefault(signal, array("d")).append((cur[0] + 0.5) * BIN_S)
        self._v.setdefault(signal, array("d")).append(cur[1] / cur[2])

    def signals(self) -> list[tuple[str, np.ndarray, np.ndarray]]:
        """(signal, times, values) of each signal followed, the most samples first."""
        for signal, cur in list(self._bin.items()):
            self._flush(signal, cur)
        self._bin.clear()
        order = sorted(self._t, key=lambda s: -len(self._t[s]))
        return [(s, np.asarray(self._t[s]), np.asarray(self._v[s])) for s in order]


def _pieces(t: np.ndarray, v: np.ndarray) -> list[np.ndarray]:
    cuts = np.flatnonzero(np.diff(t) > GAP_S) + 1
    return [p for p in np.split(v, cuts) if len(p) >= MIN_SAMPLES]


def _level(x: np.ndarray, dt: float, two_way: bool) -> np.ndarray:
    """The rest level under each sample (``dt`` apart): the running low percentile (or, two-way,
    median) over ENVELOPE_S."""
    half = max(1, int(ENVELOPE_S / dt / 2))
    padded = np.pad(x, half, mode="edge")
    windows = np.lib.stride_tricks.sliding_window_view(padded, 2 * half + 1)
    return np.percentile(windows, 50 if two_way else ENVELOPE_PCT, axis=1)


@dataclass(frozen=True)
class Gauge:
    """How one counted signal is read: ``floor``, the smallest rise that could count (the
    count's full, or its clinical minimum; two-way the smaller side's); ``rest``, the count's
    rest band (a movement has ended once back within it, or within RETURN_SHARE of the rise);
    ``relative``: measured from a start position (its level found here as the lower envelope)
    or from the signal's own zero (a knee angle: 0 is straight)."""

    floor: float
    rest: float
    relative: bool
    floor_negative: float | None = None  # two-way: the other side's smallest rise (None: as floor)


def _crossings(rise: np.ndarray, up: float, back: float) -> int:
    """Rises past ``up`` that came back below ``back`` before the next (a hysteresis)."""
    n, out = 0, False
    for r in rise:
        if not out and r > up:
            n, out = n + 1, True
        elif out and r < back:
            out = False
    return n


def _trips(rises: list[np.ndarray], floor: float, rest: float) -> tuple[int, float]:
    """(rises past the larger of ``floor`` and RANGE_SHARE of their own range, that threshold)."""
    own = float(np.percentile(np.concatenate(rises), RANGE_PCT))
    up = max(floor, RANGE_SHARE * own)
    back = min(max(RETURN_SHARE * up, rest), up)
    return sum(_crossings(r, up, back) for r in rises), up


def count_movements(t: np.ndarray, v: np.ndarray, gauge: Gauge, two_way: str | None = None) -> tuple[int, float]:
    """(movements, the smallest rise read as one) in samples ``v`` at times ``t`` (seconds),
    oriented so that the movement makes them rise. ``two_way``: the signal rests in the middle
    and moves either way: "cycle" (one trip each way is one repetition, as toes then heels) or
    "alternate" (each trip is one, as a shift to either side)."""
    rises = []
    dt = float(np.median(np.diff(t))) if len(t) > 1 else BIN_S
    for x in _pieces(t, v):
        k = max(1, round(0.3 / dt))  # over 0.3 s: a frame's jitter
        x = np.convolve(np.pad(x, (k // 2, k - 1 - k // 2), mode="edge"), np.ones(k) / k, mode="valid")
        rises.append(x - _level(x, dt, two_way is not None) if gauge.relative or two_way else x)
    if not rises:
        return 0, gauge.floor
    n, up = _trips(rises, gauge.floor, gauge.rest)
    if two_way is None:
        return n, up
    m, _ = _trips([-r for r in rises], gauge.floor_negative or gauge.floor, gauge.rest)
    return (min(n, m) if two_way == "cycle" else n + m), up


def check(trace: MovementTrace, counted: int, gauges: dict[str, Gauge], two_way: str | None = None) -> CountCheck | None:
    """The set's CountCheck: movements against ``counted``, summed over the signals followed (a
    set filmed first from the side, then from the front, counts another signal there); named
    after the one followed longest. ``gauges``: per signal, how it is read; ``two_way`` as
    count_movements'."""
    found = [f for f in trace.signals() if f[0] in gauges]
    if not found:
        return None
    seen = [count_movements(t, v, gauges[signal], two_way) for signal, t, v in found]
    return CountCheck(sum(n for n, _ in seen), counted, found[0][0], round(seen[0][1], 3))
