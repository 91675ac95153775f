"""The patient's setup: what ``formcheck`` alone (and the desktop launcher) starts, as the
physiotherapist chose it with ``formcheck setup``: language, camera, program (and which session
of it) and the patient's id. A small TOML file in the user's config folder, read as strictly as
the exercise files (an unknown key or a bad value names the file and the key)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

import tomli_w
from pydantic import Field, ValidationError, field_validator

from formcheck.core.atomic import atomic_open
from formcheck.core.patient import check_patient_id
from formcheck.spec.files import (
    SpecError,
    StrictModel,
    format_validation_error,
    read_toml,
)

SETUP_FILE = "setup.toml"


class SetupError(SpecError):
    """The setup file cannot be read or is not valid; one line per problem."""


class Setup(StrictModel):
    """What ``formcheck`` with no options runs: ``formcheck live --program PROGRAM [--session S]
    --lang LANG --camera N`` (and ``--patient ID`` where live knows it)."""

    lang: Literal["da", "en"] = "da"
    camera: int = Field(default=0, ge=0, le=63)
    program: str = Field(default="home_program", min_length=1, max_length=200)
    session: str | None = Field(default=None, min_length=1, max_length=64)  # None: the whole program
    patient: str | None = None

    @field_validator("patient")
    @classmethod
    def _patient_id(cls, v: str | None) -> str | None:
        return None if v is None else check_patient_id(v)  # the one rule for ids (core/patient.py)

    @field_validator("program")
    @classmethod
    def _one_line(cls, v: str) -> str:
        if not v.isprintable():
            raise ValueError("must be one line of printable text")
        return v


def config_dir() -> Path:
    """$FORMCHECK_CONFIG_DIR, else the user's config folder (``$XDG_CONFIG_HOME/formcheck`` on Linux)."""
    env = os.environ.get("FORMCHECK_CONFIG_DIR")
    if env:
        return Path(env)
    import platformdirs  # (only here: it loads importlib.metadata)

    return Path(platformdirs.user_config_dir("formcheck", appauthor=False))


def setup_path() -> Path:
    return config_dir() / SETUP_FILE


def load_setup(path: Path | None = None) -> Setup | None:
    """The setup, or None when there is none yet."""
    path = path or setup_path()
    if not path.exists():
        return None
    try:
        data = read_toml(path)
    except SpecError as exc:
        raise SetupError(str(exc)) from None
    try:
        return Setup.model_validate(data)
    except ValidationError as exc:
        raise SetupError(format_validation_error(path, exc, Setup, data)) from None


def save_setup(setup: Setup, path: Path | None = None) -> Path:
    """Write the setup whole (atomically: a crash leaves the old one); returns where."""
    path = path or setup_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    data = setup.model_dump(exclude_none=True)
    text = "# formcheck's setup for this patient: written by 'formcheck setup' (run it again to change it)\n"
    with atomic_open(path) as fh:
        fh.write(text + tomli_w.dumps(data))
    return path
