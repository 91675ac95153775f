"""Counted exercises frame by frame: settle, count, check form, assemble repetitions.

Counting is armed as soon as the patient is in the start position (settle.py: a provisional
start, taken again when they keep still) and disarmed when they walk about, get up from a lying
exercise or are lost from view. After walking off or getting up it waits for a still start
(Settler.came_back); after a loss of view it arms again at once.
While armed, the counted signal (counting.py) drives the excursion counter's state machine
(counter.py), the form rules are checked (form.py) and finished excursions become repetitions
or partials (assembly.py).
"""

from __future__ import annotations

import numpy as np

from formcheck.core.pose import Pose
from formcheck.core.results import CountCheck, Partial, Pause, Status
from formcheck.engine.adapt import RangeAdapter
from formcheck.engine.assembly import RepAssembler
from formcheck.engine.counter import (
    CounterPhase,
    Excursion,
    ExcursionCounter,
    Thresholds,
)
from formcheck.engine.counting import CountedSignal
from formcheck.engine.cues import CuePicker, ready_cue, view_cue, wrong_view
from formcheck.engine.edges import END_RETURN_SHARE, END_TREND_S, LeadIn
from formcheck.engine.events import SetLog
from formcheck.engine.form import FormChecker
from formcheck.engine.motion import WINDOW_S, RepMotion, SizeDrift
from formcheck.engine.periodicity import Gauge, MovementTrace, check
from formcheck.engine.posture import PostureGate
from formcheck.engine.readings import Readings
from formcheck.engine.settle import TRACKER_WARMUP_FRAMES, Settler
from formcheck.engine.viewpoint import Viewpoint
from formcheck.signals import body_scale
from formcheck.spec.exercise import ExerciseSpec
from formcheck.spec.parts import Count, measurable

# counting stops while the patient walks about or gets up (or the pose model's landmarks jump as
# if they did) and starts again once they keep still in the start position: the report says so
MOVED_REASON = "moving about or getting up (or the pose jumping)"
# A repetition has ended once the signal is back within this share of its own peak (or within the
# exercise's rest band, whichever is wider) and stays there (Thresholds.return_dwell_s): the
# bottom 40 % of the patient's own range, 60 % of the way back. Real patients do not return to the
# exact start: bridges settle a little higher, a sit-up of 90 degrees lands at 4-6, the next
# crunch starts before the head is down, and a band of a few degrees (or the bottom fifth, 0.2
# before 2026-12-08) kept such repetitions open and joined them to the next. Below half-way, as
# VALLEY_SHARE argues: more than any wobble at the top. Chosen by bench/loso.py over 0-0.6 (total
# counting error 34, 33, 31, 30, 34 at 0.2-0.6 on all labelled clips; 0.5 chosen in all but one
# left-out source, 0.4 in that one), taken at 0.4, further from where it rises again. The way back
# is still timed to the bottom fifth (counter.TIMED_BACK_SHARE), which the lowering-speed limits
# were set on.
RETURN_SHARE = 0.4
# While the start is provisional (see RepExercise._valley_end), a movement that came back into the
# lower half of its own range (from where it set out to its peak) and rose again has ended there: half-way back is more than any wobble
# at the top (a too-high sit-up's top sways by 16 of its 92 degrees on a real clip, a bridge's hold
# by a few degrees) and less than the start's error the pose model's first frames can leave (the
# real frog pump's later bottoms sit 0.17-0.32 of their range above its first frame's level).
VALLEY_SHARE = 0.5


