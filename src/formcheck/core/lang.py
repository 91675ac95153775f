"""The patient's language: every text formcheck shows or says has a Danish and an English wording.

One rule chooses between them, here: "da" is Danish, anything else English (the command line
offers only the two)."""

from __future__ import annotations

from typing import TypeVar

T = TypeVar("T")
LANGS = ("da", "en")


def count_of(n: int, one: str, many: str | None = None) -> str:
    """``n`` and the word in the number it takes: "1 frame", "2 frames" ("0 frames");
    ``many``: the plural when it is not ``one`` + "s" (e.g. Danish)."""
    return f"{n} {one if n == 1 else (many if many is not None else one + 's')}"


def in_lang(lang: str, da: T, en: T) -> T:
    """The Danish or the English of a pair of wordings (or of anything kept per language)."""
    return da if lang == "da" else en
