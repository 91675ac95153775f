"""The core pose type: 33 body landmarks of one person at one moment of video time.

Everything downstream of the pose estimator (signals, counting, rules, drawing) works on
``Pose`` only, so it can be fed from the model, from a saved track or from a test factory.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import numpy as np

N_LANDMARKS = 33


class Landmark(IntEnum):
    """MediaPipe / BlazePose landmark indices, by name."""

    NOSE = 0
    LEFT_EYE_INNER = 1
    LEFT_EYE = 2
    LEFT_EYE_OUTER = 3
    RIGHT_EYE_INNER = 4
    RIGHT_EYE = 5
    RIGHT_EYE_OUTER = 6
    LEFT_EAR = 7
    RIGHT_EAR = 8
    MOUTH_LEFT = 9
    MOUTH_RIGHT = 10
    LEFT_SHOULDER = 11
    RIGHT_SHOULDER = 12
    LEFT_ELBOW = 13
    RIGHT_ELBOW = 14
    LEFT_WRIST = 15
    RIGHT_WRIST = 16
    LEFT_PINKY = 17
    RIGHT_PINKY = 18
    LEFT_INDEX = 19
    RIGHT_INDEX = 20
    LEFT_THUMB = 21
    RIGHT_THUMB = 22
    LEFT_HIP = 23
    RIGHT_HIP = 24
    LEFT_KNEE = 25
    RIGHT_KNEE = 26
    LEFT_ANKLE = 27
    RIGHT_ANKLE = 28
    LEFT_HEEL = 29
    RIGHT_HEEL = 30
    LEFT_FOOT_INDEX = 31
    RIGHT_FOOT_INDEX = 32


# Skeleton edges drawn by the overlay (pairs of landmarks).
SKELETON: tuple[tuple[Landmark, Landmark], ...] = (
    (Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER),
    (Landmark.LEFT_SHOULDER, Landmark.LEFT_ELBOW),
    (Landmark.LEFT_ELBOW, Landmark.LEFT_WRIST),
    (Landmark.RIGHT_SHOULDER, Landmark.RIGHT_ELBOW),
    (Landmark.RIGHT_ELBOW, Landmark.RIGHT_WRIST),
    (Landmark.LEFT_SHOULDER, Landmark.LEFT_HIP),
    (Landmark.RIGHT_SHOULDER, Landmark.RIGHT_HIP),
    (Landmark.LEFT_HIP, Landmark.RIGHT_HIP),
    (Landmark.LEFT_HIP, Landmark.LEFT_KNEE),
    (Landmark.LEFT_KNEE, Landmark.LEFT_ANKLE),
    (Landmark.RIGHT_HIP, Landmark.RIGHT_KNEE),
    (Landmark.RIGHT_KNEE, Landmark.RIGHT_ANKLE),
    (Landmark.LEFT_ANKLE, Landmark.LEFT_HEEL),
    (Landmark.LEFT_HEEL, Landmark.LEFT_FOOT_INDEX),
    (Landmark.LEFT_ANKLE, Landmark.LEFT_FOOT_INDEX),
    (Landmark.RIGHT_ANKLE, Landmark.RIGHT_HEEL),
    (Landmark.RIGHT_HEEL, Landmark.RIGHT_FOOT_INDEX),
    (Landmark.RIGHT_ANKLE, Landmark.RIGHT_FOOT_INDEX),
)


@dataclass(frozen=True, eq=False)
class Pose:
    """One person's landmarks at video time ``t_ms``.

    ``xy`` are normalised image coordinates (0..1 across width and height, y down),
    ``visibility`` MediaPipe's 0..1 likelihood that the landmark is visible, ``world`` metres in
    the model's hip-centred frame (z from one camera is weak: do not base safety checks on it).
    ``image_size`` (width, height) in pixels lets geometry correct for the aspect ratio.
    """

    xy: np.ndarray
    visibility: np.ndarray
    world: np.ndarray
    t_ms: float
    image_size: tuple[int, int]

    def __post_init__(self) -> None:
        xy = np.asarray(self.xy, dtype=np.float64)
        vis = np.asarray(self.visibility, dtype=np.float64)
        world = np.asarray(self.world, dtype=np.float64)
        if xy.shape != (N_LANDMARKS, 2):
            raise ValueError(f"Pose.xy must have shape (33, 2), got {xy.shape}")
        if vis.shape != (N_LANDMARKS,):
            raise ValueError(f"Pose.visibility must have shape (33,), got {vis.shape}")
        if world.shape != (N_LANDMARKS, 3):
            raise ValueError(f"Pose.world must have shape (33, 3), got {world.shape}")
        w, h = self.image_size
        if w <= 0 or h <= 0:
            raise ValueError(f"Pose.image_size must be positive, got {self.image_size}")
        for arr in (xy, vis, world):
            arr.setflags(write=False)
        object.__setattr__(self, "xy", xy)
        object.__setattr__(self, "visibility", vis)
        object.__setattr__(self, "world", world)
        object.__setattr__(self, "t_ms", float(self.t_ms))
        object.__setattr__(self, "image_size", (int(w), int(h)))

    def px(self, lm: Landmark) -> np.ndarray:
        """Landmark position in pixels (x right, y down): angles measured here are true angles."""
        w, h = self.image_size
        return self.xy[lm] * (w, h)
