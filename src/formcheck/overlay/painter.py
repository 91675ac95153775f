"""Drawing primitives of the overlay: translucent panels, bars, placed text and centred blocks.

Sizes are fractions of the image height, so everything reads the same at 320x240, 1280x720 or
1920x1080, and blocks shrink to fit the width of portrait frames. All drawing is in place on a
contiguous RGB image (see ``raster.InPlace``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import cv2
import numpy as np

from formcheck.overlay.raster import LRU, Patch, clip01
from formcheck.overlay.style import (
    BAR_BG,
    BAR_FILL,
    BLOCK_ALPHA,
    PANEL,
    PANEL_ALPHA,
    RGB,
    TEXT,
)
from formcheck.overlay.text import TextRenderer



# A cue's text size as a share of the height: its capitals are 0.73 of it, 6.5% of the window's
# height (47 px in a 720-line window; 35 px before, too small for older eyes at 3 m). Long cues
# shrink to fit two lines, down to 60% (text.fit).
CUE_SIZE = 0.09

@dataclass(frozen=True, slots=True)
class Font:
    """How a text is set: its size (pixels), weight and colour."""

    size: int
    bold: bool
    colour: RGB


@dataclass(frozen=True)
class Line:
    """One text item of a centred block (sizes are fractions of the image height)."""

    text: str
    size: float
    bold: bool = False
    colour: RGB = TEXT
    max_lines: int = 3
    space_before: float = 0.0


@dataclass(frozen=True)
class CueBox:
    """A message panel's place (pixels) and its text set in lines."""

    x0: int
    y0: int
    x1: int
    y1: int
    lines: tuple[str, ...]
    widths: tuple[int, ...]
    size: int
    pad: int
    step: int


@dataclass(frozen=True)
class Bar:
    """A progress bar item of a centred block."""

    fraction: float
    colour: RGB = BAR_FILL
    space_before: float = 0.0


