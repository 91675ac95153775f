"""One live set as a state machine: guidance, countdown, counting, pause, restart and its end.

Nothing here draws, shows or reads a key from a device: the loop (``set_loop.py``) feeds in each
frame's set time, pose and key, and reads the mode back to decide what to draw. Counting only
happens in the active (and paused) modes, into a report and track that a countdown or a restart
starts afresh, so what was seen while getting into position never counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from collections.abc import Callable
from pathlib import Path
from typing import Any

from formcheck.core.pose import Pose
from formcheck.core.results import FrameResult, Status
from formcheck.engine.analyzer import Analyzer
from formcheck.media.capture import LiveFrame, Source
from formcheck.media.track import TrackRecorder
from formcheck.sets.report import ReportBuilder
from formcheck.sets.outputs import Recording
from formcheck.sets.set_report import PainStop, SetReport
from formcheck.sets.texts import PAIN_NOTE
from formcheck.spec.exercise import ExerciseSpec

GUIDE_OK_S = 1.0  # camera: in the start position, in a usable view, this long: the countdown starts by itself
POSITION_WAIT_S = 10.0  # ... or seen in a usable view this long, in position or not (the count arms itself later)
STILL_END_MIN_S = 20.0  # hands-free end: no movement of the exercise for this long ends the set ...
STILL_END_MAX_S = 120.0  # ... (twice the longest a repetition, or a hold and its rest, may take; see still_end_s)
_IN_POSITION = (Status.READY, Status.MOVING, Status.HOLDING)
_EXERCISING = (Status.MOVING, Status.HOLDING)
TARGET_GRACE_S = 2.0  # after the target is reached the set ends this much later (the count shows)
SEEN_MIN_S = 1.0  # before counting: seen this long in front of the camera, a set the patient ends is an attempt
# (shorter: a stray detection, or the trainer closed at once) and is recorded as one (issue: abandoned sets)
END_KEYS = {"q": "quit", "p": "pain", "n": "next", "s": "skip"}  # key -> why the set ended


@dataclass
class LiveOptions:
    model: str | None = None  # None: each exercise's own (ExerciseSpec.model), else lite
    lang: str = "da"
    countdown_s: float = 3.0
    save_video: bool = False
    end_at_target: bool = True
    program_keys: bool = False  # n / s do something (program mode)
    hands_free: bool = True  # camera: a set starts when the patient is in position and ends after a long still pause
    voice: Any = None  # the run's voice (live.voice.LiveVoice), None: silent


@dataclass
class SetPlan:
    spec: ExerciseSpec
    out_dir: Path
    target: int | None = None
    program: dict[str, Any] | None = None  # the program's place, copied into the report
    profile: dict[str, Any] | None = None  # the patient profile applied (spec.profile.profile_info), for the report
    # the history (cli.common.history_recorder): the set's row, written with its outputs put in
    # place (sets.outputs.put_in_place, as replay's): both or neither. None: not recorded
    record: Callable[[SetReport, Path], Recording] | None = None
    patient: str | None = None  # whose set, for the report and the history (None: the default patient)
    exercise_file: str | None = None  # the exercise file read, for the report


class Mode(Enum):
    GUIDE = "guide"  # camera only: getting into a usable view; nothing counts
    COUNTDOWN = "countdown"  # nothing counts; counting starts from a clean slate at zero
    ACTIVE = "active"
    PAUSED = "paused"  # space: the analyzer is paused (a rep in progress is dropped); frames are recorded unseen


class SetSession:
    """The state of one set while it runs.

    ``ended_by`` becomes one of: end_of_video, quit, next, skip, pain, target, idle (a long still
    pause, hands-free), source_error, interrupted, terminated, failed; the loop stops then. ``detector`` is only asked to reset its tracking on a restart.
    """

    def __init__(self, plan: SetPlan, source: Source, opts: LiveOptions, model_name: str, detector: Any) -> None:
        self.plan, self.source, self.opts = plan, source, opts
        self.spec = plan.spec.for_model(model_name)  # as judged with this pose model
        # a video file used as the camera may begin mid-repetition, as in replay (engine/edges.py);
        # a camera's set begins with the patient in position after the countdown
        self.analyzer = Analyzer(self.spec, plan.target, recorded=not source.live)
        self.model_name = model_name
        self.detector = detector
        self.notes: list[str] = []  # carried into each fresh report (e.g. a restart)
        self.builder, self.recorder = self._fresh()
        self.mode = Mode.GUIDE if source.live else Mode.ACTIVE
        self.countdown_end: float | None = None
        self.ok_since: float | None = None  # seen in a usable view since
        self.in_position_since: float | None = None  # ... and in the start position since
        self.target_end: float | None = None
        self.t0: float | None = None  # camera: the set's time starts at its first frame
        self.last_t_ms = 0.0
        self.ended_by: str | None = None
        self.pain_t_ms: float | None = None
        self.still_end_s = still_end_s(self.spec)
        self.moved_s: float | None = None  # hands-free: the last time the exercise was under way
        self.seen_s = 0.0  # seconds a person was seen before counting started (guidance, countdown)
        self._before_ms: float | None = None  # (the last frame's time before counting started)

    def _fresh(self) -> tuple[ReportBuilder, TrackRecorder]:
        """A new report and track: counting (re)starts from here."""
        builder = ReportBuilder(self.spec, target=self.analyzer.target, source=self.source.name,
                                model=self.model_name, mode="live", profile=self.plan.profile,
                                patient=self.plan.patient, exercise_file=self.plan.exercise_file)
        builder.notes.extend(self.notes)
        meta = {"video": self.source.name, "model": self.model_name, "fps": self.source.fps, "mode": "live",
                "camera": self.source.live}
        # spooled to disk beside the outputs as the set goes: memory stays flat however long it runs
        return builder, TrackRecorder(self.source.size, meta, spool_dir=self.plan.out_dir)

    def _start_afresh(self) -> None:
        self.recorder.close()  # the frames before (guidance, a restarted set) are not kept
        self.builder, self.recorder = self._fresh()

    # ----- per frame ---------------------------------------------------------------------------
    def set_time_ms(self, frame: LiveFrame) -> float:
        """The frame's time in the set: a camera's set starts at its first frame, a file's at 0."""
        if self.t0 is None:
            self.t0 = frame.t_ms if self.source.live else 0.0
        return frame.t_ms - self.t0

    def update(self, t_ms: float, pose: Pose | None) -> FrameResult:
        """Analyse one frame (``pose`` None while paused) and move between modes."""
        t_s = t_ms / 1000.0
        result = self.analyzer.update(t_ms, pose)
        if self.mode in (Mode.ACTIVE, Mode.PAUSED):
            self.builder.add(result)
            self.recorder.add(t_ms, pose)
        if self.mode is Mode.ACTIVE:
            if self.opts.end_at_target and self.target_end is None and self._reached_target(result):
                self.target_end = t_s + TARGET_GRACE_S
            self._still_pause(t_s, result)
        elif self.mode in (Mode.GUIDE, Mode.COUNTDOWN):  # before counting: how long a person was seen
            if pose is not None and self._before_ms is not None:
                self.seen_s += max(t_ms - self._before_ms, 0.0) / 1000.0
            self._before_ms = t_ms
            if self.mode is Mode.GUIDE:
                self._guide(t_s, result)
        if self.mode is Mode.COUNTDOWN and self.countdown_left(t_s) is None:  # counting starts now, afresh
            self.analyzer.restart()
            self._start_afresh()
            self.mode = Mode.ACTIVE
        return result

    def countdown_left(self, t_s: float) -> float | None:
        """Seconds of countdown still to show, or None when none is running."""
        if self.mode is not Mode.COUNTDOWN or self.countdown_end is None:
            return None
        left = self.countdown_end - t_s
        return left if left > 0 else None

    def after_frame(self, t_ms: float, key: str | None, preroll: bool) -> None:
        """The frame has been shown: note its time, then act on the key pressed and the target."""
        t_s = t_ms / 1000.0
        self.last_t_ms = max(t_ms, 0.0)
        if key == "space":
            if self.mode is Mode.GUIDE:
                self._start_countdown(t_s)
            elif self.mode in (Mode.ACTIVE, Mode.PAUSED) and not preroll:
                self.mode = Mode.PAUSED if self.mode is Mode.ACTIVE else Mode.ACTIVE
                toggle = self.analyzer.pause if self.mode is Mode.PAUSED else self.analyzer.resume
                self.builder.add(toggle(t_ms), counted_frame=False)  # what the pause closed: a rep, a hold
        elif key == "r" and not preroll:
            self._restart(t_s)
        elif key in ("q", "p") or (key in ("n", "s") and self.opts.program_keys):
            self.end(END_KEYS[key])
        if self.ended_by is None and self.target_end is not None and t_s >= self.target_end:
            self.end("target")

    def end(self, reason: str) -> None:
        self.ended_by = reason
        if reason == "pain":
            self.pain_t_ms = self.last_t_ms

    def _guide(self, t_s: float, result: FrameResult) -> None:
        """Camera, before the countdown: it starts by itself once the patient has been in the start
        position (READY, or already moving or holding) in a usable view for GUIDE_OK_S, or seen
        in a usable view for POSITION_WAIT_S (the count arms itself when they get there). Without
        ``hands_free`` only being seen is asked (as before issue 19)."""
        usable = result.status is not Status.NO_PERSON and (result.view is None or result.view in self.spec.views)
        self.ok_since = (self.ok_since if self.ok_since is not None else t_s) if usable else None
        in_position = usable and (result.status in _IN_POSITION or not self.opts.hands_free)
        if not in_position:
            self.in_position_since = None
        elif self.in_position_since is None:
            self.in_position_since = t_s
        if ((self.in_position_since is not None and t_s - self.in_position_since >= GUIDE_OK_S)
                or (self.ok_since is not None and t_s - self.ok_since >= POSITION_WAIT_S)):
            self._start_countdown(t_s)

    def _still_pause(self, t_s: float, result: FrameResult) -> None:
        """Hands-free end (camera): no repetition under way and no hold timed for ``still_end_s``
        ends the set as "idle" (in a program the next exercise follows)."""
        if not (self.opts.hands_free and self.source.live):
            return
        if self.moved_s is None or result.status in _EXERCISING or result.new_rep or result.new_hold:
            self.moved_s = t_s
        elif t_s - self.moved_s >= self.still_end_s and self.ended_by is None:
            self.end("idle")

    # ----- transitions -------------------------------------------------------------------------
    def _start_countdown(self, t_s: float) -> None:
        self.moved_s = None  # the still pause is timed from the set's start
        self.mode = Mode.COUNTDOWN
        self.countdown_end = t_s + self.opts.countdown_s

    def _restart(self, t_s: float) -> None:
        """The r key: everything counted so far is dropped and the countdown runs again."""
        self.analyzer.restart()
        if hasattr(self.detector, "reset_tracking"):
            self.detector.reset_tracking()
        self.notes.append(f"restarted (r key) at {t_s:.1f} s: what was counted before is not in this report")
        self._start_afresh()
        self.target_end = None
        self._start_countdown(t_s)

    def _reached_target(self, r: FrameResult) -> bool:
        target = self.analyzer.target
        done = r.reps if self.spec.kind == "reps" else r.holds_done
        return bool(target) and done >= target

    # ----- the end -----------------------------------------------------------------------------
    @property
    def counted(self) -> bool:
        """Some frames were analysed after the countdown."""
        return self.mode in (Mode.ACTIVE, Mode.PAUSED) and self.builder.frames > 0

    @property
    def attempted(self) -> bool:
        """Ended by the patient (q, or n in a program) before counting started, after being in front
        of the camera for SEEN_MIN_S: an attempt the physiotherapist should see (an abandoned set,
        0 repetitions, "counting never started"). A Ctrl-C or SIGTERM there is none: it records
        nothing (README, "What formcheck promises"); s (skip) is a choice not to do it."""
        return not self.counted and self.ended_by in ("quit", "next") and self.seen_s >= SEEN_MIN_S

    def conclude(self, error: str | None) -> ReportBuilder:
        """Close the analysis and note how the set ended; the report to build."""
        builder, counted = self.builder, self.counted
        end_ms = builder.last_t_ms if builder.last_t_ms is not None else self.last_t_ms
        if counted:
            # a movement under way when the patient ends the set (q, the hands-free end) is unfinished;
            # one the video file's end cut on its way back is counted as cut (engine/edges.py)
            builder.add(self.analyzer.finish(end_ms, open_is_partial=self.ended_by != "target",
                                             source_ended=self.ended_by == "end_of_video"), counted_frame=False)
        if error:
            builder.notes.append(f"{error}; the set was saved up to {self.last_t_ms / 1000:.1f} s")
        if self.ended_by == "pain":
            builder.pain_stop = PainStop(round((self.pain_t_ms or 0.0) / 1000.0, 3), PAIN_NOTE)
        if not counted:
            builder.notes.append("the set ended before counting started")
        if self.attempted:
            key = "q" if self.ended_by == "quit" else "n"
            builder.notes.append(f"ended by the patient ({key} key) after {self.seen_s:.1f} s in front of the camera, "
                                 "before counting started: recorded as an abandoned set")
        if self.ended_by == "idle":
            builder.notes.append(f"ended by itself (hands-free) after {self.still_end_s:.0f} s without the exercise's "
                                 "movement")
        if self.ended_by in ("interrupted", "terminated"):
            how = "Ctrl-C" if self.ended_by == "interrupted" else "SIGTERM"
            builder.notes.append(f"{self.ended_by} ({how}); saved what was done")
        return builder


def still_end_s(spec: ExerciseSpec) -> float:
    """How long a still pause ends a set hands-free, from the exercise's own timing: twice the
    longest a repetition may take (``count.max_rep_s``: squat 12 s -> 24 s, pelvic lift 30 s ->
    60 s), or twice a hold and the rest after it (core bracing 10 + 5 s -> 30 s; calf stretch
    20 s -> 40 s); never under 20 s nor over 2 minutes."""
    if spec.kind == "hold" and spec.hold is not None:
        span = spec.hold.target_s + spec.hold.rest_s
    elif spec.count is not None:
        span = spec.count.max_rep_s
    else:
        span = STILL_END_MIN_S
    return min(max(2.0 * span, STILL_END_MIN_S), STILL_END_MAX_S)
