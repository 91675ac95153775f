"""Whose sets these are: a patient id, as the clinic writes it (``p017``, ``anna-h``).

One history holds every patient's sets; each set carries its patient's id. Without one a set
belongs to DEFAULT_PATIENT (a home machine used by one patient needs no id at all). An id is a
short label, not personal data: letters (Danish ones too), digits and ``.``, ``-``, ``_``,
starting with a letter or a digit, so that it reads the same in a table, a file name and a URL.
"""

from __future__ import annotations

import re
import unicodedata

DEFAULT_PATIENT = "default"
MAX_LEN = 64
_ID = re.compile(r"[^\W_][\w.-]*")  # \w: letters and digits of any script, and _


def check_patient_id(text: str) -> str:
    """``text`` if it is a usable patient id (in one Unicode form: an "ø" typed two ways is one
    patient), else ValueError saying what one looks like."""
    if isinstance(text, str):
        text = unicodedata.normalize("NFC", text)
    if not isinstance(text, str) or not text.strip():
        raise ValueError("a patient id cannot be empty")
    if len(text) > MAX_LEN or not _ID.fullmatch(text) or not text.isprintable():
        shown = text if len(text) <= MAX_LEN and text.isprintable() else text[:MAX_LEN].encode("unicode_escape").decode()
        raise ValueError(f"{shown!r} is not a patient id: use up to {MAX_LEN} letters, digits, '.', '-' or '_', "
                         "starting with a letter or a digit (e.g. p017)")
    return text
