"""Text for the overlay: DejaVu Sans rendered to cached patches, and fitting text into a width.

DejaVu Sans (shipped with matplotlib) is used so Danish æ, ø, å render; it is drawn by OpenCV's
TrueType renderer (OpenCV >= 5 ``cv2.FontFace``) or by Pillow when that is missing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from formcheck.overlay.raster import LRU, Patch
from formcheck.overlay.style import RGB


@dataclass(frozen=True)
class Ink:
    """One line of rendered text: a patch whose row ``ascent`` is the baseline."""

    patch: Patch
    ascent: int
    width: int  # advance width in pixels


INK_CACHE_BYTES = 8 * 1024 * 1024  # a frame draws a few dozen lines at most; this holds ~50 of the largest


def _ink_bytes(ink: Ink) -> int:
    return ink.patch.inv.nbytes + ink.patch.pre.nbytes


def _font_dir() -> Path | None:
    try:
        import matplotlib  # only for its fonts' folder, once (a 0.3 s import otherwise unneeded)

        path = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    except Exception:  # matplotlib missing or broken: fall back to the renderer's own font
        return None
    return path if path.is_dir() else None


class TextRenderer:
    """Renders one line of text to cached coverage patches with DejaVu Sans (regular/bold).

    ``backend`` "cv2" uses OpenCV's TrueType ``putText`` (OpenCV >= 5, no freetype module needed),
    "pil" uses Pillow; default: "cv2" when available. ``size`` is the font's em size in pixels.
    """

    _CV_ASCENT = 1901 / 2048  # OpenCV sizes a font by its ascender; DejaVu's is 0.928 em

    def __init__(self, backend: str | None = None) -> None:
        if backend is None:
            backend = "cv2" if hasattr(cv2, "FontFace") else "pil"
        if backend not in ("cv2", "pil"):
            raise ValueError(f"unknown text backend {backend!r} (use 'cv2' or 'pil')")
        if backend == "cv2" and not hasattr(cv2, "FontFace"):
            raise ValueError("text backend 'cv2' needs OpenCV >= 5 (cv2.FontFace)")
        self.backend = backend
        fonts = _font_dir()
        self._paths: dict[bool, Path | None] = {
            b: (fonts / name if fonts and (fonts / name).is_file() else None)
            for b, name in ((False, "DejaVuSans.ttf"), (True, "DejaVuSans-Bold.ttf"))
        }
        self._cv_faces: dict[bool, object] = {}
        self._pil_fonts = LRU[tuple[bool, int], object](64)
        self._widths = LRU[tuple[str, int, bool], int](4096)
        # rendered lines, also by bytes: each count ("17", "18"...) is a new 164 KB line at 720p,
        # and 160 of them were 26 MB in a long live session (issue 18: flat memory)
        self._inks = LRU[tuple[str, int, bool, RGB], Ink](160, INK_CACHE_BYTES, _ink_bytes)
        self._fits = LRU[tuple[str, int, bool, int, int], tuple[tuple[str, ...], int]](256)

    # fonts -------------------------------------------------------------------------------
    def _cv_face(self, bold: bool) -> object:
        face = self._cv_faces.get(bold)
        if face is None:
            path = self._paths[bold]
            face = cv2.FontFace(str(path)) if path else cv2.FontFace("sans")
            self._cv_faces[bold] = face
        return face

    def _pil_font(self, size: int, bold: bool) -> object:
        # the fallback renderer, used only without OpenCV's FreeType: PIL loads only then
        from PIL import ImageFont

        def make() -> object:
            path = self._paths[bold]
            return ImageFont.truetype(str(path), size) if path else ImageFont.load_default(size)

        return self._pil_fonts.get((bold, size), make)

    def _cv_size(self, size: int) -> int:
        return max(1, round(size * self._CV_ASCENT))

    # metrics -----------------------------------------------------------------------------
    @staticmethod
    def ascent(size: int) -> int:
        """Baseline offset from the top of a line box (room for Å's ring)."""
        return math.ceil(0.95 * size)

    @staticmethod
    def descent(size: int) -> int:
        return math.ceil(0.25 * size)

    def width(self, text: str, size: int, bold: bool = False) -> int:
        """Advance width of ``text`` in pixels."""

        def make() -> int:
            if not text:
                return 0
            if self.backend == "cv2":
                rect = cv2.getTextSize((0, 0), text, (0, 0), self._cv_face(bold), self._cv_size(size))
                return int(rect[2])
            return int(math.ceil(self._pil_font(size, bold).getlength(text)))  # type: ignore[attr-defined]

        return self._widths.get((text, size, bold), make)

    # rendering ---------------------------------------------------------------------------
    def mask(self, text: str, size: int, bold: bool = False) -> np.ndarray:
        """Coverage mask (uint8, 255 = ink) of one line; the baseline is row ``ascent(size)``."""
        asc, desc = self.ascent(size), self.descent(size)
        w = self.width(text, size, bold) + math.ceil(0.1 * size) + 2
        h = asc + desc
        if self.backend == "cv2":
            mask = np.zeros((h, w), np.uint8)
            cv2.putText(mask, text, (1, asc), 255, self._cv_face(bold), self._cv_size(size))
            return mask
        from PIL import Image, ImageDraw  # as in _pil_font

        img = Image.new("L", (w, h), 0)
        ImageDraw.Draw(img).text((1, asc), text, fill=255, font=self._pil_font(size, bold), anchor="ls")
        return np.asarray(img, dtype=np.uint8).copy()

    def ink(self, text: str, size: int, bold: bool, colour: RGB) -> Ink:
        """A cached, colour-premultiplied render of ``text``."""

        def make() -> Ink:
            patch = Patch.from_mask(self.mask(text, size, bold), colour)
            return Ink(patch, self.ascent(size), self.width(text, size, bold))

        return self._inks.get((text, size, bold, colour), make)

    # fitting into a width ----------------------------------------------------------------
    def fit_size(self, text: str, size: int, bold: bool, max_w: int) -> int:
        """The largest size up to ``size`` at which one line of ``text`` is ``max_w`` wide at most."""
        width = self.width(text, size, bold)
        if width <= max_w or width == 0:
            return size
        return max(6, int(size * max_w / width))

    def fit(self, text: str, size: int, bold: bool, max_w: int, max_lines: int) -> tuple[tuple[str, ...], int]:
        """Wrap ``text`` into at most ``max_lines`` lines of ``max_w`` pixels, shrinking the font
        down to 60% if needed and ending with an ellipsis if it still does not fit (cached)."""
        return self._fits.get((text, size, bold, max_w, max_lines),
                              lambda: self._fit_uncached(text, size, bold, max_w, max_lines))

    def _fit_uncached(self, text: str, size: int, bold: bool, max_w: int,
                      max_lines: int) -> tuple[tuple[str, ...], int]:
        min_size = max(6, round(0.6 * size))
        s = size
        while True:
            lines = self._wrap(text, s, bold, max_w)
            fits = len(lines) <= max_lines and all(self.width(ln, s, bold) <= max_w for ln in lines)
            if fits or s <= min_size:
                break
            s = max(min_size, int(s * 0.9))
        if not fits:  # still too long at the smallest size: cut at a word and end with "…"
            kept = [self._ellipsize(ln, s, bold, max_w) for ln in lines[:max_lines]]
            if len(lines) > max_lines:
                kept[-1] = self._ellipsize(f"{kept[-1]} {lines[max_lines]}", s, bold, max_w, force=True)
            lines = kept
        return tuple(lines), s

    def _ellipsize(self, line: str, size: int, bold: bool, max_w: int, force: bool = False) -> str:
        """``line`` if it fits (and not ``force``), else its longest word-prefix that fits + "…"."""
        if not force and self.width(line, size, bold) <= max_w:
            return line
        words = line.split()
        while len(words) > 1:
            candidate = " ".join(words).rstrip(",.;:-") + "…"
            if self.width(candidate, size, bold) <= max_w:
                return candidate
            words.pop()
        word = words[0] if words else ""
        while word and self.width(word + "…", size, bold) > max_w:
            word = word[:-1]
        return word + "…"

    def _wrap(self, text: str, size: int, bold: bool, max_w: int) -> list[str]:
        lines: list[str] = []
        for paragraph in text.splitlines() or [""]:
            current = ""
            for word in paragraph.split():
                candidate = f"{current} {word}" if current else word
                if not current or self.width(candidate, size, bold) <= max_w:
                    current = candidate
                else:
                    lines.append(current)
                    current = word
            lines.append(current)
        return lines
