"""The top-left panel of the live overlay: exercise (and side), the count or seconds held, the
progress bar toward the target, and a gauge of how far the current movement has gone."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import cv2
import numpy as np

from formcheck.core.results import FrameResult, Status
from formcheck.overlay.painter import Font, Painter
from formcheck.overlay.raster import clip01
from formcheck.overlay.style import (
    AMBER,
    BAR_BG,
    BAR_FILL,
    GAUGE_FILL,
    SKELETON_COLOUR,
    TEXT,
    TEXT_DIM,
)

_CHECK = " ✓"


@dataclass(frozen=True)
class _Content:
    """What the panel says for one result (read from it, nothing computed about the exercise)."""

    label: str
    big: str  # the count, or whole seconds held
    tail: str  # "/ 10", "/ 30 s", "s" or ""
    fraction: float | None  # toward the target; None: no target, no bar
    done: bool  # target reached: a check mark
    sub: str | None  # holds done / paused
    paused: bool
    gauge: float | None  # 0..1 of the movement (reps only)


class CounterPanel:
    """Configured once per exercise; ``draw`` per frame, in place."""

    def __init__(self, painter: Painter, exercise_name: str, kind: str, strings: Mapping[str, str],
                 keys: str | None = None) -> None:
        self._paint = painter
        self._name = exercise_name
        self._hold = kind == "hold"
        self._s = strings
        self._keys = keys  # live: the keys that work during the set ("p: pain ..."), last in the panel

    def _content(self, result: FrameResult) -> _Content:
        s = self._s
        paused = self._hold and result.status is Status.HOLD_PAUSED
        # No side here: FrameResult.side is the side the camera measures (the better-seen one),
        # not the side being exercised, and naming it would confuse the patient.
        label = self._name
        if self._hold:
            held = result.hold_s if result.hold_s is not None and math.isfinite(result.hold_s) else 0.0
            held = max(0.0, held)
            target = result.hold_target_s if result.hold_target_s and math.isfinite(result.hold_target_s) else None
            big = str(int(held))
            tail = f"/ {round(target)} s" if target else "s"
            fraction = held / target if target else None
            done = bool(target) and int(held) >= round(target or 0)
            sub: str | None = s["holds_done"].format(n=result.holds_done)
        else:
            big = str(result.reps)
            tail = f"/ {result.target}" if result.target else ""
            fraction = result.reps / result.target if result.target else None
            done = bool(result.target) and result.reps >= (result.target or 0)
            sub = None
        if paused:
            sub = f"{s['paused']} · {sub}" if sub else s["paused"]
        gauge = None if self._hold or result.progress is None else clip01(result.progress)
        return _Content(label, big, tail, fraction, done, sub, paused, gauge)

    def draw(self, img: np.ndarray, result: FrameResult) -> int:
        """Draw the panel at the top left; returns its right edge (pixels)."""
        c = self._content(result)
        paint, width = self._paint, self._paint.text.width
        h, w = img.shape[:2]

        # sizes (fractions of the height), shrunk together when the panel would not fit the width
        margin = max(4, round(0.025 * h))
        scale = 1.0
        for _ in range(6):
            pad = max(3, round(0.022 * h * scale))
            sl, sb, st = (max(6, round(f * h * scale)) for f in (0.042, 0.17, 0.085))
            wb = width(c.big, sb, True)
            gap = round(0.25 * st)
            wt = gap + width(c.tail, st, True) if c.tail else 0
            wc = wb + wt + (width(_CHECK, st, True) if c.done else 0)
            icon = round(0.5 * sb) if c.paused else 0
            gw = max(3, round(0.022 * h * scale)) if c.gauge is not None else 0
            inner = max(
                width(c.label, sl), wc + icon + (pad + gw if gw else 0),
                width(c.sub, sl) if c.sub else 0, width(self._keys, sl) if self._keys else 0,
                round(0.3 * h * scale),
            )
            if inner + 2 * pad <= w - 2 * margin:
                break
            scale *= 0.95 * (w - 2 * margin) / (inner + 2 * pad)
        bar_h = max(3, round(0.024 * h * scale)) if c.fraction is not None else 0

        x0, y0 = margin, margin
        ix = x0 + pad
        label_base = y0 + pad + round(0.78 * sl)
        big_top = label_base + round(0.45 * sl)
        big_base = big_top + round(0.73 * sb)
        y = big_base + round(0.35 * pad)
        bar_y = y + pad if bar_h else y
        y = bar_y + bar_h
        sub_base = y + round(0.4 * pad) + round(0.78 * sl) if c.sub else y
        y = sub_base + (round(0.3 * sl) if c.sub else 0)
        keys_base = y + round(0.4 * pad) + round(0.78 * sl) if self._keys else y
        y1 = keys_base + (round(0.3 * sl) if self._keys else 0) + pad
        x1 = x0 + inner + 2 * pad
        paint.panel(img, (x0, y0), (x1, y1))

        paint.put(img, c.label, Font(sl, False, TEXT_DIM), ix, label_base)
        paint.put(img, c.big, Font(sb, True, AMBER if c.paused else TEXT), ix, big_base)
        x = ix + wb
        if c.tail:
            paint.put(img, c.tail, Font(st, True, BAR_FILL if c.done else TEXT_DIM), x + gap, big_base)
            x += wt
        if c.done:
            paint.put(img, _CHECK, Font(st, True, BAR_FILL), x, big_base)
            x += width(_CHECK, st, True)
        if c.paused:  # a pause sign (two bars) beside the timer
            bw = max(2, round(0.12 * icon))
            px0 = x + round(0.3 * icon)
            ph = round(0.45 * sb)
            cv2.rectangle(img, (px0, big_base - ph), (px0 + bw - 1, big_base), AMBER, -1)
            cv2.rectangle(img, (px0 + 2 * bw, big_base - ph), (px0 + 3 * bw - 1, big_base), AMBER, -1)
        if c.gauge is not None:
            gx1 = ix + inner
            gx0 = gx1 - gw
            gy0, gy1 = big_top, big_base
            cv2.rectangle(img, (gx0, gy0), (gx1 - 1, gy1), BAR_BG, -1)
            fill = round(c.gauge * (gy1 - gy0))
            if fill > 0:
                cv2.rectangle(img, (gx0, gy1 - fill), (gx1 - 1, gy1), GAUGE_FILL, -1)
        if bar_h and c.fraction is not None:
            paint.bar(img, (ix, bar_y), (inner, bar_h), c.fraction, AMBER if c.paused else BAR_FILL)
        if c.sub:
            paint.put(img, c.sub, Font(sl, False, AMBER if c.paused else TEXT_DIM), ix, sub_base)
        if self._keys:
            paint.put(img, self._keys, Font(sl, False, SKELETON_COLOUR), ix, keys_base)
        return x1
