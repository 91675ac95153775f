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
    RGB,
    SKELETON_COLOUR,
    TEXT,
    TEXT_DIM,
    side_key,
)


def message_items(title: str, lines: Sequence[str], keys: str | None = None) -> list[Line | Bar]:
    """A big title over smaller lines (instructions, "paused", camera errors, pain advice), and
    the keys that work there."""
    items: list[Line | Bar] = [Line(title, 0.08, bold=True, max_lines=2)]
    for i, line in enumerate(lines):
        items.append(Line(line, 0.052, max_lines=4, space_before=0.03 if i == 0 else 0.02))
    if keys:
        items.append(Line(keys, 0.045, colour=SKELETON_COLOUR, max_lines=2, space_before=0.04))
    return items


def draw_countdown(paint: Painter, img: np.ndarray, seconds_left: float, hint: str | None, go: str,
                   keys: str | None = None) -> None:
    """A big number in a ring that empties each second ("go" at zero), the hint below, the keys
    that work meanwhile above."""
    h, w = img.shape[:2]
    if keys:
        paint.block_top(img, keys, SKELETON_COLOUR)
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


def summary_heading(summary: SessionSummary, kind: str, s: Mapping[str, str]) -> tuple[str, RGB]:
    """The end card's heading follows the result: stopped (pain), target reached, part done,
    nothing counted. Never "well done" over 0 of 10."""
    done = summary_done(summary, kind)
    if summary.pain_stopped:
        return s["stopped"], AMBER
    if done > 0 and (not summary.target or done >= summary.target):
        return s["target_reached"], TEXT
    if done > 0:
        return s["part_done"], TEXT
    return s["nothing_counted"], AMBER


def summary_done(summary: SessionSummary, kind: str) -> int:
    """What counts toward the target: repetitions, or the holds that reached their time."""
    if kind == "hold":
        return summary.done if summary.done is not None else sum(1 for _, held, t in summary.holds if held >= t)
    return summary.reps


def summary_items(summary: SessionSummary, kind: str, s: Mapping[str, str], keys: str | None = None
                  ) -> list[Line | Bar]:
    """The end-of-exercise screen: heading, count ("3 / 10 repetitions") or holds ("1 af 5 hold"),
    partials, one tip (a fault's cue), a note (why nothing or little was counted), the keys."""
    heading, colour = summary_heading(summary, kind, s)
    items: list[Line | Bar] = [Line(heading, 0.075, bold=True, colour=colour, max_lines=2)]
    items.append(Line(summary.exercise_name, 0.05, colour=TEXT_DIM, max_lines=2, space_before=0.015))
    done = summary_done(summary, kind)
    if kind == "hold":
        n = summary.target or len(summary.holds)
        text = (s["holds_of_1"] if n == 1 else s["holds_of"]).format(k=done, n=n)
        items.append(Line(text, 0.12, bold=True, max_lines=1, space_before=0.02))
        if summary.target:
            items.append(Bar(done / summary.target, space_before=0.02))
        items.extend(_hold_lines(summary.holds, s))
    else:
        count = f"{summary.reps} / {summary.target}" if summary.target else f"{summary.reps}"
        items.append(Line(count, 0.15, bold=True, max_lines=1, space_before=0.02))
        items.append(Line(s["rep"] if summary.reps == 1 else s["reps"], 0.05, colour=TEXT_DIM))
        if summary.target:
            items.append(Bar(summary.reps / summary.target, space_before=0.02))
    if summary.partials > 0:
        text = s["partial"] if summary.partials == 1 else s["partials"].format(n=summary.partials)
        items.append(Line(text, 0.045, colour=TEXT_DIM, max_lines=2, space_before=0.02))
    if summary.top_cue:
        items.append(Line(s["tip"].format(cue=summary.top_cue), 0.05, max_lines=2, space_before=0.025))
    if summary.note:
        items.append(Line(summary.note, 0.045, colour=AMBER, max_lines=3, space_before=0.025))
    if summary.pain_stopped:
        items.append(Line(s["pain_stopped"], 0.05, colour=AMBER, max_lines=2, space_before=0.025))
    if keys:
        items.append(Line(keys, 0.045, colour=SKELETON_COLOUR, max_lines=2, space_before=0.03))
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
