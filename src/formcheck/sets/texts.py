"""What the trainer's screens say (Danish and English), and the end-of-set summary's figures from a
report: shown by ``formcheck live`` after each set and at the end of replay's annotated video."""

from __future__ import annotations

from collections import Counter

from formcheck.core.results import OverlaySetup, SessionSummary
from formcheck.engine.analyzer import GUIDE
from formcheck.engine.cues import SHALLOW_SEVERITY, rule_cue
from formcheck.engine.holds import hold_progress
from formcheck.overlay.screens import summary_done, summary_heading
from formcheck.overlay.style import STRINGS
from formcheck.sets.report_notes import (
    count_doubt,
    never_started,
    paused_long,
    too_short,
    wrong_view,
)
from formcheck.sets.set_report import SetReport
from formcheck.spec.exercise import ExerciseSpec

TEXTS = {
    "da": {
        "paused": "Pause", "resume": "Tryk mellemrum for at fortsætte",
        "target_reps": "Mål: {n} gentagelser", "target_holds": "Mål: {n} hold på {s:.0f} sekunder",
        "target_rep": "Mål: 1 gentagelse", "target_hold": "Mål: 1 hold på {s:.0f} sekunder",
        "keys_start": "mellemrum: start · s: spring over · p: smerter · q: afslut · f: fuld skærm", "rest": "Hvil",
        "next": "næste øvelse: {name}", "keys_after_pain": "n: næste øvelse · q: afslut",
        "keys_set": "p: smerter · mellemrum: pause · q: stop", "keys_close": "q: luk",
        "keys_paused": "mellemrum: fortsæt · p: smerter · q: stop",
        "keys_on": "mellemrum: videre · p: smerter · q: afslut",
        "keys_after_set": "mellemrum eller q: luk · p: smerter",
        "starts_in": "Starter af sig selv om {s:.0f} s",
        "loading": "Et øjeblik", "loading_line": "Kameraet og kropsgenkendelsen starter ...",
        "never_started": "Tællingen startede ikke: du blev ikke set i startstillingen.",
        "idle_end": "Sættet sluttede af sig selv efter en pause på {s:.0f} sekunder.",
        "program_summary": "Dagens program er slut", "skipped": "sprunget over", "not_done": "ikke lavet",
        "pain_row": "stoppet: smerter", "pain_reported_row": "smerter meldt", "reps_row": "{n} af {t} gentagelser", "holds_row": "{n} af {t} hold",
        "pain_after": "Du har meldt om smerter.",
        "camera_lost": "Kameraet svarer ikke", "failed": "Der opstod en fejl",
        "saved": "Det, du nåede, er gemt.", "lie_side": "Læg dig med siden til kameraet",
        "sit_side": "Sæt dig med siden til kameraet", "done": "Programmet er slut",
        "not_seen": "Kameraet kunne ikke se dig et stykke tid. Sørg for, at hele kroppen kan ses.",
        "count_doubt": "Tællingen kan være forkert. Sørg for, at hele kroppen kan ses hele tiden.",
        "too_short": "Optagelsen var meget kort. Film hele sættet, fra du står klar, til du er færdig.",
        "left_out": "{name}: springes over i dag (stoppet på grund af smerter tidligere i dag; prøv den igen om nogle dage)",
        "stopped_today": "{name}: stoppet på grund af smerter tidligere i dag.",
        "too_slow": "Computeren er for langsom til at tælle sikkert",
        "pain_title": "Stop denne øvelse",
        "pain": ("Du har meldt om smerter, så øvelsen er stoppet.",
                 "Lav den ikke mere i dag. Du kan prøve den igen om nogle dage.",
                 "Kontakt klinikken, hvis du har spørgsmål."),
    },
    "en": {
        "paused": "Paused", "resume": "Press space to continue",
        "target_reps": "Target: {n} repetitions", "target_holds": "Target: {n} holds of {s:.0f} seconds",
        "target_rep": "Target: 1 repetition", "target_hold": "Target: 1 hold of {s:.0f} seconds",
        "keys_start": "space: start · s: skip · p: pain · q: end · f: full screen", "rest": "Rest",
        "next": "next exercise: {name}", "keys_after_pain": "n: next exercise · q: end",
        "keys_set": "p: pain · space: pause · q: stop", "keys_close": "q: close",
        "keys_paused": "space: continue · p: pain · q: stop",
        "keys_on": "space: go on · p: pain · q: end",
        "keys_after_set": "space or q: close · p: pain",
        "starts_in": "Starts by itself in {s:.0f} s",
        "loading": "One moment", "loading_line": "Starting the camera and the body tracking ...",
        "never_started": "Counting did not start: you were not seen in the start position.",
        "idle_end": "The set ended by itself after a pause of {s:.0f} seconds.",
        "program_summary": "Today's program is finished", "skipped": "skipped", "not_done": "not done",
        "pain_row": "stopped: pain", "pain_reported_row": "pain reported", "reps_row": "{n} of {t} repetitions", "holds_row": "{n} of {t} holds",
        "pain_after": "You reported pain.",
        "camera_lost": "The camera stopped", "failed": "Something went wrong",
        "saved": "What you did has been saved.", "lie_side": "Lie down with your side to the camera",
        "sit_side": "Sit with your side to the camera", "done": "The program is finished",
        "not_seen": "The camera could not see you for a while. Make sure your whole body is in view.",
        "count_doubt": "The count may be wrong. Make sure your whole body is in view the whole time.",
        "too_short": "The recording was very short. Film the whole set, from getting ready until you are done.",
        "left_out": "{name}: left out today (stopped for pain earlier today; try it again in a few days)",
        "stopped_today": "{name}: stopped for pain earlier today.",
        "too_slow": "This computer is too slow to count reliably",
        "pain_title": "Stop this exercise",
        "pain": ("You reported pain, so the exercise has been stopped.",
                 "Do not do it again today. You can try it again in a few days.",
                 "Contact the clinic if you have any questions."),
    },
}
PAIN_NOTE = "patient reported pain (p key); exercise stopped at once"


