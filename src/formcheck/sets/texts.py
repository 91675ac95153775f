"""What the trainer's screens say (Danish and English), and the end-of-set summary's figures from a
report: shown by ``formcheck live`` after each set and at the end of replay's annotated video."""

from __future__ import annotations

from collections import Counter

from formcheck.core.results import OverlaySetup, SessionSummary
from formcheck.engine.analyzer import GUIDE
from formcheck.engine.cues import SHALLOW_SEVERITY, rule_cue
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
        "keys_start": "Mellemrum: start · s: spring over", "rest": "Hvil",
        "next": "næste øvelse: {name}", "keys_after_pain": "n: næste øvelse · q: afslut",
        "camera_lost": "Kameraet svarer ikke", "failed": "Der opstod en fejl",
        "saved": "Det, du nåede, er gemt.", "lie_side": "Læg dig med siden til kameraet",
        "sit_side": "Sæt dig med siden til kameraet", "done": "Programmet er slut",
        "not_seen": "Kameraet kunne ikke se dig et stykke tid. Sørg for, at hele kroppen kan ses.",
        "count_doubt": "Tællingen kan være forkert. Sørg for, at hele kroppen kan ses hele tiden.",
        "too_short": "Optagelsen var meget kort. Film hele sættet, fra du står klar, til du er færdig.",
        "left_out": "{name}: springes over i dag (stoppet på grund af smerter tidligere i dag; prøv den igen om nogle dage)",
        "stopped_today": "{name}: stoppet på grund af smerter tidligere i dag.",
        "pain_title": "Stop denne øvelse",
        "pain": ("Du har meldt om smerter, så øvelsen er stoppet.",
                 "Lav den ikke mere i dag. Du kan prøve den igen om nogle dage.",
                 "Kontakt klinikken, hvis du har spørgsmål."),
    },
    "en": {
        "paused": "Paused", "resume": "Press space to continue",
        "target_reps": "Target: {n} repetitions", "target_holds": "Target: {n} holds of {s:.0f} seconds",
        "target_rep": "Target: 1 repetition", "target_hold": "Target: 1 hold of {s:.0f} seconds",
        "keys_start": "Space: start · s: skip", "rest": "Rest",
        "next": "next exercise: {name}", "keys_after_pain": "n: next exercise · q: end",
        "camera_lost": "The camera stopped", "failed": "Something went wrong",
        "saved": "What you did has been saved.", "lie_side": "Lie down with your side to the camera",
        "sit_side": "Sit with your side to the camera", "done": "The program is finished",
        "not_seen": "The camera could not see you for a while. Make sure your whole body is in view.",
        "count_doubt": "The count may be wrong. Make sure your whole body is in view the whole time.",
        "too_short": "The recording was very short. Film the whole set, from getting ready until you are done.",
        "left_out": "{name}: left out today (stopped for pain earlier today; try it again in a few days)",
        "stopped_today": "{name}: stopped for pain earlier today.",
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
    if wrong_view(report):  # filmed from a view this exercise is not checked from: the tip is how to stand
        top = view_hint(spec, lang)
    elif never_started(report):  # moved before the trainer was ready: nothing was counted
        top = GUIDE["get_ready"].text(lang)
    elif paused_long(report, unseen_only=True) is not None:  # the count may be low for the camera's sake
        top = TEXTS[lang]["not_seen"]
    elif count_doubt(report):  # the periodicity check saw clearly more or fewer movements than were counted
        top = TEXTS[lang]["count_doubt"]
    elif too_short(report) and not report.reps and not report.holds:  # nothing to go on: film the whole set
        top = TEXTS[lang]["too_short"]
    holds = [(h.side, float(h.held_s), float(h.target_s)) for h in report.holds]
    return SessionSummary(spec.name.get(lang), int(report.reps), report.target,
                          len(report.partials), holds, top, report.pain_stop is not None)
