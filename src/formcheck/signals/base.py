"""What every signal family shares: the Signal record and small measuring helpers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from formcheck.core.pose import Landmark as L
from formcheck.core.pose import Pose
from formcheck.signals import geometry as g

SignalFn = Callable[[Pose, str], "float | None"]


@dataclass(frozen=True)
class Signal:
    name: str
    unit: str
    description: str
    fn: SignalFn
    # landmarks (by generic part name, on the measured side) whose segments the overlay can
    # highlight when a rule on this signal fires
    parts: tuple[tuple[str, str], ...] = ()
    # True: ``fn`` gives a height in the image in pixels (up +), which means something only as a
    # change from the start position: used relative, the engine divides that change by the leg
    # length measured at the start, so it reads in leg lengths. Measuring each frame's height in
    # that frame's own leg length would not do: a 2% wobble of the leg's landmarks, multiplied by
    # the height's distance from the top of the picture, is as large as a heel raise.
    start_scaled: bool = False
    # True: measured on both legs together (knees' distance, both heels): a cue on it highlights both
    both_sides: bool = False


def part(pose: Pose, side: str, name: str, min_vis: float = g.MIN_VIS) -> np.ndarray | None:
    """A body part ('knee', 'heel', ...) of that side, in pixels; None when poorly seen."""
    return g.point(pose, g.SIDES[side][name], min_vis)


def angle(pose: Pose, side: str, a: str, b: str, c: str) -> float | None:
    s = g.SIDES[side]
    return g.joint_angle(pose, s[a], s[b], s[c])


def foot_length(pose: Pose, side: str) -> float | None:
    he, to = part(pose, side, "heel", 0.3), part(pose, side, "toe", 0.3)
    if he is None or to is None:
        return None
    d = float(np.linalg.norm(he - to))
    return d if d > 1e-6 else None


def leg_scale(pose: Pose) -> float | None:
    """Mean hip-to-ankle length in pixels over the seen sides (a stable body length)."""
    vals = [v for v in (g.leg_length(pose, "L"), g.leg_length(pose, "R")) if v]
    return float(np.mean(vals)) if vals else None


def ankle_centre(pose: Pose, side: str) -> np.ndarray | None:
    """Between the ankles, or the measured side's ankle when only that one is seen."""
    an = g.midpoint(pose, L.LEFT_ANKLE, L.RIGHT_ANKLE, 0.3)
    return an if an is not None else part(pose, side, "ankle", 0.3)


def mean_over_sides(fn: SignalFn, pose: Pose) -> float | None:
    vals = [v for v in (fn(pose, "L"), fn(pose, "R")) if v is not None]
    return float(np.mean(vals)) if vals else None
