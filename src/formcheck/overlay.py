"""Drawing the coach's overlay onto camera frames.

The overlay only READS results (:class:`~formcheck.results.FrameResult`, :class:`SessionSummary`)
and computes nothing about the exercise. Every drawing method draws IN PLACE on an RGB (not BGR)
uint8 ``H x W x 3`` image and returns ``None``.

Sizes are fractions of the image height, so the overlay reads the same at 320x240, 1280x720 or
1920x1080 (and shrinks to fit the width of portrait frames); it is meant to be read from 3 m on a
13" laptop. Text is DejaVu Sans (shipped with matplotlib) so Danish æ, ø, å render; it is drawn by
OpenCV's TrueType renderer (OpenCV >= 5 ``cv2.FontFace``) or by Pillow when that is missing.
Rendered text and panel shapes are cached on the instance as colour-premultiplied patches, and
translucent panels blend only their own region, so a frame costs well under a few milliseconds.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Callable, Generic, Hashable, Sequence, TypeVar

import cv2
import numpy as np

from .pose import SKELETON, Landmark
from .results import FrameResult, Status

RGB = tuple[int, int, int]

# Palette (RGB): white text on dark translucent panels, teal skeleton, orange highlight
# (teal/orange stay distinct for the common colour-vision deficiencies; highlights are also thicker).
TEXT: RGB = (255, 255, 255)
TEXT_DIM: RGB = (200, 208, 216)
PANEL: RGB = (14, 18, 24)
PANEL_ALPHA = 0.66  # live panels: the camera stays visible through them
BLOCK_ALPHA = 0.82  # centred messages and the summary: text first
SKELETON_COLOUR: RGB = (64, 200, 190)
FAINT_COLOUR: RGB = (150, 160, 165)
HIGHLIGHT_COLOUR: RGB = (255, 140, 20)
OUTLINE_COLOUR: RGB = (12, 16, 20)
JOINT_COLOUR: RGB = (236, 246, 246)
BAR_BG: RGB = (70, 78, 86)
BAR_FILL: RGB = (64, 200, 190)
GAUGE_FILL: RGB = (150, 215, 240)
AMBER: RGB = (245, 185, 50)

MIN_VISIBILITY = 0.5  # below this a joint is uncertain: its segments are drawn thin and faint
HIDDEN_VISIBILITY = 0.2  # below this a segment is not drawn at all

_STRINGS = MappingProxyType(
    {
        "da": MappingProxyType(
            {
                "no_person": "Jeg kan ikke se dig",
                "no_person_hint": "Stil dig så hele kroppen kan ses",
                "positioning": "Stil dig i startposition",
                "paused": "Pause",
                "holds_done": "Færdige hold: {n}",
                "well_done": "Godt gået!",
                "stopped": "Øvelsen er stoppet",
                "pain_stopped": "Stoppet på grund af smerter",
                "reps": "gentagelser",
                "rep": "gentagelse",
                "partials": "{n} ufuldstændige gentagelser (ikke talt med)",
                "partial": "1 ufuldstændig gentagelse (ikke talt med)",
                "tip": "Tip til næste gang: {cue}",
                "hold_n": "Hold {i}",
                "L": "venstre",
                "R": "højre",
                "no_holds": "Ingen hold",
                "holds_reached": "{k} af {n} hold nåede målet",
                "go": "Nu!",
            }
        ),
        "en": MappingProxyType(
            {
                "no_person": "I can't see you",
                "no_person_hint": "Step back so your whole body is visible",
                "positioning": "Get into the start position",
                "paused": "Paused",
                "holds_done": "Holds done: {n}",
                "well_done": "Well done!",
                "stopped": "Exercise stopped",
                "pain_stopped": "Stopped because of pain",
                "reps": "repetitions",
                "rep": "repetition",
                "partials": "{n} partial repetitions (not counted)",
                "partial": "1 partial repetition (not counted)",
                "tip": "Tip for next time: {cue}",
                "hold_n": "Hold {i}",
                "L": "left",
                "R": "right",
                "no_holds": "No holds",
                "holds_reached": "{k} of {n} holds reached the target",
                "go": "Go!",
            }
        ),
    }
)
_SIDE_ALIASES = MappingProxyType({"L": "L", "LEFT": "L", "R": "R", "RIGHT": "R"})


@dataclass(frozen=True)
class SessionSummary:
    """What one exercise session achieved, for the end screen (texts already localised)."""

    exercise_name: str
    reps: int
    target: int | None
    partials: int
    holds: list[tuple[str | None, float, float]]  # (side, held_s, target_s)
    top_cue: str | None  # the most frequent cue text, already in the right language
    pain_stopped: bool = False


# ---------------------------------------------------------------------------------------------
# Small building blocks: an LRU cache, colour-premultiplied patches, the text renderer


K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class _LRU(Generic[K, V]):
    """A small least-recently-used cache (owned by one instance, never shared)."""

    def __init__(self, maxsize: int) -> None:
        self._data: OrderedDict[K, V] = OrderedDict()
        self._maxsize = maxsize

    def get(self, key: K, make: Callable[[], V]) -> V:
        try:
            value = self._data[key]
        except KeyError:
            value = make()
            self._data[key] = value
            if len(self._data) > self._maxsize:
                self._data.popitem(last=False)
            return value
        self._data.move_to_end(key)
        return value

    def __len__(self) -> int:
        return len(self._data)


@dataclass(frozen=True)
class _Patch:
    """A premultiplied RGB patch: blended as ``dst * inv / 255 + pre`` (two saturating ops)."""

    inv: np.ndarray  # h x w x 3 uint8, 255 - coverage
    pre: np.ndarray  # h x w x 3 uint8, colour * coverage / 255

    @staticmethod
    def from_mask(mask: np.ndarray, colour: RGB, alpha: float = 1.0) -> _Patch:
        """Patch painting ``colour`` with opacity ``alpha * mask / 255``."""
        cov = mask if alpha >= 1.0 else cv2.convertScaleAbs(mask, alpha=alpha)
        inv = cv2.merge((255 - cov,) * 3)
        scalar = (float(colour[0]), float(colour[1]), float(colour[2]), 0.0)
        pre = cv2.multiply(cv2.merge((cov,) * 3), scalar, scale=1.0 / 255.0)
        return _Patch(inv, pre)

    @property
    def shape(self) -> tuple[int, int]:
        return self.inv.shape[0], self.inv.shape[1]

    def blit(self, image: np.ndarray, x: int, y: int) -> None:
        """Blend onto ``image`` with the patch's top-left at (x, y), clipped; in place."""
        h, w = self.shape
        ih, iw = image.shape[:2]
        x0, y0, x1, y1 = max(x, 0), max(y, 0), min(x + w, iw), min(y + h, ih)
        if x0 >= x1 or y0 >= y1:
            return
        roi = image[y0:y1, x0:x1]
        sy, sx = slice(y0 - y, y1 - y), slice(x0 - x, x1 - x)
        roi[:] = cv2.add(cv2.multiply(roi, self.inv[sy, sx], scale=1.0 / 255.0), self.pre[sy, sx])


