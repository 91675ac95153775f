"""What the physiotherapist's page shows, worked out from the history rows (the template,
``templates/report.html.j2``, only lays it out): the figures, one chart per exercise by day,
each set in words with its status and links, and the recent sets in detail.

A set is read as the trainer read it: "done" is repetitions counted or, for holds, holds that
reached their time (``progression.done_in_report``), against the set's target (repetitions or
holds prescribed). A set is *empty* when nothing was counted or timed, *abandoned* when the
patient ended it (quit, skip, next) short of its target, *pain* when stopped for pain.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from formcheck.records.day_chart import DayChart, day_chart, days_between
from formcheck.records.history import local_time
from formcheck.records.progression import done_in_report
from formcheck.records.rep_review import SetReview, annotated_video, review
from formcheck.records.report_texts import Words
from formcheck.records.rows import top_faults
from formcheck.sets.report_notes import paused_long
from formcheck.sets.texts import fault_texts
from formcheck.spec.exercise import load_exercise
from formcheck.spec.files import SpecError
from formcheck.spec.program import load_program

ENDED_BY_PATIENT = ("quit", "skip", "next")


@dataclass(frozen=True)
class SetRow:
    id: int
    when: str
    exercise: str
    result: str
    status: str  # "" | pain | empty | never | abandoned
    partials: int
    faults: str
    pain_note: str
    mode: str
    notes: tuple[str, ...]
    links: tuple[tuple[str, str], ...]  # (text, href)


@dataclass(frozen=True)
class ExerciseView:
    id: str
    name: str
    other_name: str
    chart: DayChart
    caption: str
    sets: int
    last: str
    latest: str
    average: str
    partials: int
    top_faults: str
    pain: int


@dataclass(frozen=True)
class FaultRow:
    exercise: str
    fault: str
    told: str
    times: int
    sets_with: int
    per_set: float
    share: float  # of the largest per_set: the row's bar


def exercise_name(s: dict[str, Any], lang: str = "en") -> str:
    """A history row's exercise name in ``lang`` (its id where the row has none)."""
    name = s.get("exercise_name") or {}
    return (name.get("da") if lang == "da" else name.get("en")) or s["exercise"]


def done(s: dict[str, Any]) -> int:
    report = s.get("report")
    if report is not None:
        return done_in_report(report)
    return int(s.get("holds_reached") or 0) if s["kind"] == "hold" else int(s["reps"])


def trained(s: dict[str, Any]) -> bool:
    """The set shows training: repetitions, attempts (partials), time held, or a pain stop."""
    return bool(s["reps"] or s["partials"] or s["hold_s"] or s["pain_stop"])


def status(s: dict[str, Any]) -> str:
    report = s.get("report")
    if s["pain_stop"]:
        return "pain"
    if not trained(s):
        never = report is not None and report.started_s is None and report.frames_with_pose
        return "never" if never else "empty"
    ended = report.end.ended_by if report is not None else None
    if ended in ENDED_BY_PATIENT and s.get("target") and done(s) < s["target"]:
        return "abandoned"
    return ""


def result(s: dict[str, Any], w: Words) -> str:
    """"8 of 10 reps"; holds as holds reached of those prescribed, with their seconds:
    "1 of 5 holds of 10 s (held 10, 4 s)"."""
    if s["kind"] != "hold":
        return w("reps_of", n=s["reps"], t=s["target"]) if s.get("target") else w("reps_n", n=s["reps"])
    secs = f"{s['hold_target_s']:g}" if s.get("hold_target_s") else "?"
    text = w("holds_of", n=done(s), t=s["target"], s=secs) if s.get("target") else w("holds_n", n=done(s), s=secs)
    report = s.get("report")
    if report is not None and report.holds:
        held = ", ".join(f"{h.side} {h.held_s:.0f}" if h.side else f"{h.held_s:.0f}" for h in report.holds) + " s"
    elif s.get("holds_by_side"):
        held = ", ".join(f"{k} {v:.0f}" if k != "-" else f"{v:.0f}" for k, v in sorted(s["holds_by_side"].items())) + " s"
    else:
        return f"{text} ({w('no_hold')})"
    return f"{text} ({w('held', list=held)})"


def _notes(s: dict[str, Any], w: Words) -> tuple[str, ...]:
    report = s.get("report")
    if report is None:
        return ()
    notes = []
    if report.view and report.views_asked and report.view not in report.views_asked:
        asked = w("or").join(v if w.lang == "en" else w.view(v) for v in report.views_asked)  # en: "the side or oblique"
        notes.append(w("wrong_view", view=w.view(report.view), asked=asked))
    if (paused := paused_long(report)) is not None:
        lost = w("lost_hold") if report.kind == "hold" else w("lost_reps")
        notes.append(w("paused", p=paused, d=report.duration_s, lost=lost))
    return tuple(notes)


