"""Excursions into repetitions: what the counter's trips away from the start position and back
add up to, by Count.mode.

single: each trip away (the + way) is one repetition. alternate: each trip either way is one, its
side from Count.side_from_sign or side_signal. cycle: a trip each way makes one (e.g. toes then
heels). A trip that missed the range, was too quick or too slow, or had the pose model jump
(Count.max_rate) is a partial with its reason, reported but not counted.
"""

from __future__ import annotations

from formcheck.core.pose import Pose
from formcheck.core.results import Cue, Fault, Partial, Phase, Rep
from formcheck.engine.counter import Excursion
from formcheck.engine.counting import RateGate
from formcheck.engine.cues import CuePicker, shallow_cue
from formcheck.engine.events import SetLog
from formcheck.engine.form import FormChecker
from formcheck.engine.readings import Readings
from formcheck.engine.viewpoint import Viewpoint
from formcheck.spec.parts import ENGINE_PARTIALS, Count

# partial reasons that are no form fault (the shallow_fault ones are)
NOT_FAULTS = ENGINE_PARTIALS


class RepAssembler:
    def __init__(self, readings: Readings, cues: CuePicker, log: SetLog, viewpoint: Viewpoint,
                 form: FormChecker, rate: RateGate) -> None:
        self.readings = readings
        self.cues = cues
        self.log = log
        self.viewpoint = viewpoint
        self.form = form
        self.rate = rate
        self._pending: Excursion | None = None  # cycle mode: first half of a cycle
        self._side_votes = 0.0  # Count.side_signal: its value weighted by the lift, over the repetition

    def vote_side(self, pose: Pose, v: float, count: Count) -> None:
        """Count.side_signal: add this frame's say (its sign, weighted toward the top of the
        movement) on which side the repetition in progress is."""
        if count.side_signal:
            sv = self.readings.raw(count.side_signal, pose, self.viewpoint.side, True)
            self._side_votes += 0.0 if sv is None else abs(v) * sv

    def forget(self) -> None:
        """The movement in progress was none: forget its faults and side votes."""
        self.form.forget_rep()
        self._side_votes = 0.0

    def reset_votes(self) -> None:
        self._side_votes = 0.0

    def on_excursion(self, exc: Excursion, t_s: float, count: Count, value: float, cut: str | None = None) -> None:
        """A trip away and back has ended at ``t_s``; ``value`` is the counted value now; ``cut``:
        the video cut it (Rep.cut)."""
        side = self.viewpoint.side
        if self.rate.spoils(exc, t_s):  # the pose model lost the limb during this movement
            if self._pending is not None:
                self._partial(self._pending, "implausible", side, count)
                self._pending = None
            self._partial(exc, "implausible", side, count)
            self.form.forget_rep()
            return
        voted = ("L" if self._side_votes > 0 else "R") if count.side_signal else None
        if count.mode == "single":
            if exc.sign > 0:
                self._finish([exc], voted, count, value, cut)
        elif count.mode == "alternate":
            self._finish([exc], voted or (("L" if exc.sign > 0 else "R") if count.side_from_sign else side), count, value,
                         cut)
        else:  # cycle: one phase each way makes one repetition
            if self._pending is None:
                self._pending = exc
                return
            if self._pending.sign == exc.sign:
                # the other phase was too small to register at all: the range was incomplete
                self._partial(self._pending, count.shallow_fault, side, count)
                self._pending = exc
                return
            first, self._pending = self._pending, None
            self._finish([first, exc], side, count, value, cut)
        self.form.forget_rep()

    def abandon(self, reason: str | None = "incomplete_cycle") -> None:
        """The movement in progress is none of the set's (the set ends, counting pauses, the
        person walks off): half a cycle done becomes a partial with ``reason`` (None: left
        unreported), and the movement's faults and side votes are forgotten."""
        if self._pending is not None and reason is not None:
            self._partial(self._pending, reason, self.viewpoint.side, None)
            self._pending = None
        self.forget()

    @staticmethod
    def _phases(excs: list[Excursion], count: Count) -> tuple[Phase, ...]:
        """The named phases of a two-phase repetition (none for a one-way movement)."""
        if len(excs) == 1 and count.mode == "single":
            return ()
        return tuple(Phase(count.phase_names[0 if e.sign > 0 else 1], round(e.start_s, 3), round(e.end_s, 3),
                           round(e.peak_s, 3), round(e.peak, 2)) for e in excs)

    def _partial(self, exc: Excursion, reason: str, side: str | None, count: Count | None,
                 cycle: tuple[Phase, ...] = ()) -> None:
        """A partial: ``exc`` is the movement (or, in a cycle, the phase) that missed; ``cycle``
        the whole cycle's phases, whose span the partial covers."""
        peak = round(abs(exc.peak), 2)
        start, end = (cycle[0].start_s, cycle[-1].end_s) if cycle else (round(exc.start_s, 3), round(exc.end_s, 3))
        self.log.partial(Partial(start, end, reason, side, {"peak": peak}, cycle))
        if reason in NOT_FAULTS:
            return
        self.log.fault(Fault(reason, round(exc.peak_s, 3), f"partial repetition: {reason.replace('_', ' ')}", peak))
        cue = shallow_cue(count, reason, self.viewpoint.side)
        if cue:
            self.cues.show(cue, exc.end_s, force=True)

    def _finish(self, excs: list[Excursion], side: str | None, count: Count, value: float,
                cut: str | None = None) -> None:
        start, end = excs[0].start_s, excs[-1].end_s
        main = max(excs, key=lambda e: e.sign)  # the + phase carries the depth
        if count.side_max is not None and abs(main.peak) > count.side_max:
            side = None  # lifted past where side_signal tells the sides apart: not judged
        elif count.side_signal is None:
            side = side or self.viewpoint.side
        dur = excs[-1].back_s - start  # timed to counter.TIMED_BACK_SHARE, as the way back is
        need_neg = count.full_negative or count.full
        shallow = any(abs(e.peak) < (count.full if e.sign > 0 else need_neg) for e in excs)
        # full_at (the hips up to the straight line, say) is the movement's quality, not its range:
        # a lift of the full amount that stops short of it is a repetition with the shallow fault and
        # its cue. The straight line read in a 2D image moves with the camera's height and angle by
        # more than the tolerance; the lift, measured from the patient's own start, does not.
        below_line, absolute_peak = False, 0.0
        if count.full_at is not None and count.relative:
            base = self.readings.base(count.signal, side or self.viewpoint.side)
            absolute_peak = (base or 0.0) + main.peak * count.direction
            below_line = absolute_peak * count.direction < count.full_at * count.direction
        if dur < count.min_rep_s:
            return self._partial(main, "too_short", side, count)
        if dur > count.max_rep_s:
            return self._partial(main, "too_long", side, count)
        phases = self._phases(excs, count)
        if shallow:
            if count.follow_start and count.mode == "single" and value < -count.enter:
                return None  # it ended well beyond the start: still getting into the start position, no attempt
            # the phase that fell short (a toe_heel cycle's heels, say)
            short = next((e for e in excs if abs(e.peak) < (count.full if e.sign > 0 else need_neg)), main)
            return self._partial(short, count.shallow_fault, side, count, phases)
        metrics = {"peak": round(abs(main.peak), 2), "duration_s": round(dur, 3),
                   "descent_s": round(main.reached_s - main.start_s, 3), "return_s": round(main.back_s - main.left_s, 3)}
        rep_index = len(self.log.reps) + 1
        fault_ids, worst = self.form.judge_rep(main, rep_index, timed=cut is None)
        metrics.update(worst)
        if below_line and count.shallow_fault:
            fault_ids.append(count.shallow_fault)
            self.log.fault(Fault(count.shallow_fault, round(main.peak_s, 3), "the top stopped short of the full position",
                                 round(absolute_peak, 2), count.full_at, rep_index))
            cue = shallow_cue(count, count.shallow_fault, side)
            if cue:
                self.cues.show(cue, main.end_s, force=True)
        if (count.same_side_fault and side is not None and self.log.reps
                and self.log.reps[-1].side == side):  # sides should alternate (a side not judged: not checked)
            fault_ids.append(count.same_side_fault)
            self.log.fault(Fault(count.same_side_fault, round(main.end_s, 3),
                                 f"side {side} twice in a row; the sides should alternate", rep_index=rep_index))
            if count.same_side_cue:
                self.cues.show(Cue(count.same_side_fault, count.same_side_cue.da, count.same_side_cue.en, 2), main.end_s)
        self.log.rep(Rep(rep_index, round(start, 3), round(end, 3), round(main.peak_s, 3), side, metrics,
                         tuple(fault_ids), phases, cut))
