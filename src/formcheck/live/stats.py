"""Throughput and latency of one live set, for ``--stats``, the report and the live benchmark."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from formcheck.media.capture import LiveFrame


@dataclass
class LiveStats:
    """Throughput and latency of one set: grab time (capture) to annotated frame ready / shown."""

    processed: int = 0  # frames analysed and drawn
    first_grab_s: float | None = None
    last_grab_s: float | None = None
    ready_ms: list[float] = field(default_factory=list)
    shown_ms: list[float] = field(default_factory=list)
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
        self.ready_ms.append((ready_s - frame.grab_s) * 1000.0)
        self.shown_ms.append((shown_s - frame.grab_s) * 1000.0)

    @property
    def fps(self) -> float:
        if self.processed < 2 or self.first_grab_s is None or self.last_grab_s is None:
            return 0.0
        span = self.last_grab_s - self.first_grab_s
        return (self.processed - 1) / span if span > 0 else 0.0

    def pct(self, which: str, q: float) -> float | None:
        vals = self.ready_ms if which == "ready" else self.shown_ms
        return float(np.percentile(vals, q)) if vals else None

    def as_dict(self) -> dict[str, Any]:
        r = lambda v: None if v is None else round(v, 1)  # noqa: E731
        return {
            "frames_processed": self.processed, "frames_dropped": self.dropped,
            "frames_delivered": self.delivered, "processed_fps": round(self.fps, 2),
            "latency_ms": {"p50": r(self.pct("shown", 50)), "p95": r(self.pct("shown", 95)),
                           "max": r(max(self.shown_ms) if self.shown_ms else None)},
            "cpu_cores": round(self.cpu_s / self.wall_s, 2) if self.wall_s > 0 else None,
            "video_frames_dropped": self.video_dropped,
        }

    def line(self) -> str:
        lat = self.as_dict()["latency_ms"]
        return (f"live: {self.processed} frames at {self.fps:.1f} fps, {self.dropped} dropped, latency "
                f"p50 {lat['p50']} ms / p95 {lat['p95']} ms, CPU {self.cpu_s / max(self.wall_s, 1e-9):.2f} cores")
