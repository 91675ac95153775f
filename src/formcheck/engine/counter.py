"""Repetition counting as an explicit state machine with hysteresis.

The counter sees one number per frame, the exercise's counted signal oriented so that the
start position is near 0 and the movement goes away from it (positive, or for two-way
exercises also negative). An *excursion* is one trip away from rest and back:

    REST --|v| > enter for min_dwell_s--> OUT --|v| <= rest for min_dwell_s--> REST

``enter`` > ``rest`` gives the hysteresis band: jitter inside it never starts or ends anything.
All durations are seconds of video time, so live and replay, and any frame rate, agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

# The way back is timed to within this share of the peak (or the rest band, if wider), however soon
# the repetition was judged over (Thresholds.return_share): the limits on lowering speed (a seat
# dropped, a head let go) were set on that span, and a repetition that ends earlier, higher up,
# must not make a controlled lowering look fast.
TIMED_BACK_SHARE = 0.2


class CounterPhase(str, Enum):
    REST = "rest"
    OUT = "out"


@dataclass(frozen=True)
class Excursion:
    """One completed trip away from the start position and back."""

    sign: int  # +1 or -1: which way the signal went
    start_s: float  # last moment at rest before leaving
    end_s: float  # first moment back at rest
    peak_s: float
    peak: float  # signed extreme value reached
    # first and last moment within the peak band (Thresholds.peak_band): a hold at the top or
    # bottom lies between them, so the way there (start -> reach) and back (leave -> end) can be
    # timed on their own
    reach_s: float | None = None
    leave_s: float | None = None
    # when the way back came within TIMED_BACK_SHARE of the peak (estimated at the speed it was
    # coming back if the repetition was judged over before that): the way back's time
    returned_s: float | None = None

    @property
    def back_s(self) -> float:
        """The way back's end, for its time (``returned_s``, else ``end_s``)."""
        return self.end_s if self.returned_s is None else self.returned_s

    @property
    def reached_s(self) -> float:
        return self.peak_s if self.reach_s is None else self.reach_s

    @property
    def left_s(self) -> float:
        return self.peak_s if self.leave_s is None else self.leave_s


@dataclass(frozen=True)
class Thresholds:
    rest: float  # |value| at or below: at the start position
    enter: float  # |value| above: moving away from it (must exceed rest)
    min_dwell_s: float = 0.1  # a crossing must last this long to change phase
    peak_band: float = 0.0  # fraction of the peak still counted as "at the peak" (0: the peak itself)
    # settled within this share of the excursion's own peak is back at the start too: a sit-up of
    # 90 degrees that comes down to 4 (rest 3) or a bridge whose hips settle a little above where
    # they lay has ended. 0: only ``rest`` ends an excursion. One that comes back to rest ends
    # there as before (its timing unchanged).
    return_share: float = 0.0
    return_dwell_s: float = 0.3  # ... once it has stayed there this long (back at rest: min_dwell_s)

    def __post_init__(self) -> None:
        if not 0 <= self.rest < self.enter:
            raise ValueError(f"need 0 <= rest < enter, got rest={self.rest}, enter={self.enter}")
        if self.min_dwell_s < 0:
            raise ValueError("min_dwell_s must be >= 0")
        if not 0 <= self.peak_band < 1:
            raise ValueError("peak_band must be in [0, 1)")
        if not 0 <= self.return_share < 1:
            raise ValueError("return_share must be in [0, 1)")