class RepExercise:
    def __init__(self, spec: ExerciseSpec, viewpoint: Viewpoint, readings: Readings, cues: CuePicker, log: SetLog,
                 recorded: bool = True) -> None:
        """``recorded``: the frames are a video's (replayed, or a file used as the live camera),
        which may begin in the middle of a repetition (edges.py); False for a live camera."""
        self.spec = spec
        self.viewpoint = viewpoint
        self.cues = cues
        self.log = log
        self.status = Status.NO_PERSON
        self.value: float | None = None  # the counted signal as the counter last saw it
        self.count: Count | None = None  # the count settings armed with (for the view then), adapted
        self._file_count: Count | None = None  # ... as the exercise file (and profile) set them
        self.counter: ExcursionCounter | None = None
        self.hold_s: float | None = None
        self._armed = False
        self._motion = RepMotion()
        self._size = SizeDrift()  # Count.size_max: walking toward or away from the camera
        self._gate = PostureGate(spec.posture if spec.posture in ("lying", "standing") else None,
                                 trunk_counted=spec.count_for(None).signal == "trunk_elevation",
                                 counts_end_on="front" in spec.count_views)
        self._settler = Settler(spec, readings, self._gate, viewpoint, cues, arm_at_once=True)
        self._signal = CountedSignal(spec, readings)
        self.form = FormChecker(spec, readings, cues, log, viewpoint)
        self._assembler = RepAssembler(readings, cues, log, viewpoint, self.form, self._signal.rate)
        self._view_counts: dict[str | None, Count] = {}
        self._adapter = RangeAdapter()  # the count's full inside the patient's own range (adapt.py)
        self._trace = MovementTrace()  # the counted signal for the periodicity check (periodicity.py)
        self._lead = LeadIn(recorded)  # a repetition begun before the video (edges.py)
        self._steady_s: float | None = None  # since when the pose model's landmarks are past their warm-up

    def key_signal(self, view: str | None) -> str:
        """The signal that must be seen for the exercise to be followed at all."""
        return self._count_of_view(view).signal

    @property
    def progress(self) -> float | None:
        """0 at the start position .. 1 at the full range."""
        if self.count is None or self.value is None:
            return None
        return float(np.clip(abs(self.value) / self.count.full, 0.0, 1.0))

    def update(self, pose: Pose, t_s: float, dt_s: float, set_start_s: float) -> None:
        spec, cues, vp = self.spec, self.cues, self.viewpoint
        still, travel = self._motion.update(pose)
        drift = self._size.update(t_s, body_scale(pose), self._signal.readings.start_scale if self._armed else None)
        walked = travel > spec.move_max or (self.count is not None and self.count.size_max is not None
                                           and drift > self.count.size_max)
        # the pose model's first frames on a person (a video's fade-in) drift like a walk: not one,
        # until the walking gauge's window (motion.WINDOW_S) holds steady frames only
        if self.viewpoint.tracked_frames <= TRACKER_WARMUP_FRAMES:
            self._steady_s = None
        elif self._steady_s is None:
            self._steady_s = t_s
        walked = walked and self._steady_s is not None and t_s - self._steady_s >= WINDOW_S
        if walked or self._gate.got_up(pose, t_s):  # walking about / got up: settle again
            self._lead.close()  # nor the end of one before the video
            if self.counter is not None:
                self.counter.abandon()  # a 'rep' made while walking is no rep at all
            self._assembler.abandon()  # nor half a toe-heel cycle before it; its faults are no later repetition's
            if self._armed:
                self.log.pause(Pause(t_s, -1.0, MOVED_REASON))
                self._settler.came_back()  # back in position is a still start, not a turn mid-walk
            self._disarm(Status.POSITIONING)
            cues.show(ready_cue(spec.views, vp.view), t_s)
            return
        if self._lead.open:
            self._lead.add(pose, t_s, self._count_of_view(vp.view).max_rep_s)
        if not self._armed:
            self._arm(pose, t_s, still, set_start_s)
            if self._armed and self.count is not None and not self.count.relative:
                self._lead_in(t_s)  # back at the start position: a repetition's end, if the video began in one
            return
        self._trace_frame(pose, t_s)  # while counting: the periodicity check's signal
        count, counter = self.count, self.counter
        assert count is not None and counter is not None
        if counter.phase is CounterPhase.REST and not counter.leaving:  # the start is taken only at rest
            vp.update_side(pose)
            if self._settler.refine(pose, t_s, still, vp, count):
                self._signal.readings.forget()  # the start moved: the filters start from it
                self._signal.find_rest = False  # kept still at the start: the zero is known
                self._lead_in(t_s)
        v, settled_anew = self._signal.read(pose, t_s, vp.side, count, counter)
        if settled_anew:  # that was no repetition: forget it
            counter.reset()
            self._assembler.forget()
        if v is None:
            return
        self.value = v
        if self._lead.open and (counter.phase is CounterPhase.OUT or counter.leaving):
            self._lead_in(t_s)  # a movement begins: the start is as known as it will be before it
        exc = counter.update(v, t_s)
        if exc is None:
            exc = self._valley_end(v, t_s, count, counter)
        out = counter.phase is CounterPhase.OUT
        if out:
            self._settler.keep_start()  # a movement began: the start stays as it was
        if out or exc is not None:
            self._assembler.vote_side(pose, v, count)
        self.status = Status.MOVING if out else Status.READY
        self.form.check_frame(pose, t_s, moving=out, holding=False)
        if exc is not None:
            cues.moment_over()  # before the repetition's own end-of-rep cues (too fast, too shallow)
            count = self._adapt(exc, t_s)
            self._assembler.on_excursion(exc, t_s, count, v)
        if not out:
            self._assembler.reset_votes()
        hidden = vp.view == "front" and vp.behind and not spec.seen_from_behind  # e.g. the toes behind the heels
        if not out and cues.current is None and spec.views and vp.view and (wrong_view(spec.views, vp.view) or hidden):
            cues.show(view_cue(spec.views), t_s)
        cues.expire(t_s)

    def _lead_in(self, t_s: float, ended: bool = False) -> None:
        """Counting is armed and its start known (or the video is over, ``ended``): a repetition
        the video began in is counted now (edges.LeadIn), marked as cut."""
        count = self.count or self._count_of_view(self.viewpoint.view)
        found = self._lead.repetition(self._signal.readings, count, self.viewpoint.side, RETURN_SHARE, ended)
        if found is None:
            return
        exc, cut = found
        count = self._adapt(exc, exc.end_s) if self._file_count is not None else count
        self._assembler.on_excursion(exc, exc.end_s, count, 0.0, cut=cut)

    def _valley_end(self, v: float, t_s: float, count: Count, counter: ExcursionCounter) -> Excursion | None:
        """A start read mid-movement or in the pose model's first frames (provisional: the patient
        has not kept still at the start yet) can lie below the level the movement really comes back
        to: a set begun at once whose first frame the model drew lower (the real frog pump seen from
        the feet: its hips read 0.3 torso lengths lower at 0 s than at every later bottom), and the
        repetitions then never come back within the return share and run together as one. The
        start's own envelope moves it down only. So while the start is provisional, a movement that
        fell from its peak by at least a whole countable repetition (``full``), into the lower half of
        its own range (VALLEY_SHARE), and rose again by the hysteresis band has come back: it ends at its valley, and the start moves up to there
        (the lowest level the movement comes back to). A hold at the top wobbles by far less than
        ``full``; a patient who kept still at the start is never judged this way."""
        if not self._signal.find_rest or count.mode != "single" or not count.relative:
            return None
        valley, peak, base = counter.valley(), counter.current_peak, counter.current_base
        if valley is None or peak is None or base is None:
            return None
        low, _ = valley
        if (peak - low < count.full or low > base + VALLEY_SHARE * (peak - base) or low <= count.rest
                or v - low <= count.enter - count.rest):
            return None
        exc = counter.end_at_valley()
        if exc is not None:
            self._signal.raise_zero(low, count)
        return exc

    def _adapt(self, exc: Excursion, t_s: float) -> Count:
        """A movement ended: the count, its full placed inside the patient's range so far
        (adapt.py) with this movement's peak, for judging it on. A movement the pose model
        jumped in (Count.max_rate) says nothing of the patient's range."""
        assert self._file_count is not None
        if exc.sign > 0 and not self._signal.rate.spoils(exc, t_s):
            done = self._adapter.observe(self._file_count, exc.peak, t_s)
            if done is not None:
                self.log.adapted(done)
        self.count = self._adapter.count(self._file_count)
        return self.count

    def _trace_frame(self, pose: Pose, t_s: float) -> None:
        """The counted signal as it is, without a start position (heights in the picture in the
        body's size at the start), the movement's way up."""
        count = self._count_of_view(self.viewpoint.view)
        v = self._signal.readings.absolute(count.signal, pose, self.viewpoint.side)
        if v is not None and abs(v) <= measurable(count.signal):  # past it: a landmark jump, not a movement
            self._trace.add(count.signal, t_s, float(v) * count.direction)

    def _count_of_view(self, view: str | None) -> Count:
        """The exercise file's count for ``view``, made once per view (``count_for`` copies the
        settings with the view's overrides: not once a frame)."""
        count = self._view_counts.get(view)
        if count is None:
            count = self._view_counts[view] = self.spec.count_for(view)
        return count

    def count_check(self) -> CountCheck | None:
        """The periodicity check on the set so far (periodicity.py)."""
        if self.spec.count is None:
            return None
        gauges = {}
        for view in (None, *self.spec.count_views):
            c = self.spec.count_for(view)
            gauges.setdefault(c.signal, Gauge(c.full_min or c.full, c.rest, c.relative, c.full_negative))
        c = self.spec.count
        two_way = "cycle" if c.mode == "cycle" else "alternate" if c.mode == "alternate" and c.side_from_sign else None
        return check(self._trace, len(self.log.reps), gauges, two_way)

    def _arm(self, pose: Pose, t_s: float, motion: float, set_start_s: float) -> None:
        file_count = self._count_of_view(self.viewpoint.view)
        count = self._adapter.count(file_count)
        self.status = Status.POSITIONING
        if not self._settler.wait(pose, t_s, motion, count, set_start_s):
            return
        self._armed = True
        if self.log.pause_open and self.log.pauses[-1].reason == MOVED_REASON:
            self.log.close_pause(t_s)
        self._signal.armed_at = t_s
        self._signal.find_rest = self._settler.provisional
        self.count, self._file_count = count, file_count
        self.counter = ExcursionCounter(
            Thresholds(count.rest, count.enter, count.min_dwell_s, count.peak_band, RETURN_SHARE), two_way=count.mode != "single"
        )
        self.status = Status.READY

    def _disarm(self, status: Status) -> None:
        self._armed = False
        self._settler.reset()
        self.status = status

    def suspend(self, t_s: float, reason: str) -> None:
        """Counting pauses (the person is lost, or the patient paused): a repetition in progress
        is dropped as a partial with ``reason``; counting settles again afterwards."""
        self._lead.interrupt()
        if self.counter is not None:
            dropped = self.counter.abandon()
            if dropped is not None:
                self.log.partial(Partial(round(dropped[0], 3), round(t_s, 3), reason, self.viewpoint.side,
                                         {"peak": round(abs(dropped[2]), 2)}))
        self._assembler.abandon(reason)  # half a toe-heel cycle does not wait across a gap
        self._disarm(Status.NO_PERSON)

    def finish(self, t_s: float, open_is_partial: bool = True, source_ended: bool = True) -> None:
        """The set ends: a repetition in progress is an unfinished partial (unless the set ended
        because its target was reached: a movement after that is none of the set's), or, when
        the video ended (``source_ended``) on its way back, a repetition cut by the end
        (edges.py). A repetition the video began in is counted if still pending."""
        # (an absolute count's, never armed: the start position is the signal's own zero. A relative
        # count's start is known only once the patient kept still there or moved again: the zero
        # of one who never did is no start to measure a repetition from)
        if self._lead.open and open_is_partial and not self._armed and not self._count_of_view(self.viewpoint.view).relative:
            self._lead_in(t_s, ended=source_ended)
        self._lead.close()
        back = self.counter.end_back_at_rest() if self.counter is not None else None
        if back is not None and self.count is not None and self.value is not None:
            self._assembler.on_excursion(back, t_s, self.count, self.value)  # stood up just as the video ended
        cut = (self.counter.end_on_the_way_back(t_s, END_RETURN_SHARE, END_TREND_S)
               if self.counter is not None and source_ended and open_is_partial else None)
        if cut is not None and self.count is not None:
            count = self._adapt(cut, t_s)
            self._assembler.on_excursion(cut, t_s, count, self.value or 0.0, cut="end")
        if self.counter is not None and self.counter.phase is CounterPhase.OUT:
            d = self.counter.abandon()
            if d is not None and open_is_partial:
                self.log.partial(Partial(round(d[0], 3), round(t_s, 3), "unfinished", self.viewpoint.side,
                                         {"peak": round(abs(d[2]), 2)}))
        self._assembler.abandon("incomplete_cycle" if open_is_partial else None)
