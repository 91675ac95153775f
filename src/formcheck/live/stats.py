"""Throughput and latency of one live set, for ``--stats``, the report and the live benchmark."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from formcheck.media.capture import LiveFrame

# latencies are counted in bins 0.5 % wide from 0.01 ms to 1000 s (3,700 bins), not kept one by
# one: an hour of live at 30 frames/s would keep 216,000 numbers (issue 18, flat memory)
_LOW_MS, _RATIO = 0.01, 1.005
_BINS = math.ceil(math.log(1e6 / _LOW_MS) / math.log(_RATIO)) + 1


@dataclass
class Latencies:
    """A set's latencies (ms) as a histogram: percentiles to within 0.5 %, the largest exact."""

    counts: np.ndarray = field(default_factory=lambda: np.zeros(_BINS, np.int64))
    n: int = 0
    max: float | None = None

    def add(self, ms: float) -> None:
        i = 0 if ms <= _LOW_MS else min(_BINS - 1, int(math.log(ms / _LOW_MS) / math.log(_RATIO)) + 1)
        self.counts[i] += 1
        self.n += 1
        self.max = ms if self.max is None else max(self.max, ms)

    def percentile(self, q: float) -> float | None:
        """The ``q``-th percentile (0-100): the middle of the bin it falls in (None: none yet)."""
        if not self.n:
            return None
        k = min(self.n - 1, max(0, math.ceil(q / 100.0 * self.n) - 1))  # the rank asked for, from 0
        i = int(np.searchsorted(np.cumsum(self.counts), k + 1))
        if i == 0:
            return _LOW_MS
        mid = _LOW_MS * _RATIO ** (i - 0.5)
        return min(mid, self.max) if self.max is not None else mid


@dataclass
class LiveStats:
    """Throughput and latency of one set: grab time (capture) to annotated frame ready / shown."""

    processed: int = 0  # frames analysed and drawn
    first_grab_s: float | None = None
    last_grab_s: float | None = None
    ready_ms: Latencies = field(default_factory=Latencies)  # grab to annotated picture ready
    shown_ms: Latencies = field(default_factory=Latencies)  # grab to shown
    wall_s: float = 0.0
    cpu_s: float = 0.0
    dropped: int = 0
    delivered: int = 0
    video_dropped: int = 0

    def add(self, frame: LiveFrame, ready_s: float, shown_s: float) -> None:
        self.processed += 1
        if self.first_grab_s is None:
            self.first_grab_s = frame.grab_s
        self.last_grab_s = frame.grab_s
        self.ready_ms.add((ready_s - frame.grab_s) * 1000.0)
        self.shown_ms.add((shown_s - frame.grab_s) * 1000.0)

    @property
    def fps(self) -> float:
        if self.processed < 2 or self.first_grab_s is None or self.last_grab_s is None:
            return 0.0
        span = self.last_grab_s - self.first_grab_s
        return (self.processed - 1) / span if span > 0 else 0.0

    def pct(self, which: str, q: float) -> float | None:
        return (self.ready_ms if which == "ready" else self.shown_ms).percentile(q)

    def as_dict(self) -> dict[str, Any]:
        r = lambda v: None if v is None else round(v, 1)  # noqa: E731
        return {
            "frames_processed": self.processed, "frames_dropped": self.dropped,
            "frames_delivered": self.delivered, "processed_fps": round(self.fps, 2),
            "latency_ms": {"p50": r(self.pct("shown", 50)), "p95": r(self.pct("shown", 95)),
                           "max": r(self.shown_ms.max)},
            "cpu_cores": round(self.cpu_s / self.wall_s, 2) if self.wall_s > 0 else None,
            "video_frames_dropped": self.video_dropped,
        }

    def line(self) -> str:
        lat = self.as_dict()["latency_ms"]
        return (f"live: {self.processed} frames at {self.fps:.1f} fps, {self.dropped} dropped, latency "
                f"p50 {lat['p50']} ms / p95 {lat['p95']} ms, CPU {self.cpu_s / max(self.wall_s, 1e-9):.2f} cores")
