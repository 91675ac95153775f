"""The Overlay: configured once per exercise, it draws each frame's result and the set's screens."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from formcheck.core.lang import in_lang
from formcheck.core.pose import Pose
from formcheck.core.results import FrameResult, OverlaySetup, Status
from formcheck.overlay.counter_panel import CounterPanel
from formcheck.overlay.painter import Line, Painter
from formcheck.overlay.raster import InPlace
from formcheck.overlay.screens import (
    SessionSummary,
    draw_countdown,
    message_items,
    summary_items,
)
from formcheck.overlay.skeleton import SkeletonDrawer
from formcheck.overlay.style import (
    AMBER,
    HIGHLIGHT_COLOUR,
    MIN_VISIBILITY,
    SKELETON_COLOUR,
    STRINGS,
    TEXT_DIM,
)
from formcheck.overlay.text import TextRenderer

# The body as the cue's placement weighs it: the face's 11 points are one part, a hand's 4 and a
# foot's 3 (ankle, heel, toes) are one each.
_PART_OF = np.array([0] * 11 + [1, 2, 3, 4, 5, 6, 5, 6, 5, 6, 5, 6, 7, 8, 9, 10, 11, 12, 11, 12, 11, 12])


TOP_MIN_SIZE = 0.75  # beside the count the cue's text may be at most this much smaller than at the bottom


def body_parts_inside(pose: Pose, x0: float, y0: float, x1: float, y1: float) -> int:
    """How many body parts have a well-seen point inside the box (image fractions)."""
    xy, vis = pose.xy, pose.visibility
    inside = (vis >= MIN_VISIBILITY) & (xy[:, 0] >= x0) & (xy[:, 0] <= x1) & (xy[:, 1] >= y0) & (xy[:, 1] <= y1)
    return len(set(_PART_OF[inside[: len(_PART_OF)]].tolist()))


class Overlay:
    """Draws one exercise's live overlay, messages, countdowns and the end summary.

    It only reads what it is given (it decides nothing about the exercise) and draws IN PLACE on
    RGB uint8 images. ``kind`` is "reps" (count toward a target) or "hold" (seconds held).
    Font objects, text renders and panel shapes are cached on the instance.
    """

    def __init__(
        self, exercise_name: str, *, lang: str = "da", kind: str = "reps", text_backend: str | None = None,
        keys: str | None = None,
    ) -> None:
        if kind not in ("reps", "hold"):
            raise ValueError(f"kind must be 'reps' or 'hold', got {kind!r}")
        self.exercise_name = exercise_name
        self.lang = lang
        self.kind = kind
        self._s = in_lang(lang, STRINGS["da"], STRINGS["en"])
        self._text = TextRenderer(text_backend)
        self._paint = Painter(self._text)
        self._skeleton = SkeletonDrawer()
        self._counter = CounterPanel(self._paint, exercise_name, kind, self._s, keys)  # keys: live's set keys
        self._message: str | None = None  # the message shown, and where it was put
        self._where = "bottom"

    @classmethod
    def from_setup(cls, setup: OverlaySetup, keys: str | None = None) -> Overlay:
        """The way every overlay of a set or screen is made (``sets.texts.overlay_setup`` gives an
        exercise's); ``keys``: the keys that work during a live set, shown under the count."""
        return cls(setup.title, lang=setup.lang, kind=setup.kind, keys=keys)

    def annotate(self, image: np.ndarray, result: FrameResult) -> None:
        """Draw skeleton, count, progress, one cue and the status message; IN PLACE, returns None."""
        with InPlace(image) as img:
            if result.pose is not None:
                self._skeleton.draw(img, result.pose, result.cue.segments if result.cue else ())
            counter_x1 = self._counter.draw(img, result)
            message: tuple[str, tuple[int, int, int]] | None = None
            if result.status is Status.NO_PERSON:
                self._paint.block(img, [
                    Line(self._s["no_person"], 0.085, bold=True),
                    Line(self._s["no_person_hint"], 0.055, colour=TEXT_DIM, space_before=0.015),
                ], accent=AMBER)
            elif result.cue is not None:
                important = result.cue.severity >= 2 or bool(result.cue.segments)
                message = (result.cue.text(self.lang), HIGHLIGHT_COLOUR if important else SKELETON_COLOUR)
            elif result.status is Status.POSITIONING:
                message = (self._s["positioning"], SKELETON_COLOUR)
            if message is not None:
                text, accent = message
                if text != self._message:  # placed once per message: it does not jump about while shown
                    self._message = text
                    self._where = self._place(img.shape[0], img.shape[1], text, result.pose, counter_x1)
                self._paint.cue_text(img, text, accent, self._where, counter_x1)
            else:
                self._message = None

    def _place(self, h: int, w: int, text: str, pose: Pose | None, counter_x1: int) -> str:
        """At the bottom, unless it would hide more of the body there than at the top right (the
        feet of a heel raise, say, filmed with little room below them)."""
        if pose is None:
            return "bottom"
        bottom = self._paint.cue_box(h, w, text, "bottom", counter_x1)
        top = self._paint.cue_box(h, w, text, "top", counter_x1)
        if top.size < TOP_MIN_SIZE * bottom.size or any(ln.endswith("…") for ln in top.lines) or top.x0 < counter_x1:
            return "bottom"  # no room beside the count (portrait frames): the text would shrink or be cut
        hidden = [body_parts_inside(pose, b.x0 / w, b.y0 / h, b.x1 / w, b.y1 / h) for b in (top, bottom)]
        return "top" if hidden[0] < hidden[1] else "bottom"

    def draw_message(self, image: np.ndarray, title: str, lines: Sequence[str] = (), keys: str | None = None) -> None:
        """A big centred panel (instructions, "paused", camera errors, pain advice) with the keys
        that work there; IN PLACE."""
        if isinstance(lines, str):
            lines = (lines,)
        items = message_items(title, lines, keys)
        with InPlace(image) as img:
            self._paint.block(img, items)

    def draw_countdown(self, image: np.ndarray, seconds_left: float, hint: str | None = None,
                       keys: str | None = None) -> None:
        """A big countdown number in a ring that empties each second, a hint, the keys; IN PLACE."""
        with InPlace(image) as img:
            draw_countdown(self._paint, img, seconds_left, hint, self._s["go"], keys)

    def draw_summary(self, image: np.ndarray, summary: SessionSummary, keys: str | None = None) -> None:
        """The end-of-exercise screen: heading by the result, count or holds, partials, one tip,
        a note, the keys that go on (live); IN PLACE."""
        items = summary_items(summary, self.kind, self._s, keys)
        with InPlace(image) as img:
            self._paint.block(img, items)
