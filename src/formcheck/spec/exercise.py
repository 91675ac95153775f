"""Exercises as data: ``exercises/<id>.toml`` parsed once, strictly, into frozen specs.

An unknown key, a wrong type or an out-of-range value is an error naming the file, the key and
what is allowed, so a physiotherapist editing a threshold gets a precise answer.
"""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from formcheck.core.lang import in_lang
from formcheck.signals import SIGNALS

VIEWS = ("side", "front", "oblique")
EXERCISE_IDS = (
    "squat", "heel_raise", "toe_heel", "pelvic_lift", "core_bracing", "curl_up", "oblique_curl_up",
    "supine_glute_stretch", "seated_glute_stretch", "weight_shift", "calf_stretch",
)


class SpecError(Exception):
    """An exercise, program or profile file that is not valid; one line per problem."""


class StrictModel(BaseModel):
    """Strict: "10" is no number and 1 is no true. TOML arrays arrive as lists; the specs are
    frozen, so they become tuples first (their items are still checked strictly)."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)

    @model_validator(mode="before")
    @classmethod
    def _arrays_as_tuples(cls, data: Any) -> Any:
        return _as_tuples(data) if isinstance(data, dict) else data


def _as_tuples(v: Any) -> Any:
    if isinstance(v, dict):
        return {k: _as_tuples(x) for k, x in v.items()}
    if isinstance(v, list):
        return tuple(_as_tuples(x) for x in v)
    return v


def _check_signal(v: str) -> str:
    if v not in SIGNALS:
        raise ValueError(f"unknown signal {v!r}; allowed: {', '.join(sorted(SIGNALS))}")
    return v


# The largest size a threshold can have in each signal unit: a value past it cannot be measured
# (a typo such as full = 700 for a 70° knee bend would never let a repetition count).
UNIT_MAX = {"deg": 180.0, "sign": 1.0}
LENGTH_MAX = 5.0  # lengths and ratios (body lengths, foot lengths, half-widths)


def _check_range(signal: str | None, **values: float | None) -> None:
    if signal is None:
        return
    unit = SIGNALS[signal].unit
    top = UNIT_MAX.get(unit, LENGTH_MAX)
    for key, v in values.items():
        if v is not None and abs(v) > top:
            raise ValueError(f"{key} = {v:g} is more than {signal} can measure: at most {top:g} {unit} either way")


def _check_relative(signal: str | None, relative: bool | None) -> None:
    """Start-scaled signals (heights in the picture) mean something only as a change from the
    start position: used without ``relative = true`` they are never seen, so nothing would count."""
    if signal is not None and SIGNALS[signal].start_scaled and not relative:
        raise ValueError(f"signal {signal!r} is a height in the picture and needs relative = true "
                         "(it is measured as a change from the start position)")


class Text(StrictModel):
    """A text in both languages: a name, a cue, a title."""

    da: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def get(self, lang: str) -> str:
        return in_lang(lang, self.da, self.en)


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

    @field_validator("signal")
    @classmethod
    def _sig(cls, v: str) -> str:
        return _check_signal(v)

    @model_validator(mode="after")
    def _order(self) -> Confirm:
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
    follow_start: bool = False  # relative single mode: the start follows the patient settling (see counting.py)
    phase_names: tuple[str, str] = ("up", "down")  # cycle mode: names of the + and - phases
    confirm: Confirm | None = None  # a second measure that must agree (see Confirm)
    # the counted signal cannot change faster than this (its units per second): a faster jump is
    # the pose model losing the limb, and a repetition with one is dropped, not counted
    max_rate: float | None = Field(default=None, gt=0.0)
    smoothing: Smoothing = Smoothing()

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
        if self.min_rep_s >= self.max_rep_s:
            raise ValueError("min_rep_s must be smaller than max_rep_s")
        return self


class CountOverride(StrictModel):
    """Per-view replacement of the counted signal and its thresholds."""

    signal: str | None = None
    direction: Literal[1, -1] | None = None
    relative: bool | None = None
    rest: float | None = Field(default=None, ge=0.0)
    enter: float | None = Field(default=None, gt=0.0)
    full: float | None = Field(default=None, gt=0.0)
    full_at: float | None = None  # with a new signal the default's full_at is dropped unless given
    smoothing: Smoothing | None = None  # a signal in other units needs its own filter (One Euro's beta is per unit)
    max_rate: float | None = Field(default=None, gt=0.0)

    @field_validator("signal")
    @classmethod
    def _sig(cls, v: str | None) -> str | None:
        return None if v is None else _check_signal(v)


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

    @field_validator("signal")
    @classmethod
    def _sig(cls, v: str | None) -> str | None:
        return None if v is None else _check_signal(v)

    @model_validator(mode="after")
    def _fields(self) -> Rule:
        if self.kind in ("max", "min") and self.signal is None:
            raise ValueError(f"rule {self.id!r}: kind {self.kind!r} needs 'signal'")
        _check_relative(self.signal, self.relative)
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


def rule_key(index: int, rule_id: object) -> str:
    """How an error names a rule: by its id and its place in the file (rules.5 is the 6th)."""
    rid = f" {rule_id!r}" if isinstance(rule_id, str) else ""
    return f"[[rules]]{rid} (number {index + 1})"


TARGET_MAX = 100  # the most repetitions (or holds) a set may ask for: exercise, profile, program, --target


class ExerciseSpec(StrictModel):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    kind: Literal["reps", "hold"]
    name: Text
    instructions: dict[Literal["da", "en"], tuple[str, ...]]
    posture: Literal["standing", "lying", "seated"]
    views: tuple[Literal["side", "front", "oblique"], ...] = Field(min_length=1)
    target: int = Field(default=10, ge=1, le=TARGET_MAX)
    settle_s: Seconds = 0.6  # still in the start position this long before counting starts
    move_max: float = Field(default=0.6, gt=0.0, le=10.0)  # body travel (torso lengths/s) meaning walking
    settle_motion_max: float = Field(default=0.5, gt=0.0, le=10.0)  # movement (torso lengths/s) still counted as keeping still
    count: Count | None = None
    count_views: dict[Literal["side", "front", "oblique"], CountOverride] = {}
    hold: HoldSpec | None = None
    rules: tuple[Rule, ...] = ()
    model: Literal["lite", "full"] | None = None  # the pose model replay and live use unless told otherwise

    @model_validator(mode="after")
    def _kind(self) -> ExerciseSpec:
        if self.kind == "reps" and self.count is None:
            raise ValueError("kind 'reps' needs a [count] table")
        if self.kind == "hold" and self.hold is None:
            raise ValueError("kind 'hold' needs a [hold] table")
        if set(self.instructions) != {"da", "en"}:
            raise ValueError("instructions need both 'da' and 'en'")
        if self.count is not None:  # a per-view override merged with [count] must make a valid count too
            for view in self.count_views:
                try:
                    Count.model_validate(self.count_for(view).model_dump())
                except ValidationError as err:
                    e = err.errors()[0]
                    key = ".".join(str(p) for p in (view, *e["loc"]))
                    raise ValueError(f"count_views.{key} (with the other values from [count]): "
                                     + e["msg"].removeprefix("Value error, ")) from None
        first: dict[str, Rule] = {}
        for i, rule in enumerate(self.rules):  # a rule judged in a part the exercise does not have never fires
            where = rule_key(i, rule.id)
            if (rule.during == "hold") != (self.kind == "hold") and rule.during != "always":
                allowed = "hold, always" if self.kind == "hold" else "rep, bottom, descent, return, always"
                raise ValueError(f"{where}: during: {rule.during!r} cannot happen in a {self.kind} exercise; "
                                 f"allowed: {allowed}")
            _check_fault_id(f"{where}: id", rule.id)
            earlier = first.setdefault(rule.id, rule)
            if earlier is not rule and (earlier.cue != rule.cue or earlier.severity != rule.severity):
                raise ValueError(f"{where}: id: an earlier rule has this id with another cue or severity; rules "
                                 "may share an id (one fault measured two ways) only with the same cue and severity")
        for key in ("shallow_fault", "same_side_fault"):
            fault = getattr(self.count, key, None)
            if fault is not None:
                _check_fault_id(f"count.{key}", fault)
                if fault in first:
                    raise ValueError(f"count.{key}: {fault!r} is also a form rule's id; give it its own id")
        return self

    def for_model(self, model: str) -> ExerciseSpec:
        """This exercise as judged with pose model ``model`` (a name, or a .task path): without
        the rules measured on other models only."""
        rules = tuple(r for r in self.rules if r.models is None or model in r.models)
        return self if len(rules) == len(self.rules) else self.model_copy(update={"rules": rules})

    def fault_cues(self) -> dict[str, Text]:
        """What the patient is told for each fault id this exercise can report: its form rules'
        cues and the count's cues for a partial or a repetition on the same side."""
        cues = {r.id: r.cue for r in self.rules}
        if self.count is not None and self.count.shallow_cue is not None:
            cues.setdefault(self.count.shallow_fault, self.count.shallow_cue)
        if self.count is not None and self.count.same_side_fault and self.count.same_side_cue is not None:
            cues.setdefault(self.count.same_side_fault, self.count.same_side_cue)
        return cues

    def count_for(self, view: str | None) -> Count:
        """The count settings for this camera view (per-view overrides applied)."""
        assert self.count is not None
        ov = self.count_views.get(view) if view else None  # type: ignore[arg-type]
        if ov is None:
            return self.count
        changes = {k: getattr(ov, k) for k in type(ov).model_fields if getattr(ov, k) is not None}
        if changes.get("signal", self.count.signal) != self.count.signal and "full_at" not in changes:
            changes["full_at"] = None  # full_at is in the replaced signal's units
        return self.count.model_copy(update=changes)


