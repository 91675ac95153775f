"""Drawing the coach's overlay onto camera frames.

The overlay only READS results (:class:`~formcheck.core.results.FrameResult`, :class:`SessionSummary`)
and computes nothing about the exercise. Every drawing method draws IN PLACE on an RGB (not BGR)
uint8 ``H x W x 3`` image and returns ``None``.

Sizes are fractions of the image height, so the overlay reads the same at 320x240, 1280x720 or
1920x1080 (and shrinks to fit the width of portrait frames); it is meant to be read from 3 m on a
13" laptop. Text is DejaVu Sans, so Danish æ, ø, å render. Rendered text and panel shapes are
cached on the instance as colour-premultiplied patches, and translucent panels blend only their
own region, so a frame costs well under a few milliseconds.

Modules: ``annotator`` (:class:`Overlay`), ``screens`` (message, countdown, summary),
``counter_panel`` and ``skeleton`` (the live frame), ``painter`` (panels, bars, placed text),
``text`` (fonts, fitting text), ``raster`` (patches, caches), ``style`` (palette, words).
"""

from __future__ import annotations

from formcheck.overlay.annotator import Overlay
from formcheck.overlay.screens import SessionSummary
from formcheck.overlay.style import (
    AMBER,
    BAR_FILL,
    HIDDEN_VISIBILITY,
    HIGHLIGHT_COLOUR,
    MIN_VISIBILITY,
    SKELETON_COLOUR,
    TEXT,
    TEXT_DIM,
)

__all__ = ["AMBER", "BAR_FILL", "HIDDEN_VISIBILITY", "HIGHLIGHT_COLOUR", "MIN_VISIBILITY", "Overlay",
           "SKELETON_COLOUR", "SessionSummary", "TEXT", "TEXT_DIM"]
