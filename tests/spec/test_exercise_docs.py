"""Every key an exercise file may hold is documented in exercises/README.md."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import BaseModel

from formcheck.spec.exercise import ExerciseSpec
from formcheck.spec.files import Text
from formcheck.spec.parts import (
    Condition,
    Confirm,
    Count,
    CountOverride,
    HoldSpec,
    Rule,
    Smoothing,
)

README = Path(__file__).resolve().parents[2] / "exercises" / "README.md"
MODELS = (ExerciseSpec, Text, Count, CountOverride, Confirm, Smoothing, Rule, HoldSpec, Condition)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_exercise_file_key_is_documented(model: type[BaseModel]):
    code = " ".join(re.findall(r"`[^`]*`", README.read_text(encoding="utf-8")))  # the README's `code` spans
    missing = [k for k in model.model_fields if not re.search(rf"\b{k}\b", code)]
    assert not missing, f"{model.__name__} keys not in {README.name}: {missing}"


def _documented_defaults() -> list[tuple[str, str, str]]:
    """(section, key, value) for each "`key` = value" in the README's "Defaults:" sentences."""
    out = []
    section = ""
    for para in README.read_text(encoding="utf-8").split("\n\n"):
        if para.startswith("## "):
            section = para.splitlines()[0]
        if "Defaults:" in para:
            text = " ".join(para.split("Defaults:", 1)[1].split("\n"))
            out += [(section, k, v) for k, v in re.findall(r"`(\w+)` = (\"[^\"]*\"|true|false|-?\d+(?:\.\d+)?)", text)]
    return out


SECTION_MODELS = {"## Top level": ExerciseSpec, "## `[count]` (kind = \"reps\")": Count,
                  "## `[[rules]]` (form checks)": Rule}


def test_documented_defaults_are_the_loaders():
    found = _documented_defaults()
    assert {s for s, _, _ in found} == set(SECTION_MODELS), found  # every section says its defaults
    for section, key, value in found:
        default = SECTION_MODELS[section].model_fields[key].default
        if value.startswith('"'):
            assert default == value.strip('"'), (section, key, default)
        elif value in ("true", "false"):
            assert default is (value == "true"), (section, key, default)
        else:
            assert float(default) == float(value), (section, key, default)


THRESHOLD = re.compile(r"(settle_s|move_max|settle_motion_max|rest|enter|full|full_negative|full_at|min_dwell_s|min_rep_s"
                       r"|max_rep_s|max_rate|peak_band|limit|min_duration_s|smoothing|target_s|still_max|grace_s"
                       r"|min_hold_s|rest_s|min|max)\s*=")


@pytest.mark.parametrize("path", sorted((README.parent).glob("*.toml")), ids=lambda p: p.stem)
def test_every_threshold_has_a_comment(path: Path):
    """A physiotherapist edits these numbers: each says what it means, on its line or just above."""
    lines = path.read_text(encoding="utf-8").splitlines()
    bare = [f"{i + 1}: {line}" for i, line in enumerate(lines)
            if THRESHOLD.match(line) and "#" not in line and not (i and lines[i - 1].lstrip().startswith("#"))]
    assert not bare, bare
