"""Exercises as data: ``exercises/<id>.toml`` parsed once, strictly, into frozen specs.

An unknown key, a wrong type or an out-of-range value is an error naming the file, the key and
what is allowed, so a physiotherapist editing a threshold gets a precise answer.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Literal

from pydantic import (
    Field,
    ValidationError,
    model_validator,
)

from formcheck.spec.files import (
    SpecError,
    StrictModel,
    Text,
    UnknownName,
    format_validation_error,
    read_toml,
    rule_key,
)
from formcheck.spec.parts import (
    Count,
    CountOverride,
    HoldSpec,
    Rule,
    Seconds,
    _check_fault_id,
)

EXERCISE_IDS = (
    "squat", "heel_raise", "toe_heel", "pelvic_lift", "core_bracing", "curl_up", "oblique_curl_up",
    "supine_glute_stretch", "seated_glute_stretch", "weight_shift", "calf_stretch",
)


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
    # the front view serves from behind too (the same picture mirrored) unless the movement hides
    # there: toes-and-heels' toes lift behind the heels, out of sight from behind
    seen_from_behind: bool = True
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

    def report_views(self) -> tuple[str, ...]:
        """The views a set report accepts: ``views``, and "back" (the front view from behind)
        when the front is one and the movement is seen from behind."""
        back = ("back",) if "front" in self.views and self.seen_from_behind else ()
        return (*self.views, *back)

    def count_for(self, view: str | None) -> Count:
        """The count settings for this camera view (per-view overrides applied)."""
        assert self.count is not None
        if view == "back":  # a report's view from behind: measured as the front view
            view = "front"
        ov = self.count_views.get(view) if view else None  # type: ignore[arg-type]
        if ov is None:
            return self.count
        changes = {k: getattr(ov, k) for k in type(ov).model_fields if getattr(ov, k) is not None}
        if changes.get("signal", self.count.signal) != self.count.signal and "full_at" not in changes:
            changes["full_at"] = None  # full_at is in the replaced signal's units
        if ("full" in changes or "signal" in changes) and "full_min" not in changes:
            changes["full_min"] = None  # a minimum written for another full or unit: this view's full is fixed
        return self.count.model_copy(update=changes)


def parse_exercise(data: dict, path: Path, *, named_by_file: bool = True) -> ExerciseSpec:
    """An exercise file's contents, checked. ``named_by_file``: its id must be its file name (as
    in the exercises folder, where an id finds its file); a trial copy elsewhere
    (``my_squat.toml``) keeps the id of the exercise it changes."""
    try:
        spec = ExerciseSpec.model_validate(data)
    except ValidationError as err:
        raise SpecError(format_validation_error(path, err, ExerciseSpec, data)) from None
    if named_by_file and spec.id != path.stem:
        raise SpecError(f"{path}: id: {spec.id!r} must match the file name {path.stem!r}")
    return spec


def load_exercise_file(path: str | os.PathLike, *, named_by_file: bool = True) -> ExerciseSpec:
    path = Path(path)
    return parse_exercise(read_toml(path), path, named_by_file=named_by_file)


def in_exercises_dir(path: Path) -> bool:
    """Whether ``path`` is one of the exercises folder's own files."""
    return path.resolve().parent == exercises_dir().resolve()


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
        raise UnknownName(f"unknown exercise {exercise_id!r}; available: {ids}")
    return load_exercise_file(path)


def is_exercise_path(text: str) -> bool:
    """Whether ``--exercise TEXT`` names a file (``./my_squat.toml``) rather than an id (``squat``)."""
    return text.endswith(".toml") or "/" in text or os.sep in text


def exercise_file(text: str) -> Path:
    """The file ``--exercise TEXT`` means: a path to an exercise file, or the exercises folder's
    file of an id. UnknownName (one line, exit 2) when there is none."""
    if not is_exercise_path(text):
        folder = exercises_dir()
        path = folder / f"{text}.toml"
        if not _ID.fullmatch(text) or not path.is_file():  # an id, not a path to somewhere else
            ids = ", ".join(available_ids(folder)) or "(none found)"
            raise UnknownName(f"unknown exercise {text!r}; available: {ids} (or a path to an exercise file, "
                              "e.g. ./my_squat.toml)")
        return path
    path = Path(text).expanduser()
    if not path.is_file():
        raise UnknownName(f"exercise file not found: {text}" + (" (it is a folder)" if path.is_dir() else ""))
    return path


def load_exercise_arg(text: str) -> tuple[ExerciseSpec, Path]:
    """``--exercise``: an id or a path to an exercise file (the bundled ones' checks; the id is
    the file's own), and the file read (absolute). One place for replay, live and tune."""
    path = exercise_file(text)
    spec = load_exercise_file(path, named_by_file=in_exercises_dir(path))
    return spec, path.resolve()