def _nested_model(annotation: Any) -> type[BaseModel] | None:
    """The model inside a field's type (X, X | None, tuple[X, ...], dict[str, X])."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for a in getattr(annotation, "__args__", ()):
        inner = _nested_model(a)
        if inner is not None:
            return inner
    return None


def allowed_keys(root: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """The keys allowed in the table holding ``loc[-1]`` (for 'unknown key' messages).

    Walks the models along ``loc``; list indices and dict keys (exercise ids, rule ids, views)
    keep the container's value model.
    """
    model: type[BaseModel] | None = root
    for part in loc[:-1]:
        if model is None:
            return []
        field = model.model_fields.get(str(part)) if not isinstance(part, int) else None
        if field is not None:
            model = _nested_model(field.annotation)
    return [k for k in model.model_fields if k != "path"] if model else []


DICT_KEYS = {"instructions": ("language", "da, en"), "count_views": ("view", ", ".join(VIEWS))}  # what a table's own keys are


def _key(loc: tuple[Any, ...], data: Any) -> str:
    """The dotted key of an error, with a rule named by its id: ``[[rules]] 'head_down' (number 6).limit``."""
    if len(loc) >= 2 and loc[0] == "rules" and isinstance(loc[1], int):
        rules = data.get("rules") if isinstance(data, dict) else None
        rule = rules[loc[1]] if isinstance(rules, list) and loc[1] < len(rules) else None
        head = rule_key(loc[1], rule.get("id") if isinstance(rule, dict) else None)
        return ".".join((head, *(str(p) for p in loc[2:])))
    return ".".join(str(p) for p in loc)


def format_validation_error(path: Path, err: ValidationError, root: type[BaseModel], data: Any = None) -> str:
    """One line per problem: the file, the key, what is wrong and what is allowed. ``data``: the
    file's contents, to name rules by their id."""
    lines = []
    errors = err.errors()
    for e in errors:
        loc = tuple(e["loc"])
        if e["type"] == "too_short" and any(tuple(o["loc"])[:len(loc)] == loc and len(o["loc"]) > len(loc)
                                            for o in errors):
            continue  # a list left "too short" only because one of its items was refused: said already
        key = _key(loc, data)
        got = e.get("input")
        if e["type"] == "extra_forbidden":
            allowed = allowed_keys(root, loc)
            lines.append(f"{path}: {key}: unknown key" + (f"; allowed: {', '.join(allowed)}" if allowed else ""))
            continue
        if loc and loc[-1] == "[key]":  # a table's own key (a camera view, a language) that is not allowed
            key = ".".join(str(p) for p in loc[:-2] + (got,))
            what, allowed = DICT_KEYS.get(str(loc[-3]) if len(loc) >= 3 else "", ("key", ""))
            msg = f"unknown {what}; allowed: {allowed}" if allowed else e["msg"]
            lines.append(f"{path}: {key}: {msg}")
            continue
        msg = e["msg"].removeprefix("Value error, ")
        if e["type"] == "tuple_type":  # TOML arrays are read into tuples: say it in the file's words
            msg = "should be a list in [ ], e.g. [\"a\", \"b\"]"
        elif e["type"] == "too_short" and isinstance(got, tuple):
            msg = msg.replace("Tuple", "List")
        extra = "" if e["type"] == "missing" or isinstance(got, (dict, list, tuple)) else f" (got {got!r})"
        if not loc:  # a check across keys: its message names them
            lines.append(f"{path}: {msg}")
            continue
        lines.append(f"{path}: {key}: {msg}{extra}")
    return "\n".join(lines)