@dataclass(frozen=True)
class _Ink:
    """One line of rendered text: a patch whose row ``ascent`` is the baseline."""

    patch: _Patch
    ascent: int
    width: int  # advance width in pixels


def _font_dir() -> Path | None:
    try:
        import matplotlib

        path = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    except Exception:  # matplotlib missing or broken: fall back to the renderer's own font
        return None
    return path if path.is_dir() else None


class _TextRenderer:
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
        self._pil_fonts = _LRU[tuple[bool, int], object](64)
        self._widths = _LRU[tuple[str, int, bool], int](4096)
        self._inks = _LRU[tuple[str, int, bool, RGB], _Ink](160)

    # fonts -------------------------------------------------------------------------------
    def _cv_face(self, bold: bool) -> object:
        face = self._cv_faces.get(bold)
        if face is None:
            path = self._paths[bold]
            face = cv2.FontFace(str(path)) if path else cv2.FontFace("sans")
            self._cv_faces[bold] = face
        return face

    def _pil_font(self, size: int, bold: bool) -> object:
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
        from PIL import Image, ImageDraw

        img = Image.new("L", (w, h), 0)
        ImageDraw.Draw(img).text((1, asc), text, fill=255, font=self._pil_font(size, bold), anchor="ls")
        return np.asarray(img, dtype=np.uint8).copy()

    def ink(self, text: str, size: int, bold: bool, colour: RGB) -> _Ink:
        """A cached, colour-premultiplied render of ``text``."""

        def make() -> _Ink:
            patch = _Patch.from_mask(self.mask(text, size, bold), colour)
            return _Ink(patch, self.ascent(size), self.width(text, size, bold))

        return self._inks.get((text, size, bold, colour), make)


