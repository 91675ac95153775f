"""``formcheck tune``'s printed summary: the counted signal's range against its thresholds,
every repetition, partial and fault, and the suggested thresholds with their reasoning."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from formcheck.sets.set_report import SetReport

from formcheck.signals import SIGNALS
from formcheck.tune.analysis import (
    MOVE_AT,
    Analysis,
    Observed,
    Suggestion,
    signal_unit,
    split_changes,
)


def _stats(x: np.ndarray) -> str:
    x = x[np.isfinite(x)]
    if not len(x):
        return "never seen"
    p = np.percentile(x, [0, 5, 50, 95, 100])
    return "min {:.3g}  p5 {:.3g}  median {:.3g}  p95 {:.3g}  max {:.3g}".format(*p)


def format_text(a: Analysis, obs: Observed, sugg: list[Suggestion], name: str,
                retried: SetReport | None = None) -> str:
    rep, spec, c = a.report, a.spec, a.count
    dur = float(a.t_s[-1] - a.t_s[0]) if len(a.t_s) > 1 else 0.0
    seen = sum(1 for r in a.raw if np.isfinite(r))
    lines = [f"{spec.id} ({spec.name.en}) on {name}: {len(a.t_s)} frames, {dur:.1f} s, "
             f"key joints seen in {seen}, view {rep.view or 'unknown'}"]
    armed = [i for i, st in enumerate(a.status) if st not in ("no_person", "positioning")]
    if armed:
        # (times as in the report: video time, or a live set's own clock)
        lines.append(f"counting armed at {a.t_s[armed[0]]:.2f} s (the first moment in the exercise's start posture)"
                     if c is not None else f"hold timing armed at {a.t_s[armed[0]]:.2f} s")
    else:
        lines.append("counting never armed: the person was never seen in the exercise's start posture"
                     + (f" with {c.signal} at or below rest ({c.rest:g})" if c is not None and not c.relative else "")
                     + f" (two-way counts and holds also wait {spec.settle_s:g} s still: settle_s in the exercise file)")
    if c is not None:
        u = signal_unit(c.signal)
        lines.append(f"counted signal: {c.signal}{' (' + u.strip() + ')' if u.strip() else ''}"
                     + (f", relative to the start position ({a.baseline:.3g}{' px' if SIGNALS[c.signal].start_scaled else ''})"
                        if c.relative and a.baseline is not None else "")
                     + (", direction -1 (falls during the movement)" if c.direction == -1 else "") + f", mode {c.mode}")
        lines.append(f"  thresholds: rest {c.rest:g}  enter {c.enter:g}  full {c.full:g}"
                     + (f"  full_negative {c.full_negative:g}" if c.full_negative else "")
                     + f"  (repetition {c.min_rep_s:g}-{c.max_rep_s:g} s, dwell {c.min_dwell_s:g} s)")
        lines.append(f"  while counting: {_stats(a.value)}")
        lines.append(f"  from the pose:  {_stats(a.raw)}")
        lines.append(f"reps {rep.reps} / {rep.target}, partials {len(rep.partials)}")
        for r in rep.reps_detail:
            m = r.metrics
            lines.append(f"  rep {r.index:>2}  {r.start_s:6.2f}-{r.end_s:6.2f} s  peak {m.get('peak', float('nan')):.3g}"
                         f" at {r.bottom_s:.2f} s  down {m.get('descent_s', 0):.2f} s  up {m.get('return_s', 0):.2f} s"
                         + (f"  side {r.side}" if c.mode == "alternate" else "")
                         + (f"  faults: {', '.join(r.faults)}" if r.faults else ""))
        for p in rep.partials:
            lines.append(f"  partial {p.start_s:6.2f}-{p.end_s:6.2f} s  peak {p.metrics.get('peak', float('nan')):.3g}"
                         f"  reason {p.reason}")
    else:
        hold = spec.hold
        lines.append(f"hold: target {hold.target_s:g} s" + (f" per side ({', '.join(hold.sides)})" if hold.sides else ""))
        for cond, vals in a.positions:
            rng = " ".join(x for x in (f">= {cond.min:g}" if cond.min is not None else "",
                                       f"<= {cond.max:g}" if cond.max is not None else "") if x)
            lines.append(f"  position {cond.signal} {rng}" + (" (relative to the start)" if cond.relative else ""))
            if cond.relative:
                lines.append(f"    seen (absolute, the start is not known here): {_stats(vals)}")
                continue
            fin = vals[np.isfinite(vals)]
            inside = np.ones(len(fin), dtype=bool)
            if cond.min is not None:
                inside &= fin >= cond.min
            if cond.max is not None:
                inside &= fin <= cond.max
            share = f"; inside the range in {inside.mean():.0%} of the frames where it was seen" if len(fin) else ""
            lines.append(f"    seen: {_stats(vals)}{share}")
        for h in rep.holds:
            lines.append(f"  hold {h.side or '-'}  {h.start_s:6.2f}-{h.end_s:6.2f} s  held {h.held_s:.1f}"
                         f" / {h.target_s:g} s" + (f"  faults: {', '.join(h.faults)}" if h.faults else ""))
        if not rep.holds:
            lines.append("  no hold was timed")
    if rep.faults:
        lines.append("faults:")
        for f in rep.faults:
            lines.append(f"  {f.t_s:6.2f} s  {f.id}" + (f" (rep {f.rep})" if f.rep else "") + f"  {f.message}")
    else:
        lines.append("faults: none")
    if rep.pauses:
        by_reason: dict[str, list[str]] = {}
        for p in rep.pauses:
            by_reason.setdefault(p.reason, []).append(f"{p.start_s:.1f}-{p.end_s:.1f}")
        lines.extend(f"counting paused ({reason}): {', '.join(spans)} s" for reason, spans in by_reason.items())
    if c is not None:
        lines.extend(_suggestion_lines(a, obs, sugg, retried))
    return "\n".join(lines)


def _suggestion_lines(a: Analysis, obs: Observed, sugg: list[Suggestion], retried: SetReport | None) -> list[str]:
    c = a.count
    u = signal_unit(c.signal)
    out = []
    if obs.peaks:
        pk = ", ".join(f"{p:.3g}" for _, p in obs.peaks)
        reach = sum(1 for _, p in obs.peaks if p >= c.full)
        out.append(f"observed: {len(obs.peaks)} movement(s) peaking at {pk}{u}; {reach} reach full ({c.full:g})")
        if min(p for _, p in obs.peaks) <= c.enter:
            out.append(f"  note: some movements never pass enter ({c.enter:g}): they start no repetition at all")
        if obs.durations:
            out.append(f"  time away from the start position ({MOVE_AT:.0%} of the range): "
                       f"{min(obs.durations):.2f}-{max(obs.durations):.2f} s")
    if obs.rest_level is not None and obs.rest_level > c.rest:
        out.append(f"  note: the start position ({obs.rest_level:.3g}{u}) is above rest ({c.rest:g}): counting may never arm "
                   "or a repetition may never end")
    if not sugg:
        out.append("suggested thresholds: none (no clear movement and start position in this recording)")
        return out
    out.append("suggested thresholds (from this recording only; check them on others before adopting):")
    for s in sugg:
        cur = "-" if s.current is None else f"{s.current:g}"
        out.append(f"  {s.key:<13} {cur:>6} -> {s.value:<6g} {s.reason}")
    if retried is not None:
        out.append(f"  with these: {retried.reps} reps, {len(retried.partials)} partials "
                   f"(now {a.report.reps} reps, {len(a.report.partials)} partials)")
    changed = [s for s in sugg if s.current is None or abs(s.value - s.current) > 1e-9]
    if changed:
        base, view, per_view = split_changes(a, {s.key: s.value for s in changed})
        for table, vals in (("count", base), (f"count_views.{view}", per_view)):
            if vals:
                prof = ", ".join(f"{k} = {v:g}" for k, v in vals.items())
                out.append(f"  as a profile: [exercises.{a.spec.id}] {table} = {{ {prof} }}")
    else:
        out.append("  the current thresholds fit this recording")
    return out