def parse_exercise(data: dict, path: Path) -> ExerciseSpec:
    try:
        spec = ExerciseSpec.model_validate(data)
    except ValidationError as err:
        raise SpecError(format_validation_error(path, err, ExerciseSpec, data)) from None
    if spec.id != path.stem:
        raise SpecError(f"{path}: id: {spec.id!r} must match the file name {path.stem!r}")
    return spec


def read_toml(path: Path) -> dict:
    try:
        # utf-8-sig: a byte-order mark, as some Windows editors write, is not an error
        return tomllib.loads(path.read_bytes().decode("utf-8-sig"))
    except FileNotFoundError:
        raise SpecError(f"{path}: file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(f"{path}: not valid TOML: {exc}") from None
    except UnicodeDecodeError as exc:
        raise SpecError(f"{path}: not valid TOML: not UTF-8 text (byte {exc.start}); save it as UTF-8") from None
    except OSError as exc:
        raise SpecError(f"{path}: cannot read: {exc.strerror}") from None


def load_exercise_file(path: str | os.PathLike) -> ExerciseSpec:
    path = Path(path)
    return parse_exercise(read_toml(path), path)


def exercises_dir() -> Path:
    """$FORMCHECK_EXERCISES or the repository's exercises/ folder."""
    env = os.environ.get("FORMCHECK_EXERCISES")
    return Path(env) if env else Path(__file__).resolve().parents[3] / "exercises"


_ID = re.compile(r"[a-z0-9_]+")


def available_ids(folder: Path | None = None) -> list[str]:
    folder = folder or exercises_dir()
    return sorted(p.stem for p in folder.glob("*.toml"))


def load_exercise(exercise_id: str, folder: Path | None = None) -> ExerciseSpec:
    folder = folder or exercises_dir()
    path = folder / f"{exercise_id}.toml"
    if not _ID.fullmatch(exercise_id) or not path.is_file():  # an id, not a path to somewhere else
        ids = ", ".join(available_ids(folder)) or "(none found)"
        raise SpecError(f"unknown exercise {exercise_id!r}; available: {ids}")
    return load_exercise_file(path)
