"""The exercise engine: poses in, one FrameResult per frame out.

The Analyzer follows one set. It keeps track of whether the person is seen (pausing counting
when they are lost, or when the patient pauses the set) and from which view, and hands each
frame to the exercise's kind: repetitions (reps.py: settle, count, check form, assemble
repetitions) or a hold (holds.py: settle, time the hold, check form). The parts share the set's
log of events (events.py), the signal readings (readings.py), the measured side and view
(viewpoint.py) and the one cue on screen (cues.py). Time is the frames' own video time.
"""

from __future__ import annotations

from typing import Protocol

from formcheck.core.pose import Pose
from formcheck.core.results import (
    CountCheck,
    LOST_REASON,
    USER_PAUSE_REASON,
    Fault,
    FrameResult,
    Hold,
    Partial,
    Pause,
    Rep,
    Status,
)
from formcheck.engine.cues import GUIDE, CuePicker, not_seen_cue
from formcheck.engine.events import SetLog
from formcheck.engine.form import FormChecker
from formcheck.engine.holds import HoldExercise, hold_progress
from formcheck.engine.readings import Readings
from formcheck.engine.reps import RepExercise
from formcheck.engine.viewpoint import Viewpoint
from formcheck.spec.exercise import ExerciseSpec

__all__ = ["Analyzer", "GUIDE", "LOST_GRACE_S", "LOST_REASON", "USER_PAUSE_REASON"]

LOST_GRACE_S = 0.5  # key joints unseen this long: counting pauses
MAX_FRAME_GAP_S = 0.5  # a hold's timer adds at most this much for one frame (a stall, a gap)


class Exercise(Protocol):
    """What the Analyzer needs of an exercise kind (RepExercise, HoldExercise)."""

    @property
    def status(self) -> Status: ...

    form: FormChecker  # the exercise file's form rules

    @property
    def value(self) -> float | None:
        """The exercise's main signal, smoothed (for plots)."""

    @property
    def progress(self) -> float | None:
        """Repetitions: 0 at the start position .. 1 at the full range."""

    @property
    def hold_s(self) -> float | None:
        """Holds: seconds held in the current hold."""

    def key_signal(self, view: str | None) -> str:
        """The signal that must be seen for the exercise to be followed at all."""
        ...

    def update(self, pose: Pose, t_s: float, dt_s: float, set_start_s: float) -> None:
        """One frame with the person seen; ``dt_s`` since the frame before (at most
        MAX_FRAME_GAP_S), ``set_start_s`` the set's first frame."""
        ...

    def suspend(self, t_s: float, reason: str) -> None:
        """Counting pauses: drop what is in progress (``reason`` for a dropped repetition)."""
        ...

    def finish(self, t_s: float, open_is_partial: bool = True, source_ended: bool = True) -> None:
        """The set ends: close what is open (a movement in progress as a partial, if asked;
        ``source_ended``: the video ended, rather than the patient ending the set)."""
        ...

    def count_check(self) -> CountCheck | None:
        """The periodicity check of the set so far (None: nothing counted)."""
        ...


