"""The body skeleton over the person, with the current cue's segments highlighted.

Joints the model is unsure of are drawn thin and faint (or not at all), so the patient is never
shown a confident limb the analysis itself does not trust.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from formcheck.core.pose import SKELETON, Pose
from formcheck.overlay.style import (
    FAINT_COLOUR,
    HIDDEN_VISIBILITY,
    HIGHLIGHT_COLOUR,
    JOINT_COLOUR,
    MIN_VISIBILITY,
    OUTLINE_COLOUR,
    SKELETON_COLOUR,
)


class SkeletonDrawer:
    """Draws ``SKELETON`` (outlined teal segments, light joints) and highlighted segments on top."""

    def __init__(self) -> None:
        self._segment_index = np.array([[int(a), int(b)] for a, b in SKELETON], dtype=np.intp)
        joints = sorted({int(j) for seg in SKELETON for j in seg})
        self._joint_index = np.array(joints, dtype=np.intp)

    def draw(self, img: np.ndarray, pose: Pose, highlight: Sequence[tuple[int, int]] = ()) -> None:
        """Draw in place; ``highlight`` segments (a cue's) are thicker and orange, drawn last."""
        h, w = img.shape[:2]
        t = max(2, round(0.009 * h))
        edge = max(1, round(0.3 * t))
        finite = np.isfinite(pose.xy).all(axis=1)
        pts = np.rint(np.clip(np.nan_to_num(pose.xy), -2.0, 3.0) * (w, h)).astype(np.int32)
        vis = np.where(finite, np.nan_to_num(pose.visibility, nan=0.0), 0.0)
        seg_vis = vis[self._segment_index].min(axis=1)
        highlighted = [(int(a), int(b)) for a, b in highlight if a != b]
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
