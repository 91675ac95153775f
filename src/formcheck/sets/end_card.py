"""The annotated video's end card: its last picture held with the set's summary drawn over it.

Its own module so that replay's encoder process, which draws it, loads neither the engine nor the
exercise files (``pipeline.py`` brings both: ~0.25 s of CPU more at every replay's start, while
the pose model's first frames wait for the encoder to take their ring slots).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from formcheck.core.results import SessionSummary

if TYPE_CHECKING:  # only annotations here
    from formcheck.media.video_writer import VideoWriter
    from formcheck.overlay import Overlay

END_CARD_S = 3.0  # an annotated video ends on the set's summary (what live shows after a set) this long
# pictures a second of it: one still picture, so a few are enough (a player shows each until the
# next). At the video's own rate (30), x264 took ~0.25 s at the end of every replay to encode the
# same picture 90 times, while the command waited; a 240 fps clip's would take 14 s.
END_CARD_FPS = 5.0


def end_card_times(t_ms: float, fps: float) -> list[float]:
    """When the end card's pictures are shown, in a video whose last frame is at ``t_ms`` (at
    ``fps`` frames a second): the first a frame's step after it, the last END_CARD_S after it,
    evenly between, at least END_CARD_FPS a second (never more often than the video's own frames)."""
    step = 1000.0 / fps if fps > 0 else 1000.0 / END_CARD_FPS
    first, last = t_ms + step, t_ms + END_CARD_S * 1000.0
    gaps = max(1, math.ceil((last - first) / (1000.0 / min(fps, END_CARD_FPS)) - 1e-9))
    return [first + (last - first) * i / gaps for i in range(gaps + 1)]


def end_card_frames(fps: float) -> int:
    """How many pictures the end card of a video at ``fps`` frames a second has."""
    return len(end_card_times(0.0, fps))


def write_end_card(writer: VideoWriter, overlay: Overlay, last: tuple[np.ndarray, float] | None,
                   summary: SessionSummary | None, fps: float) -> None:
    """Hold the video's last picture ``last`` (image without the overlay, t_ms) for END_CARD_S
    with the set's summary drawn over it, as live's screen after a set shows it, at
    ``end_card_times`` (nothing without a picture or a summary)."""
    if last is None or summary is None:
        return
    image, t_ms = last
    overlay.draw_summary(image, summary)
    writer.write_held(image, end_card_times(t_ms, fps))