class Analyzer:
    """Per-exercise analysis of a pose stream; one instance per set."""

    def __init__(self, spec: ExerciseSpec, target: int | None = None, *, recorded: bool = True) -> None:
        """``recorded``: the frames come from a video (replay, or a file used as the live
        camera), which may begin in the middle of a repetition (engine/edges.py); False for a
        live camera, whose set begins after the patient got into position."""
        self.spec = spec
        self.target = target if target is not None else spec.target
        self.recorded = recorded
        self._reset_state()

    def _reset_state(self) -> None:
        spec = self.spec
        self._log = SetLog()
        self._cues = CuePicker()
        self._viewpoint = Viewpoint()
        self._readings = readings = Readings(spec.count.smoothing if spec.count else None)
        self._exercise: Exercise = (RepExercise(spec, self._viewpoint, readings, self._cues, self._log, self.recorded)
                                    if spec.kind == "reps" else HoldExercise(spec, self._viewpoint, readings, self._cues, self._log))
        self._first_s: float | None = None  # video time of the set's first frame
        self._last_t: float | None = None  # ... and of the last one
        self._lost_since: float | None = None
        self._paused = False  # by the user (pause/resume)
        self._progress: tuple[int, list[str]] = (0, [])  # hold_progress() of the holds so far ...
        self._progress_of = 0  # ... counted when there were this many

    def restart(self) -> None:
        """Start the set again (the trainer's 'r' key)."""
        self._reset_state()

    # ----- what the set has done so far ----------------------------------------------------
    @property
    def status(self) -> Status:
        return self._exercise.status

    @property
    def reps(self) -> list[Rep]:
        return self._log.reps

    @property
    def partials(self) -> list[Partial]:
        return self._log.partials

    @property
    def holds(self) -> list[Hold]:
        return self._log.holds

    @property
    def pauses(self) -> list[Pause]:
        """Counting pauses; the last one's end_s is -1 while it lasts."""
        return self._log.pauses

    @property
    def faults(self) -> list[Fault]:
        return self._log.faults

    @property
    def view(self) -> str | None:
        return self._viewpoint.view

    @property
    def side(self) -> str:
        return self._viewpoint.side

    @property
    def form(self) -> FormChecker:
        """The form rules' checker: its ``seen`` and ``judged`` readings (formcheck tune)."""
        return self._exercise.form

    def reading(self, signal: str, pose: Pose, relative: bool) -> float | None:
        """``signal`` on ``pose`` as the engine reads it now (from the start position when
        ``relative``; None when not seen or before the start is known), unsmoothed."""
        return self._readings.raw(signal, pose, self._viewpoint.side, relative)

    # ----- per frame ---------------------------------------------------------------------------
    def update(self, t_ms: float, pose: Pose | None) -> FrameResult:
        t_s = t_ms / 1000.0
        if self._first_s is None:
            self._first_s = t_s
        self._log.begin_frame()
        if not self._paused:
            self._follow(pose, t_s, self._first_s)
        self._last_t = t_s
        return self._result(t_ms, pose)

    def _follow(self, pose: Pose | None, t_s: float, set_start_s: float) -> None:
        ex, vp = self._exercise, self._viewpoint
        vp.track(pose)
        if not vp.finds(pose, ex.key_signal(vp.view)):
            self._on_lost(t_s)
            return
        assert pose is not None
        if self._lost_since is not None:
            self._log.close_pause(t_s)
            self._lost_since = None
        vp.vote(pose)
        dt = 0.0 if self._last_t is None else min(max(t_s - self._last_t, 0.0), MAX_FRAME_GAP_S)
        ex.update(pose, t_s, dt, set_start_s)
        if self._log.new.hold is not None:
            self._after_hold(self._log.new.hold, t_s)

    def _after_hold(self, done: Hold, t_s: float) -> None:
        """A hold ended: when its side has done its share of the target and another side has not,
        ask for the other side."""
        hold = self.spec.hold
        if hold is None or not hold.sides:
            return
        short = self._hold_progress()[1]
        if short and done.side not in short and done.held_s >= done.target_s - 1e-6:
            self._cues.show(GUIDE["other_side"], t_s, force=True)

    def _hold_progress(self) -> tuple[int, list[str]]:
        """hold_progress() of the set's holds, counted again only when a hold has been added."""
        hold, holds = self.spec.hold, self._log.holds
        if hold is not None and len(holds) != self._progress_of:
            self._progress = hold_progress([(h.side, h.held_s, h.target_s) for h in holds], hold.sides, self.target)
            self._progress_of = len(holds)
        return self._progress

    def _on_lost(self, t_s: float) -> None:
        """Key joints unseen for LOST_GRACE_S: pause counting (drop a repetition in progress,
        end a hold) and settle again once the person is back."""
        if self._lost_since is None:
            self._lost_since = t_s
        if t_s - self._lost_since < LOST_GRACE_S:
            return
        if self.status is Status.NO_PERSON and self._log.pause_open:
            return
        self._exercise.suspend(t_s, "tracking_lost")
        if self._log.pause_open:  # counting had already stopped (moving about): that pause ends here
            self._log.close_pause(max(self._lost_since, self._log.pauses[-1].start_s))
        self._log.pause(Pause(self._lost_since, -1.0, LOST_REASON))
        self._cues.show(not_seen_cue(self.spec.posture, self.spec.views), t_s, force=True)

    def pause(self, t_ms: float) -> FrameResult:
        """The patient pauses the set (the trainer's space key): as when the person is lost, a
        repetition in progress is dropped (a 'paused' partial) and a hold ends, at once; frames
        are not analysed until resume(). Returns a result with what the pause closed."""
        t_s = t_ms / 1000.0
        self._log.begin_frame()
        if not self._paused:
            self._paused = True
            self._log.close_pause(t_s)  # a pause for not being seen ends where this one begins
            self._lost_since = None
            self._exercise.suspend(t_s, "paused")
            self._log.pause(Pause(t_s, -1.0, USER_PAUSE_REASON))
            self._cues.clear()
        return self._result(t_ms, None)

    def resume(self, t_ms: float) -> FrameResult:
        """Counting goes on after pause(), once the patient has settled in the start position."""
        self._log.begin_frame()
        if self._paused:
            self._paused = False
            self._log.close_pause(t_ms / 1000.0)
        return self._result(t_ms, None)

    def finish(self, t_ms: float, open_is_partial: bool = True, source_ended: bool = True) -> FrameResult:
        """Close what is open at the end of the video or set; returns a last result.
        ``open_is_partial`` False: the set ended at its target, and a movement still in progress
        is not reported (the patient was not asked for it). ``source_ended`` False: the patient
        ended the set (a live camera's q, the hands-free end), so a movement then in progress is
        unfinished; True: the video ended, and one on its way back is counted as cut by the end
        (engine/edges.py)."""
        t_s = t_ms / 1000.0
        self._log.begin_frame()
        self._exercise.finish(t_s, open_is_partial, source_ended)
        self._log.close_pause(t_s)
        return self._result(t_ms, None, self._exercise.count_check())

    def _result(self, t_ms: float, pose: Pose | None, check: CountCheck | None = None) -> FrameResult:
        ex, hold, new = self._exercise, self.spec.hold, self._log.new
        return FrameResult(
            t_ms=t_ms,
            pose=pose,
            status=ex.status,
            reps=len(self._log.reps),
            target=self.target,
            cue=self._cues.current,
            view=self._viewpoint.view,
            behind=self._viewpoint.behind,
            side=self._viewpoint.side,
            value=ex.value,
            progress=ex.progress,
            hold_s=ex.hold_s,
            hold_target_s=hold.target_s if hold else None,
            holds_done=self._hold_progress()[0],
            partials=len(self._log.partials),
            new_rep=new.rep,
            new_partials=tuple(new.partials),
            new_hold=new.hold,
            new_faults=tuple(new.faults),
            new_pause=new.pause,
            new_adaptation=new.adaptation,
            count_check=check,
        )