def overlay_setup(spec: ExerciseSpec, lang: str) -> OverlaySetup:
    """The overlay of a set of ``spec``: its name in ``lang``, and whether it counts or times."""
    return OverlaySetup(spec.name.get(lang), lang, spec.kind)


def view_hint(spec: ExerciseSpec, lang: str) -> str:
    """How to stand (or lie) toward the camera for this exercise's preferred view."""
    view = spec.views[0]
    if view == "front":
        return GUIDE["face_camera"].text(lang)
    if spec.posture == "lying":
        return TEXTS[lang]["lie_side"]
    if spec.posture == "seated":
        return TEXTS[lang]["sit_side"]
    return GUIDE["turn_sideways"].text(lang)


def fault_texts(spec: ExerciseSpec, lang: str) -> dict[str, str]:
    """What the patient is told, in ``lang``, for each fault id a set of ``spec`` can report: the
    exercise file's cues and the hold timer's own ("keep still")."""
    cues = {fault: cue.get(lang) for fault, cue in spec.fault_cues().items()}
    cues.setdefault("not_still", GUIDE["not_still"].text(lang))
    return cues


def summary_from_report(spec: ExerciseSpec, report: SetReport, lang: str) -> SessionSummary:
    """The end screen's figures, with the most frequent fault as one tip in the patient's words."""
    cues = fault_texts(spec, lang)
    severity: dict[str, int] = {}  # ranked as the live cues are
    for r in spec.rules:
        severity[r.id] = max(severity.get(r.id, 0), rule_cue(r, "L").severity)
    if spec.count is not None:
        severity.setdefault(spec.count.shallow_fault, SHALLOW_SEVERITY)
    # faults only: a partial that missed the range is logged as a fault too (assembly.py)
    tally: Counter[str] = Counter(f.id for f in report.faults if f.id in cues)
    top = cues[max(tally, key=lambda k: (tally[k], severity.get(k, 0)))] if tally else None
    note = None  # why the count may be off: a note of its own, never the tip
    if wrong_view(report):  # filmed from a view this exercise is not checked from: how to stand, and
        note, top = view_hint(spec, lang), None  # no fault tip (from there they may be misreadings)
    elif never_started(report):  # moved before the trainer was ready: nothing was counted
        note = TEXTS[lang]["never_started"]
    elif paused_long(report, unseen_only=True) is not None:  # the count may be low for the camera's sake
        note, top = TEXTS[lang]["not_seen"], None  # ... rather than a fault cue
    elif count_doubt(report):  # the periodicity check saw clearly more or fewer movements than were counted
        note = TEXTS[lang]["count_doubt"]
    elif too_short(report) and not report.reps and not report.holds:  # nothing to go on: film the whole set
        note = TEXTS[lang]["too_short"]
    holds = [(h.side, float(h.held_s), float(h.target_s)) for h in report.holds]
    done = None
    if spec.kind == "hold":
        sides = (report.config.get("hold") or {}).get("sides") or ()
        done = hold_progress(holds, sides, report.target)[0]
    return SessionSummary(spec.name.get(lang), int(report.reps), report.target,
                          len(report.partials), holds, top, report.pain_stop is not None, done, note)