# ---------------------------------------------------------------------------------------------
# Layout helpers


@dataclass(frozen=True)
class _Line:
    """One text item of a centred block (sizes are fractions of the image height)."""

    text: str
    size: float
    bold: bool = False
    colour: RGB = TEXT
    max_lines: int = 3
    space_before: float = 0.0


@dataclass(frozen=True)
class _Bar:
    """A progress bar item of a centred block."""

    fraction: float
    colour: RGB = BAR_FILL
    space_before: float = 0.0


def _clip01(x: float | None) -> float:
    if x is None or not math.isfinite(x):
        return 0.0
    return min(max(float(x), 0.0), 1.0)


def _check_image(image: np.ndarray) -> None:
    if not isinstance(image, np.ndarray) or image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] != 3:
        shape = getattr(image, "shape", None)
        dtype = getattr(image, "dtype", None)
        raise ValueError(f"overlay draws on RGB uint8 HxWx3 images, got shape {shape} dtype {dtype}")
    if image.shape[0] < 8 or image.shape[1] < 8:
        raise ValueError(f"image too small to draw on: {image.shape}")
    if not image.flags.writeable:
        raise ValueError("the overlay draws in place: pass a writeable image (e.g. a copy)")


class _InPlace:
    """Context manager giving a C-contiguous array to draw on, copied back to ``image`` at exit.

    OpenCV draws into the caller's array directly when it is contiguous (the usual case); a view
    such as a mirrored ``frame[:, ::-1]`` is drawn on a copy that is written back.
    """

    def __init__(self, image: np.ndarray) -> None:
        _check_image(image)
        self.image = image
        self.work = image if image.flags.c_contiguous else np.ascontiguousarray(image)

    def __enter__(self) -> np.ndarray:
        return self.work

    def __exit__(self, *exc: object) -> None:
        if self.work is not self.image:
            self.image[...] = self.work


# ---------------------------------------------------------------------------------------------
# The overlay


