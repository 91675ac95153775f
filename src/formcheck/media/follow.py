"""Which of the people the pose model finds is the one being coached, frame after frame.

Pure geometry on landmark outlines (image fractions), so it is tested without the model. The
estimator takes each person's ``outline`` once, asks ``matches`` of each, tells ``follow`` the one
it keeps and ``missed`` when none is the followed person.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

RADIUS = 0.2  # the followed person's centre moves less than this (image fractions) a frame ...
# ... and their outline's area changes by less than this factor a frame. Squatting or lying down
# changes it gradually; a jump to someone behind the person changes it 5-20x (the barbell clip:
# 0.11 -> 0.012 when the plates hid the lifter and the model took a figure in the background).
SIZE_RATIO = 2.5
# The same person found again with a very different skeleton (the head out of the frame: a
# hallucinated whole body, then the legs; outline area 0.73 -> 0.15, 5x) is centred inside their
# last outline; a figure far back in the room can be too, but is smaller still (the barbell's: 9x).
INSIDE_SIZE_RATIO = 8.0
FORGET_S = 3.0  # the followed person unseen this long: choose again (they may come back elsewhere)


Box = tuple[np.ndarray, np.ndarray]  # an outline's corners (x, y) low and high, image fractions


def outline(xy: np.ndarray, vis: np.ndarray) -> Box:
    """Corners (image fractions) of the box around the well-seen landmarks (all if few are)."""
    finite = np.isfinite(xy).all(axis=1)
    well = finite & (vis >= 0.5)
    pts = xy[well] if np.count_nonzero(well) >= 4 else xy[finite]
    if not len(pts):
        return np.zeros(2), np.zeros(2)
    return pts.min(axis=0), pts.max(axis=0)


def centre_and_size(box: Box) -> tuple[np.ndarray, float]:
    lo, hi = box
    return (lo + hi) / 2.0, float(np.prod(np.clip(hi - lo, 0.0, None)))


class Follower:
    """The followed person's last outline, and since when they have been missing."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """Forget the person: the next ``choose`` takes the most central and largest."""
        self.box: Box | None = None
        self.lost_since_ms: float | None = None

    @property
    def following(self) -> bool:
        return self.box is not None

    def expire(self, t_ms: float) -> None:
        """Forget a person missing longer than FORGET_S (call before looking at a new frame)."""
        if self.lost_since_ms is not None and t_ms - self.lost_since_ms > FORGET_S * 1000:
            self.reset()

    def matches(self, box: Box) -> bool:
        """Is the person with this outline the followed one? Near where they were and of about
        their size, or centred inside their outline and not much smaller (the model re-finding the
        same person with a very different skeleton). Anyone matches while nobody is followed."""
        if self.box is None:
            return True
        centre, size = centre_and_size(box)
        was_centre, was_size = centre_and_size(self.box)
        if size <= 0.0 or was_size <= 0.0:  # a degenerate outline: nothing to compare sizes with
            return False
        ratio = size / was_size
        if np.all(centre >= self.box[0]) and np.all(centre <= self.box[1]) and ratio >= 1.0 / INSIDE_SIZE_RATIO:
            return True
        if np.linalg.norm(centre - was_centre) > RADIUS:
            return False
        return 1.0 / SIZE_RATIO <= ratio <= SIZE_RATIO

    def choose(self, boxes: Sequence[Box]) -> int:
        """Index of the person to follow, by outline: at the start the most central and largest,
        then the nearest to where the followed person was (pass only matches)."""
        def score(box: Box) -> float:
            centre, size = centre_and_size(box)
            if self.box is None:
                return size - 0.5 * float(np.linalg.norm(centre - 0.5)) ** 2
            return -float(np.linalg.norm(centre - centre_and_size(self.box)[0]))

        return max(range(len(boxes)), key=lambda i: score(boxes[i]))

    def follow(self, box: Box) -> None:
        """The person with this outline is the one followed now."""
        self.box = box
        self.lost_since_ms = None

    def missed(self, t_ms: float) -> None:
        """Nobody in this frame is the followed person."""
        if self.box is not None and self.lost_since_ms is None:
            self.lost_since_ms = t_ms
