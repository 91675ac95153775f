"""Named body signals computed from one Pose: the vocabulary exercise files use.

Each signal is a pure function ``(pose, side) -> float | None`` with a unit and a plain
description for physiotherapists. ``side`` is the body side the exercise measures ('L'/'R',
chosen by visibility per repetition). Angles are degrees; lengths are in body lengths
(torso or foot), never pixels, so thresholds hold at any distance from the camera.
The signals come in families: standing.py, lying.py and positions.py (holds).
"""

from __future__ import annotations

from formcheck.core.pose import Pose
from formcheck.signals import lying, positions, standing
from formcheck.signals.base import Signal, SignalFn, leg_scale

__all__ = ["SIGNALS", "Signal", "SignalFn", "body_scale", "compute"]

SIGNALS: dict[str, Signal] = {s.name: s for s in (*standing.FAMILY, *lying.FAMILY, *positions.FAMILY)}


def compute(name: str, pose: Pose, side: str) -> float | None:
    return SIGNALS[name].fn(pose, side)


def body_scale(pose: Pose) -> float | None:
    """The body length start-scaled signals are divided by (leg length in pixels)."""
    return leg_scale(pose)