def _links(s: dict[str, Any], w: Words, detailed: bool) -> tuple[tuple[str, str], ...]:
    """The set's annotated video and report.json when they are on this machine (and its detail)."""
    links = []
    report, out_dir = s.get("report"), s.get("out_dir")
    if out_dir and not s.get("out_gone"):
        video = annotated_video(report, out_dir) if report is not None else None
        if video is not None:
            links.append((w("video"), video.absolute().as_uri()))
        if (Path(out_dir) / "report.json").is_file():
            links.append((w("report"), (Path(out_dir) / "report.json").absolute().as_uri()))
    if detailed:
        links.append((w("details"), f"#set-{s['id']}"))
    return tuple(links)


def set_row(s: dict[str, Any], w: Words, detailed: bool) -> SetRow:
    mode = w(s["mode"]) if s["mode"] in ("live", "replay") else s["mode"]
    mode += f" ({s['program']})" if s.get("program") else ""
    mode += f"; {w('outputs_gone')}" if s.get("out_gone") else ""
    return SetRow(s["id"], f"{s['_t']:%Y-%m-%d %H:%M}", exercise_name(s, w.lang), result(s, w), status(s),
                  s["partials"], top_faults(s["fault_counts"], 5) or "-", s["pain_note"] or "", mode, _notes(s, w),
                  _links(s, w, detailed))


def _fault_words(exercise: str, lang: str) -> dict[str, str]:
    try:
        return fault_texts(load_exercise(exercise), lang)
    except SpecError:
        return {}


def prescribed(sets: list[dict[str, Any]], w: Words) -> tuple[int, str]:
    """How many exercises a day's training is measured against, and in words where that comes
    from: the program the sets were done in (when there is one), else the exercises seen."""
    seen = len({s["exercise"] for s in sets})
    programs = {s.get("program") for s in sets} - {None}  # (a replay or a set alone: part of the day too)
    if len(programs) == 1 and (name := programs.pop()):
        try:
            return len(load_program(name).exercises), w("what_program", name=name)
        except SpecError:
            pass
    return seen, w("what_seen")


