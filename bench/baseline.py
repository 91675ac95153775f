"""An Ultralytics-AIGym-style counter, the popular peer we compare against: one joint angle on
a fixed side, 145/90 degree thresholds, no smoothing, no visibility gate, counted on 'down'."""

from __future__ import annotations

import math

import numpy as np

from formcheck.core.pose import Landmark as L
from formcheck.media.track import Track

# the joint angle an AIGym user would pick per exercise (left side, as its kpts lists are fixed)
ANGLES = {
    "squat": (L.LEFT_HIP, L.LEFT_KNEE, L.LEFT_ANKLE),
    "pelvic_lift": (L.LEFT_SHOULDER, L.LEFT_HIP, L.LEFT_KNEE),
    "heel_raise": (L.LEFT_KNEE, L.LEFT_ANKLE, L.LEFT_FOOT_INDEX),
    "toe_heel": (L.LEFT_KNEE, L.LEFT_ANKLE, L.LEFT_FOOT_INDEX),
    "curl_up": (L.LEFT_SHOULDER, L.LEFT_HIP, L.LEFT_KNEE),
    "oblique_curl_up": (L.LEFT_SHOULDER, L.LEFT_HIP, L.LEFT_KNEE),
    "weight_shift": (L.LEFT_HIP, L.LEFT_KNEE, L.LEFT_ANKLE),
}
UP, DOWN = 145.0, 90.0


def _angle(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> float:
    # AIGym's formula: difference of atan2 angles, folded into 0..180
    r = math.degrees(math.atan2(c[1] - b[1], c[0] - b[0]) - math.atan2(a[1] - b[1], a[0] - b[0]))
    r = abs(r)
    return 360.0 - r if r > 180.0 else r


def aigym_count(track: Track, exercise: str) -> int:
    a, b, c = ANGLES[exercise]
    w, h = track.image_size
    count, stage = 0, None
    for i in range(len(track)):
        if not track.has_pose[i]:
            continue
        p = track.xy[i] * (w, h)
        ang = _angle(p[a], p[b], p[c])
        if ang > UP:
            stage = "up"
        if ang < DOWN and stage == "up":
            stage = "down"
            count += 1
    return count
