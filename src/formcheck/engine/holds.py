"""Timed exercises (stretches, core bracing) frame by frame: the hold timer.

The timer runs while the position is right (HoldSpec.position) and the body still (HoldMotion
below HoldSpec.still_max) and no fault that pauses it lasts (Rule.pauses_hold); leaving the
position for up to HoldSpec.grace_s only pauses it. A hold ends when the position is left for
longer, the person is lost, the set ends, or (HoldSpec.end_at_target) its target is reached; the
next starts after HoldSpec.rest_s. Fidgeting inside a settled hold is the not_still fault.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from formcheck.core.pose import Pose
from formcheck.core.results import Fault, Hold, Status
from formcheck.engine.cues import GUIDE, CuePicker, view_cue, wrong_view
from formcheck.engine.events import SetLog
from formcheck.engine.form import FormChecker
from formcheck.engine.motion import HoldMotion
from formcheck.engine.posture import PostureGate
from formcheck.engine.readings import Readings
from formcheck.engine.settle import Settler
from formcheck.engine.viewpoint import Viewpoint
from formcheck.signals import compute
from formcheck.spec.exercise import ExerciseSpec

STILL_RESUME = 0.7  # a paused hold timer resumes once the movement is below this share of still_max
NOT_STILL_S = 0.5  # moving this long inside a settled hold is fidgeting (the not_still fault)
NOT_STILL_LONG_S = 3.0  # moving on in the position this long is fidgeting in any case
HOLD_SETTLED_S = 2.0  # a hold counts as settled once its timer has run this long


def hold_progress(holds: Iterable[tuple[str | None, float, float]], sides: Sequence[str],
                  target: int | None) -> tuple[int, list[str]]:
    """(holds toward the set's target, the sides still short of their share) from the holds
    (side, held_s, target_s) so far. Only holds that reached their time count; with sides, each
    side counts up to its share of the target (a target of 2 with L and R: one hold a side), so
    two holds on the left do not finish a set that asks for both legs. Once the target is met no
    side is short (a target of 3 with L and R is met by L, R, L)."""
    done = [side for side, held, need in holds if held >= need - 1e-6]
    if not sides or not target:
        return len(done), []
    share = -(-target // len(sides))
    toward = sum(min(done.count(s), share) for s in sides)
    return toward, [] if toward >= target else [s for s in sides if done.count(s) < share]


class HoldExercise:
    def __init__(self, spec: ExerciseSpec, viewpoint: Viewpoint, readings: Readings, cues: CuePicker, log: SetLog) -> None:
        assert spec.hold is not None
        self.spec = spec
        self.hold = spec.hold
        self.viewpoint = viewpoint
        self.readings = readings
        self.cues = cues
        self.log = log
        self.status = Status.NO_PERSON
        self.value: float | None = None  # the first position signal, smoothed (for plots)
        self.progress: float | None = None
        self.hold_s = 0.0  # seconds held in the current hold
        self._armed = False
        self._motion = HoldMotion()
        self._settler = Settler(spec, readings, PostureGate(None), viewpoint, cues)
        self.form = FormChecker(spec, readings, cues, log, viewpoint)
        self._still = True  # keeping still (with hysteresis, see STILL_RESUME)
        self._fidget = Fidgeting()
        self._active = False
        self._start_s = 0.0
        self._off_since: float | None = None  # when the position was left (within grace_s)
        self._sides: Counter[str] = Counter()  # HoldSpec.side_signal's votes over the hold
        self._faults: set[str] = set()  # fault ids seen during the current hold
        self._rest_until = -1.0  # HoldSpec.end_at_target: the pause between holds
        self._last_side: str | None = None  # the side HoldSpec.side_signal read last (in a hold or getting into one)

    def key_signal(self, view: str | None) -> str:
        conds = self.hold.position
        return conds[0].signal if conds else "trunk_lean"

    def update(self, pose: Pose, t_s: float, dt_s: float, set_start_s: float) -> None:
        hold, vp, cues = self.hold, self.viewpoint, self.cues
        motion = self._motion.update(pose)
        if not self._armed and not self._arm(pose, t_s, motion, set_start_s):
            return
        vp.update_side(pose)
        in_pos = self._in_position(pose, t_s)
        if hold.position:
            self.value = self.readings.smooth("value", compute(hold.position[0].signal, pose, vp.side) or 0.0, t_s)
        # hysteresis: moving past still_max pauses the timer, it resumes below STILL_RESUME of it
        self._still = still = motion <= hold.still_max * (1.0 if self._still else STILL_RESUME)
        # a hold's form is judged once the timer has run (the patient kept still in the position):
        # stepping and leaning into a stretch passes through bent knees and lifted heels, which
        # are no fault of the hold (a good calf stretch rendered at 45 degrees: the back knee read
        # 35-41 degrees for 0.6 s while leaning in, 25-28 held). A fault held still is judged from
        # the frame after the timer's first tick and stops it after the rule's min_duration_s (the
        # timer runs that long first); once it has run, stepping out and back within grace_s is
        # judged too
        settled = self._active and self.hold_s > 0.0
        reported = self.form.check_frame(pose, t_s, moving=False,
                                          holding=settled and self.status in (Status.HOLDING, Status.HOLD_PAUSED))
        if self._active:
            self._faults.update(reported)
        blocking = self.form.blocking(t_s)
        resting = t_s < self._rest_until
        if hold.side_signal and not self._active:
            # the side as the patient gets into the position: crossing a leg lifts it into view
            # even where the held stretch hides it (seated, the crossed leg away from a 45-degree
            # camera); a hold in which the side never reads takes the one read last
            sv = compute(hold.side_signal, pose, vp.side)
            if sv is not None:
                self._last_side = "L" if sv > 0 else "R"
        if in_pos and not self._active and not resting:
            self._active, self._start_s, self.hold_s = True, t_s, 0.0
            self._sides.clear()
            self._faults.clear()
            self._fidget.reset()
        if not self._active:
            self.status = Status.READY
            cue = GUIDE["hold_done"] if resting else GUIDE["get_in_position"]
            if not resting and wrong_view(self.spec.views, vp.view):
                cue = view_cue(self.spec.views)
            cues.show(cue, t_s)
        elif in_pos:
            self._in_hold(pose, t_s, dt_s, still, motion, blocking)
        else:
            self.status = Status.HOLD_PAUSED
            self._off_since = self._off_since or t_s
            if t_s - self._off_since > self.hold.grace_s:
                self.end(self._off_since)
        cues.expire(t_s)

    def _in_hold(self, pose: Pose, t_s: float, dt_s: float, still: bool, motion: float, blocking: bool) -> None:
        """A frame in the position during a hold: the timer runs if still and no fault stops it."""
        hold, cues = self.hold, self.cues
        self._off_since = None
        if hold.side_signal:
            sv = compute(hold.side_signal, pose, self.viewpoint.side)
            if sv is not None:
                self._last_side = "L" if sv > 0 else "R"
                self._sides[self._last_side] += 1
        cue, fidget = self._fidget.update(still, motion, t_s, self.hold_s)
        if cue:
            cues.show(GUIDE["not_still"], t_s)
        if fidget is not None and "not_still" not in self._faults:
            self._faults.add("not_still")
            self.log.fault(Fault("not_still", round(fidget[0], 3), "the position was not held still",
                                 round(fidget[1], 3), hold.still_max))
        if still and not blocking:
            self.hold_s += dt_s
            self.status = Status.HOLDING
        else:
            self.status = Status.HOLD_PAUSED
        if hold.end_at_target and self.hold_s >= hold.target_s:
            self.end(t_s)
            self._rest_until = t_s + hold.rest_s
            self.status = Status.READY
            cues.show(GUIDE["hold_done"], t_s, force=True)

    def _arm(self, pose: Pose, t_s: float, motion: float, set_start_s: float) -> bool:
        """Holds with relative signals settle in the position first (their baselines); others
        start at once."""
        if self._settler.baseline_signals(None):
            self.status = Status.POSITIONING
            if not self._settler.wait(pose, t_s, motion, None, set_start_s):
                return False
        self._armed = True
        return True

    def _in_position(self, pose: Pose, t_s: float) -> bool:
        """Every HoldSpec.position condition holds (each smoothed on its own). During a hold, a
        condition the camera cannot judge for now (its signal unseen: a crossed leg hidden
        behind the other, signals.positions.legs_overlap) does not end it: the ones seen decide.
        Seen from the side, real legs drawn up in a figure-4 cover each other for most of the
        stretch. A hold starts only with every condition seen."""
        for c in self.hold.position:
            raw = self.readings.raw(c.signal, pose, self.viewpoint.side, c.relative)
            if raw is None:
                if self._active:
                    continue
                return False
            v = self.readings.smooth(f"pos:{c.signal}:{c.min}:{c.max}", raw, t_s)
            if (c.min is not None and v < c.min) or (c.max is not None and v > c.max):
                return False
        return True

    def end(self, t_s: float) -> None:
        """End the hold in progress at ``t_s``; report it if it lasted HoldSpec.min_hold_s."""
        if not self._active:
            return
        self._active = False
        self._off_since = None
        hold = self.hold
        if self.hold_s >= hold.min_hold_s:
            side = None
            if hold.sides:
                # no reading in this hold (the crossed leg hidden all along): the side read last
                side = self._sides.most_common(1)[0][0] if self._sides else self._last_side or self.viewpoint.side
            self.log.hold(Hold(side, round(self._start_s, 3), round(t_s, 3), round(self.hold_s, 2), hold.target_s,
                               tuple(sorted(self._faults))))
        self.hold_s = 0.0

    def suspend(self, t_s: float, reason: str) -> None:
        """The person is lost (or the patient paused): the hold ends; settle again after."""
        self.end(t_s)
        self._armed = False
        self._settler.reset()
        self.status = Status.NO_PERSON

    def finish(self, t_s: float, open_is_partial: bool = True, source_ended: bool = True) -> None:
        self.end(t_s)

    def count_check(self) -> None:
        """A hold counts no movements."""
        return


class Fidgeting:
    """The not_still fault: moving for NOT_STILL_S inside a hold that had already settled (its
    timer ran HOLD_SETTLED_S), then settling again in the position for NOT_STILL_S; or moving
    on in the position for NOT_STILL_LONG_S, settled or not. Getting into the position and
    leaving it are movements too, but short ones that end with the hold not yet started or the
    position left, so they are no fault."""

    def __init__(self) -> None:
        self._since: float | None = None  # the current stretch of moving began
        self._peak = 0.0  # its fastest movement
        self._settled = False  # the hold had settled when it began
        self._still_since: float | None = None  # the current stretch of keeping still began

    def reset(self) -> None:
        self._since = self._still_since = None

    def update(self, still: bool, motion: float, t_s: float, held_s: float) -> tuple[bool, tuple[float, float] | None]:
        """One frame in the position. Returns whether to show the not_still cue, and the
        fidgeting to report as the fault ((start_s, fastest movement)), if it is due."""
        if not still:
            self._still_since = None
            if self._since is None:
                self._since, self._peak = t_s, motion
                self._settled = held_s >= HOLD_SETTLED_S
            self._peak = max(self._peak, motion)
            moving_s = t_s - self._since
            cue = self._settled and moving_s >= NOT_STILL_S or moving_s >= NOT_STILL_LONG_S
            return cue, (self._since, self._peak) if moving_s >= NOT_STILL_LONG_S else None
        if self._since is None:
            return False, None
        if self._still_since is None:
            self._still_since = t_s
        if t_s - self._still_since < NOT_STILL_S:  # not settled back yet: the movement may go on
            return False, None
        due = self._settled and self._still_since - self._since >= NOT_STILL_S
        fidget = (self._since, self._peak) if due else None
        self._since = None
        return False, fidget
