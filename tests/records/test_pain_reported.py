"""records/pain_reported.py: pain reported between live sets, as the history keeps it."""

from __future__ import annotations

from formcheck.records import history as H
from formcheck.records.pain_locks import stopped_for_pain_today
from formcheck.records.pain_reported import (
    AFTER_SET,
    BEFORE_START,
    flag_set,
    pain_only_report,
)
from formcheck.records.progression import past_sets
from formcheck.sets.set_report import SetReport
from formcheck.spec.exercise import load_exercise


def _set(tmp_path, pain: bool = False) -> int:
    return H.record_report(SetReport.from_json({
        "exercise": "squat", "kind": "reps", "mode": "live", "reps": 5, "target": 5, "partials": [], "holds": [],
        "fault_counts": {}, "config": {}, "program": {"name": "p"},
        "pain_stop": {"t_s": 3.0, "note": "own note"} if pain else None}), data_dir=tmp_path)


def test_a_set_flagged_after_it_is_a_pain_stop_and_keeps_its_report(tmp_path):
    row_id = _set(tmp_path)
    assert flag_set(tmp_path, row_id)
    [row] = H.load_sets(tmp_path)
    assert row["pain_stop"] and row["pain_note"] == AFTER_SET and row["reps"] == 5
    assert row["report"].pain_stop is None  # the set as it was: not stopped
    assert stopped_for_pain_today([row]) == {"squat"}
    assert past_sets("p", [row])["squat"].pain  # so its target is not raised


def test_a_pain_stop_keeps_its_own_note_and_a_missing_row_is_said(tmp_path):
    row_id = _set(tmp_path, pain=True)
    assert flag_set(tmp_path, row_id)
    assert H.load_sets(tmp_path)[0]["pain_note"] == "own note"
    assert not flag_set(tmp_path, row_id + 1)


def test_a_pain_only_row_carries_the_target_and_program(tmp_path):
    report = pain_only_report(load_exercise("squat"), 7, BEFORE_START, source="camera:0", model="lite",
                              patient="p017", program={"name": "p", "index": 1})
    H.record_report(report, tmp_path)
    [row] = H.load_sets(tmp_path, patient="p017")
    assert (row["reps"], row["target"], row["program"], row["mode"]) == (0, 7, "p", "live")
    assert row["pain_stop"] and row["pain_note"] == BEFORE_START and row["out_dir"] is None
    last = past_sets("p", [row])["squat"]
    assert last.pain and last.target == 7
