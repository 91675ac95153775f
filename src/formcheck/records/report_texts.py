"""The physiotherapist's report in Danish and English: every word the page shows, one table per
language with the same keys (the template asks for a key; ``format`` fills in the figures).

Dates are written here too, with our own month and weekday names, so that a page does not
depend on the machine's locale.
"""

from __future__ import annotations

from datetime import date
from typing import Any

TEXTS: dict[str, dict[str, str]] = {
    "da": {
        "title": "Træningsdagbog", "patient": "Patient {id}", "no_sets": "Ingen sæt registreret",
        "no_sets_since": "Ingen sæt registreret siden {since}", "in": "i", "generated": "lavet {at}",
        "period": "{first} til {last}",
        "sets": "sæt", "days_trained": "dage med træning", "exercises": "øvelser",
        "pain_stops": "stoppet pga. smerter",
        "pain_title": "Stoppet på grund af smerter",
        "date": "dato", "exercise": "øvelse", "done": "udført", "note": "note",
        "adherence": "Træning dag for dag",
        "adherence_sub": "Øvelser trænet pr. dag; mørk: målet nået, lys: under målet. "
                         "Stiplet linje: antal øvelser at lave ({n}: {what}). Rødt mærke: stoppet pga. smerter.",
        "what_program": "programmet {name}", "what_seen": "de øvelser, der er trænet i perioden",
        "week": "uge", "week_of": "uge {w}, {y}", "days": "dage med træning", "pain": "smerter",
        "exercises_title": "Øvelserne",
        "chart_reps": "Gentagelser pr. dag (dagens bedste sæt); stiplet linje: målet.",
        "chart_holds": "Hold pr. dag (dagens bedste sæt); mørk: hold, der nåede {s} s, lys: kortere; stiplet linje: målet.",
        "last": "seneste", "latest_result": "seneste resultat", "average": "gennemsnit", "partials": "delvise",
        "top_faults": "hyppigste fejl", "reps_avg": "{n:.1f} gentagelser pr. sæt ({pct:.0%} af målet)",
        "reps_avg_nt": "{n:.1f} gentagelser pr. sæt", "holds_avg": "{n:.1f} hold nået pr. sæt",
        "faults_title": "Fejl i udførelsen", "no_faults": "Kameraet så ingen fejl.",
        "fault": "fejl", "told": "hvad patienten fik at vide", "times": "gange", "sets_with": "sæt med den",
        "per_set": "pr. sæt",
        "all_sets": "Alle sæt", "result": "resultat", "faults": "fejl", "mode": "hvordan", "links": "filer",
        "video": "video", "report": "rapport", "details": "detaljer",
        "reps_of": "{n} af {t} gentagelser", "reps_n": "{n} gentagelser",
        "holds_of": "{n} af {t} hold à {s} s", "holds_n": "{n} hold à {s} s", "held": "holdt {list}",
        "no_hold": "intet hold",
        "status_pain": "stoppet pga. smerter", "status_empty": "intet talt", "status_never": "tællingen startede aldrig",
        "status_abandoned": "afbrudt før målet",
        "live": "live", "replay": "optagelse", "outputs_gone": "filerne er slettet",
        "wrong_view": "filmet mest {view}; øvelsen tjekkes {asked}: tælling og fejl kan være forkerte",
        "paused": "tællingen holdt pause {p:.0f} s af {d:.0f} s: {lost}",
        "lost_reps": "gentagelser i den tid blev ikke talt, så tallet kan være for lavt",
        "lost_hold": "uret stod stille i den tid, så den holdte tid kan være for kort",
        "view_side": "fra siden", "view_front": "forfra", "view_back": "bagfra", "view_oblique": "skråt forfra",
        "or": " eller ",
        "detail_title": "Gennemgang af sæt", "detail_sub": "Sæt fra {days}: hver gentagelse, den dårligste først, "
                                                          "med et billede fra den kommenterede video i gentagelsens yderstilling.",
        "rep": "gentagelse", "frame": "billede", "side": "side", "seconds": "sekunder",
        "hold_n": "hold", "held_s": "holdt", "target_s": "mål",
        "no_video": "ingen kommenteret video på denne computer",
        "legend": "Røde rækker: patienten stoppede sættet på grund af smerter. Kun hele gentagelser tælles; "
                  "delvise er bevægelser, der startede, men ikke nåede hele vejen eller hele tiden. Fejl er, hvad "
                  "kameraet så; se videoen, hvis du er i tvivl.",
        "over_limit": "over grænsen i øvelsesfilen",
    },
    "en": {
        "title": "Home exercise record", "patient": "Patient {id}", "no_sets": "No sets recorded",
        "no_sets_since": "No sets recorded since {since}", "in": "in", "generated": "generated {at}",
        "period": "{first} to {last}",
        "sets": "sets", "days_trained": "days trained", "exercises": "exercises", "pain_stops": "stopped for pain",
        "pain_title": "Stopped because of pain",
        "date": "date", "exercise": "exercise", "done": "done", "note": "note",
        "adherence": "Training day by day",
        "adherence_sub": "Exercises trained per day; dark: target reached, light: short of it. "
                         "Dashed line: the number of exercises to do ({n}: {what}). Red mark: stopped for pain.",
        "what_program": "the program {name}", "what_seen": "the exercises trained in the period",
        "week": "week", "week_of": "week {w}, {y}", "days": "days trained", "pain": "pain",
        "exercises_title": "Exercises",
        "chart_reps": "Repetitions per day (the day's best set); dashed line: the target.",
        "chart_holds": "Holds per day (the day's best set); dark: holds that reached {s} s, light: shorter; dashed line: the target.",
        "last": "last", "latest_result": "latest result", "average": "average", "partials": "partials",
        "top_faults": "most frequent faults", "reps_avg": "{n:.1f} reps per set ({pct:.0%} of target)",
        "reps_avg_nt": "{n:.1f} reps per set", "holds_avg": "{n:.1f} holds reached per set",
        "faults_title": "Form faults", "no_faults": "No form faults were recorded.",
        "fault": "fault", "told": "what the patient was told", "times": "times", "sets_with": "sets with it",
        "per_set": "per set",
        "all_sets": "All sets", "result": "result", "faults": "faults", "mode": "mode", "links": "files",
        "video": "video", "report": "report", "details": "details",
        "reps_of": "{n} of {t} reps", "reps_n": "{n} reps",
        "holds_of": "{n} of {t} holds of {s} s", "holds_n": "{n} holds of {s} s", "held": "held {list}",
        "no_hold": "no hold",
        "status_pain": "stopped for pain", "status_empty": "nothing counted", "status_never": "counting never started",
        "status_abandoned": "stopped before the target",
        "live": "live", "replay": "replay", "outputs_gone": "outputs gone",
        "wrong_view": "filmed mostly {view}; this exercise is checked from the {asked}: counts and form checks may be wrong",
        "paused": "counting paused {p:.0f} s of {d:.0f} s: {lost}",
        "lost_reps": "repetitions then were not counted, so the count may be low",
        "lost_hold": "the hold timer stopped then, so the time held may be short",
        "view_side": "from the side", "view_front": "from the front", "view_back": "from behind",
        "view_oblique": "from the oblique", "or": " or ",
        "detail_title": "Sets in detail", "detail_sub": "Sets of {days}: every repetition, the worst first, with a "
                                                      "frame of the annotated video at the repetition's furthest point.",
        "rep": "repetition", "frame": "frame", "side": "side", "seconds": "seconds",
        "hold_n": "hold", "held_s": "held", "target_s": "target",
        "no_video": "no annotated video on this machine",
        "legend": "Rows in red: the patient stopped the set because of pain. Reps count only full repetitions; "
                  "partials are movements that started but did not reach the full range or time. Faults are "
                  "what the camera saw; check them against the video if in doubt.",
        "over_limit": "past the exercise file's limit",
    },
}

MONTHS = {
    "da": ("jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}
WEEKDAYS = {
    "da": ("man", "tir", "ons", "tor", "fre", "lør", "søn"),
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
}


class Words:
    """The report's words in one language: ``w("key", n=3)`` is that text with its figures."""

    def __init__(self, lang: str) -> None:
        self.lang = "da" if lang == "da" else "en"
        self._texts = TEXTS[self.lang]

    def __call__(self, key: str, **figures: Any) -> str:
        text = self._texts[key]
        return text.format(**figures) if figures else text

    def day(self, d: date, *, weekday: bool = False, year: bool = False) -> str:
        """"7. dec" / "7 Dec" (with "man"/"Mon" before it, and the year after it, when asked)."""
        text = f"{d.day}. {MONTHS['da'][d.month - 1]}" if self.lang == "da" else f"{d.day} {MONTHS['en'][d.month - 1]}"
        if weekday:
            text = f"{WEEKDAYS[self.lang][d.weekday()]} {text}"
        return f"{text} {d.year}" if year else text

    def view(self, view: str) -> str:
        return self._texts.get(f"view_{view}", view)