def adherence_chart(sets: list[dict[str, Any]], days: list[date], w: Words) -> tuple[DayChart, str]:
    by_day: dict[date, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    for s in sets:
        by_day[s["_t"].date()][s["exercise"]].append(s)
    n, what = prescribed(sets, w)
    values, titles, figures, pain = {}, {}, {}, {}
    for d, by_ex in by_day.items():
        reached = sum(1 for ss in by_ex.values() if any(x.get("target") and done(x) >= x["target"] for x in ss))
        worked = sum(1 for ss in by_ex.values() if any(trained(x) for x in ss))
        values[d] = (reached, max(0, worked - reached))
        titles[d] = f"{w.day(d, weekday=True)}: {worked} {w('exercises')}, {sum(map(len, by_ex.values()))} {w('sets')}"
        figures[d] = str(worked)
        stops = [exercise_name(x, w.lang) for ss in by_ex.values() for x in ss if x["pain_stop"]]
        if stops:
            pain[d] = f"{w('pain_stops')}: {', '.join(stops)}"
    chart = day_chart(days, values, dict.fromkeys(days, float(n)), titles, figures, pain,
                      lambda d, wd: w.day(d, weekday=wd))
    return chart, w("adherence_sub", n=n, what=what)


def exercise_chart(ss: list[dict[str, Any]], days: list[date], w: Words) -> tuple[DayChart, str]:
    """One exercise by day: the day's best set (most done) against its target."""
    by_day: dict[date, list[dict[str, Any]]] = defaultdict(list)
    for s in ss:
        by_day[s["_t"].date()].append(s)
    hold = ss[-1]["kind"] == "hold"
    values, targets, titles, figures, pain = {}, {}, {}, {}, {}
    for d, day_sets in by_day.items():
        best = max(day_sets, key=lambda x: (done(x), x["reps"], x["holds"]))
        if hold:
            values[d] = (done(best), max(0, best["holds"] - done(best)))
        else:
            values[d] = (best["reps"], 0)
        targets[d] = day_sets[-1].get("target")
        figures[d] = f"{done(best)}/{best['target']}" if hold and best.get("target") else str(done(best))
        n = f" ({len(day_sets)} {w('sets')})" if len(day_sets) > 1 else ""
        titles[d] = f"{w.day(d, weekday=True)}: {result(best, w)}{n}"
        if any(x["pain_stop"] for x in day_sets):
            pain[d] = w("pain_stops") + "".join(f": {x['pain_note']}" for x in day_sets if x["pain_note"])
    chart = day_chart(days, values, targets, titles, figures, pain, lambda d, wd: w.day(d, weekday=wd))
    secs = f"{ss[-1]['hold_target_s']:g}" if ss[-1].get("hold_target_s") else "?"
    return chart, w("chart_holds", s=secs) if hold else w("chart_reps")


def exercise_views(sets: list[dict[str, Any]], days: list[date], w: Words) -> list[ExerciseView]:
    by_ex: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for s in sets:
        by_ex[s["exercise"]].append(s)
    views = []
    for ex, ss in by_ex.items():
        last = ss[-1]
        if last["kind"] == "hold":
            average = w("holds_avg", n=sum(map(done, ss)) / len(ss))
        else:
            with_t = [s for s in ss if s.get("target")]
            n = sum(s["reps"] for s in ss) / len(ss)
            average = (w("reps_avg", n=n, pct=sum(min(s["reps"] / s["target"], 1.0) for s in with_t) / len(with_t))
                       if with_t else w("reps_avg_nt", n=n))
        faults: Counter[str] = Counter()
        for s in ss:
            faults.update(s["fault_counts"])
        chart, caption = exercise_chart(ss, days, w)
        views.append(ExerciseView(ex, exercise_name(last, w.lang), exercise_name(last, "en" if w.lang == "da" else "da"),
                                  chart, caption, len(ss), f"{last['_t']:%Y-%m-%d}", result(last, w), average,
                                  sum(s["partials"] for s in ss), top_faults(dict(faults)) or "-",
                                  sum(1 for s in ss if s["pain_stop"])))
    return views


def fault_rows(sets: list[dict[str, Any]], w: Words) -> list[FaultRow]:
    by_ex: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for s in sets:
        by_ex[s["exercise"]].append(s)
    rows = []
    for ex, ss in by_ex.items():
        total: Counter[str] = Counter()
        with_it: Counter[str] = Counter()
        for s in ss:
            total.update(s["fault_counts"])
            with_it.update(k for k, v in s["fault_counts"].items() if v)
        words = _fault_words(ex, w.lang) if total else {}
        rows += [(exercise_name(ss[-1], w.lang), f, words.get(f, ""), n, with_it[f], n / len(ss))
                 for f, n in total.items()]
    top = max((r[5] for r in rows), default=1.0) or 1.0
    return [FaultRow(*r, share=r[5] / top) for r in sorted(rows, key=lambda r: -r[5])]


def weeks(sets: list[dict[str, Any]], w: Words) -> list[tuple[str, str, int, int, int]]:
    """Per ISO week: (week, days trained of 7, sets, exercises, pain stops)."""
    by_week: dict[tuple[int, int], list[dict[str, Any]]] = defaultdict(list)
    for s in sets:
        by_week[s["_t"].isocalendar()[:2]].append(s)
    return [(w("week_of", w=wk, y=y), f"{len({s['_t'].date() for s in ss if trained(s)})}/7", len(ss),
             len({s["exercise"] for s in ss}), sum(1 for s in ss if s["pain_stop"]))
            for (y, wk), ss in sorted(by_week.items())]


def page(sets: list[dict[str, Any]], *, lang: str, since: str | None, detail_days: int) -> dict[str, Any]:
    """The template's figures for these history rows (oldest first, not empty)."""
    w = Words(lang)
    for s in sets:
        s["_t"] = local_time(s["time"])
    first, last = sets[0]["_t"].date(), sets[-1]["_t"].date()
    start = min(date.fromisoformat(since), first) if since else first
    days = days_between(start, last)
    recent = sorted({s["_t"].date() for s in sets}, reverse=True)[:max(0, detail_days)]
    detailed = [s for s in sets if s["_t"].date() in recent and s.get("report") is not None
                and (s["report"].reps_detail or s["report"].holds)]
    reviews: list[tuple[SetRow, SetReview]] = []
    for s in reversed(detailed):
        words = _fault_words(s["exercise"], w.lang)
        reviews.append((set_row(s, w, False), review(s["id"], s["report"], s.get("out_dir"), words)))
    detailed_ids = {s["id"] for s in detailed}
    adherence, adherence_sub = adherence_chart(sets, days, w)
    pains = [s for s in sets if s["pain_stop"]]
    return {
        "period": w("period", first=w.day(start, year=True), last=w.day(last, year=True)),
        "n_sets": len(sets), "days_trained": len({s["_t"].date() for s in sets if trained(s)}), "n_days": len(days),
        "n_exercises": len({s["exercise"] for s in sets}), "n_pain": len(pains),
        "pain_rows": [set_row(s, w, s["id"] in detailed_ids) for s in pains],
        "adherence": adherence, "adherence_sub": adherence_sub, "weeks": weeks(sets, w),
        "exercises": exercise_views(sets, days, w), "faults": fault_rows(sets, w),
        "set_rows": [set_row(s, w, s["id"] in detailed_ids) for s in reversed(sets)],
        "reviews": reviews, "detail_days": ", ".join(w.day(d, weekday=True) for d in sorted(recent)),
    }
