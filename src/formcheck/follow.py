"""Which of the people the pose model finds is the one being coached, frame after frame.

Pure geometry on landmark outlines (image fractions), so it is tested without the model. The
estimator asks ``matches`` of each person found, tells ``follow`` the one it keeps and ``missed``
when none is the followed person.
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


def outline(xy: np.ndarray, vis: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Corners (image fractions) of the box around the well-seen landmarks (all if few are)."""
    finite = np.isfinite(xy).all(axis=1)
    well = finite & (vis >= 0.5)
    pts = xy[well] if np.count_nonzero(well) >= 4 else xy[finite]
    if not len(pts):
        return np.zeros(2), np.zeros(2)
    return pts.min(axis=0), pts.max(axis=0)


def centre_and_size(xy: np.ndarray, vis: np.ndarray) -> tuple[np.ndarray, float]:
    lo, hi = outline(xy, vis)
    return (lo + hi) / 2.0, float(np.prod(np.clip(hi - lo, 0.0, None)))


class Follower:
    """The followed person's last outline, and since when they have been missing."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """Forget the person: the next ``choose`` takes the most central and largest."""
        self.box: tuple[np.ndarray, np.ndarray] | None = None
        self.lost_since_ms: float | None = None

    @property
    def following(self) -> bool:
        return self.box is not None

    def expire(self, t_ms: float) -> None:
        """Forget a person missing longer than FORGET_S (call before looking at a new frame)."""
        if self.lost_since_ms is not None and t_ms - self.lost_since_ms > FORGET_S * 1000:
            self.reset()

    def matches(self, xy: np.ndarray, vis: np.ndarray) -> bool:
        """Is this the followed person? Near where they were and of about their size, or centred
        inside their outline and not much smaller (the model re-finding the same person with a
        very different skeleton). Anyone matches while nobody is followed."""
        if self.box is None:
            return True
        centre, size = centre_and_size(xy, vis)
        was_lo, was_hi = self.box
        was_size = float(np.prod(np.clip(was_hi - was_lo, 0.0, None)))
        if size <= 0.0 or was_size <= 0.0:  # a degenerate outline: nothing to compare sizes with
            return False
        ratio = size / was_size
        if np.all(centre >= was_lo) and np.all(centre <= was_hi) and ratio >= 1.0 / INSIDE_SIZE_RATIO:
            return True
        if np.linalg.norm(centre - (was_lo + was_hi) / 2.0) > RADIUS:
            return False
        return 1.0 / SIZE_RATIO <= ratio <= SIZE_RATIO

    def choose(self, people: Sequence[tuple[np.ndarray, np.ndarray]]) -> int:
        """Index of the person to follow among ``(xy, visibility)``: at the start the most central
        and largest, then the nearest to where the followed person was (pass only matches)."""
        def score(person: tuple[np.ndarray, np.ndarray]) -> float:
            centre, size = centre_and_size(*person)
            if self.box is None:
                return size - 0.5 * float(np.linalg.norm(centre - 0.5)) ** 2
            return -float(np.linalg.norm(centre - (self.box[0] + self.box[1]) / 2.0))

        return max(range(len(people)), key=lambda i: score(people[i]))

    def follow(self, xy: np.ndarray, vis: np.ndarray) -> None:
        """This person is the one followed now."""
        self.box = outline(xy, vis)
        self.lost_since_ms = None

    def missed(self, t_ms: float) -> None:
        """Nobody in this frame is the followed person."""
        if self.box is not None and self.lost_since_ms is None:
            self.lost_since_ms = t_ms
