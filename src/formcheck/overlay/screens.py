"""Whole-screen content: a centred message, the start countdown, and the end-of-set summary."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import cv2
import numpy as np

from formcheck.core.results import SessionSummary
from formcheck.overlay.painter import Bar, Font, Line, Painter
from formcheck.overlay.raster import clip01
from formcheck.overlay.style import (
    AMBER,
    BAR_BG,
    BAR_FILL,
    SKELETON_COLOUR,
    TEXT,
    TEXT_DIM,
    side_key,
)


def message_items(title: str, lines: Sequence[str]) -> list[Line | Bar]:
    """A big title over smaller lines (instructions, "paused", camera errors, pain advice)."""
    items: list[Line | Bar] = [Line(title, 0.08, bold=True, max_lines=2)]
    for i, line in enumerate(lines):
        items.append(Line(line, 0.052, max_lines=4, space_before=0.03 if i == 0 else 0.02))
    return items


def draw_countdown(paint: Painter, img: np.ndarray, seconds_left: float, hint: str | None, go: str) -> None:
    """A big number in a ring that empties each second ("go" at zero), and the hint below."""
    h, w = img.shape[:2]
    n = math.ceil(seconds_left - 1e-6) if math.isfinite(seconds_left) else 0
    radius = max(8, round(0.2 * min(h, 0.75 * w)))
    cx, cy = w // 2, round(0.44 * h) if hint else h // 2
    paint.disc(img, cx, cy, radius)
    ring_t = max(2, round(0.09 * radius))
    r = radius - ring_t
    cv2.circle(img, (cx, cy), r, BAR_BG, ring_t, cv2.LINE_AA)
    if n > 0:
        frac = clip01(seconds_left - (n - 1))
        if frac > 0:
            cv2.ellipse(img, (cx, cy), (r, r), -90, 0, 360 * frac, BAR_FILL, ring_t, cv2.LINE_AA)
        text, size = str(n), round(1.2 * radius)
    else:
        text, size = go, round(0.55 * radius)
    size = paint.text.fit_size(text, size, True, 2 * (r - ring_t) - 4)
    paint.put_centred(img, text, Font(size, True, TEXT), cx, cy)
    if hint:
        paint.bottom_text(img, hint, SKELETON_COLOUR)


def summary_items(summary: SessionSummary, kind: str, s: Mapping[str, str]) -> list[Line | Bar]:
    """The end-of-exercise screen: count or holds, partials, one tip (and the pain stop)."""
    items: list[Line | Bar] = []
    if summary.pain_stopped:
        items.append(Line(s["stopped"], 0.075, bold=True, colour=AMBER, max_lines=2))
    else:
        items.append(Line(s["well_done"], 0.075, bold=True, max_lines=2))
    items.append(Line(summary.exercise_name, 0.05, colour=TEXT_DIM, max_lines=2, space_before=0.015))
    if kind == "reps" or summary.reps > 0 or not summary.holds:
        count = f"{summary.reps} / {summary.target}" if summary.target else f"{summary.reps}"
        items.append(Line(count, 0.15, bold=True, max_lines=1, space_before=0.02))
        items.append(Line(s["rep"] if summary.reps == 1 else s["reps"], 0.05, colour=TEXT_DIM))
        if summary.target:
            items.append(Bar(summary.reps / summary.target, space_before=0.02))
    if summary.holds:
        items.extend(_hold_lines(summary.holds, s))
    elif kind == "hold" and summary.reps == 0:
        items.append(Line(s["no_holds"], 0.055, space_before=0.02))
    if summary.partials > 0:
        text = s["partial"] if summary.partials == 1 else s["partials"].format(n=summary.partials)
        items.append(Line(text, 0.045, colour=TEXT_DIM, max_lines=2, space_before=0.02))
    if summary.top_cue:
        items.append(Line(s["tip"].format(cue=summary.top_cue), 0.05, max_lines=2, space_before=0.025))
    if summary.pain_stopped:
        items.append(Line(s["pain_stopped"], 0.05, colour=AMBER, max_lines=2, space_before=0.025))
    return items


def _hold_lines(holds: Sequence[tuple[str | None, float, float]], s: Mapping[str, str]) -> list[Line | Bar]:
    """One line per hold ("Left: 20 / 20 s ✓"); more than four become one line of how many."""
    shown = [(side, round(held), round(target)) for side, held, target in holds]
    if len(shown) > 4:
        reached = sum(1 for _, held, target in shown if held >= target)
        return [Line(s["holds_reached"].format(k=reached, n=len(shown)), 0.055, space_before=0.02)]
    out: list[Line | Bar] = []
    for i, (side, held, target) in enumerate(shown, start=1):
        key = side_key(side)
        name = s[key].capitalize() if key else s["hold_n"].format(i=i)
        mark = " ✓" if held >= target else ""
        out.append(Line(f"{name}: {held} / {target} s{mark}", 0.06, bold=True,
                        colour=TEXT, max_lines=1, space_before=0.02 if i == 1 else 0.008))
    return out
