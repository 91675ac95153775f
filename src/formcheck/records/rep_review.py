"""One set in detail, for the physiotherapist's report: every repetition's metrics as a table
row, the worst repetition first, each with a still from the set's annotated video at its
furthest point (``bottom_s``), and every hold with its seconds.

"Worst" is read from the exercise's own rules as the set recorded them (``config``): first the
repetition whose faults weigh most (each fault's severity from the exercise file), then the one
whose signals went furthest past a rule's limit (as a share of the limit), then the earlier one.
A metric past its rule's limit is marked.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from formcheck.core.results import Rep
from formcheck.media.still import stills
from formcheck.sets.set_report import SetReport

# the metric a duration rule's phase is measured by (report.json's reps_detail metrics)
_PHASE_METRIC = {"descent": "descent_s", "return": "return_s", "rep": "duration_s"}


@dataclass(frozen=True)
class Cell:
    text: str
    over: bool  # past an exercise rule's limit


@dataclass(frozen=True)
class RepRow:
    index: int
    side: str
    at_s: float  # the repetition's furthest point, seconds into the set
    faults: tuple[tuple[str, str], ...]  # fault id, what the patient was told
    cells: tuple[Cell, ...]
    picture: str | None  # a data: URI of the still, or None


@dataclass(frozen=True)
class HoldRow:
    index: int
    side: str
    held_s: float
    target_s: float
    faults: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class SetReview:
    set_id: int
    columns: tuple[tuple[str, str], ...]  # metric key, what it means (the report's legend)
    reps: tuple[RepRow, ...]
    holds: tuple[HoldRow, ...]
    has_video: bool


def _limits(config: dict[str, Any]) -> list[tuple[str, str, float, int]]:
    """(metric key, kind, limit, severity) of each rule the set was checked with."""
    out = []
    for rule in config.get("rules") or ():
        if not isinstance(rule, dict) or not isinstance(rule.get("limit"), (int, float)):
            continue
        kind = rule.get("kind")
        key = rule.get("signal") if kind in ("max", "min") else _PHASE_METRIC.get(rule.get("phase") or "")
        if key:
            out.append((key, str(kind), float(rule["limit"]), int(rule.get("severity") or 1)))
    return out


def _past(value: float, kind: str, limit: float) -> float:
    """How far past the limit (a share of it; <= 0: within it)."""
    over = value - limit if kind.startswith("max") else limit - value
    return over / max(abs(limit), 1.0)


def worst_first(report: SetReport) -> list[Rep]:
    """The set's repetitions, the worst first (see the module's text)."""
    limits = _limits(report.config)
    severity: dict[str, int] = {}
    for rule in report.config.get("rules") or ():
        if isinstance(rule, dict) and rule.get("id"):
            severity[rule["id"]] = max(severity.get(rule["id"], 0), int(rule.get("severity") or 1))

    def key(rep: Rep) -> tuple[float, float, int]:
        weight = sum(severity.get(f, 1) for f in set(rep.faults))
        margins = [_past(rep.metrics[k], kind, lim) for k, kind, lim, _ in limits if k in rep.metrics]
        return (-weight, -max(margins, default=float("-inf")), rep.index)

    return sorted(report.reps_detail, key=key)


def _number(key: str, value: float) -> str:
    return f"{value:.2f}" if key.endswith("_s") else f"{value:.1f}"


def annotated_video(report: SetReport, out_dir: str | None) -> Path | None:
    """The set's annotated video when it is on this machine, else None."""
    outputs = report.end.outputs
    if not out_dir or outputs is None or not outputs.video:
        return None
    path = Path(out_dir) / outputs.video
    return path if path.is_file() else None


def review(set_id: int, report: SetReport, out_dir: str | None, fault_words: dict[str, str]) -> SetReview:
    """The set's repetitions (worst first, with stills when the video is here) and holds."""
    reps = worst_first(report)
    columns: list[str] = []
    for rep in reps:
        columns += [k for k in rep.metrics if k not in columns]
    limits = _limits(report.config)
    video = annotated_video(report, out_dir)
    pictures = stills(video, [r.bottom_s for r in reps]) if video is not None and reps else {}
    rows = []
    for rep in reps:
        cells = []
        for k in columns:
            v = rep.metrics.get(k)
            over = v is not None and any(_past(v, kind, lim) > 0 for key, kind, lim, _ in limits if key == k)
            cells.append(Cell("" if v is None else _number(k, v), over))
        jpeg = pictures.get(rep.bottom_s)
        rows.append(RepRow(rep.index, rep.side or "", rep.bottom_s,
                           tuple((f, fault_words.get(f) or "") for f in dict.fromkeys(rep.faults)), tuple(cells),
                           None if jpeg is None else "data:image/jpeg;base64," + base64.b64encode(jpeg).decode()))
    holds = tuple(HoldRow(i + 1, h.side or "", float(h.held_s or 0.0), float(h.target_s or 0.0),
                          tuple((f, fault_words.get(f) or "") for f in dict.fromkeys(h.faults)))
                  for i, h in enumerate(report.holds))
    legend = report.metrics_legend
    return SetReview(set_id, tuple((k, legend.get(k, "")) for k in columns), tuple(rows), holds, video is not None)