class Painter:
    """Draws panels, bars and text with one text renderer; panel shapes are cached."""

    def __init__(self, text: TextRenderer) -> None:
        self.text = text
        self._shapes = LRU[tuple[object, ...], Patch](32)

    # shapes ------------------------------------------------------------------------------
    def panel(
        self, img: np.ndarray, top_left: tuple[int, int], bottom_right: tuple[int, int],
        accent: RGB | None = None, alpha: float = PANEL_ALPHA,
    ) -> None:
        """A dark translucent rounded panel; blends only its own region."""
        (x0, y0), (x1, y1) = top_left, bottom_right
        w, h = x1 - x0, y1 - y0
        if w <= 0 or h <= 0:
            return
        radius = max(2, round(0.12 * min(w, h, 0.2 * img.shape[0])))
        patch = self._shapes.get(("panel", w, h, radius, alpha), lambda: _panel_patch(w, h, radius, alpha))
        patch.blit(img, x0, y0)
        if accent is not None:
            aw = max(3, round(0.01 * img.shape[0]))
            ax = x0 + radius // 3
            cv2.rectangle(img, (ax, y0 + radius), (ax + aw - 1, y1 - radius), accent, -1)

    def disc(self, img: np.ndarray, cx: int, cy: int, radius: int) -> None:
        """A dark translucent disc centred on (cx, cy)."""
        patch = self._shapes.get(("disc", radius), lambda: _disc_patch(radius))
        patch.blit(img, cx - radius, cy - radius)

    @staticmethod
    def bar(img: np.ndarray, at: tuple[int, int], size: tuple[int, int], fraction: float, colour: RGB) -> None:
        """A progress bar ``size`` (w, h) with its top left corner ``at``, filled ``fraction``."""
        (x, y), (w, h) = at, size
        cv2.rectangle(img, (x, y), (x + w - 1, y + h - 1), BAR_BG, -1)
        fill = round(clip01(fraction) * w)
        if fill > 0:
            cv2.rectangle(img, (x, y), (x + fill - 1, y + h - 1), colour, -1)

    # text --------------------------------------------------------------------------------
    def put(self, img: np.ndarray, text: str, font: Font, x: int, baseline: int) -> None:
        """Text with its left edge at ``x`` and its baseline at ``baseline``."""
        if not text:
            return
        ink = self.text.ink(text, font.size, font.bold, font.colour)
        ink.patch.blit(img, x - 1, baseline - ink.ascent)

    def put_centred(self, img: np.ndarray, text: str, font: Font, cx: int, cy: int) -> None:
        """Text whose capital height is centred on (cx, cy)."""
        x = cx - self.text.width(text, font.size, font.bold) // 2
        self.put(img, text, font, x, cy + round(0.365 * font.size))

    # compositions ------------------------------------------------------------------------
    def bottom_text(self, img: np.ndarray, text: str, accent: RGB) -> None:
        """One message at the bottom in large text (at most 2 lines) on a translucent panel."""
        self.cue_text(img, text, accent)

    def cue_box(self, h: int, w: int, text: str, where: str = "bottom", x_min: int = 0) -> CueBox:
        """Where a message goes and how it is set: centred at the bottom, or at the top right,
        right of ``x_min`` (the count's panel), in the width left there."""
        margin = max(4, round(0.025 * h))
        pad = max(3, round(0.025 * h))
        stripe = max(3, round(0.01 * h)) + pad
        left = margin if where == "bottom" else max(margin, x_min + margin)
        max_w = max(8, w - left - margin - 2 * pad - 2 * stripe)
        lines, size = self.text.fit(text, max(6, round(CUE_SIZE * h)), True, max_w, 2)
        step = round(1.22 * size)
        widths = tuple(self.text.width(ln, size, True) for ln in lines)
        inner = max(max(widths), min(round(0.3 * w) - 2 * stripe, max_w))
        pw = inner + 2 * pad + 2 * stripe
        ph = 2 * pad + round(0.75 * size) + (len(lines) - 1) * step + round(0.08 * size)
        if where == "bottom":
            x0, y0 = (w - pw) // 2, h - margin - ph
        else:
            x0, y0 = w - margin - pw, margin
        return CueBox(x0, y0, x0 + pw, y0 + ph, tuple(lines), widths, size, pad, step)

    def cue_text(self, img: np.ndarray, text: str, accent: RGB, where: str = "bottom", x_min: int = 0) -> None:
        """One message in large text (at most 2 lines) on a translucent panel (see cue_box)."""
        h, w = img.shape[:2]
        box = self.cue_box(h, w, text, where, x_min)
        self.panel(img, (box.x0, box.y0), (box.x1, box.y1), accent)
        base = box.y0 + box.pad + round(0.75 * box.size)
        font = Font(box.size, True, TEXT)
        for line, lw in zip(box.lines, box.widths):
            self.put(img, line, font, box.x0 + (box.x1 - box.x0 - lw) // 2, base)
            base += box.step

    def block_top(self, img: np.ndarray, text: str, colour: RGB) -> None:
        """One small line centred at the top on a panel (the keys that work on a screen)."""
        h, w = img.shape[:2]
        margin, pad = max(4, round(0.025 * h)), max(3, round(0.015 * h))
        (line,), size = self.text.fit(text, max(6, round(0.045 * h)), False, w - 2 * margin - 2 * pad, 1)
        lw = self.text.width(line, size, False)
        x0 = (w - lw) // 2 - pad
        self.panel(img, (x0, margin), (x0 + lw + 2 * pad, margin + 2 * pad + round(0.95 * size)))
        self.put(img, line, Font(size, False, colour), x0 + pad, margin + pad + round(0.78 * size))

    def block(self, img: np.ndarray, items: Sequence[Line | Bar], accent: RGB | None = None) -> None:
        """A centred panel of text lines and bars, shrunk together until it fits the image."""
        h, w = img.shape[:2]
        pad = max(4, round(0.035 * h))
        max_w = round(0.82 * w) - 2 * pad
        scale = 1.0
        for _ in range(12):
            rows: list[tuple[str, object, int, int]] = []  # (kind, payload, size/h, gap)
            total, widest = 0, 0
            for item in items:
                gap = round(item.space_before * h * scale)
                if isinstance(item, Bar):
                    bh = max(3, round(0.025 * h * scale))
                    rows.append(("bar", item, bh, gap))
                    total += gap + bh
                    continue
                size = max(6, round(item.size * h * scale))
                lines, size = self.text.fit(item.text, size, item.bold, max_w, item.max_lines)
                for k, line in enumerate(lines):
                    lw = self.text.width(line, size, item.bold)
                    widest = max(widest, lw)
                    g = gap if k == 0 else round(0.22 * size)
                    rows.append(("text", (line, item, lw), size, g))
                    total += g + round(1.0 * size)
            if total + 2 * pad <= 0.94 * h or scale < 0.3:
                break
            scale *= 0.9
        inner = max(widest, round(0.4 * w))
        pw, ph = inner + 2 * pad, total + 2 * pad
        x0, y0 = (w - pw) // 2, (h - ph) // 2
        self.panel(img, (x0, y0), (x0 + pw, y0 + ph), accent, BLOCK_ALPHA)
        y = y0 + pad
        for kind, payload, size, gap in rows:
            y += gap
            if kind == "bar":
                assert isinstance(payload, Bar)
                bw = min(inner, round(0.6 * w))
                self.bar(img, ((w - bw) // 2, y), (bw, size), payload.fraction, payload.colour)
                y += size
            else:
                line, item, lw = payload  # type: ignore[misc]
                self.put(img, line, Font(size, item.bold, item.colour), (w - lw) // 2, y + round(0.8 * size))
                y += round(1.0 * size)


def _panel_patch(w: int, h: int, radius: int, alpha: float) -> Patch:
    mask = np.zeros((h, w), np.uint8)
    r = min(radius, w // 2, h // 2)
    cv2.rectangle(mask, (r, 0), (w - 1 - r, h - 1), 255, -1)
    cv2.rectangle(mask, (0, r), (w - 1, h - 1 - r), 255, -1)
    for cx, cy in ((r, r), (w - 1 - r, r), (r, h - 1 - r), (w - 1 - r, h - 1 - r)):
        cv2.circle(mask, (cx, cy), r, 255, -1, cv2.LINE_AA)
    return Patch.from_mask(mask, PANEL, alpha)


def _disc_patch(radius: int) -> Patch:
    mask = np.zeros((2 * radius + 1, 2 * radius + 1), np.uint8)
    cv2.circle(mask, (radius, radius), radius, 255, -1, cv2.LINE_AA)
    return Patch.from_mask(mask, PANEL, PANEL_ALPHA)
