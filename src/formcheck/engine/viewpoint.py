"""Where the camera sees the person from, and which body side is measured.

The view (side, front or oblique) is a majority vote over the last 1.5 s of video (seconds,
not frames, so any frame rate turns the same way), so one odd frame does not flip it; the side
is the better-seen one, with a margin so it does not flicker between two sides seen about
equally well.
"""

from __future__ import annotations

from collections import Counter, deque

from formcheck.core.pose import Pose
from formcheck.signals import compute
from formcheck.signals import geometry as g

SIDE_SWITCH_MARGIN = 0.1  # visibility margin before the measured side changes
VIEW_VOTE_S = 1.5  # seconds of video the view is voted over


class Viewpoint:
    """The camera view (None until one is seen) and the measured body side ('L' or 'R')."""

    def __init__(self) -> None:
        self.view: str | None = None
        self.side = "L"
        self._votes: deque[tuple[float, str]] = deque()  # (t_ms, view), oldest first
        # seen from behind (the front view, the person's back to the camera), voted as the view
        self.behind = False
        self._behind_votes: deque[tuple[float, bool]] = deque()
        self.tracked_frames = 0  # frames in a row with a pose: the pose model's landmarks drift at first

    def track(self, pose: Pose | None) -> None:
        """Count the frames in a row the pose model has followed the person (0 once it loses
        them: when it finds them again its landmarks start over)."""
        self.tracked_frames = 0 if pose is None else self.tracked_frames + 1

    def update_side(self, pose: Pose) -> None:
        """Switch to the other side once it is clearly better seen."""
        cur = g.side_visibility(pose, self.side)
        oth = g.side_visibility(pose, g.other(self.side))
        if oth > cur + SIDE_SWITCH_MARGIN:
            self.side = g.other(self.side)

    def finds(self, pose: Pose | None, signal: str) -> bool:
        """Whether ``signal`` can be measured on this pose, trying the other side if need be."""
        if pose is None:
            return False
        if compute(signal, pose, self.side) is not None:
            return True
        self.update_side(pose)
        return compute(signal, pose, self.side) is not None

    def vote(self, pose: Pose) -> None:
        view = g.classify_view(pose)
        if view:
            self._votes.append((pose.t_ms, view))
            while self._votes[0][0] < pose.t_ms - VIEW_VOTE_S * 1000.0:
                self._votes.popleft()
            self.view = Counter(v for _, v in self._votes).most_common(1)[0][0]
        away = g.faces_away(pose) if view == "front" else None
        if away is not None:
            self._behind_votes.append((pose.t_ms, away))
        while self._behind_votes and self._behind_votes[0][0] < pose.t_ms - VIEW_VOTE_S * 1000.0:
            self._behind_votes.popleft()
        n = len(self._behind_votes)
        self.behind = self.view == "front" and n > 0 and sum(a for _, a in self._behind_votes) * 2 > n
