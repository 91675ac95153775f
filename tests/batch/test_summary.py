"""The batch's summary files, and what a video's outcome says of its set."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from formcheck.batch.jobs import Job
from formcheck.batch.outcome import DONE, FAILED, NOT_RUN, Outcome, base, from_report
from formcheck.batch.summary import CSV_COLUMNS, write_summary
from formcheck.core.results import Hold
from formcheck.sets.set_report import SetReport


def job(name: str) -> Job:
    return Job(video=Path(f"/v/{name}.mp4"), exercise="squat", out_dir=Path(f"/out/{name}"), name=name, patient="Anna")


def test_a_reps_set_outcome_has_its_count_faults_and_notes():
    rep = SetReport(exercise="squat", reps=7, target=10, fault_counts={"too_fast": 2, "knees_caving": 1},
                    notes=("filmed from the front",))
    o = from_report(job("a"), DONE, rep, warning="the video is truncated")
    assert (o.reps, o.target, o.partials, o.holds) == (7, 10, 0, None)
    assert o.faults == "too_fast x2; knees_caving x1"
    assert o.notes == "filmed from the front | the video is truncated"
    assert (o.patient, o.status, o.out_dir) == ("Anna", DONE, "/out/a")


def test_a_hold_set_outcome_has_its_holds_and_no_count():
    rep = SetReport(exercise="calf_stretch", kind="hold", target=2,
                    holds=(Hold(side="L", start_s=1.0, end_s=31.2, held_s=30.2, target_s=30.0, faults=()),))
    o = from_report(job("b"), DONE, rep)
    assert o.reps is None and o.partials is None
    assert o.holds.endswith("(L 30/30 s)")


def test_the_summary_is_a_csv_for_a_spreadsheet_and_a_json_with_the_batchs_counts(tmp_path):
    outcomes = [from_report(job("a"), DONE, SetReport(exercise="squat", reps=3, target=10)),
                base(job("b"), FAILED, error='cannot read video "b", it is, broken'),
                base(job("c"), NOT_RUN)]
    csv_path, json_path = write_summary(tmp_path, outcomes, {"jobs": 2, "ray": None, "interrupted": False})
    rows = list(csv.DictReader(csv_path.open()))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert [(r["name"], r["status"], r["reps"]) for r in rows] == [("a", "done", "3"), ("b", "failed", ""),
                                                                    ("c", "not run", "")]
    assert rows[1]["error"] == 'cannot read video "b", it is, broken'
    doc = json.loads(json_path.read_text())
    assert doc["batch"]["videos"] == 3 and doc["batch"]["jobs"] == 2
    assert doc["batch"]["counts"] == {"done": 1, "earlier": 0, "failed": 1, "interrupted": 0, "not run": 1}
    assert [v["name"] for v in doc["videos"]] == ["a", "b", "c"]
    assert all("report" not in v or v["report"] is None for v in doc["videos"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["summary.csv", "summary.json"]  # no temporary files left


def test_an_outcome_survives_json_between_processes():
    o = from_report(job("a"), DONE, SetReport(exercise="squat", reps=3, target=10), pid=12, started=1.0, ended=2.0)
    assert Outcome.from_json(json.loads(json.dumps(o.to_json()))) == o