class Overlay:
    """Draws one exercise's live overlay, messages, countdowns and the end summary.

    It only reads what it is given (it decides nothing about the exercise) and draws IN PLACE on
    RGB uint8 images. ``kind`` is "reps" (count toward a target) or "hold" (seconds held).
    Font objects, text renders and panel shapes are cached on the instance.
    """

    def __init__(
        self, exercise_name: str, *, lang: str = "da", kind: str = "reps", text_backend: str | None = None
    ) -> None:
        if kind not in ("reps", "hold"):
            raise ValueError(f"kind must be 'reps' or 'hold', got {kind!r}")
        self.exercise_name = exercise_name
        self.lang = lang
        self.kind = kind
        self._s = _STRINGS["da"] if lang == "da" else _STRINGS["en"]
        self._text = _TextRenderer(text_backend)
        self._shapes = _LRU[tuple[object, ...], _Patch](32)
        self._fits = _LRU[tuple[object, ...], tuple[tuple[str, ...], int]](256)
        self._segment_index = np.array([[int(a), int(b)] for a, b in SKELETON], dtype=np.intp)
        joints = sorted({int(j) for seg in SKELETON for j in seg})
        self._joint_index = np.array(joints, dtype=np.intp)

    # public API --------------------------------------------------------------------------
    def annotate(self, image: np.ndarray, result: FrameResult) -> None:
        """Draw skeleton, count, progress, one cue and the status message; IN PLACE, returns None."""
        with _InPlace(image) as img:
            if result.pose is not None:
                self._draw_skeleton(img, result)
            self._draw_counter(img, result)
            if result.status is Status.NO_PERSON:
                self._draw_block(img, [
                    _Line(self._s["no_person"], 0.085, bold=True),
                    _Line(self._s["no_person_hint"], 0.055, colour=TEXT_DIM, space_before=0.015),
                ], accent=AMBER)
            elif result.cue is not None:
                important = result.cue.severity >= 2 or bool(result.cue.segments)
                accent = HIGHLIGHT_COLOUR if important else SKELETON_COLOUR
                self._draw_bottom_text(img, result.cue.text(self.lang), accent)
            elif result.status is Status.POSITIONING:
                self._draw_bottom_text(img, self._s["positioning"], SKELETON_COLOUR)

    def draw_message(self, image: np.ndarray, title: str, lines: Sequence[str] = ()) -> None:
        """A big centred panel (instructions, "paused", camera errors, pain advice); IN PLACE."""
        if isinstance(lines, str):
            lines = (lines,)
        items: list[_Line | _Bar] = [_Line(title, 0.08, bold=True, max_lines=2)]
        for i, line in enumerate(lines):
            items.append(_Line(line, 0.052, max_lines=4, space_before=0.03 if i == 0 else 0.02))
        with _InPlace(image) as img:
            self._draw_block(img, items)

    def draw_countdown(self, image: np.ndarray, seconds_left: float, hint: str | None = None) -> None:
        """A big countdown number in a ring that empties each second, and a hint; IN PLACE."""
        with _InPlace(image) as img:
            h, w = img.shape[:2]
            n = math.ceil(seconds_left - 1e-6) if math.isfinite(seconds_left) else 0
            radius = max(8, round(0.2 * min(h, 0.75 * w)))
            cx, cy = w // 2, round(0.44 * h) if hint else h // 2
            disc = self._shapes.get(("disc", radius), lambda: self._disc_patch(radius))
            disc.blit(img, cx - radius, cy - radius)
            ring_t = max(2, round(0.09 * radius))
            r = radius - ring_t
            cv2.circle(img, (cx, cy), r, BAR_BG, ring_t, cv2.LINE_AA)
            if n > 0:
                frac = _clip01(seconds_left - (n - 1))
                if frac > 0:
                    cv2.ellipse(img, (cx, cy), (r, r), -90, 0, 360 * frac, BAR_FILL, ring_t, cv2.LINE_AA)
                text, size = str(n), round(1.2 * radius)
            else:
                text, size = self._s["go"], round(0.55 * radius)
            size = self._fit_size(text, size, True, 2 * (r - ring_t) - 4)
            self._put_centred(img, text, size, True, TEXT, cx, cy)
            if hint:
                self._draw_bottom_text(img, hint, SKELETON_COLOUR)

    def draw_summary(self, image: np.ndarray, summary: SessionSummary) -> None:
        """The end-of-exercise screen: count or holds, partials, one tip; IN PLACE."""
        s = self._s
        items: list[_Line | _Bar] = []
        if summary.pain_stopped:
            items.append(_Line(s["stopped"], 0.075, bold=True, colour=AMBER, max_lines=2))
        else:
            items.append(_Line(s["well_done"], 0.075, bold=True, max_lines=2))
        items.append(_Line(summary.exercise_name, 0.05, colour=TEXT_DIM, max_lines=2, space_before=0.015))
        if self.kind == "reps" or summary.reps > 0 or not summary.holds:
            count = f"{summary.reps} / {summary.target}" if summary.target else f"{summary.reps}"
            items.append(_Line(count, 0.15, bold=True, max_lines=1, space_before=0.02))
            items.append(_Line(s["rep"] if summary.reps == 1 else s["reps"], 0.05, colour=TEXT_DIM))
            if summary.target:
                items.append(_Bar(summary.reps / summary.target, space_before=0.02))
        if summary.holds:
            items.extend(self._hold_lines(summary.holds))
        elif self.kind == "hold" and summary.reps == 0:
            items.append(_Line(s["no_holds"], 0.055, space_before=0.02))
        if summary.partials > 0:
            text = s["partial"] if summary.partials == 1 else s["partials"].format(n=summary.partials)
            items.append(_Line(text, 0.045, colour=TEXT_DIM, max_lines=2, space_before=0.02))
        if summary.top_cue:
            items.append(_Line(s["tip"].format(cue=summary.top_cue), 0.05, max_lines=2, space_before=0.025))
        if summary.pain_stopped:
            items.append(_Line(s["pain_stopped"], 0.05, colour=AMBER, max_lines=2, space_before=0.025))
        with _InPlace(image) as img:
            self._draw_block(img, items)

    # annotate parts ----------------------------------------------------------------------
    def _draw_skeleton(self, img: np.ndarray, result: FrameResult) -> None:
        pose = result.pose
        assert pose is not None
        h, w = img.shape[:2]
        t = max(2, round(0.009 * h))
        edge = max(1, round(0.3 * t))
        finite = np.isfinite(pose.xy).all(axis=1)
        pts = np.rint(np.clip(np.nan_to_num(pose.xy), -2.0, 3.0) * (w, h)).astype(np.int32)
        vis = np.where(finite, np.nan_to_num(pose.visibility, nan=0.0), 0.0)
        seg_vis = vis[self._segment_index].min(axis=1)
        highlighted = [(int(a), int(b)) for a, b in (result.cue.segments if result.cue else ()) if a != b]
        skip = {frozenset(seg) for seg in highlighted}

        def p(i: int) -> tuple[int, int]:
            return int(pts[i, 0]), int(pts[i, 1])

        solid = []
        for (a, b), v in zip(self._segment_index, seg_vis):
            if v < HIDDEN_VISIBILITY or frozenset((int(a), int(b))) in skip:
                continue
            if v < MIN_VISIBILITY:
                cv2.line(img, p(a), p(b), FAINT_COLOUR, max(1, t // 3), cv2.LINE_AA)
            else:
                solid.append((a, b))
        for a, b in solid:
            cv2.line(img, p(a), p(b), OUTLINE_COLOUR, t + 2 * edge, cv2.LINE_AA)
        for a, b in solid:
            cv2.line(img, p(a), p(b), SKELETON_COLOUR, t, cv2.LINE_AA)
        r = max(2, round(0.8 * t))
        for j in self._joint_index:
            if vis[j] >= MIN_VISIBILITY:
                cv2.circle(img, p(j), r + edge, OUTLINE_COLOUR, -1, cv2.LINE_AA)
                cv2.circle(img, p(j), r, JOINT_COLOUR, -1, cv2.LINE_AA)
        # the cue's segments last, on top, thicker and orange (drawn even if not in SKELETON)
        th = max(3, round(1.7 * t))
        for a, b in highlighted:
            if min(vis[a], vis[b]) < HIDDEN_VISIBILITY:
                continue
            cv2.line(img, p(a), p(b), OUTLINE_COLOUR, th + 2 * edge, cv2.LINE_AA)
            cv2.line(img, p(a), p(b), HIGHLIGHT_COLOUR, th, cv2.LINE_AA)
            for j in (a, b):
                cv2.circle(img, p(j), r, JOINT_COLOUR, -1, cv2.LINE_AA)

    def _draw_counter(self, img: np.ndarray, result: FrameResult) -> None:
        """Top-left panel: label, a big count (or seconds held), its bar, and the motion gauge."""
        h, w = img.shape[:2]
        s = self._s
        hold = self.kind == "hold"
        paused = hold and result.status is Status.HOLD_PAUSED
        label = self.exercise_name
        side = _SIDE_ALIASES.get(str(result.side).upper()) if result.side else None
        if side:
            label = f"{label} · {s[side]}"
        if hold:
            held = result.hold_s if result.hold_s is not None and math.isfinite(result.hold_s) else 0.0
            held = max(0.0, held)
            target = result.hold_target_s if result.hold_target_s and math.isfinite(result.hold_target_s) else None
            big = str(int(held))
            tail = f"/ {round(target)} s" if target else "s"
            fraction = held / target if target else None
            done = bool(target) and int(held) >= round(target or 0)
            sub = s["holds_done"].format(n=result.holds_done)
        else:
            big = str(result.reps)
            tail = f"/ {result.target}" if result.target else ""
            fraction = result.reps / result.target if result.target else None
            done = bool(result.target) and result.reps >= (result.target or 0)
            sub = None
        if paused:
            sub = f"{s['paused']} · {sub}" if sub else s["paused"]
        gauge = None if hold or result.progress is None else _clip01(result.progress)

        # sizes (fractions of the height), shrunk together when the panel would not fit the width
        margin = max(4, round(0.025 * h))
        scale = 1.0
        for _ in range(6):
            pad = max(3, round(0.022 * h * scale))
            sl, sb, st = (max(6, round(f * h * scale)) for f in (0.042, 0.17, 0.085))
            wb = self._text.width(big, sb, True)
            gap = round(0.25 * st)
            wt = gap + self._text.width(tail, st, True) if tail else 0
            wc = wb + wt + (self._text.width(" ✓", st, True) if done else 0)
            icon = round(0.5 * sb) if paused else 0
            gw = max(3, round(0.022 * h * scale)) if gauge is not None else 0
            inner = max(
                self._text.width(label, sl), wc + icon + (pad + gw if gw else 0),
                self._text.width(sub, sl) if sub else 0, round(0.3 * h * scale),
            )
            if inner + 2 * pad <= w - 2 * margin:
                break
            scale *= 0.95 * (w - 2 * margin) / (inner + 2 * pad)
        bar_h = max(3, round(0.024 * h * scale)) if fraction is not None else 0

        x0, y0 = margin, margin
        ix = x0 + pad
        label_base = y0 + pad + round(0.78 * sl)
        big_top = label_base + round(0.45 * sl)
        big_base = big_top + round(0.73 * sb)
        y = big_base + round(0.35 * pad)
        bar_y = y + pad if bar_h else y
        y = bar_y + bar_h
        sub_base = y + round(0.4 * pad) + round(0.78 * sl) if sub else y
        y1 = sub_base + (round(0.3 * sl) if sub else 0) + pad
        x1 = x0 + inner + 2 * pad
        self._panel(img, x0, y0, x1, y1)

        self._put(img, label, sl, False, TEXT_DIM, ix, label_base)
        self._put(img, big, sb, True, AMBER if paused else TEXT, ix, big_base)
        tail_colour = BAR_FILL if done else TEXT_DIM
        x = ix + wb
        if tail:
            self._put(img, tail, st, True, tail_colour, x + gap, big_base)
            x += wt
        if done:
            self._put(img, " ✓", st, True, BAR_FILL, x, big_base)
            x += self._text.width(" ✓", st, True)
        if paused:  # a pause sign (two bars) beside the timer
            bw = max(2, round(0.12 * icon))
            px0 = x + round(0.3 * icon)
            ph = round(0.45 * sb)
            cv2.rectangle(img, (px0, big_base - ph), (px0 + bw - 1, big_base), AMBER, -1)
            cv2.rectangle(img, (px0 + 2 * bw, big_base - ph), (px0 + 3 * bw - 1, big_base), AMBER, -1)
        if gauge is not None:
            gx1 = ix + inner
            gx0 = gx1 - gw
            gy0, gy1 = big_top, big_base
            cv2.rectangle(img, (gx0, gy0), (gx1 - 1, gy1), BAR_BG, -1)
            fill = round(gauge * (gy1 - gy0))
            if fill > 0:
                cv2.rectangle(img, (gx0, gy1 - fill), (gx1 - 1, gy1), GAUGE_FILL, -1)
        if bar_h and fraction is not None:
            self._bar(img, ix, bar_y, inner, bar_h, fraction, AMBER if paused else BAR_FILL)
        if sub:
            self._put(img, sub, sl, False, AMBER if paused else TEXT_DIM, ix, sub_base)

    # drawing primitives ------------------------------------------------------------------
    def _panel(
        self, img: np.ndarray, x0: int, y0: int, x1: int, y1: int,
        accent: RGB | None = None, alpha: float = PANEL_ALPHA,
    ) -> None:
        """A dark translucent rounded panel; blends only its own region."""
        w, h = x1 - x0, y1 - y0
        if w <= 0 or h <= 0:
            return
        radius = max(2, round(0.12 * min(w, h, 0.2 * img.shape[0])))
        key = ("panel", w, h, radius, alpha)
        patch = self._shapes.get(key, lambda: self._panel_patch(w, h, radius, alpha))
        patch.blit(img, x0, y0)
        if accent is not None:
            aw = max(3, round(0.01 * img.shape[0]))
            ax = x0 + radius // 3
            cv2.rectangle(img, (ax, y0 + radius), (ax + aw - 1, y1 - radius), accent, -1)

    @staticmethod
    def _panel_patch(w: int, h: int, radius: int, alpha: float) -> _Patch:
        mask = np.zeros((h, w), np.uint8)
        r = min(radius, w // 2, h // 2)
        cv2.rectangle(mask, (r, 0), (w - 1 - r, h - 1), 255, -1)
        cv2.rectangle(mask, (0, r), (w - 1, h - 1 - r), 255, -1)
        for cx, cy in ((r, r), (w - 1 - r, r), (r, h - 1 - r), (w - 1 - r, h - 1 - r)):
            cv2.circle(mask, (cx, cy), r, 255, -1, cv2.LINE_AA)
        return _Patch.from_mask(mask, PANEL, alpha)

    @staticmethod
    def _disc_patch(radius: int) -> _Patch:
        mask = np.zeros((2 * radius + 1, 2 * radius + 1), np.uint8)
        cv2.circle(mask, (radius, radius), radius, 255, -1, cv2.LINE_AA)
        return _Patch.from_mask(mask, PANEL, PANEL_ALPHA)

    @staticmethod
    def _bar(img: np.ndarray, x: int, y: int, w: int, h: int, fraction: float, colour: RGB) -> None:
        cv2.rectangle(img, (x, y), (x + w - 1, y + h - 1), BAR_BG, -1)
        fill = round(_clip01(fraction) * w)
        if fill > 0:
            cv2.rectangle(img, (x, y), (x + fill - 1, y + h - 1), colour, -1)

    def _put(
        self, img: np.ndarray, text: str, size: int, bold: bool, colour: RGB, x: int, baseline: int
    ) -> None:
        """Text with its left edge at ``x`` and its baseline at ``baseline``."""
        if not text:
            return
        ink = self._text.ink(text, size, bold, colour)
        ink.patch.blit(img, x - 1, baseline - ink.ascent)

    def _put_centred(
        self, img: np.ndarray, text: str, size: int, bold: bool, colour: RGB, cx: int, cy: int
    ) -> None:
        """Text whose capital height is centred on (cx, cy)."""
        x = cx - self._text.width(text, size, bold) // 2
        self._put(img, text, size, bold, colour, x, cy + round(0.365 * size))

    def _fit_size(self, text: str, size: int, bold: bool, max_w: int) -> int:
        width = self._text.width(text, size, bold)
        if width <= max_w or width == 0:
            return size
        return max(6, int(size * max_w / width))

    def _fit(
        self, text: str, size: int, bold: bool, max_w: int, max_lines: int
    ) -> tuple[tuple[str, ...], int]:
        """Wrap ``text`` into at most ``max_lines`` lines of ``max_w`` pixels, shrinking the font
        down to 60% if needed and ending with an ellipsis if it still does not fit (cached)."""
        return self._fits.get(("fit", text, size, bold, max_w, max_lines),
                              lambda: self._fit_uncached(text, size, bold, max_w, max_lines))

    def _fit_uncached(
        self, text: str, size: int, bold: bool, max_w: int, max_lines: int
    ) -> tuple[tuple[str, ...], int]:
        min_size = max(6, round(0.6 * size))
        s = size
        while True:
            lines = self._wrap(text, s, bold, max_w)
            fits = len(lines) <= max_lines and all(self._text.width(ln, s, bold) <= max_w for ln in lines)
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
        width = self._text.width
        if not force and width(line, size, bold) <= max_w:
            return line
        words = line.split()
        while len(words) > 1:
            candidate = " ".join(words).rstrip(",.;:-") + "…"
            if width(candidate, size, bold) <= max_w:
                return candidate
            words.pop()
        word = words[0] if words else ""
        while word and width(word + "…", size, bold) > max_w:
            word = word[:-1]
        return word + "…"

    def _wrap(self, text: str, size: int, bold: bool, max_w: int) -> list[str]:
        lines: list[str] = []
        for paragraph in text.splitlines() or [""]:
            current = ""
            for word in paragraph.split():
                candidate = f"{current} {word}" if current else word
                if not current or self._text.width(candidate, size, bold) <= max_w:
                    current = candidate
                else:
                    lines.append(current)
                    current = word
            lines.append(current)
        return lines

    def _draw_bottom_text(self, img: np.ndarray, text: str, accent: RGB) -> None:
        """One message at the bottom in large text (at most 2 lines) on a translucent panel."""
        h, w = img.shape[:2]
        margin = max(4, round(0.025 * h))
        pad = max(3, round(0.025 * h))
        stripe = max(3, round(0.01 * h)) + pad
        max_w = w - 2 * margin - 2 * pad - 2 * stripe
        lines, size = self._fit(text, max(6, round(0.065 * h)), True, max_w, 2)
        step = round(1.22 * size)
        widths = [self._text.width(ln, size, True) for ln in lines]
        inner = max(max(widths), round(0.3 * w) - 2 * stripe)
        pw = inner + 2 * pad + 2 * stripe
        ph = 2 * pad + round(0.75 * size) + (len(lines) - 1) * step + round(0.08 * size)
        x0 = (w - pw) // 2
        y1 = h - margin
        y0 = y1 - ph
        self._panel(img, x0, y0, x0 + pw, y1, accent)
        base = y0 + pad + round(0.75 * size)
        for line, lw in zip(lines, widths):
            self._put(img, line, size, True, TEXT, x0 + (pw - lw) // 2, base)
            base += step

    def _draw_block(self, img: np.ndarray, items: Sequence[_Line | _Bar], accent: RGB | None = None) -> None:
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
                if isinstance(item, _Bar):
                    bh = max(3, round(0.025 * h * scale))
                    rows.append(("bar", item, bh, gap))
                    total += gap + bh
                    continue
                size = max(6, round(item.size * h * scale))
                lines, size = self._fit(item.text, size, item.bold, max_w, item.max_lines)
                for k, line in enumerate(lines):
                    lw = self._text.width(line, size, item.bold)
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
        self._panel(img, x0, y0, x0 + pw, y0 + ph, accent, BLOCK_ALPHA)
        y = y0 + pad
        for kind, payload, size, gap in rows:
            y += gap
            if kind == "bar":
                assert isinstance(payload, _Bar)
                bw = min(inner, round(0.6 * w))
                self._bar(img, (w - bw) // 2, y, bw, size, payload.fraction, payload.colour)
                y += size
            else:
                line, item, lw = payload  # type: ignore[misc]
                self._put(img, line, size, item.bold, item.colour, (w - lw) // 2, y + round(0.8 * size))
                y += round(1.0 * size)

    def _hold_lines(self, holds: Sequence[tuple[str | None, float, float]]) -> list[_Line | _Bar]:
        s = self._s
        shown = [(side, round(held), round(target)) for side, held, target in holds]
        if len(shown) > 4:
            reached = sum(1 for _, held, target in shown if held >= target)
            return [_Line(s["holds_reached"].format(k=reached, n=len(shown)), 0.055, space_before=0.02)]
        out: list[_Line | _Bar] = []
        for i, (side, held, target) in enumerate(shown, start=1):
            key = _SIDE_ALIASES.get(str(side).upper()) if side else None
            name = s[key].capitalize() if key else s["hold_n"].format(i=i)
            mark = " ✓" if held >= target else ""
            out.append(_Line(f"{name}: {held} / {target} s{mark}", 0.06, bold=True,
                             colour=TEXT, max_lines=1, space_before=0.02 if i == 1 else 0.008))
        return out
