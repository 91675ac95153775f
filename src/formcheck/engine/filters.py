"""One Euro filter (Casiez et al. 2012): smooths jitter when still, follows fast moves with
little lag. Time comes from video timestamps, so any frame rate gives the same curve."""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

import numpy as np


def _alpha(cutoff_hz: float, dt_s: float) -> float:
    tau = 1.0 / (2.0 * math.pi * cutoff_hz)
    return 1.0 / (1.0 + tau / dt_s)


@dataclass
class OneEuro:
    """Scalar One Euro filter.

    ``min_cutoff`` (Hz): lower means smoother when still; ``beta``: higher means less lag when
    moving fast. Units of ``beta`` depend on the signal's units (here: degrees or body lengths).
    """

    min_cutoff: float = 1.0
    beta: float = 0.0
    d_cutoff: float = 1.0
    _x: float | None = None
    _dx: float = 0.0
    _t_s: float | None = None

    def __call__(self, x: float, t_s: float) -> float:
        if self._x is None or self._t_s is None:
            self._x, self._dx, self._t_s = x, 0.0, t_s
            return x
        if t_s <= self._t_s:  # repeated timestamp: keep the last estimate
            return self._x
        dt = t_s - self._t_s
        dx = (x - self._x) / dt
        a_d = _alpha(self.d_cutoff, dt)
        self._dx = a_d * dx + (1.0 - a_d) * self._dx
        cutoff = self.min_cutoff + self.beta * abs(self._dx)
        a = _alpha(cutoff, dt)
        self._x = a * x + (1.0 - a) * self._x
        self._t_s = t_s
        return self._x

    def reset(self) -> None:
        self._x, self._dx, self._t_s = None, 0.0, None


class WindowMedian:
    """The median of the values seen over the last ``window_s`` seconds of video time (a clock that
    goes back starts it afresh): one frame's landmark wobble moves it little."""

    def __init__(self, window_s: float) -> None:
        self.window_s = window_s
        self._recent: deque[tuple[float, float]] = deque()  # (t_s, value)

    def update(self, t_s: float, value: float | None) -> float | None:
        """Add ``value`` (None: not seen this frame); the median now, None when nothing was seen."""
        recent = self._recent
        if recent and t_s <= recent[-1][0]:
            recent.clear()
        if value is not None:
            recent.append((t_s, value))
        while recent and t_s - recent[0][0] > self.window_s:
            recent.popleft()
        return float(np.median([v for _, v in recent])) if recent else None
