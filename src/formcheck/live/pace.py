"""Is this machine analysing enough frames a second for the exercise? (issue 19, item 4)

Live analyses the newest camera frame each time the pose model is free, so a slow or busy
laptop analyses fewer frames a second, and below some rate a repetition falls between the frames
it sees (at 6-16 frames/s live counted 1 of 3 squats where replay of the same clip was right).
``bench/frame_rate.py`` replays the labelled clips' landmarks keeping only the frames live would
have taken at 20, 15, 12, 10, 8 and 5 frames/s; ``NEEDED_FPS`` is, per exercise, the lowest rate
from which its counts are as good as with every frame (README: "What frame rate each exercise
needs"). ``Pace`` measures the rate over the last seconds of the set, in the frames' own time,
and says when it is below the need: the trainer then tells the patient and the report marks the set.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

# frames/s, measured 2026-12-07 (bench/frame_rate.py; exact counts and worst error on the
# labelled clips as good as with every frame from this rate up). Heel raises and toes-and-heels
# are quick, small movements under a 1.5 Hz filter: they lost repetitions at 15 frames/s. Curl-ups
# lost one at 12. Squats and bridges held to 8 (one lost at 5). The oblique curl-up (3 clips) is
# given the curl-up's floor; the weight shift (2 clips, a shift held for seconds) held to 5.
NEEDED_FPS: dict[str, float] = {
    "heel_raise": 20.0, "toe_heel": 20.0, "curl_up": 15.0, "oblique_curl_up": 15.0,
    "squat": 8.0, "pelvic_lift": 8.0, "weight_shift": 5.0,
}
# holds (timed in the frames' own seconds) and exercises nobody measured: the lowest rate measured
DEFAULT_NEEDED_FPS = 5.0
WINDOW_S = 2.0  # the rate is measured over this much of the set, in the frames' time
RECOVER = 1.1  # back to "fast enough" only above the need by this factor (no flicker at the edge)


def needed_fps(exercise_id: str) -> float:
    return NEEDED_FPS.get(exercise_id, DEFAULT_NEEDED_FPS)


@dataclass(frozen=True)
class PaceSummary:
    """How a set's analysed frame rate compared with what the exercise needs."""

    needed_fps: float
    lowest_fps: float | None  # the lowest rate over a whole window (None: the set was shorter)
    too_slow_s: float  # seconds of the set analysed below the need


class Pace:
    """The analysed frame rate over the last ``WINDOW_S`` seconds of frame time.

    ``add(t_ms)`` for each frame the pose model looked at; ``too_slow`` is True from the moment
    a whole window was analysed below ``need`` until the rate is back above it (by ``RECOVER``).
    Frame time, not the wall clock: a video file played at its own pace is measured as a camera
    would be, and a file played with ``--every-frame`` at its own frame rate.
    """

    def __init__(self, need: float) -> None:
        self.need = need
        self._times: deque[float] = deque()
        self.too_slow = False
        self.too_slow_ms = 0.0
        self.lowest: float | None = None

    def add(self, t_ms: float) -> None:
        last = self._times[-1] if self._times else None
        if self.too_slow and last is not None:
            self.too_slow_ms += t_ms - last  # the time since the last frame was analysed too slowly
        self._times.append(t_ms)
        while len(self._times) > 2 and self._times[1] <= t_ms - WINDOW_S * 1000.0:
            self._times.popleft()
        span = self._times[-1] - self._times[0]
        if span < WINDOW_S * 1000.0 * 0.95:  # not a whole window yet
            return
        rate = (len(self._times) - 1) / span * 1000.0
        self.lowest = rate if self.lowest is None else min(self.lowest, rate)
        if rate < self.need:
            self.too_slow = True
        elif rate >= self.need * RECOVER:
            self.too_slow = False

    def restart(self) -> None:
        """After a pause: the gap is no frame rate."""
        self._times.clear()

    def summary(self) -> PaceSummary:
        return PaceSummary(self.need, None if self.lowest is None else round(self.lowest, 1),
                           round(self.too_slow_ms / 1000.0, 1))
