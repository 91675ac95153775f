"""report.json must not change when the report's code does: replay every bundled sample clip
(real pose model, no video) and compare its report with the golden copy under tests/sets/golden/.

The goldens were written by the code as it was before the report became a typed ``SetReport``;
regenerate them only on purpose (a deliberate change of the report) with
``FORMCHECK_UPDATE_GOLDEN=1 pytest tests/sets/test_report_golden.py``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from formcheck.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"
GOLDEN = Path(__file__).resolve().parent / "golden"
CLIPS = sorted(p.stem for p in SAMPLES.glob("*.mp4"))
# Fields that change with the release or the machine, not with the report's content.
VOLATILE = ("formcheck_version", "report_version", "video", "exercise_file")  # (exercise_file: where the repository is)


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


# ----- the type and its JSON (fast) ----------------------------------------------------------------

def _live_report():
    """A live set's report with every extra: from scripted squats, ended by a pain stop in a program."""
    from dataclasses import replace

    from factories import report_of, script, squat_keys

    from formcheck.sets.set_report import (
        Latency,
        LiveInfo,
        MediaInfo,
        Outputs,
        PainStop,
        SetEnd,
    )
    from formcheck.spec.exercise import load_exercise

    keys, _ = squat_keys(3)
    t = keys[-1][0]
    shallow = [(t + 1.0, {"knee": 50.0}), (t + 2.0, {"knee": 0.0}), (t + 3.0, {"knee": 0.0})]  # a partial
    report, _ = report_of(load_exercise("squat"), script(keys + shallow, 30, dropouts=[(2.0, 2.8)]))
    live = LiveInfo("camera", False, 400, 12, 412, 29.5, Latency(40.1, 80.2, 120.0), 1.4, 0)
    end = SetEnd(MediaInfo(False, 30.0, (640, 480)), Outputs("annotated.mp4", "track.npz"), "pain", live,
                 {"name": "weeks 1-4", "index": 2, "of": 3})
    return replace(report, mode="live", pain_stop=PainStop(9.5, "stopped for pain"), end=end)


def test_a_live_report_with_every_extra_survives_its_json() -> None:
    from formcheck.sets.set_report import SetReport

    r = _live_report()
    assert r.reps >= 2 and r.partials and r.faults and r.pauses  # something in every list
    d = json.loads(json.dumps(r.to_json()))  # as written and read back
    assert list(d)[-7:] == ["truncated", "fps", "size", "outputs", "ended_by", "live", "program"]
    assert SetReport.from_json(d) == r
    assert SetReport.from_json(d).to_json() == d
    assert json.dumps(SetReport.from_json(d).to_json()) == json.dumps(d)  # key order too


def test_an_old_report_without_the_newer_fields_still_reads() -> None:
    from formcheck.sets.set_report import SetReport

    old = {"exercise": "squat", "reps": 3, "target": 10, "partials": [{"start_s": 1, "end_s": 2, "reason": "too_shallow"}],
           "holds": [], "fault_counts": {"too_shallow": 1}, "pain_stop": "leg pain"}
    r = SetReport.from_json(old)
    assert (r.reps, len(r.partials), r.kind, r.mode, r.name.en, r.started_s) == (3, 1, "reps", "replay", "squat", None)
    assert r.pain_stop is not None and r.pain_stop.note == "leg pain" and r.end.ended_by is None
