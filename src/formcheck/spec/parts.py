"""The tables of an exercise file: the count (``Count``, per view ``CountOverride``), form rules
(``Rule``, ``Condition``), the hold (``HoldSpec``), smoothing and confirmation; each checks its own
values (signal names, ranges, fault ids)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    Field,
    SerializerFunctionWrapHandler,
    field_validator,
    model_serializer,
    model_validator,
)

from formcheck.signals import SIGNALS
from formcheck.spec.files import VIEWS, StrictModel, Text


def _check_signal(v: str) -> str:
    if v not in SIGNALS:
        raise ValueError(f"unknown signal {v!r}; allowed: {', '.join(sorted(SIGNALS))}")
    return v


# The largest size a threshold can have in each signal unit: a value past it cannot be measured
# (a typo such as full = 700 for a 70° knee bend would never let a repetition count).
UNIT_MAX = {"deg": 180.0, "sign": 1.0}


LENGTH_MAX = 5.0  # lengths and ratios (body lengths, foot lengths, half-widths)


def measurable(signal: str) -> float:
    """The largest size ``signal`` can have (UNIT_MAX, else LENGTH_MAX)."""
    return UNIT_MAX.get(SIGNALS[signal].unit, LENGTH_MAX)


def _check_range(signal: str | None, **values: float | None) -> None:
    if signal is None:
        return
    unit = SIGNALS[signal].unit
    top = measurable(signal)
    for key, v in values.items():
        if v is not None and abs(v) > top:
            raise ValueError(f"{key} = {v:g} is more than {signal} can measure: at most {top:g} {unit} either way")


def _check_relative(signal: str | None, relative: bool | None) -> None:
    """Start-scaled signals (heights in the picture) mean something only as a change from the
    start position: used without ``relative = true`` they are never seen, so nothing would count."""
    if signal is not None and SIGNALS[signal].start_scaled and not relative:
        raise ValueError(f"signal {signal!r} is a height in the picture and needs relative = true "
                         "(it is measured as a change from the start position)")


def _check_full_min(enter: float, full_min: float | None, full: float) -> None:
    if full_min is not None and not enter <= full_min <= full:
        raise ValueError(f"need enter <= full_min <= full, got enter={enter:g}, full_min={full_min:g}, full={full:g}")


Seconds = Annotated[float, Field(ge=0.0, le=600.0)]


class Smoothing(StrictModel):
    """One Euro filter: min_cutoff in Hz (lower = smoother when still), beta (less lag when fast)."""

    min_cutoff: float = Field(default=1.5, gt=0.0, le=30.0)
    beta: float = Field(default=0.05, ge=0.0, le=100.0)
    d_cutoff: float = Field(default=1.0, gt=0.0, le=30.0)


class Confirm(StrictModel):
    """A second, independent measure of the counted movement (Count.confirm), with its own rest,
    enter and full thresholds: a repetition begins only when both measures are past `enter`, is
    full only when both reach `full`, and ends as soon as either is back within `rest`. So a
    glitch of one measure alone neither counts nor holds a repetition open (it can only end one
    early)."""

    signal: str
    relative: bool = True
    direction: Literal[1, -1] = 1
    rest: float = Field(ge=0.0)
    enter: float = Field(gt=0.0)
    full: float = Field(gt=0.0)
    # True: the signal is read on both body sides, each from its own start, and the side that
    # moved less is taken (0 when they move opposite ways): both heels rise in a heel raise, one
    # at a time in a walking step. A side not seen leaves the other to confirm alone.
    both_sides: bool = False

    @field_validator("signal")
    @classmethod
    def _sig(cls, v: str) -> str:
        return _check_signal(v)

    @model_validator(mode="after")
    def _order(self) -> Confirm:
        if self.both_sides and SIGNALS[self.signal].both_sides:
            raise ValueError(f"both_sides: {self.signal!r} is already measured on both sides together; "
                             "name its one-side signal")
        _check_relative(self.signal, self.relative)
        _check_range(self.signal, rest=self.rest, enter=self.enter, full=self.full)
        if not self.rest < self.enter < self.full:
            raise ValueError(f"need rest < enter < full, got rest={self.rest}, enter={self.enter}, full={self.full}")
        return self


class Count(StrictModel):
    signal: str
    mode: Literal["single", "cycle", "alternate"] = "single"
    direction: Literal[1, -1] = 1  # -1 when the movement makes the signal fall
    relative: bool = False  # measure from the value at the start position
    rest: float = Field(ge=0.0)
    enter: float = Field(gt=0.0)
    full: float = Field(gt=0.0)
    # the clinical minimum of ``full`` (single counts): once the patient's own range is known
    # (engine/adapt.py), ``full`` is placed inside it, never below this. None: ``full`` is fixed
    full_min: float | None = Field(default=None, gt=0.0)
    full_negative: float | None = Field(default=None, gt=0.0)  # cycle/alternate: range of the - phase
    full_at: float | None = None  # relative signals: the absolute value the peak must also reach
    shallow_fault: str = Field(default="too_shallow", pattern=r"^[a-z][a-z0-9_]*$")
    shallow_cue: Text | None = None  # what to tell the patient after a partial repetition
    min_dwell_s: Seconds = 0.1
    peak_band: float = Field(default=0.0, ge=0.0, lt=1.0)  # fraction of the peak that counts as a hold there (phase timing)
    min_rep_s: Seconds = 0.5
    max_rep_s: Seconds = 15.0
    side_from_sign: bool = False  # alternate mode: + is the left side, - the right
    side_signal: str | None = None  # side of each repetition from this signal's sign (relative; + left, - right)
    same_side_fault: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9_]*$")  # sides should alternate: fault when one repeats
    same_side_cue: Text | None = None
    # side_signal tells the sides apart only on a lift up to this peak (the counted signal's units):
    # a higher one's side is not judged (the repetition has no side) and the alternation is not
    # checked on it; the report says so. None: every repetition's side is judged
    side_max: float | None = Field(default=None, gt=0.0)
    follow_start: bool = False  # relative single mode: the start follows the patient settling (see counting.py)
    phase_names: tuple[str, str] = ("up", "down")  # cycle mode: names of the + and - phases
    confirm: Confirm | None = None  # a second measure that must agree (see Confirm)
    # the counted signal cannot change faster than this (its units per second): a faster jump is
    # the pose model losing the limb, and a repetition with one is dropped, not counted
    max_rate: float | None = Field(default=None, gt=0.0)
    # the body's size in the picture (leg length) may differ from its size at the start by this
    # fraction at most; more is the patient walking toward or away from the camera, and counting
    # stops as when walking about (a count of heights in the picture, as body_rise, needs the
    # patient to stay where they started)
    size_max: float | None = Field(default=None, gt=0.0, lt=1.0)
    smoothing: Smoothing = Smoothing()

    @model_serializer(mode="wrap")
    def _dump(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        return _without_unset_side_max(self, handler)

    @field_validator("signal")
    @classmethod
    def _sig(cls, v: str) -> str:
        return _check_signal(v)

    @field_validator("side_signal")
    @classmethod
    def _side_sig(cls, v: str | None) -> str | None:
        return None if v is None else _check_signal(v)

    @model_validator(mode="after")
    def _order(self) -> Count:
        _check_relative(self.signal, self.relative)
        _check_range(self.signal, rest=self.rest, enter=self.enter, full=self.full, full_negative=self.full_negative,
                     full_at=self.full_at)
        if not self.rest < self.enter <= self.full:
            raise ValueError(f"need rest < enter <= full, got rest={self.rest}, enter={self.enter}, full={self.full}")
        _check_full_min(self.enter, self.full_min, self.full)
        if self.full_min is not None and self.mode != "single":
            raise ValueError("full_min: only one-way (mode = \"single\") counts adapt to the person's range")
        if self.min_rep_s >= self.max_rep_s:
            raise ValueError("min_rep_s must be smaller than max_rep_s")
        if self.side_max is not None and self.side_signal is None:
            raise ValueError("side_max: the sides are judged from side_signal; name it")
        return self



def _without_unset_side_max(model: Count | CountOverride, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
    """A count or override without ``side_max`` is written (the report's config) as before it existed."""
    out = handler(model)
    if model.side_max is None:
        out.pop("side_max", None)
    return out


class CountOverride(StrictModel):
    """Per-view replacement of the counted signal and its thresholds."""

    signal: str | None = None
    direction: Literal[1, -1] | None = None
    relative: bool | None = None
    rest: float | None = Field(default=None, ge=0.0)
    enter: float | None = Field(default=None, gt=0.0)
    full: float | None = Field(default=None, gt=0.0)
    full_min: float | None = Field(default=None, gt=0.0)  # a new full or signal without it: full is fixed
    full_at: float | None = None  # with a new signal the default's full_at is dropped unless given
    full_negative: float | None = Field(default=None, gt=0.0)  # cycle/alternate: the - phase's range in the new units
    # a second measure for this view (replaces [count]'s confirm): where the view reads the foot
    # poorly, another measure may confirm it better (heel raise from the front: the body's rise)
    confirm: Confirm | None = None
    smoothing: Smoothing | None = None  # a signal in other units needs its own filter (One Euro's beta is per unit)
    max_rate: float | None = Field(default=None, gt=0.0)
    size_max: float | None = Field(default=None, gt=0.0, lt=1.0)
    # the counted signal reads the same lift larger or smaller from this view: where the sides stop
    # being told apart, in its degrees (Count.side_max)
    side_max: float | None = Field(default=None, gt=0.0)

    @model_serializer(mode="wrap")
    def _dump(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        return _without_unset_side_max(self, handler)

    @field_validator("signal")
    @classmethod
    def _sig(cls, v: str | None) -> str | None:
        return None if v is None else _check_signal(v)


class RuleConfirm(StrictModel):
    """A second measure that must also be past its limit (the rule's kind and ``relative``) for a
    frame rule to be broken: where one measure misreads in a way the other does not (a heel point
    dragged up the shoe while the ankle stays down), a fault needs both."""

    signal: str
    limit: float

    @field_validator("signal")
    @classmethod
    def _sig(cls, v: str) -> str:
        return _check_signal(v)

    @model_validator(mode="after")
    def _range(self) -> RuleConfirm:
        _check_range(self.signal, limit=self.limit)
        return self


class Rule(StrictModel):
    """A form check: fires fault ``id`` when ``signal`` goes past ``limit`` during ``during``."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    kind: Literal["max", "min", "min_duration", "max_duration"]
    signal: str | None = None  # for max/min
    relative: bool = False
    phase: Literal["descent", "return", "rep"] | None = None  # for min/max_duration
    limit: float
    during: Literal["rep", "bottom", "descent", "return", "hold", "always"] = "rep"
    views: tuple[Literal["side", "front", "oblique"], ...] = VIEWS
    min_duration_s: Seconds = 0.15  # the fault must last this long (ignores single-frame glitches)
    severity: int = Field(default=2, ge=1, le=5)
    pauses_hold: bool = False  # holds: the timer stops while this fault lasts
    # pose models whose landmarks this check's limit was measured on (None: any); with another
    # model the rule is left out (ExerciseSpec.for_model), e.g. a heel the lite model misplaces
    models: tuple[Literal["lite", "full"], ...] | None = Field(default=None, min_length=1)
    cue: Text
    confirm: RuleConfirm | None = None  # max/min rules: a second measure that must agree

    @model_serializer(mode="wrap")
    def _dump(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """A rule without ``confirm`` is written (the report's config) as before it existed."""
        out = handler(self)
        if self.confirm is None:
            out.pop("confirm", None)
        return out

    @field_validator("signal")
    @classmethod
    def _sig(cls, v: str | None) -> str | None:
        return None if v is None else _check_signal(v)

    @model_validator(mode="after")
    def _fields(self) -> Rule:
        if self.kind in ("max", "min") and self.signal is None:
            raise ValueError(f"rule {self.id!r}: kind {self.kind!r} needs 'signal'")
        _check_relative(self.signal, self.relative)
        if self.confirm is not None:
            if self.kind not in ("max", "min"):
                raise ValueError(f"rule {self.id!r}: 'confirm' is for max and min rules only")
            _check_relative(self.confirm.signal, self.relative)
        if self.kind in ("max", "min"):
            _check_range(self.signal, limit=self.limit)
        if self.kind in ("min_duration", "max_duration") and self.phase is None:
            raise ValueError(f"rule {self.id!r}: kind {self.kind!r} needs 'phase' (descent, return or rep)")
        if self.kind in ("min_duration", "max_duration") and not 0.0 < self.limit <= 600.0:
            raise ValueError(f"rule {self.id!r}: a {self.kind} limit is seconds, more than 0 and at most 600")
        return self


class Condition(StrictModel):
    """A signal range that must hold for a hold's position to count as right."""

    signal: str
    min: float | None = None
    max: float | None = None
    relative: bool = False

    @field_validator("signal")
    @classmethod
    def _sig(cls, v: str) -> str:
        return _check_signal(v)

    @model_validator(mode="after")
    def _relative(self) -> Condition:
        _check_relative(self.signal, self.relative)
        _check_range(self.signal, min=self.min, max=self.max)
        return self


class HoldSpec(StrictModel):
    target_s: float = Field(gt=0.0, le=600.0)
    sides: tuple[Literal["L", "R"], ...] = ()
    side_signal: str | None = None  # sign gives the side: + left, - right
    # keeping still: shoulders, knees and ankles about the hips move less than this, torso lengths
    # per second over the last half second (motion.py's HOLD_WINDOW_S)
    still_max: float = Field(default=0.15, gt=0.0, le=5.0)
    grace_s: Seconds = 1.5  # leaving the position for less than this does not end the hold
    min_hold_s: Seconds = 2.0  # shorter holds are not reported
    # the hold is complete once target_s is held (the trainer says relax) and the next one starts
    # only after rest_s: for holds whose end the camera cannot see (core bracing)
    end_at_target: bool = False
    rest_s: Seconds = 0.0
    position: tuple[Condition, ...] = ()

    @field_validator("side_signal")
    @classmethod
    def _side_sig(cls, v: str | None) -> str | None:
        return None if v is None else _check_signal(v)

    @model_validator(mode="after")
    def _reachable(self) -> HoldSpec:
        if self.min_hold_s > self.target_s:  # every hold that reaches its time would go unreported
            raise ValueError(f"min_hold_s ({self.min_hold_s:g}) must not be more than target_s ({self.target_s:g})")
        return self


# Ids formcheck itself gives partial repetitions, pauses and hold faults: a fault id in an exercise
# file must not reuse them, or a report could not tell the two apart.
ENGINE_PARTIALS = ("too_short", "too_long", "incomplete_cycle", "tracking_lost", "paused", "implausible")  # no form faults


ENGINE_IDS = frozenset((*ENGINE_PARTIALS, "unfinished", "not_still"))


def _check_fault_id(where: str, fault: str) -> None:
    if fault in ENGINE_IDS:
        raise ValueError(f"{where}: {fault!r} is an id formcheck itself uses ({', '.join(sorted(ENGINE_IDS))}); "
                         "choose another")
