"""Repetitions cut by the edges of a video: begun before its first frame, or still on their way
back at its last.

A recorded video (a replayed file, or one used as the live camera) may begin in the middle of a
repetition or end before it is over; a live camera cannot (the set starts after the patient has
got into the start position and a countdown, and ends when the patient says so: a movement then
is the way to the keyboard, reported as unfinished as before). Counting arms only at the start
position, so a repetition under way in the first frame was lost, and one the video cut on its
way back was an unfinished partial. Each is counted when what the video shows is, by itself,
most of a repetition, and the report says it was cut (Rep.cut, and a note):

- **Begun before the video** (LeadIn): from the first frames the person is seen until counting
  arms (the start position reached: an absolute count's rest, a lying posture) or, for a count
  measured from the start position, until the first movement after it (the start known by then),
  the counted signal is kept. It is a repetition's second half when, past the tracker's warm-up
  (settle.TRACKER_WARMUP_FRAMES), it is already beyond ``enter`` (the body well into the
  movement, past where a repetition begins), it is moving within LEAD_MOVING_S (by more than the
  counter's hysteresis band: not a person sitting still who stands up later), it reaches the full
  range (its peak, before the video, is unknown: a shallower one is left unreported, neither a
  repetition nor a fault) and it comes back to the start as the counter's own return does
  (within the bottom RETURN_SHARE of its peak). The exercise's duration bounds still apply.
- **Ended with the video** (ExcursionCounter.end_on_the_way_back): the video ends while a
  movement that reached the full range is back past END_RETURN_SHARE of its peak and still
  heading back (lower than END_TREND_S earlier). The patient has done the movement and most of
  the way back; the few tenths of a second to the start are what the video did not show. Ended
  at the top, or only starting back, it stays unfinished (the labels' reps_if_return_required).

Tempo rules are not judged on a cut repetition: its visible duration is not its duration.
"""

from __future__ import annotations

import numpy as np

from formcheck.core.pose import Pose
from formcheck.engine.counter import Excursion
from formcheck.engine.counting import capped, confirm_raw
from formcheck.engine.readings import Readings
from formcheck.engine.settle import TRACKER_WARMUP_FRAMES
from formcheck.spec.parts import Count

# Begun before the video: the signal must move by more than the hysteresis band within this long
# of the first steady frame (a repetition under way; sitting or lying still is not)
LEAD_MOVING_S = 1.0
# ... and a change faster than this many times the full range a second is the pose model
# jumping (when the exercise file sets no max_rate): a squat's 70 degrees of full range at 30
# full ranges a second would be 2,100 degrees a second, three times the fastest real squat
JUMP_FULLS_PER_S = 30.0
LEAD_GAP_S = 0.5  # a gap in the signal this long (the person unseen) ends the lead-in: not one movement
# Ended with the video: back past this share of the peak (the way back more than half done) ...
END_RETURN_SHARE = 0.5
END_TREND_S = 0.2  # ... and lower than this long before (still heading back, not stopped half-way)


def _median3(xs: np.ndarray) -> np.ndarray:
    """Each value the median of itself and its neighbours (one landmark glitch is no peak)."""
    if len(xs) < 3:
        return xs.copy()
    out = xs.copy()
    out[1:-1] = np.median(np.stack([xs[:-2], xs[1:-1], xs[2:]]), axis=0)
    return out


class LeadIn:
    """The counted signal from the first sight of the person until counting arms (and, for a
    relative count, until its start is known): a repetition begun before the video (see the
    module's doc). Only one, for the set's first arming; off for a live camera."""

    def __init__(self, enabled: bool) -> None:
        self.open = enabled
        self._frames: list[tuple[float, Pose]] = []

    def add(self, pose: Pose, t_s: float, max_s: float) -> None:
        """One frame; the lead-in closes once longer than ``max_s`` (the exercise's longest
        repetition: what it held is no repetition's end)."""
        if not self.open:
            return
        if self._frames and t_s - self._frames[0][0] > max_s:
            self.close()
            return
        self._frames.append((t_s, pose))

    def close(self) -> None:
        self.open = False
        self._frames = []

    def interrupt(self) -> None:
        """Counting paused (the person unseen, the set paused): a lead-in under way ends; before
        anybody was seen (a video's title card) it waits for them."""
        if self._frames:
            self.close()

    def repetition(self, readings: Readings, count: Count, side: str, return_share: float,
                   ended: bool = False) -> tuple[Excursion, str] | None:
        """The repetition the lead-in holds, with how it was cut ("start", or "both" when
        ``ended``, the video over, and it ends on the way back), or None; closes the lead-in.
        ``readings`` give the signal from the start position as known now."""
        frames, self._frames = self._frames, []
        self.open = False
        if count.mode != "single":
            return None
        ts_list, xs_list = [], []
        for t, pose in frames[TRACKER_WARMUP_FRAMES:]:
            v = readings.raw(count.signal, pose, side, count.relative)
            if v is None:
                continue
            v *= count.direction
            if count.confirm is not None:  # only where the second measure agrees, as counted
                x = confirm_raw(readings, pose, side, count)
                if x is None:
                    continue
                v = capped(v, x * count.confirm.direction, count)
            ts_list.append(t)
            xs_list.append(v)
        if len(xs_list) < 3 or np.any(np.diff(ts_list) > LEAD_GAP_S):
            return None
        ts, xs = np.array(ts_list), np.array(xs_list)
        # the pose model may read garbage for longer than its warm-up on a body it found curled
        # up (a foot-end curl-up: -45 degrees for 0.5 s, then 20-40): the lead-in starts after the
        # last jump faster than a body moves in its first LEAD_MOVING_S
        rate = count.max_rate or JUMP_FULLS_PER_S * count.full
        jumps = np.nonzero((np.abs(np.diff(xs)) > rate * np.diff(ts)) & (ts[1:] <= ts[0] + LEAD_MOVING_S))[0]
        if len(jumps):
            ts, xs = ts[jumps[-1] + 1:], xs[jumps[-1] + 1:]
        if len(xs) < 3:
            return None
        sm = _median3(xs)
        if float(np.median(xs[:3])) <= count.enter:  # not yet into a repetition
            return None
        early = sm[ts <= ts[0] + LEAD_MOVING_S]
        if float(early.max() - early.min()) <= count.enter - count.rest:  # still: no repetition under way
            return None
        i = int(np.argmax(sm))
        peak = float(sm[i])
        if peak < count.full:  # its deepest point may have been before the video: unknown
            return None
        back = max(count.rest, return_share * peak)
        after = np.nonzero(sm[i:] <= back)[0]
        if len(after):
            end, cut = float(ts[i + after[0]]), "start"
        elif xs[-1] <= back and not ended:  # the frame that armed counting: back at the start
            end, cut = float(ts[-1]), "start"
        elif ended and on_the_way_back(ts, sm, peak):
            end, cut = float(ts[-1]), "both"
        else:
            return None
        return Excursion(1, frames[0][0], end, float(ts[i]), peak), cut


def on_the_way_back(ts: np.ndarray, xs: np.ndarray, peak: float) -> bool:
    """The last value is back past END_RETURN_SHARE of ``peak`` and lower than END_TREND_S before."""
    before = xs[ts <= ts[-1] - END_TREND_S + 1e-9]
    return bool(xs[-1] <= END_RETURN_SHARE * peak and len(before) and xs[-1] < before[-1])
