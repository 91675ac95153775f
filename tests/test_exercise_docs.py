"""Every key an exercise file may hold is documented in exercises/README.md."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import BaseModel

from formcheck import spec as S

README = Path(__file__).resolve().parents[1] / "exercises" / "README.md"
MODELS = (S.ExerciseSpec, S.Text, S.Count, S.CountOverride, S.Confirm, S.Smoothing, S.Rule, S.HoldSpec, S.Condition)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_exercise_file_key_is_documented(model: type[BaseModel]):
    code = " ".join(re.findall(r"`[^`]*`", README.read_text(encoding="utf-8")))  # the README's `code` spans
    missing = [k for k in model.model_fields if not re.search(rf"\b{k}\b", code)]
    assert not missing, f"{model.__name__} keys not in {README.name}: {missing}"
