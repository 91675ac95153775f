"""One form rule's panel in ``formcheck tune --out``: its signal over time against its limit
(and its confirm's), the repetitions with their worst reading, where it fired, and the limit
suggested from the good repetitions. Duration rules: each repetition's time against the limit."""

from __future__ import annotations

import numpy as np

from formcheck.engine.rules import FRAME_RULES
from formcheck.tune.rules import LimitSuggestion, RuleFinding, unit_of


def draw_rule(ax, a, f: RuleFinding, sugg: list[LimitSuggestion]) -> None:
    """Draw rule ``f`` of Analysis ``a`` on ``ax`` (matplotlib is loaded by the caller)."""
    rule, u = f.rule, unit_of(f.rule)
    for x in f.units:
        ax.axvspan(x.start_s, x.end_s, color="tab:green" if x.good else "tab:orange", alpha=0.10, lw=0)
    tops = []
    if rule.kind in FRAME_RULES and f.trace is not None:
        ax.plot(a.t_s, f.trace.raw, color="0.78", lw=0.8)
        ax.plot(a.t_s, f.trace.value, color="tab:brown", lw=1.4)
        tops = [v for v in (f.trace.value, f.trace.raw) if np.isfinite(v).any()]
    else:  # a duration rule: one point per repetition, its phase's seconds
        pts = [((x.start_s + x.end_s) / 2, x.worst, x.fired) for x in f.units if x.worst is not None]
        for t, v, fired in pts:
            ax.plot([t], [v], marker="o", ls="none", color="crimson" if fired else "tab:brown", ms=6)
        tops = [np.array([v for _, v, _ in pts])] if pts else []
    ax.axhline(rule.limit, color="tab:red", ls="--", lw=1.0)
    ax.annotate(f"limit {rule.limit:g}", (1.0, rule.limit), xycoords=("axes fraction", "data"), xytext=(-3, 2),
                textcoords="offset points", va="bottom", ha="right", fontsize=7.5, color="tab:red")  # (inside: a
    # confirm's axis takes the right edge)
    ys = [rule.limit]
    for s in sugg:
        if s.key == "limit" and s.value is not None and not s.keep:
            ax.axhline(s.value, color="tab:red", ls=":", lw=1.0, alpha=0.8)
            ax.annotate(f"suggested {s.value:g}", (0.0, s.value), xycoords=("axes fraction", "data"), xytext=(3, 2),
                        textcoords="offset points", va="bottom", fontsize=7.5, color="tab:red")
            ys.append(s.value)
    finite = np.concatenate([t[np.isfinite(t)] for t in tops] + [np.array(ys, dtype=float)])
    lo, hi = float(np.percentile(finite, 0.5)), float(np.percentile(finite, 99.5))
    lo, hi = min(lo, *ys), max(hi, *ys)
    pad = 0.12 * ((hi - lo) or 1.0)
    ax.set_ylim(lo - pad, hi + 2.2 * pad)
    for x in f.units:  # each repetition's worst reading in the rule's part, at the top of its span
        if x.worst is not None:
            ax.text((x.start_s + x.end_s) / 2, 0.97, f"{x.worst:.3g}{'!' if x.fired else ''}",
                    transform=ax.get_xaxis_transform(), ha="center", va="top", fontsize=7,
                    color="crimson" if x.fired else "0.25")
    for flt in f.faults:
        y = flt.value if flt.value is not None else rule.limit
        ax.plot([flt.t_s], [y], marker="v", color="crimson", ms=7, ls="none")
    if rule.confirm is not None and f.trace is not None and f.trace.confirm is not None \
            and np.isfinite(f.trace.confirm).any():
        tw = ax.twinx()
        tw.plot(a.t_s, f.trace.confirm, color="tab:purple", lw=0.9)
        tw.axhline(rule.confirm.limit, color="tab:purple", ls="--", lw=0.9)
        tw.annotate(f"confirm limit {rule.confirm.limit:g}", (0.0, rule.confirm.limit), xycoords=("axes fraction", "data"),
                    xytext=(3, -3), textcoords="offset points", va="top", fontsize=7.5, color="tab:purple")
        tw.set_ylabel(f"{rule.confirm.signal}{unit_of(rule, True)}", fontsize=8, color="tab:purple")
        tw.tick_params(labelsize=7, colors="tab:purple")
    what = rule.signal if rule.kind in FRAME_RULES else f"{rule.phase} (s)"
    ax.set_ylabel(f"{rule.id}\n{what}{u if rule.kind in FRAME_RULES else ''}", fontsize=8)
    ax.tick_params(labelsize=7)
    ax.grid(alpha=0.25)
    good = sum(1 for x in f.units if x.good)
    ax.set_title(f"{rule.id}: {len(f.faults)} fault(s); green: good repetitions ({good}), orange: the others",
                 fontsize=8, loc="left")