TERMINAL = {  # the terminal's lines of a Danish session (an English one prints cli.common.print_set's)
    "da": {"faults": "fejl", "times": "{n} gange", "once": "1 gang", "wrote": "gemt i {dir}",
           "skipped": "{name}: sprunget over", "ended_after_pain": "programmet sluttede efter smertestoppet",
           "session": "dagens program, gemt i {dir}", "tip": "tip", "note": "bemærk",
           "not_kept": "{name}: intet gemt (sættet sluttede, før kameraet så dig)",
           "abandoned": "{name}: gemt som afbrudt i historikken (tællingen var ikke startet)",
           "pain_recorded": "{name}: smerterne er noteret i historikken; øvelsen laves ikke mere i dag",
           "pain_not_recorded": "{name}: smerterne er ikke noteret (ingen historik: --no-history)"},
    "en": {"faults": "faults", "times": "{n} times", "once": "once", "wrote": "wrote {dir}",
           "skipped": "{name}: skipped", "ended_after_pain": "session ended after the pain stop",
           "session": "wrote {dir}", "tip": "tip", "note": "note",
           "not_kept": "{name}: nothing saved (the set ended before the camera saw you)",
           "abandoned": "{name}: recorded in the history as abandoned (counting had not started)",
           "pain_recorded": "{name}: the pain is recorded in the history; the exercise is not done again today",
           "pain_not_recorded": "{name}: the pain is not recorded (no history: --no-history)"},
}


def terminal_lines(spec: ExerciseSpec, report: SetReport, lang: str) -> list[str]:
    """A set's result for the terminal in the patient's words and language, as the end card says
    it: heading, count or holds, the faults with the cue each gave, the tip and the note."""
    summary = summary_from_report(spec, report, lang)
    s, t = STRINGS[lang], TERMINAL[lang]
    heading, _ = summary_heading(summary, spec.kind, s)
    done = summary_done(summary, spec.kind)
    if spec.kind == "hold":
        n = summary.target or len(summary.holds)
        count = (s["holds_of_1"] if n == 1 else s["holds_of"]).format(k=done, n=n)
    else:
        count = f"{summary.reps} / {summary.target} {s['rep'] if summary.reps == 1 else s['reps']}"
        if summary.partials:
            count += ", " + (s["partial"] if summary.partials == 1 else s["partials"].format(n=summary.partials))
    lines = [f"{summary.exercise_name}: {heading} - {count}"]
    if summary.pain_stopped:
        lines.append(s["pain_stopped"])
    cues = fault_texts(spec, lang)
    if report.fault_counts:
        told = [f"{cues.get(k, k)} ({t['once'] if v == 1 else t['times'].format(n=v)})"
                for k, v in report.fault_counts.items()]
        lines.append(f"{t['faults']}: " + "; ".join(told))
    if summary.top_cue:
        lines.append(f"{t['tip']}: {summary.top_cue}")
    if summary.note:
        lines.append(f"{t['note']}: {summary.note}")
    return lines


def program_row(spec: ExerciseSpec, report: SetReport | None, lang: str, state: str | None = None) -> str:
    """One exercise's line on the program's summary: "Squat: 8 of 10 repetitions", "... ✓" when
    the target was reached, "stopped: pain", or ``state`` ("skipped", "not_done") without a set."""
    txt, name = TEXTS[lang], spec.name.get(lang)
    if report is None:
        return f"{name}: {txt[state or 'not_done']}"
    if report.pain_stop is not None:
        return f"{name}: {txt['pain_row']}"
    summary = summary_from_report(spec, report, lang)
    done = summary_done(summary, spec.kind)
    target = summary.target or 0
    row = txt["holds_row" if spec.kind == "hold" else "reps_row"].format(n=done, t=target)
    return f"{name}: {row}{' ✓' if target and done >= target else ''}"
