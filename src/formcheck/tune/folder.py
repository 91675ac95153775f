"""``formcheck tune FOLDER``: thresholds suggested from many sets at once (several patients').

Every ``track.npz`` below the folder is one set (hidden folders, such as a replay's staging
folder, are skipped); its exercise and target come from the ``report.json`` beside it, unless
one exercise is given for all. Count thresholds are suggested per camera view from all the sets
filmed from it (the start position must be under ``rest`` in every set, each movement is one
peak); each form rule's limit from the good repetitions of every set it was checked in.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from formcheck.tune.analysis import Analysis, Observed, Suggestion, observe, suggest
from formcheck.tune.rules import (
    LimitSuggestion,
    RuleFinding,
    Unit,
    findings,
    suggest_limits,
)

TRACK = "track.npz"
REPORT = "report.json"


def find_tracks(root: Path) -> list[Path]:
    """The sets' tracks below ``root``, in name order, none inside a hidden folder."""
    found = []
    for p in sorted(root.rglob(TRACK)):
        rel = p.relative_to(root).parts
        if p.is_file() and not any(part.startswith(".") for part in rel[:-1]):
            found.append(p)
    return found


def beside(track: Path) -> tuple[str | None, int | None]:
    """The exercise id and target in the report beside a track (None, None without one)."""
    try:
        d = json.loads((track.parent / REPORT).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None, None
    if not isinstance(d, dict):
        return None, None
    ex, target = d.get("exercise"), d.get("target")
    return (ex if isinstance(ex, str) and ex else None,
            target if isinstance(target, int) and not isinstance(target, bool) and target > 0 else None)


@dataclass
class CountGroup:
    """The sets counted from one view (one counted signal and its thresholds)."""

    view: str
    sets: list[tuple[str, Analysis]]
    obs: Observed
    sugg: list[Suggestion]


@dataclass
class RuleSummary:
    """One rule over every set it was checked in."""

    index: int
    finding: RuleFinding  # the first set's (rule, and why it was not checked when never)
    per_set: list[tuple[str, RuleFinding]] = field(default_factory=list)
    units: list[tuple[str, Unit]] = field(default_factory=list)
    sugg: list[LimitSuggestion] = field(default_factory=list)


def merged_observation(obs: list[Observed]) -> Observed:
    """Many sets' start positions and movements as one: the highest start position (rest must
    clear it in every set), every movement's peak."""
    rests = [o.rest_level for o in obs if o.rest_level is not None]
    out = Observed(rest_level=max(rests) if rests else None,
                   rest_source=f"the highest of {len(rests)} sets' start positions" if rests else "")
    for o in obs:
        out.peaks += o.peaks
        out.neg_peaks += o.neg_peaks
        out.durations += o.durations
    return out


def count_groups(sets: list[tuple[str, Analysis]]) -> list[CountGroup]:
    by_view: dict[str, list[tuple[str, Analysis]]] = {}
    for name, a in sets:
        if a.count is not None:
            by_view.setdefault(a.report.view or "unknown", []).append((name, a))
    out = []
    for view, group in sorted(by_view.items()):
        obs = merged_observation([observe(a) for _, a in group])
        first = group[0][1]
        out.append(CountGroup(view, group, obs, suggest(first, obs, tuple(a for _, a in group[1:]))))
    return out


def rule_summaries(sets: list[tuple[str, Analysis]], good_all: bool, only: str | None) -> list[RuleSummary]:
    out: dict[int, RuleSummary] = {}
    for name, a in sets:
        reps = {r.index for r in a.report.reps_detail} | set(range(1, len(a.report.holds) + 1))
        for f in findings(a, reps if good_all else None, only):
            s = out.setdefault(f.index, RuleSummary(f.index, f))
            s.per_set.append((name, f))
            if not f.unchecked:
                s.units += [(name, u) for u in f.units]
    for s in out.values():
        if s.index >= 0:
            s.sugg = suggest_limits(s.finding.rule, s.units)
    return sorted(out.values(), key=lambda s: (s.index < 0, s.index))


def set_line(name: str, a: Analysis) -> str:
    rep = a.report
    done = f"{rep.reps} reps, {len(rep.partials)} partials" if a.count is not None else f"{len(rep.holds)} holds"
    faults = ", ".join(f"{k} {v}" for k, v in sorted(rep.fault_counts.items())) or "no faults"
    return f"  {name}: {a.spec.id}, view {rep.view or 'unknown'}, {done}, {faults}"
