"""The one cue shown to the patient, and the cues the engine itself gives.

A cue stays up at least CUE_HOLD_S so it can be read; a more important one (higher severity)
may replace it sooner. Guidance cues (GUIDE) help the patient into position; fault cues come
from the exercise file's rules and name the body segments the overlay highlights.
"""

from __future__ import annotations

from formcheck.core.pose import Landmark
from formcheck.core.results import Cue
from formcheck.signals import SIGNALS
from formcheck.signals import geometry as g
from formcheck.spec.parts import Count, Rule

CUE_HOLD_S = 2.5  # a cue stays up at least this long, so it can be read
# ... unless the moment it is about is over: a fault seen during a repetition ("keep your heels on
# the floor") comes down once the patient is back in the start position and it has been up this
# long (a cue of four to six words is read in about a second); left up, it reads as a fault of
# the standing patient
CUE_READ_S = 1.0

GUIDE = {
    "step_into_view": Cue("step_into_view", "Sørg for, at hele kroppen kan ses", "Make sure your whole body is in view", 1),
    # lying, the body not found: a camera on the floor at the feet or the head sees the knees or
    # the head and little else (renders from 0.35 and 0.65 m at the foot end: no person found on
    # most frames), and the lying exercises ask for the side
    "lie_side_on": Cue("lie_side_on", "Læg dig med siden til kameraet, så hele kroppen kan ses",
                       "Lie with your side to the camera so your whole body can be seen", 1),
    "get_ready": Cue("get_ready", "Find startstillingen og hold dig i ro", "Get into the start position and keep still", 1),
    "turn_sideways": Cue("turn_sideways", "Vend siden til kameraet", "Turn your side to the camera", 1),
    "face_camera": Cue("face_camera", "Vend ansigtet mod kameraet", "Face the camera", 1),
    "not_still": Cue("not_still", "Hold stillingen i ro", "Hold the position still", 2),
    "get_in_position": Cue("get_in_position", "Find stillingen og hold den", "Get into the position and hold it", 1),
    "hold_done": Cue("hold_done", "Godt! Slap af et øjeblik", "Well done! Relax for a moment", 1),
    "other_side": Cue("other_side", "Godt! Skift nu til den anden side", "Well done! Now change to the other side", 1),
}


def segments(signal: str | None, side: str) -> tuple[tuple[Landmark, Landmark], ...]:
    """The body segments a signal is measured on, on the measured side, or both for a signal
    of both legs (for highlighting)."""
    if signal is None:
        return ()
    sig = SIGNALS[signal]
    sides = ("L", "R") if sig.both_sides else (side,)
    return tuple((g.SIDES[x][a], g.SIDES[x][b]) for x in sides for a, b in sig.parts)


def rule_cue(rule: Rule, side: str) -> Cue:
    return Cue(rule.id, rule.cue.da, rule.cue.en, rule.severity + 1, segments(rule.signal, side))


SHALLOW_SEVERITY = 3  # a repetition that missed the full range: as important as most form faults


def shallow_cue(count: Count | None, reason: str, side: str) -> Cue | None:
    """The cue for a repetition that missed the full range (Count.shallow_cue), if any."""
    if count is None or count.shallow_cue is None or reason != count.shallow_fault:
        return None
    return Cue(reason, count.shallow_cue.da, count.shallow_cue.en, SHALLOW_SEVERITY, segments(count.signal, side))


def not_seen_cue(posture: str | None, views: tuple[str, ...]) -> Cue:
    """The person is not seen well: ask to come into view, lying with the side to the camera when
    the exercise is done lying and asks for the side."""
    return GUIDE["lie_side_on" if posture == "lying" and "side" in views else "step_into_view"]


def wrong_view(views: tuple[str, ...], view: str | None) -> bool:
    """Seen from a view the exercise is not done in (it names its views, and this is none of them)."""
    return bool(view) and bool(views) and view not in views


def ready_cue(views: tuple[str, ...], view: str | None) -> Cue:
    """Not in the start position: get into it, or, seen from a view the exercise is not done in
    (an oblique curl-up from the foot end, which does not start there), how to turn."""
    return view_cue(views) if wrong_view(views, view) else GUIDE["get_ready"]


def view_cue(views: tuple[str, ...]) -> Cue:
    """Ask for the camera view the exercise wants."""
    return GUIDE["turn_sideways" if "side" in views else "face_camera"]


class CuePicker:
    """Chooses the cue on screen: each one stays CUE_HOLD_S unless a more severe one comes."""

    def __init__(self) -> None:
        self.current: Cue | None = None
        self._until = -1.0
        self._shown_s = -1.0  # when the cue on screen went up

    def show(self, cue: Cue, t_s: float, force: bool = False) -> None:
        cur = self.current
        if force or cur is None or t_s >= self._until or cue.severity > cur.severity:
            if cur is None or cue.id != cur.id:
                self._until = t_s + CUE_HOLD_S
                self._shown_s = t_s
            self.current = cue

    def moment_over(self) -> None:
        """The movement the cue on screen was about is over (a repetition is back at the start):
        a fault cue comes down once it has been up CUE_READ_S. Guidance stays (it is about
        getting into position, not about the repetition)."""
        if self.current is not None and self.current.id not in GUIDE:
            self._until = min(self._until, self._shown_s + CUE_READ_S)

    def expire(self, t_s: float) -> None:
        """Take the cue down once it has been up long enough."""
        if t_s >= self._until:
            self.current = None

    def clear_guidance(self) -> None:
        """In position: a guidance cue has done its job."""
        if self.current is not None and self.current.id in GUIDE:
            self.clear()

    def clear(self) -> None:
        self.current, self._until = None, -1.0
