"""What a set has produced so far (repetitions, partials, holds, pauses, faults), and what the
current frame added: the engine's parts record here, FrameResults report the frame's part."""

from __future__ import annotations

from dataclasses import dataclass, field

from formcheck.core.results import Adaptation, Fault, Hold, Partial, Pause, Rep


@dataclass
class FrameEvents:
    """The events of one frame (at most one of each kind but partials and faults)."""

    rep: Rep | None = None
    partials: list[Partial] = field(default_factory=list)
    hold: Hold | None = None
    pause: Pause | None = None
    faults: list[Fault] = field(default_factory=list)
    adaptation: Adaptation | None = None


class SetLog:
    def __init__(self) -> None:
        self.reps: list[Rep] = []
        self.partials: list[Partial] = []
        self.holds: list[Hold] = []
        self.pauses: list[Pause] = []
        self.faults: list[Fault] = []
        self.adaptations: list[Adaptation] = []  # count thresholds placed in the patient's range (adapt.py)
        self.new = FrameEvents()

    def begin_frame(self) -> None:
        self.new = FrameEvents()

    def rep(self, rep: Rep) -> None:
        self.reps.append(rep)
        self.new.rep = rep

    def partial(self, part: Partial) -> None:
        self.partials.append(part)
        self.new.partials.append(part)

    def hold(self, hold: Hold) -> None:
        self.holds.append(hold)
        self.new.hold = hold

    def fault(self, fault: Fault) -> None:
        self.faults.append(fault)
        self.new.faults.append(fault)

    def adapted(self, adaptation: Adaptation) -> None:
        self.adaptations.append(adaptation)
        self.new.adaptation = adaptation

    def pause(self, pause: Pause) -> None:
        """Open a pause (its end_s is -1 until close_pause)."""
        self.pauses.append(pause)
        self.new.pause = pause

    @property
    def pause_open(self) -> bool:
        return bool(self.pauses) and self.pauses[-1].end_s < 0

    def close_pause(self, t_s: float) -> None:
        if self.pause_open:
            p = self.pauses[-1]
            self.pauses[-1] = Pause(p.start_s, t_s, p.reason)
