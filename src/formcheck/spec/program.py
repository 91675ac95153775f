"""Training programs: ``programs/<name>.toml``, the exercises of a session in order, with progression.

A program lists its exercises in the clinic's order, each with a starting target and the step
by which the target grows from one session to the next (up to ``max_target``, 15 in the home
program), the rest between exercises, named session subsets, and the advice shown when the
patient reports pain. It is parsed strictly: an unknown key, an unknown exercise or a value out
of range is an error naming the file, the key and what is allowed.

Progression is computed from the history of earlier sets of the same program: the target goes
up by the exercise's step only after a session in which the patient reached the target without
pain; after a pain stop it never goes up.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

from formcheck.core.lang import in_lang
from formcheck.spec.exercise import EXERCISE_IDS, TARGET_MAX
from formcheck.spec.files import (
    SpecError,
    StrictModel,
    Text,
    UnknownName,
    format_validation_error,
    read_toml,
)

MAX_TARGET = 15  # the handout: build up slowly to 15 repetitions of each exercise


class ProgramError(SpecError):
    """A program file that is not valid, or a session/exercise choice that does not fit it."""


class ProgramChoiceError(ProgramError, UnknownName):
    """A program, session or exercise named on the command line that it does not have (exit 2)."""


StrTuple = tuple[Annotated[str, Field(min_length=1)], ...]  # no empty lines


class Lines(StrictModel):
    da: StrTuple = Field(min_length=1)
    en: StrTuple = Field(min_length=1)

    def get(self, lang: str) -> tuple[str, ...]:
        return in_lang(lang, self.da, self.en)


class Advice(StrictModel):
    pain_title: Text
    pain: Lines  # shown when the patient presses p: stop, maybe retry after days, contact the clinic


class ProgramExercise(StrictModel):
    id: str
    start_target: int = Field(ge=1, le=TARGET_MAX)  # repetitions (or holds) in the first session
    step: int = Field(default=1, ge=0, le=15)  # added after a session reached without pain; 0 = fixed
    rest_s: float | None = Field(default=None, ge=0.0, le=600.0)  # rest after this exercise

    @field_validator("id")
    @classmethod
    def _known(cls, v: str) -> str:
        if v not in EXERCISE_IDS:
            raise ValueError(f"unknown exercise {v!r}; allowed: {', '.join(EXERCISE_IDS)}")
        return v


class Program(StrictModel):
    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: Text
    max_target: int = Field(default=MAX_TARGET, ge=1, le=TARGET_MAX)
    rest_s: float = Field(default=30.0, ge=0.0, le=600.0)  # rest between exercises, seconds
    countdown_s: float = Field(default=3.0, ge=0.0, le=30.0)  # before each set; nothing is counted
    instructions_s: float = Field(default=20.0, ge=0.0, le=600.0)  # instruction screen (a key skips)
    exercises: tuple[ProgramExercise, ...] = Field(min_length=1)
    sessions: dict[str, StrTuple] = {}  # named subsets, e.g. split the program over the day
    advice: Advice
    path: str = "<program>"  # set by load_program, for messages

    @model_validator(mode="after")
    def _check(self) -> Program:
        ids = [e.id for e in self.exercises]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            raise ValueError(f"exercises listed twice: {', '.join(dup)}")
        for e in self.exercises:
            if e.start_target > self.max_target:
                raise ValueError(f"exercise {e.id!r}: start_target {e.start_target} is above "
                                 f"max_target {self.max_target}")
        for name, members in self.sessions.items():
            bad = [m for m in members if m not in ids]
            if bad:
                raise ValueError(f"session {name!r}: {', '.join(map(repr, bad))} not in this program's "
                                 f"exercises; allowed: {', '.join(ids)}")
            if not members:
                raise ValueError(f"session {name!r} lists no exercises")
        return self

    def select(self, session: str | None = None, only: Iterable[str] | None = None) -> list[ProgramExercise]:
        """The exercises of one session (or all), optionally narrowed by ``only``, in program order."""
        ids = [e.id for e in self.exercises]
        chosen = set(ids)
        if session is not None:
            if session not in self.sessions:
                allowed = ", ".join(self.sessions) or "(this program names no sessions)"
                raise ProgramChoiceError(f"{self.path}: unknown session {session!r}; allowed: {allowed}")
            chosen = set(self.sessions[session])
        if only is not None:
            only = list(only)
            if not only:
                raise ProgramChoiceError(f"--only: no exercise ids given; allowed: {', '.join(ids)}")
            bad = [i for i in only if i not in ids]
            if bad:
                raise ProgramChoiceError(f"--only: {', '.join(map(repr, bad))} not in program {self.name!r}; "
                                   f"allowed: {', '.join(ids)}")
            chosen &= set(only)
            if not chosen:
                raise ProgramChoiceError(f"--only: none of {', '.join(only)} is in session {session!r}")
        return [e for e in self.exercises if e.id in chosen]


def _allowed(model: type[BaseModel]) -> str:
    return ", ".join(k for k in model.model_fields if k != "path")


def parse_program(data: dict[str, Any], path: Path) -> Program:
    if "path" in data:
        raise ProgramError(f"{path}: path: unknown key; allowed: {_allowed(Program)}")
    try:
        program = Program.model_validate({**data, "path": str(path)})
    except ValidationError as err:
        raise ProgramError(format_validation_error(path, err, Program)) from None
    if program.name != path.stem:
        raise ProgramError(f"{path}: name: {program.name!r} must match the file name {path.stem!r}")
    return program


def programs_dir() -> Path:
    """$FORMCHECK_PROGRAMS or the repository's programs/ folder."""
    env = os.environ.get("FORMCHECK_PROGRAMS")
    return Path(env) if env else Path(__file__).resolve().parents[3] / "programs"


def load_program(name_or_path: str | os.PathLike) -> Program:
    """A program by name (``home_program``) from programs/, or by path to a .toml file."""
    text = str(name_or_path)
    path = Path(text)
    if not (text.endswith(".toml") or os.sep in text):
        path = programs_dir() / f"{text}.toml"
        if not path.is_file():
            found = sorted(p.stem for p in programs_dir().glob("*.toml"))
            raise ProgramChoiceError(f"unknown program {text!r}; available: {', '.join(found) or '(none found)'}")
    try:
        data = read_toml(path)
    except SpecError as exc:
        raise ProgramError(str(exc)) from None
    return parse_program(data, path)
