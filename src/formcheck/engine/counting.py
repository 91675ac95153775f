"""The counted signal, from pose to the number the excursion counter sees.

Per frame: the Count's signal (relative to the start position when asked), checked for jumps
faster than a body can move (Count.max_rate), oriented and smoothed, its zero moved down to the
signal's rest-side envelope (relative single counts: the start is the lowest level the movement
comes back to, so a set begun mid-movement or with a provisional start finds its rest from the
movement itself), its zero moved while the patient settles (Count.follow_start), and held back
where a second measure disagrees (Count.confirm). Rep-counting thresholds only: form checks live in form.py.
"""

from __future__ import annotations

from collections import deque

import numpy as np

from formcheck.core.pose import Pose
from formcheck.engine.counter import CounterPhase, Excursion, ExcursionCounter
from formcheck.engine.readings import Readings
from formcheck.signals import SIGNALS
from formcheck.signals import geometry as g
from formcheck.spec.exercise import ExerciseSpec
from formcheck.spec.parts import Count

SETTLING_S = 0.5  # Count.follow_start: a movement begun this soon after arming may still be settling
# Count.max_rate: the counted signal's speed is measured against its value at least JUMP_MIN_DT
# earlier (one frame at 25 fps; at higher frame rates a single frame's jitter would dominate),
# over references of the last RATE_REF_S; a jump this shortly before a repetition began still
# spoils it (the jump into garbage)
JUMP_MIN_DT = 0.04
RATE_REF_S = 0.3
JUMP_LEAD_S = 0.2
# the rest-side envelope: the smoothed value kept below the zero by more than the rest band for
# ENVELOPE_S (the plausibility gate: longer than landmark noise on a lying hip, which dips 0.04
# torso lengths for 0.15 s, and than a glitch; shorter than the way down into
# the start) becomes the new zero, the least-below value of that run taken. Within the rest band
# it is left alone: following the noise of a lying hip (+-0.03 torso lengths) down would bias the
# zero low and keep the next return from reaching rest
ENVELOPE_BAND = 1.0
ENVELOPE_S = 0.3


def _less_moved(a: float | None, b: float | None) -> float | None:
    """Confirm.both_sides: the side that moved less from its start (0 when the two moved opposite
    ways); one side alone when the other is not seen."""
    if a is None or b is None:
        return b if a is None else a
    if a * b <= 0:
        return 0.0
    return a if abs(a) < abs(b) else b


def confirm_raw(readings: Readings, pose: Pose, side: str, count: Count) -> float | None:
    """Count.confirm's reading (before smoothing and the direction), both sides' where it asks."""
    c = count.confirm
    assert c is not None
    raw = readings.raw(c.signal, pose, side, c.relative)
    if c.both_sides:
        raw = _less_moved(raw, readings.raw(c.signal, pose, g.other(side), c.relative))
    return raw


def capped(v: float, x: float, count: Count) -> float:
    """The counted value ``v`` where the second measure ``x`` (Count.confirm's, in the count's
    direction) agrees: ``x`` mapped onto the count's units piecewise linearly (its rest, enter and
    full onto the count's), the smaller of the two taken, 0 when they disagree on the direction."""
    c = count.confirm
    assert c is not None
    w = float(np.interp(abs(x), [0.0, c.rest, c.enter, c.full], [0.0, count.rest, count.enter, count.full]))
    if abs(x) > c.full:
        w += (abs(x) - c.full) * (count.full - count.enter) / (c.full - c.enter)
    if v * x <= 0:
        return 0.0
    return v if abs(v) < w else float(np.sign(v)) * w


class RateGate:
    """Count.max_rate: notes when the counted signal changes faster than a body can move it (the
    pose model losing the limb), so the repetition around it is dropped, not counted."""

    def __init__(self) -> None:
        self._refs: deque[tuple[float, float]] = deque()  # recent (t_s, raw value)
        self.last_jump_s: float | None = None

    def check(self, raw: float, t_s: float, max_rate: float) -> None:
        refs = self._refs
        while refs and t_s - refs[0][0] > RATE_REF_S:
            refs.popleft()
        ref = next((r for r in reversed(refs) if t_s - r[0] >= JUMP_MIN_DT), None)
        if ref is not None and abs(raw - ref[1]) / (t_s - ref[0]) > max_rate:
            self.last_jump_s = t_s
        refs.append((t_s, raw))

    def spoils(self, exc: Excursion, t_s: float) -> bool:
        """A jump during this excursion (or just before it began)."""
        j = self.last_jump_s
        return j is not None and exc.start_s - JUMP_LEAD_S <= j <= t_s


class RestEnvelope:
    """One signal's rest-side envelope (see ENVELOPE_S): the current run of smoothed values
    below the zero by more than the rest band."""

    def __init__(self) -> None:
        self._below: list[tuple[float, float]] = []

    def clear(self) -> None:
        self._below.clear()

    def update(self, v: float, t_s: float, rest: float) -> float | None:
        """``v`` oriented (the movement makes it +). The least-below value of a run that lasted
        ENVELOPE_S (the new zero, in v's units), else None."""
        if v >= -ENVELOPE_BAND * rest:
            self._below.clear()
            return None
        self._below.append((t_s, v))
        if t_s - self._below[0][0] < ENVELOPE_S:
            return None
        moved = max(x for _, x in self._below)
        self._below.clear()
        return moved


