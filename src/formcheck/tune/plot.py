"""``formcheck tune --out PNG``: the counted signal over time with thresholds, repetitions,
partials and faults."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from formcheck.core.atomic import atomic_open
from formcheck.tune.analysis import Analysis, Observed, Suggestion, signal_unit
from formcheck.tune.rule_plot import draw_rule
from formcheck.tune.rules import LimitSuggestion, RuleFinding


def draw(a: Analysis, obs: Observed, sugg: list[Suggestion], out: Path, title: str,
         found: list[RuleFinding] = (), rule_sugg: dict[int, list[LimitSuggestion]] | None = None,
         counted: bool = True) -> None:
    """The counted signal over time with thresholds, repetitions, partials and faults, and under
    it one panel per form rule checked (its signal against its limit), as a PNG. ``counted``
    False: the counted signal in a small panel, for the time line only (``tune --rule``)."""
    import matplotlib  # 0.6 s: only when a PNG is asked for

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = [f for f in found if not f.unchecked and f.index >= 0]
    heights = [5.0 if counted else 2.2] + [2.6] * len(panels)
    size = sum(heights) + 0.45 * len(panels) + 1.0  # with room for each panel's title and the legend
    fig, axes = plt.subplots(len(heights), 1, figsize=(12, size), dpi=100, sharex=True,
                             gridspec_kw={"height_ratios": heights}, squeeze=False)
    try:
        handles = _counted(axes[0][0], a, obs, sugg, title)
        for row, f in zip(axes[1:], panels):
            draw_rule(row[0], a, f, (rule_sugg or {}).get(f.index, []))
        bottom = axes[-1][0]
        bottom.set_xlabel("video time (s)")
        if panels:
            from matplotlib.lines import Line2D

            handles = handles + [Line2D([], [], color="tab:brown", lw=1.4, label="rule's signal (smoothed, as judged)"),
                                 Line2D([], [], color="tab:purple", ls="-", lw=0.9, label="its confirm (right axis)")]
        bottom.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.13 * 5.0 / heights[-1]),
                      ncol=min(len(handles), 6), fontsize=7.5, frameon=False, handlelength=1.8, columnspacing=1.2)
        # fixed margins in inches: matplotlib's tight_layout measured every label and took most of
        # the drawing time with a panel per rule (bench/tune_speed.py)
        fig.subplots_adjust(left=0.07, right=0.9, top=1 - 0.35 / size, bottom=1.0 / size, hspace=0.45 * len(heights) / size)
        with atomic_open(out, "wb") as fh:
            fig.savefig(fh, format="png")
    finally:
        plt.close(fig)


def _counted(ax, a: Analysis, obs: Observed, sugg: list[Suggestion], title: str) -> list:
    """The counted signal (or a hold's first position signal) with its thresholds; returns the
    legend's entries."""
    rep, c = a.report, a.count
    ax.plot(a.t_s, a.raw, color="0.75", lw=0.8, label="from the pose (raw)")
    ax.plot(a.t_s, a.value, color="tab:blue", lw=1.6, label="counted (smoothed)")
    lines = []
    if c is not None:
        lines = [("rest", c.rest, "tab:green"), ("enter", c.enter, "tab:orange"), ("full", c.full, "tab:red")]
        if c.mode != "single":
            lines += [("-rest", -c.rest, "tab:green"), ("-enter", -c.enter, "tab:orange"),
                      ("-full", -(c.full_negative or c.full), "tab:red")]
    else:
        for cond in a.spec.hold.position[:1]:
            lines += [(f"{cond.signal} min", cond.min, "tab:green"), (f"{cond.signal} max", cond.max, "tab:red")]
    right: list[tuple[float, str, str]] = []  # labels beside the plot: (y, text, colour)
    left: list[tuple[float, str, str]] = []
    for label, y, colour in lines:
        if y is not None:
            ax.axhline(y, color=colour, ls="--", lw=1.0)
            right.append((y, f"{label} {y:g}", colour))
    for s in sugg:
        if s.key in ("rest", "enter", "full") and s.value != s.current:
            colour = {"rest": "tab:green", "enter": "tab:orange", "full": "tab:red"}[s.key]
            ax.axhline(s.value, color=colour, ls=":", lw=1.0, alpha=0.8)
            left.append((s.value, f"suggested {s.key} {s.value:g}", colour))
    armed = [i for i, st in enumerate(a.status) if st not in ("no_person", "positioning")]
    if armed:
        ax.axvline(a.t_s[armed[0]], color="0.4", lw=0.8, ls="-.")
    # y range: the counted signal, the raw one without its wildest 1% (tracking glitches), and
    # every threshold line; room above for the fault marks
    parts = [a.value[np.isfinite(a.value)], np.array([y for _, y, _ in lines if y is not None], dtype=float),
             np.array([s.value for s in sugg if s.key in ("rest", "enter", "full")], dtype=float)]
    rawf = a.raw[np.isfinite(a.raw)]
    if len(rawf):
        parts.append(np.percentile(rawf, [1, 99]))
    allv = np.concatenate(parts) if any(len(p) for p in parts) else np.array([0.0, 1.0])
    ymin, ymax = float(allv.min()), float(allv.max())
    pad = 0.08 * ((ymax - ymin) or 1.0)
    top = ymax + pad
    for r in rep.reps_detail:
        ax.axvspan(r.start_s, r.end_s, color="tab:green", alpha=0.15, lw=0)
        ax.text((r.start_s + r.end_s) / 2, 0.97, str(r.index), transform=ax.get_xaxis_transform(),
                ha="center", va="top", fontsize=9, color="darkgreen", weight="bold")
    for p in rep.partials:
        ax.axvspan(p.start_s, p.end_s, color="tab:orange", alpha=0.22, lw=0)
        ax.text((p.start_s + p.end_s) / 2, 0.03, p.reason, transform=ax.get_xaxis_transform(),
                ha="center", va="bottom", fontsize=7, color="saddlebrown", rotation=90)
    for h in rep.holds:
        ax.axvspan(h.start_s, h.end_s, color="tab:blue", alpha=0.12, lw=0)
        ax.text((h.start_s + h.end_s) / 2, 0.97, f"{h.side or ''} {h.held_s:.0f}/{h.target_s:.0f} s",
                transform=ax.get_xaxis_transform(), ha="center", va="top", fontsize=9, color="navy")
    for p in rep.pauses:
        ax.axvspan(p.start_s, p.end_s, color="0.5", alpha=0.15, lw=0, hatch="//")
    for i, f in enumerate(rep.faults):
        ax.plot([f.t_s], [top], marker="v", color="crimson", ms=7, ls="none")
        ax.annotate(f.id, (f.t_s, top), xytext=(0, 6 + 9 * (i % 2)), textcoords="offset points",
                    ha="center", fontsize=7, color="crimson")
    for t, pk in obs.peaks:
        ax.plot([t], [pk], marker="o", mfc="none", mec="tab:purple", ms=6, ls="none")
    ax.set_ylim(ymin - pad, ymax + 3.5 * pad)
    sep = 0.045 * (ymax - ymin + 4.5 * pad)  # labels closer than this are pushed apart
    for labels, x, dx, ha in ((right, 1.0, 3, "left"), (left, 0.0, 3, "left")):
        last = -math.inf
        for y, text, colour in sorted(labels):
            ly = max(y, last + sep)
            last = ly
            ax.annotate(text, (x, ly), xycoords=("axes fraction", "data"), xytext=(dx, 0), textcoords="offset points",
                        va="center" if x == 1.0 else "bottom", ha=ha, fontsize=7.5, color=colour)
    sig = c.signal if c is not None else (a.spec.hold.position[0].signal if a.spec.hold.position else "")
    ax.set_ylabel(f"{sig} ({signal_unit(sig).strip() or 'value'})")
    what = (f"{rep.reps}/{rep.target} reps, {len(rep.partials)} partials" if c is not None
            else f"{len(rep.holds)} hold(s)")
    ax.set_title(f"{title}: {what}, {len(rep.faults)} faults", fontsize=10)
    from matplotlib.lines import Line2D  # (matplotlib only when drawing, as above)
    from matplotlib.patches import Patch

    handles = [
        Line2D([], [], color="0.75", lw=0.8, label="from the pose (raw)"),
        Line2D([], [], color="tab:blue", lw=1.6, label="counted (smoothed)"),
        Line2D([], [], color="0.3", ls="--", lw=1.0, label="thresholds"),
        Line2D([], [], color="0.3", ls=":", lw=1.0, label="suggested"),
        Line2D([], [], color="0.4", ls="-.", lw=0.8, label="counting armed"),
        Patch(color="tab:green", alpha=0.3, label="repetition"),
        Patch(color="tab:orange", alpha=0.35, label="partial"),
        Line2D([], [], marker="v", color="crimson", ls="none", label="fault"),
        Line2D([], [], marker="o", mfc="none", mec="tab:purple", ls="none", label="movement peak"),
    ]
    if rep.holds:
        handles.insert(5, Patch(color="tab:blue", alpha=0.25, label="hold"))
    ax.grid(alpha=0.25)
    return handles
