"""The trainer's own spoken words, in Danish and English (the exercise's name and cues come from
its file). Numbers are written out as they are said, so a count is one short word."""

from __future__ import annotations

from formcheck.core.lang import in_lang

NUMBERS = {
    "da": ("en", "to", "tre", "fire", "fem", "seks", "syv", "otte", "ni", "ti", "elleve", "tolv", "tretten",
           "fjorten", "femten", "seksten", "sytten", "atten", "nitten", "tyve"),
    "en": ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
           "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty"),
}

PHRASES = {
    "da": {
        "ready": "{name}. Gør dig klar.",
        "start": "Start",
        "begin": "{name}. Start.",
        "hold": "Hold",
        "rest": "Slap af",
        "paused": "Pause",
        "reached_reps": "Målet er nået: {n} gentagelser. Godt klaret!",
        "reached_holds": "Målet er nået: {n} hold. Godt klaret!",
        "end_reps": "Sættet er slut: {n} af {target} gentagelser.",
        "end_holds": "Sættet er slut: {n} af {target} hold.",
        "end_reps_open": "Sættet er slut: {n} gentagelser.",
        "end_holds_open": "Sættet er slut: {n} hold.",
        "nothing": "Sættet er slut. Der blev ikke talt noget.",
    },
    "en": {
        "ready": "{name}. Get ready.",
        "start": "Start",
        "begin": "{name}. Start.",
        "hold": "Hold",
        "rest": "Relax",
        "paused": "Paused",
        "reached_reps": "Target reached: {n} repetitions. Well done!",
        "reached_holds": "Target reached: {n} holds. Well done!",
        "end_reps": "The set is over: {n} of {target} repetitions.",
        "end_holds": "The set is over: {n} of {target} holds.",
        "end_reps_open": "The set is over: {n} repetitions.",
        "end_holds_open": "The set is over: {n} holds.",
        "nothing": "The set is over. Nothing was counted.",
    },
}


def number(n: int, lang: str) -> str:
    """``n`` as a count is said: a word up to twenty, digits beyond (eSpeak reads them out)."""
    words = in_lang(lang, NUMBERS["da"], NUMBERS["en"])
    return words[n - 1] if 1 <= n <= len(words) else str(n)


def phrase(key: str, lang: str, **values: object) -> str:
    return in_lang(lang, PHRASES["da"], PHRASES["en"])[key].format(**values)


def set_end(done: int, target: int | None, kind: str, lang: str) -> str:
    """What is said when a set ends: the count against the target, praise only when it was reached."""
    what = "holds" if kind == "hold" else "reps"
    if done == 0:
        return phrase("nothing", lang)
    if target and done >= target:
        return phrase(f"reached_{what}", lang, n=done)
    if target:
        return phrase(f"end_{what}", lang, n=done, target=target)
    return phrase(f"end_{what}_open", lang, n=done)
