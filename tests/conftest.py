"""Shared fixtures: where the repository, samples and the shared labelled data are."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"


def shared_data_dir() -> Path | None:
    env = os.environ.get("FORMCHECK_DATA")
    p = Path(env) if env else ROOT.parent / "shared" / "data"
    return p if (p / "labels.json").is_file() else None


@pytest.fixture(scope="session")
def shared_data() -> Path:
    d = shared_data_dir()
    if d is None:
        pytest.skip("../shared/data (or $FORMCHECK_DATA) is absent: the labelled clips are not shipped with the repo")
    return d


@pytest.fixture(scope="session")
def labels(shared_data: Path) -> list[dict]:
    return json.loads((shared_data / "labels.json").read_text())


@pytest.fixture(scope="session")
def sample_squat() -> Path:
    return SAMPLES / "squat_side.mp4"


@pytest.fixture(autouse=True)
def _private_history(tmp_path_factory, monkeypatch):
    """Tests never write into the user's real history database."""
    monkeypatch.setenv("FORMCHECK_DATA_DIR", str(tmp_path_factory.mktemp("formcheck-data")))
