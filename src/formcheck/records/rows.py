"""One recorded set in a few words, for the history table and the HTML report."""

from __future__ import annotations

from typing import Any

from formcheck.records.progression import holds_in_report


def result_text(s: dict[str, Any]) -> str:
    """'8/10 reps' or '20/20 s L, 18/20 s R'."""
    if s["kind"] == "hold":
        target = s.get("hold_target_s")
        t = f"/{target:g}" if target else ""
        sides = s.get("holds_by_side") or {}
        if not sides:
            return f"no hold{t} s" if t else "no hold"
        report = s.get("report")
        short = holds_in_report(report)[1] if report is not None else []  # sides short of their share, as the trainer counted
        missing = "".join(f", {k} not done" for k in short if k not in sides)  # a side left out altogether
        if s.get("holds", len(sides)) == len(sides):  # one hold per side: show each against its target
            return ", ".join(f"{v:.0f}{t} s" + ("" if k == "-" else f" {k}") for k, v in sorted(sides.items())) + missing
        each = f" of {target:g} s" if target else ""
        return f"{s['holds']} holds, {s.get('holds_reached', 0)} reached{each}, {s['hold_s']:.0f} s in all" + missing
    return f"{s['reps']}/{s['target']} reps" if s.get("target") else f"{s['reps']} reps"


def top_faults(counts: dict[str, int], n: int = 3) -> str:
    items = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:n]
    return ", ".join(f"{k} x{v}" for k, v in items)
