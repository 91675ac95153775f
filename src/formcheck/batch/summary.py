"""The batch's summary: one row per video in ``summary.csv`` (for a spreadsheet) and the same
with the batch's totals in ``summary.json``, each written whole (atomically): a reader never sees
half of one. Written at the end of a batch, also one stopped by Ctrl-C (then the videos not
replayed say so), so that the folder always says what it holds."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import fields
from pathlib import Path
from typing import Any

from formcheck.batch.outcome import DONE, EARLIER, FAILED, INTERRUPTED, NOT_RUN, Outcome
from formcheck.core.atomic import atomic_write_text

SUMMARY_CSV = "summary.csv"
SUMMARY_JSON = "summary.json"
# the CSV's columns: the outcome's, but the report itself and the process details
CSV_COLUMNS = tuple(f.name for f in fields(Outcome) if f.name not in ("report", "pid", "started", "ended"))


def counts(outcomes: list[Outcome]) -> dict[str, int]:
    return {s: sum(o.status == s for o in outcomes) for s in (DONE, EARLIER, FAILED, INTERRUPTED, NOT_RUN)}


def _csv_text(outcomes: list[Outcome]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=CSV_COLUMNS, extrasaction="ignore", lineterminator="\n")
    w.writeheader()
    for o in outcomes:
        w.writerow({k: ("" if v is None else v) for k, v in o.to_json().items()})
    return buf.getvalue()


def write_summary(folder: Path, outcomes: list[Outcome], batch: dict[str, Any]) -> tuple[Path, Path]:
    """Write summary.csv and summary.json into ``folder``; ``batch`` (how it ran: jobs, Ray,
    seconds, interrupted) goes in the JSON's ``batch`` with the number of videos and how many
    of them ended in each status (``counts``). Returns the two paths."""
    rows = [o.without_report().to_json() for o in outcomes]
    doc = {"batch": {**batch, "videos": len(outcomes), "counts": counts(outcomes)}, "videos": rows}
    csv_path, json_path = folder / SUMMARY_CSV, folder / SUMMARY_JSON
    atomic_write_text(csv_path, _csv_text(outcomes))
    atomic_write_text(json_path, json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    return csv_path, json_path
