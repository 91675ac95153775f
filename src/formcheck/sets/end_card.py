"""The annotated video's end card: its last picture held with the set's summary drawn over it.

Its own module so that replay's encoder process, which draws it, loads neither the engine nor the
exercise files (``pipeline.py`` brings both: ~0.25 s of CPU more at every replay's start, while
the pose model's first frames wait for the encoder to take their ring slots).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from formcheck.core.results import SessionSummary

if TYPE_CHECKING:  # only annotations here
    from formcheck.media.video_writer import VideoWriter
    from formcheck.overlay import Overlay

END_CARD_S = 3.0  # an annotated video ends on the set's summary (what live shows after a set) this long
END_CARD_FPS = 30.0  # at most this many pictures a second of it (a 240 fps clip's would take 14 s to encode)


def end_card_frames(fps: float) -> int:
    """How many pictures the end card of a video at ``fps`` frames a second has."""
    return round(END_CARD_S * min(fps, END_CARD_FPS))


def write_end_card(writer: VideoWriter, overlay: Overlay, last: tuple[np.ndarray, float] | None,
                   summary: SessionSummary | None, fps: float) -> None:
    """Hold the video's last picture ``last`` (image without the overlay, t_ms) for END_CARD_S
    with the set's summary drawn over it, as live's screen after a set shows it, at the video's
    frame rate, up to END_CARD_FPS (nothing without a picture or a summary)."""
    if last is None or summary is None:
        return
    image, t_ms = last
    overlay.draw_summary(image, summary)
    step = 1000.0 / min(fps, END_CARD_FPS)
    writer.write_held(image, [t_ms + i * step for i in range(1, end_card_frames(fps) + 1)])