class ExcursionCounter:
    """Turns (value, t_s) samples into completed excursions."""

    def __init__(self, thresholds: Thresholds, *, two_way: bool = False) -> None:
        self.th = thresholds
        self.two_way = two_way
        self.reset()

    def reset(self) -> None:
        self.phase = CounterPhase.REST
        self._last_rest_s: float | None = None
        self._pending_since: float | None = None  # when the current crossing began
        self._pending_sign = 0
        self._sign = 0
        self._start_s = 0.0
        self._peak = 0.0
        self._peak_s = 0.0
        self._rest_since: float | None = None
        self._low_since: float | None = None  # since when within return_share of the peak
        # the lowest |value| since the last excursion ended: one that ended above ``rest`` (the
        # return share) must come down and rise again by the hysteresis band before the next begins
        self._floor = 0.0
        # the level under which the last excursion was judged over (``rest``, or its return share
        # when it settled short of rest): the next must rise the hysteresis band above it too, or a
        # foot wavering about a level that was already "back" would start and end phases on noise
        self._back = self.th.rest
        self._trace: list[tuple[float, float]] = []  # (t_s, |v| toward the excursion's side)
        self._valley: tuple[float, float] | None = None  # OUT: the lowest (|v|, t_s) since the peak

    @property
    def current_start_s(self) -> float | None:
        return self._start_s if self.phase is CounterPhase.OUT else None

    @property
    def leaving(self) -> bool:
        """At rest, but the value is already past ``enter`` (waiting out min_dwell_s)."""
        return self.phase is CounterPhase.REST and self._pending_since is not None

    @property
    def current_peak(self) -> float | None:
        """The excursion in progress's largest value so far (its magnitude), or None at rest."""
        return abs(self._peak) if self.phase is CounterPhase.OUT else None

    def _oriented(self, v: float) -> float:
        return v if self.two_way else max(v, 0.0)

    def update(self, value: float, t_s: float) -> Excursion | None:
        v = self._oriented(value)
        th = self.th
        if self.phase is CounterPhase.REST:
            if abs(v) <= th.rest:
                self._last_rest_s = t_s
                self._pending_since = None
                self._back = th.rest
                return None
            self._floor = min(self._floor, abs(v))
            band = th.enter - th.rest
            if abs(v) > th.enter and abs(v) - self._floor > band and abs(v) - self._back > band:
                sign = 1 if v > 0 else -1
                if self._pending_since is None or sign != self._pending_sign:
                    self._pending_since, self._pending_sign = t_s, sign
                if t_s - self._pending_since >= th.min_dwell_s:
                    self.phase = CounterPhase.OUT
                    self._sign = sign
                    self._start_s = self._last_rest_s if self._last_rest_s is not None else self._pending_since
                    self._peak, self._peak_s = v, t_s
                    self._rest_since = None
                    self._trace = [(t_s, abs(v))]
            else:
                self._pending_since = None
            return None

        # OUT: follow the peak, watch for the return to rest (or a swing straight to the other side)
        if v * self._sign > abs(self._peak):
            self._peak, self._peak_s = v, t_s
            self._valley = None
        elif self._valley is None or v * self._sign < self._valley[0]:
            self._valley = (v * self._sign, t_s)
        self._trace.append((t_s, v * self._sign))
        if len(self._trace) > 4000:  # a very long excursion: keep every other sample
            self._trace = self._trace[::2]
        swung = self.two_way and v * self._sign < -th.enter
        back = max(th.rest, th.return_share * abs(self._peak))
        self._rest_since = (self._rest_since or t_s) if abs(v) <= th.rest or swung else None
        self._low_since = (self._low_since or t_s) if abs(v) <= back or swung else None
        if self._rest_since is not None and t_s - self._rest_since >= th.min_dwell_s:
            end = self._rest_since  # back at the start
        elif self._low_since is not None and t_s - self._low_since >= max(th.min_dwell_s, th.return_dwell_s):
            end = self._low_since  # settled in the lowest share of its own range, short of the start
        else:
            return None
        at_rest = self._rest_since is not None and end == self._rest_since
        exc = self._close(end)
        self._last_rest_s = end
        self._floor = abs(v)
        self._back = th.rest if at_rest or swung else back
        if swung:  # went straight into the opposite excursion
            self.phase = CounterPhase.OUT
            self._sign = 1 if v > 0 else -1
            self._start_s = end
            self._peak, self._peak_s = v, t_s
            self._trace = [(t_s, abs(v))]
        return exc

    def _close(self, end: float, timed_back: bool = True) -> Excursion:
        near = [t for t, a in self._trace if a >= (1.0 - self.th.peak_band) * abs(self._peak)]
        leave = near[-1] if near else self._peak_s
        exc = Excursion(self._sign, self._start_s, end, self._peak_s, self._peak,
                        near[0] if near else None, near[-1] if near else None,
                        self._returned(leave, end) if timed_back else None)
        self.reset()
        return exc

    def _returned(self, leave: float, end: float) -> float | None:
        """When the way back ended as a counter with TIMED_BACK_SHARE as its return share would
        have judged it (back at rest, or settled within that share of the peak), read from the
        trace (which runs past ``end`` by the dwell); where the trace stops before that, when it
        came into rest or that share, else when it would have reached the share at the speed it
        came down to its lowest point (a drop that settles high, or rises again, stays fast).
        None where that is ``end`` itself."""
        th = self.th
        peak = abs(self._peak)
        level = max(th.rest, TIMED_BACK_SHARE * peak)
        if th.return_share <= TIMED_BACK_SHARE or peak <= level:
            return None
        after = [(t, a) for t, a in self._trace if t >= leave]
        if not after:
            return None
        rest_since = low_since = None  # as update() judges it, with the share at TIMED_BACK_SHARE
        for t, a in after:
            rest_since = (rest_since or t) if a <= th.rest else None
            low_since = (low_since or t) if a <= level else None
            if rest_since is not None and t - rest_since >= th.min_dwell_s:
                return max(end, rest_since)
            if low_since is not None and t - low_since >= max(th.min_dwell_s, th.return_dwell_s):
                return max(end, low_since)
        # the trace stopped before that: when it first came to rest, or into the share
        first_rest = next((t for t, a in after if a <= th.rest), None)
        first_low = next((t for t, a in after if a <= level), None)
        t_lowest, low = min(after, key=lambda s: s[1])
        # coming down: on average from the top to where it reached its lowest (give or take noise),
        # not counting a stillness or a rise after it
        t_near, a_near = next((t, a) for t, a in after if a <= low + 0.05 * peak)
        if t_near <= leave or a_near >= peak:
            return None if first_low is None else max(end, first_low)
        speed = (peak - a_near) / (t_near - leave)
        if first_rest is not None:  # came to rest, the trace stopped before the dwell
            return max(end, first_rest)
        if first_low is not None:  # came into the share: at rest soon enough at that speed (before
            at_rest = t_lowest + max(low - th.rest, 0.0) / speed  # the share's dwell), then there
            dwell = max(th.min_dwell_s, th.return_dwell_s)
            return max(end, at_rest if at_rest + th.min_dwell_s <= first_low + dwell else first_low)
        return max(end, leave + (peak - level) / speed)

    @property
    def current_base(self) -> float | None:
        """The excursion in progress's value when it set out (its magnitude), or None at rest."""
        return self._trace[0][1] if self.phase is CounterPhase.OUT and self._trace else None

    def valley(self) -> tuple[float, float] | None:
        """OUT: the lowest value toward the excursion's side since its peak, and when; None at rest
        or while still rising."""
        return self._valley if self.phase is CounterPhase.OUT else None

    def end_at_valley(self) -> Excursion | None:
        """End the excursion in progress at its valley since the peak (the caller judged that the
        movement came back there and rose again: its start was read too low). The next excursion
        begins once the value passes ``enter`` (measured from a start the caller moves there)."""
        if self.phase is not CounterPhase.OUT or self._valley is None:
            return None
        low, valley_s = self._valley
        # the next one sets out when it last left the valley's rest band (not when it passed enter)
        left_s = max((t for t, a in self._trace if t >= valley_s and a - low <= self.th.rest), default=valley_s)
        exc = self._close(valley_s, timed_back=False)  # the valley is where the way back ended
        self._last_rest_s = left_s
        return exc

    def end_back_at_rest(self) -> Excursion | None:
        """The samples end (the video or set is over) with the value already back at rest, but
        for less than min_dwell_s: the trip is complete, only the wait that guards against jitter
        was cut off by the end, so it ends where it came back. A short clip of one squat stops a
        few frames after the patient stands up. None when not out, or not back at rest."""
        if self.phase is not CounterPhase.OUT or self._rest_since is None:
            return None
        return self._close(self._rest_since)

    def end_on_the_way_back(self, t_s: float, share: float, trend_s: float) -> Excursion | None:
        """The samples end (the video is over) while the value is on its way back: within
        ``share`` of the peak and lower now than ``trend_s`` before. The trip ends at ``t_s``, the
        last sample (engine/edges.py says when that is a repetition). None otherwise: at rest, not
        back that far (still at the top), or not heading back."""
        if self.phase is not CounterPhase.OUT or len(self._trace) < 2:
            return None
        now = self._trace[-1][1]
        before = next((a for t, a in reversed(self._trace) if t_s - t >= trend_s - 1e-9), self._trace[0][1])
        if now > share * abs(self._peak) or now >= before:
            return None
        return self._close(t_s)

    def abandon(self) -> tuple[float, float, float] | None:
        """Drop an excursion in progress (tracking lost); returns (start_s, peak_s, peak) if any."""
        if self.phase is not CounterPhase.OUT:
            self.reset()
            return None
        out = (self._start_s, self._peak_s, self._peak)
        self.reset()
        return out
