"""Signal values as the engine reads them: measured from the start position and smoothed.

Baselines are the signals' values at the start position, taken while the patient settles
(settle.py). A start-scaled signal (a height in pixels, see signals.Signal) means something only
as a change from there, divided by the leg length measured at the start. Smoothing is a bank of
One Euro filters by name, so each use of a signal (the count, a rule, a hold position) has its
own; filters start fresh whenever counting is armed again.
"""

from __future__ import annotations

from formcheck.core.pose import Pose
from formcheck.engine.filters import OneEuro
from formcheck.signals import SIGNALS, compute
from formcheck.spec.parts import Smoothing

DEFAULT_SMOOTHING = (1.5, 0.05)  # min_cutoff (Hz), beta: an exercise file that names none


def one_euro(smoothing: Smoothing | None) -> OneEuro:
    """A fresh filter with an exercise's smoothing settings."""
    if smoothing is None:
        return OneEuro(*DEFAULT_SMOOTHING)
    return OneEuro(smoothing.min_cutoff, smoothing.beta, smoothing.d_cutoff)


class Readings:
    def __init__(self, default_smoothing: Smoothing | None) -> None:
        self.baseline: dict[str, float] = {}  # as measured on base_side
        self.base_side: str | None = None
        # the other side's start value minus base_side's, per signal seen on both while settling:
        # one heel or knee does not read exactly as the other, so a patient turning round at rest
        # is measured from that side's own start
        self.side_shift: dict[str, float] = {}
        self.start_scale: float | None = None  # leg length in pixels at the start (start-scaled signals)
        self._default = default_smoothing  # the exercise's Count.smoothing: rules and holds use it too
        self._filters: dict[str, OneEuro] = {}

    def raw(self, name: str, pose: Pose, side: str, relative: bool) -> float | None:
        """The signal's value, as a change from its baseline when ``relative``; None when not
        seen, when there is no baseline yet, or for a start-scaled signal used absolutely."""
        v = compute(name, pose, side)
        if v is None:
            return None
        scaled = SIGNALS[name].start_scaled
        if relative:
            base = self.base(name, side)
            if base is None or (scaled and self.start_scale is None):
                return None
            v -= base
            if scaled:
                v /= self.start_scale  # type: ignore[operator]
        elif scaled:
            return None  # a pixel height on its own means nothing
        return v

    def absolute(self, name: str, pose: Pose, side: str) -> float | None:
        """The signal's value without a baseline; a start-scaled one (a height in the picture) in
        the body's size at the start (a squat shortens the legs in the picture), None before it."""
        v = compute(name, pose, side)
        if v is not None and SIGNALS[name].start_scaled:
            return None if not self.start_scale else v / self.start_scale
        return v

    def base(self, name: str, side: str) -> float | None:
        """The start value of signal ``name`` measured on ``side``."""
        base = self.baseline.get(name)
        if base is None or self.base_side is None or side == self.base_side:
            return base
        return base + self.side_shift.get(name, 0.0)

    def set_base(self, name: str, side: str, value: float) -> None:
        """Take ``value`` (measured on ``side``) as the start value of ``name``."""
        if self.base_side is not None and side != self.base_side:
            value -= self.side_shift.get(name, 0.0)
        self.baseline[name] = value

    def smooth(self, key: str, value: float, t_s: float, smoothing: Smoothing | None = None) -> float:
        """``value`` through the filter named ``key`` (made on first use, with ``smoothing`` or
        the exercise's default)."""
        f = self._filters.get(key)
        if f is None:
            f = one_euro(smoothing or self._default)
            self._filters[key] = f
        return f(value, t_s)

    def forget(self, key: str | None = None) -> None:
        """Drop one filter (it starts again from the next value), or all of them."""
        if key is None:
            self._filters.clear()
        else:
            self._filters.pop(key, None)
