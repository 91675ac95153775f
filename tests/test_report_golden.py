"""report.json must not change when the report's code does: replay every bundled sample clip
(real pose model, no video) and compare its report with the golden copy under tests/golden/.

The goldens were written by the code as it was before the report became a typed ``SetReport``;
regenerate them only on purpose (a deliberate change of the report) with
``FORMCHECK_UPDATE_GOLDEN=1 pytest tests/test_report_golden.py``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from formcheck.cli.main import main

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
GOLDEN = Path(__file__).resolve().parent / "golden"
CLIPS = sorted(p.stem for p in SAMPLES.glob("*.mp4"))
# Fields that change with the release or the machine, not with the report's content.
VOLATILE = ("formcheck_version", "report_version", "video")


def _comparable(report: dict) -> str:
    """The report as text, key order included, without the volatile fields."""
    kept = {k: v for k, v in report.items() if k not in VOLATILE}
    return json.dumps(kept, indent=2, ensure_ascii=False) + "\n"


@pytest.mark.slow
@pytest.mark.parametrize("clip", CLIPS)
def test_report_json_unchanged(clip: str, tmp_path: Path) -> None:
    exercise = json.loads((SAMPLES / f"{clip}.json").read_text())["exercise"]
    out = tmp_path / "out"
    assert main(["replay", str(SAMPLES / f"{clip}.mp4"), "-e", exercise, "--out", str(out),
                 "--no-video", "--no-history", "--no-progress"]) == 0
    got = _comparable(json.loads((out / "report.json").read_text()))
    golden = GOLDEN / f"{clip}.report.json"
    if os.environ.get("FORMCHECK_UPDATE_GOLDEN"):
        golden.write_text(got)
    assert got == golden.read_text()
