"""The physiotherapist's HTML report (``formcheck report``): adherence, reps against target,
hold times, faults and pain stops, from the recorded sets.

The page is self-contained: plots are inline PNG (base64), styles are inline, no scripts, no
web fonts, so it opens in any browser without a network and can be e-mailed or printed.
"""

from __future__ import annotations

import base64
import html
import io
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from formcheck.core.lang import in_lang
from formcheck.core.results import Hold
from formcheck.records.history import local_time
from formcheck.records.rows import result_text, top_faults
from formcheck.sets.report_notes import lost_to_pauses, paused_long, wrong_view
from formcheck.sets.texts import fault_texts
from formcheck.spec.exercise import load_exercise
from formcheck.spec.files import SpecError


def exercise_name(s: dict[str, Any], lang: str = "en") -> str:
    """A history row's exercise name in ``lang`` (its id where the row has none)."""
    name = s.get("exercise_name") or {}
    return in_lang(lang, name.get("da"), name.get("en")) or s["exercise"]


_CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;margin:24px auto;
max-width:1080px;color:#222;line-height:1.4;padding:0 16px}
h1{font-size:1.6em;margin-bottom:0}h2{margin-top:1.8em;border-bottom:2px solid #ddd;padding-bottom:4px}
h3{margin-bottom:4px}.sub{color:#666;margin-top:2px}
table{border-collapse:collapse;margin:8px 0 12px;font-size:0.92em}
th,td{border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f3f3f3}td.n{text-align:right}
tr.pain td,td.paincell{background:#fde2e2}td.paincell{color:#c62828;font-weight:bold}
.cards{display:flex;gap:12px;flex-wrap:wrap;margin:16px 0}
.card{border:1px solid #ddd;border-radius:8px;padding:10px 16px;min-width:130px}
.card b{display:block;font-size:1.6em}.card.alert{border-color:#c62828;background:#fde2e2}
.alert-box{border:2px solid #c62828;background:#fff3f3;border-radius:8px;padding:8px 16px;margin:12px 0}
.alert-box h2{border:none;color:#c62828;margin-top:6px}
img{max-width:100%;height:auto}.muted{color:#777}
@media print{h2{page-break-after:avoid}img{page-break-inside:avoid}}
"""


def _png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=96)
    import matplotlib.pyplot as plt  # (matplotlib: see render_html)

    plt.close(fig)
    return f'<img alt="plot" src="data:image/png;base64,{base64.b64encode(buf.getvalue()).decode()}">'


def _pain_cell(pain: Any) -> str:
    return " paincell" if pain else ""


def _pain_cls(pain: Any) -> str:
    return ' class="pain"' if pain else ""


def _e(x: Any) -> str:
    return html.escape(str(x))


def render_html(sets: list[dict[str, Any]], *, since: str | None = None, source: str = "",
                patient: str | None = None) -> str:
    """The physiotherapist's report for these sets (oldest first; one ``patient``'s), as one
    self-contained page."""
    now = datetime.now().astimezone()
    head = (f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>formcheck training report</title><style>{_CSS}</style></head><body>")
    parts = [head, "<h1>Home exercise record" + (f" &middot; patient {_e(patient)}" if patient else "") + "</h1>"]
    if not sets:
        parts.append(f"<p class=\"sub\">No sets recorded{' since ' + _e(since) if since else ''} in "
                     f"<span class=\"muted\">{_e(source)}</span>. Generated {now:%Y-%m-%d %H:%M}.</p></body></html>")
        return "".join(parts)
    for s in sets:
        s["_t"] = local_time(s["time"])
    first, last = sets[0]["_t"].date(), sets[-1]["_t"].date()
    start = date.fromisoformat(since) if since else first
    n_days = (last - start).days + 1
    days_trained = len({s["_t"].date() for s in sets if _trained(s)})
    pains = [s for s in sets if s["pain_stop"]]
    parts.append(f"<p class=\"sub\">{start:%d %b %Y} to {last:%d %b %Y} &middot; generated {now:%Y-%m-%d %H:%M}"
                 f" &middot; <span class=\"muted\">{_e(source)}</span></p>")
    parts.append("<div class=\"cards\">"
                 f"<div class=\"card\"><b>{len(sets)}</b>sets</div>"
                 f"<div class=\"card\"><b>{days_trained}/{n_days}</b>days trained</div>"
                 f"<div class=\"card\"><b>{len({s['exercise'] for s in sets})}</b>exercises</div>"
                 f"<div class=\"card{' alert' if pains else ''}\"><b>{len(pains)}</b>stopped for pain</div></div>")
    if pains:
        parts.append("<div class=\"alert-box\"><h2>Stopped because of pain</h2><table><tr><th>date</th>"
                     "<th>exercise</th><th>done</th><th>note</th></tr>")
        for s in pains:
            parts.append(f"<tr class=\"pain\"><td>{s['_t']:%Y-%m-%d %H:%M}</td><td>{_e(exercise_name(s))}</td>"
                         f"<td>{_e(result_text(s))}</td><td>{_e(s['pain_note'] or '')}</td></tr>")
        parts.append("</table></div>")

    # matplotlib (0.6 s) in the drawing functions only: `formcheck history` loads this module too
    import matplotlib

    matplotlib.use("Agg")
    parts.append("<h2>Adherence</h2>")
    parts.append(_adherence_plot(sets, start, last))
    parts.append(_weeks_table(sets))
    parts.append("<h2>Exercises</h2>")
    parts.append(_exercise_summary(sets))
    by_ex: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for s in sets:
        by_ex[s["exercise"]].append(s)
    for ex, ss in by_ex.items():
        parts.append(f"<h3>{_e(exercise_name(ss[-1]))} <span class=\"muted\">({_e(exercise_name(ss[-1], 'da'))}, {_e(ex)})</span></h3>")
        parts.append(_progress_plot(ss))
    parts.append("<h2>Form faults</h2>" + _fault_section(sets))
    parts.append("<h2>All sets</h2>" + _sets_table(sets))
    parts.append("<p class=\"muted\">Rows in red: the patient stopped the set because of pain. Reps count "
                 "only full repetitions; partials are movements that started but did not reach the full "
                 "range or time. Faults are what the camera saw; check them against the video if in doubt.</p>")
    parts.append("</body></html>")
    return "".join(parts)


def _adherence_plot(sets: list[dict[str, Any]], start: date, last: date) -> str:
    import matplotlib.pyplot as plt  # (matplotlib: see render_html)

    days = [start + timedelta(days=i) for i in range((last - start).days + 1)]
    exercises = list(dict.fromkeys(s["exercise"] for s in sets))
    counts = {ex: Counter(s["_t"].date() for s in sets if s["exercise"] == ex) for ex in exercises}
    fig, ax = plt.subplots(figsize=(10.5, 2.8))
    bottom = [0] * len(days)
    cmap = plt.get_cmap("tab20")
    for i, ex in enumerate(exercises):
        h = [counts[ex].get(d, 0) for d in days]
        ax.bar(days, h, bottom=bottom, color=cmap(i % 20), label=ex, width=0.8)
        bottom = [b + x for b, x in zip(bottom, h)]
    for s in sets:
        if s["pain_stop"]:
            ax.plot([s["_t"].date()], [max(bottom) * 1.08 + 0.3], marker="X", color="#c62828", ms=9, ls="none")
    ax.set_ylabel("sets per day")
    ax.set_ylim(0, max(bottom) * 1.2 + 0.8)
    ax.legend(fontsize=7, ncol=min(len(exercises), 6), loc="upper left", frameon=False)
    ax.grid(axis="y", alpha=0.3)
    fig.autofmt_xdate()
    fig.tight_layout()
    return _png(fig)


def _trained(s: dict[str, Any]) -> bool:
    """The set shows training: repetitions, attempts (partials), time held, or a pain stop; a set
    quit at once is none."""
    return bool(s["reps"] or s["partials"] or s["hold_s"] or s["pain_stop"])


def _weeks_table(sets: list[dict[str, Any]]) -> str:
    weeks: dict[tuple[int, int], list[dict[str, Any]]] = defaultdict(list)
    for s in sets:
        weeks[s["_t"].isocalendar()[:2]].append(s)
    rows = ["<table><tr><th>week</th><th>days trained</th><th>sets</th><th>exercises</th><th>pain stops</th></tr>"]
    for (y, w), ss in sorted(weeks.items()):
        pain = sum(1 for s in ss if s["pain_stop"])
        rows.append(f"<tr><td>{y}-W{w:02d}</td>"
                    f"<td class=\"n\">{len({s['_t'].date() for s in ss if _trained(s)})}/7</td><td class=\"n\">{len(ss)}</td>"
                    f"<td class=\"n\">{len({s['exercise'] for s in ss})}</td><td class=\"n{_pain_cell(pain)}\">{pain}</td></tr>")
    return "".join(rows) + "</table>"


def _exercise_summary(sets: list[dict[str, Any]]) -> str:
    by_ex: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for s in sets:
        by_ex[s["exercise"]].append(s)
    rows = ["<table><tr><th>exercise</th><th>sets</th><th>last</th><th>latest result</th><th>average</th>"
            "<th>partials</th><th>most frequent faults</th><th>pain stops</th></tr>"]
    for ex, ss in by_ex.items():
        last = ss[-1]
        if last["kind"] == "hold":
            avg = f"{sum(s['hold_s'] for s in ss) / len(ss):.0f} s held per set"
        else:
            with_t = [s for s in ss if s.get("target")]
            pct = (sum(min(s["reps"] / s["target"], 1.0) for s in with_t) / len(with_t)) if with_t else None
            avg = f"{sum(s['reps'] for s in ss) / len(ss):.1f} reps" + (f" ({pct:.0%} of target)" if pct is not None else "")
        faults: Counter[str] = Counter()
        for s in ss:
            faults.update(s["fault_counts"])
        pain = sum(1 for s in ss if s["pain_stop"])
        rows.append(f"<tr><td>{_e(exercise_name(last))}</td><td class=\"n\">{len(ss)}</td>"
                    f"<td>{last['_t']:%Y-%m-%d}</td><td>{_e(result_text(last))}</td><td>{_e(avg)}</td>"
                    f"<td class=\"n\">{sum(s['partials'] for s in ss)}</td><td>{_e(top_faults(dict(faults)) or '-')}</td>"
                    f"<td class=\"n{_pain_cell(pain)}\">{pain}</td></tr>")
    return "".join(rows) + "</table>"


def _progress_plot(ss: list[dict[str, Any]]) -> str:
    """Reps against target (or seconds held against target) per set over time."""
    import matplotlib.dates as mdates  # (matplotlib: see render_html)
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(10.5, 2.6))
    t = [s["_t"] for s in ss]
    if ss[-1]["kind"] == "hold":
        # every hold against its target (a set may have several), with the per-set mean as a line
        sides = sorted({(h.side or "-") for s in ss for h in _holds(s)}) or ["-"]
        for side, marker in zip(sides, "os^"):
            label = "seconds per hold" if side == "-" else f"side {side}: seconds per hold"
            xs, ys, mt, my = [], [], [], []
            for s in ss:
                held = [float(h.held_s or 0.0) for h in _holds(s) if (h.side or "-") == side]
                xs += [s["_t"]] * len(held)
                ys += held
                if held:
                    mt.append(s["_t"])
                    my.append(sum(held) / len(held))
            line, = ax.plot(mt, my, lw=1, alpha=0.7)
            ax.plot(xs, ys, marker=marker, ls="none", color=line.get_color(), label=label)
        targets = [s["hold_target_s"] for s in ss]
        if any(x is not None for x in targets):
            ax.step(t, targets, where="post", color="0.4", ls="--", lw=1, label="target per hold")
        ax.set_ylabel("seconds")
    else:
        ax.plot(t, [s["reps"] for s in ss], marker="o", lw=1, label="repetitions")
        ax.plot(t, [s["partials"] for s in ss], marker=".", lw=0.8, color="tab:orange", label="partials")
        if any(s.get("target") for s in ss):
            ax.step(t, [s.get("target") for s in ss], where="post", color="0.4", ls="--", lw=1, label="target")
        ax.set_ylabel("per set")
        from matplotlib.ticker import MaxNLocator  # (as above)

        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    for i, s in enumerate(x for x in ss if x["pain_stop"]):
        ax.axvline(s["_t"], color="#c62828", lw=1.2, ls=":", label="stopped for pain" if i == 0 else None)
        ax.plot([s["_t"]], [1.0], marker="X", color="#c62828", ms=9, transform=ax.get_xaxis_transform(), clip_on=False)
    ax.set_ylim(bottom=-0.5, top=ax.get_ylim()[1] * 1.15)
    ax.legend(fontsize=7, loc="upper left", frameon=False, ncol=5)
    ax.grid(alpha=0.3)
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b"))
    if len(ss) == 1:
        ax.set_xlim(t[0] - timedelta(days=1), t[0] + timedelta(days=1))
    fig.autofmt_xdate()
    fig.tight_layout()
    return _png(fig)


def _holds(s: dict[str, Any]) -> tuple[Hold, ...]:
    report = s.get("report")
    return report.holds if report is not None else ()


def _fault_section(sets: list[dict[str, Any]]) -> str:
    """Faults per set for each exercise (how often each form problem shows up)."""
    import matplotlib.pyplot as plt  # (matplotlib: see render_html)

    rows: list[tuple[str, float, int, int]] = []  # label, per set, total, sets with it
    by_ex: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for s in sets:
        by_ex[s["exercise"]].append(s)
    for ex, ss in by_ex.items():
        total: Counter[str] = Counter()
        with_it: Counter[str] = Counter()
        for s in ss:
            total.update(s["fault_counts"])
            with_it.update(k for k, v in s["fault_counts"].items() if v)
        for f, n in total.items():
            rows.append((f"{ex}: {f}", n / len(ss), n, with_it[f]))
    if not rows:
        return "<p>No form faults were recorded.</p>"
    rows.sort(key=lambda r: r[1])
    fig, ax = plt.subplots(figsize=(10.5, 0.35 * len(rows) + 1.0))
    ax.barh([r[0] for r in rows], [r[1] for r in rows], color="tab:red", alpha=0.75)
    ax.set_xlabel("times per set (average)")
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    table = ["<table><tr><th>exercise: fault</th><th>what the patient was told</th><th>times</th>"
             "<th>sets with it</th><th>per set</th></tr>"]
    for label, per, n, k in sorted(rows, key=lambda r: -r[1]):
        ex, fault = label.split(": ", 1)
        told = _fault_words(ex, fault)
        table.append(f"<tr><td>{_e(label)}</td><td>{_e(told)}</td><td class=\"n\">{n}</td><td class=\"n\">{k}</td>"
                     f"<td class=\"n\">{per:.2f}</td></tr>")
    return _png(fig) + "".join(table) + "</table>"


def _fault_words(exercise: str, fault: str) -> str:
    """The cue a fault id gives, in English and Danish, from the exercise file ("" when the file
    or the fault is no longer there): the report's fault ids in the patient's words."""
    try:
        spec = load_exercise(exercise)
    except SpecError:
        return ""
    en, da = fault_texts(spec, "en").get(fault), fault_texts(spec, "da").get(fault)
    return f"{en} / {da}" if en and da else ""


def _sets_table(sets: list[dict[str, Any]]) -> str:
    rows = ["<table><tr><th>date</th><th>exercise</th><th>result</th><th>partials</th><th>faults</th>"
            "<th>pain</th><th>mode</th></tr>"]
    for s in reversed(sets):
        pain = ("stopped" + (f": {s['pain_note']}" if s["pain_note"] else "")) if s["pain_stop"] else ""
        mode = s["mode"] + (f" ({s['program']})" if s.get("program") else "")
        report = s.get("report")
        if report is not None and (note := wrong_view(report)):
            mode += f"; {note}"
        if report is not None and (paused := paused_long(report)) is not None:
            mode += f"; counting paused {paused:.0f} s of {report.duration_s:.0f} s: {lost_to_pauses(report)}"
        rows.append(f"<tr{_pain_cls(s['pain_stop'])}><td>{s['_t']:%Y-%m-%d %H:%M}</td>"
                    f"<td>{_e(exercise_name(s))}</td><td>{_e(result_text(s))}</td><td class=\"n\">{s['partials']}</td>"
                    f"<td>{_e(top_faults(s['fault_counts'], 5) or '-')}</td><td>{_e(pain)}</td><td>{_e(mode)}</td></tr>")
    return "".join(rows) + "</table>"
