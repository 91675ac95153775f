"""Form-check rule kinds: a small registry of plain functions.

Frame rules look at one smoothed signal value and say whether it breaks the limit; repetition
rules look at a finished repetition's phase durations. Keeping them here, apart from the
counter, keeps rep-counting thresholds separate from form-checking ones.
"""

from __future__ import annotations

from typing import Callable

from formcheck.spec.parts import Rule


def _max(rule: Rule, value: float) -> bool:
    return value > rule.limit


def _min(rule: Rule, value: float) -> bool:
    return value < rule.limit


FRAME_RULES: dict[str, Callable[[Rule, float], bool]] = {"max": _max, "min": _min}


def _min_duration(rule: Rule, seconds: float) -> bool:
    return seconds < rule.limit


def _max_duration(rule: Rule, seconds: float) -> bool:
    return seconds > rule.limit


REP_RULES: dict[str, Callable[[Rule, float], bool]] = {
    "min_duration": _min_duration,
    "max_duration": _max_duration,
}


def phase_duration(phase: str, start_s: float, peak_s: float, end_s: float,
                   reach_s: float | None = None, leave_s: float | None = None) -> float:
    """Seconds spent going down (descent), coming back (return) or in the whole repetition.

    ``reach_s``/``leave_s``: when the movement first reached and last left the peak (a hold at
    the top or bottom lies between them and belongs to neither phase); default the peak time.
    """
    if phase == "descent":
        return (peak_s if reach_s is None else reach_s) - start_s
    if phase == "return":
        return end_s - (peak_s if leave_s is None else leave_s)
    return end_s - start_s


def describe(rule: Rule, value: float | None) -> str:
    """An English sentence for reports: what was seen against the limit."""
    if value is None:
        return rule.cue.en
    if rule.kind == "max":
        return f"{rule.cue.en} ({rule.signal} {value:.2f} above {rule.limit:g})"
    if rule.kind == "min":
        return f"{rule.cue.en} ({rule.signal} {value:.2f} below {rule.limit:g})"
    if rule.kind == "min_duration":
        return f"{rule.cue.en} ({rule.phase} took {value:.2f} s, at least {rule.limit:g} s asked)"
    return f"{rule.cue.en} ({rule.phase} took {value:.2f} s, at most {rule.limit:g} s asked)"