class CountedSignal:
    def __init__(self, spec: ExerciseSpec, readings: Readings) -> None:
        self.spec = spec
        self.readings = readings
        self.rate = RateGate()
        self.armed_at = 0.0  # when counting was last armed (follow_start's settling time)
        self._beyond_start: deque[tuple[float, float]] = deque()  # follow_start: values past the start
        self._below = RestEnvelope()  # the counted signal's
        self._confirm_below = RestEnvelope()  # Count.confirm's: its start may be mid-movement too
        # the envelope follows the rest only while the start is provisional (armed on the first
        # frame in the posture, maybe mid-movement); once the patient kept still at the start
        # (Settler.refine) the zero is known, and a later dip of a jittery point (a heel landing,
        # the heel point of a rear-oblique foot) is noise, not a lower rest
        self.find_rest = False

    def read(self, pose: Pose, t_s: float, side: str, count: Count,
             counter: ExcursionCounter) -> tuple[float | None, bool]:
        """(the value for the counter, or None when it cannot be measured; whether the
        excursion in progress turned out to be the patient settling, to be forgotten)."""
        readings = self.readings
        raw = readings.raw(count.signal, pose, side, count.relative)
        if raw is None:
            return None, False
        if count.max_rate is not None:
            self.rate.check(raw, t_s, count.max_rate)
        v = readings.smooth("count", raw * count.direction, t_s, count.smoothing)
        dropped = False
        moved = self._envelope(v, t_s, count, counter)
        if moved is not None:
            v = readings.smooth("count", (raw - moved) * count.direction, t_s, count.smoothing)
            raw -= moved
        if count.follow_start:
            moved = self._follow_start(v, t_s, count, counter)
            if moved is not None:
                dropped = counter.phase is CounterPhase.OUT
                v = readings.smooth("count", (raw - moved) * count.direction, t_s, count.smoothing)
        if count.confirm is not None:
            return self._confirmed(v, pose, t_s, side, count, counter), dropped
        return v, dropped

    def _confirmed(self, v: float, pose: Pose, t_s: float, side: str, count: Count,
                   counter: ExcursionCounter) -> float | None:
        """Count.confirm: the counted value where the second measure agrees. The second one is
        mapped onto the count's units piecewise linearly (its rest, enter and full onto the
        count's), and the smaller of the two taken (0 when they disagree on the direction).
        None while the second measure is not seen. Its zero follows its own rest-side envelope
        as the count's does (a set armed at the top of a raise: the body's start is up there)."""
        c = count.confirm
        assert c is not None
        raw = confirm_raw(self.readings, pose, side, count)
        if raw is None:
            return None
        x = self.readings.smooth("confirm", raw * c.direction, t_s, count.smoothing)
        if self._follows_rest(count, counter) and c.relative:
            moved = self._confirm_below.update(x, t_s, c.rest)
            if moved is not None:
                self._shift_zero(c.signal, moved * c.direction, "confirm")
                x = self.readings.smooth("confirm", (raw - moved * c.direction) * c.direction, t_s, count.smoothing)
        else:
            self._confirm_below.clear()
        return capped(v, x, count)

    def _envelope(self, v: float, t_s: float, count: Count, counter: ExcursionCounter) -> float | None:
        """Relative single counts: the zero follows the signal's rest-side envelope down (see
        ENVELOPE_S). Returns how far it moved (relative units, as raw), or None."""
        if not self._follows_rest(count, counter) or not count.relative:
            self._below.clear()
            return None
        moved = self._below.update(v, t_s, count.rest)
        if moved is None:
            return None
        moved *= count.direction
        self._shift_zero(count.signal, moved, "count")
        return moved

    def raise_zero(self, by: float, count: Count) -> None:
        """Move the counted signal's zero ``by`` (the counter's units, toward the movement) up: the
        movement came back to there (reps.RepExercise._valley_end)."""
        self._shift_zero(count.signal, by * count.direction, "count")

    def _follows_rest(self, count: Count, counter: ExcursionCounter) -> bool:
        """The zeros follow the rest-side envelope: a provisional start, a single count, at rest."""
        return self.find_rest and count.mode == "single" and counter.phase is not CounterPhase.OUT

    def _shift_zero(self, signal: str, moved: float, key: str) -> None:
        """Move ``signal``'s zero by ``moved`` (its relative units) and restart filter ``key``."""
        pixels = moved
        if SIGNALS[signal].start_scaled and self.readings.start_scale:
            pixels *= self.readings.start_scale  # the baseline is in pixels, the value in start leg lengths
        self.readings.baseline[signal] += pixels
        self.readings.forget(key)

    def _follow_start(self, v: float, t_s: float, count: Count, counter: ExcursionCounter) -> float | None:
        """Relative single counts: the start position follows the patient while they settle. A
        level held beyond the start (e.g. the knees bent after lying down with straight legs),
        or a level short of a full repetition held just after counting began (still lying back
        onto the floor), becomes the new zero instead of an excursion. Returns how far the zero
        moved (in the signal's relative units), or None."""
        out = counter.phase is CounterPhase.OUT
        began = counter.current_start_s
        # an excursion that reached the full range is a repetition, however soon after arming it
        # began (a set begun at once, counting armed on its first frame): only one that stayed
        # short of it can be the patient still lying back
        peak = counter.current_peak
        settling = (out and began is not None and began - self.armed_at <= SETTLING_S
                    and peak is not None and peak < count.full)
        if count.mode != "single" or not count.relative or not (settling or (not out and v < -count.rest)):
            self._beyond_start.clear()
            return None
        self._beyond_start.append((t_s, v))
        if t_s - self._beyond_start[0][0] < max(self.spec.settle_s, 0.3):
            return None
        vals = np.array([x for _, x in self._beyond_start])
        if float(vals.max() - vals.min()) > count.enter - count.rest:  # still moving
            self._beyond_start.popleft()
            return None
        moved = float(np.median(vals)) * count.direction
        self._shift_zero(count.signal, moved, "count")
        self._beyond_start.clear()
        return moved
