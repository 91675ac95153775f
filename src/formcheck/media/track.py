"""The landmark track: every frame's pose saved beside a replay, so rules can be re-run and
tuned later without the model (``formcheck tune``, benchmarks)."""

from __future__ import annotations

import json
import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

import numpy as np

from formcheck.core.atomic import atomic_open
from formcheck.core.pose import N_LANDMARKS, Pose

TRACK_VERSION = 1


class TrackError(Exception):
    """A track file that cannot be read; the message is one line for the user."""


@dataclass
class Track:
    """Per-frame times and (possibly missing) poses of one video, as parallel arrays."""

    t_ms: np.ndarray  # (n,)
    has_pose: np.ndarray  # (n,) bool
    xy: np.ndarray  # (n, 33, 2)
    visibility: np.ndarray  # (n, 33)
    world: np.ndarray  # (n, 33, 3)
    image_size: tuple[int, int]
    meta: dict = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.t_ms)

    def poses(self) -> Iterator[tuple[float, Pose | None]]:
        """(t_ms, pose or None) per frame, in order."""
        for i in range(len(self.t_ms)):
            if self.has_pose[i]:
                yield float(self.t_ms[i]), Pose(
                    xy=self.xy[i],
                    visibility=self.visibility[i],
                    world=self.world[i],
                    t_ms=float(self.t_ms[i]),
                    image_size=self.image_size,
                )
            else:
                yield float(self.t_ms[i]), None

    @classmethod
    def from_frames(
        cls, frames: Iterable[tuple[float, Pose | None]], image_size: tuple[int, int], meta: dict | None = None
    ) -> Track:
        ts, has, xys, viss, worlds = [], [], [], [], []
        for t, pose in frames:
            ts.append(t)
            has.append(pose is not None)
            if pose is None:
                xys.append(np.full((N_LANDMARKS, 2), np.nan))
                viss.append(np.zeros(N_LANDMARKS))
                worlds.append(np.full((N_LANDMARKS, 3), np.nan))
            else:
                xys.append(pose.xy)
                viss.append(pose.visibility)
                worlds.append(pose.world)
        n = len(ts)
        return cls(
            t_ms=np.asarray(ts, dtype=np.float64),
            has_pose=np.asarray(has, dtype=bool),
            xy=np.asarray(xys, dtype=np.float32).reshape(n, N_LANDMARKS, 2),
            visibility=np.asarray(viss, dtype=np.float32).reshape(n, N_LANDMARKS),
            world=np.asarray(worlds, dtype=np.float32).reshape(n, N_LANDMARKS, 3),
            image_size=image_size,
            meta=dict(meta or {}),
        )


class TrackRecorder:
    """Collects poses frame by frame (about 1 KB a frame) and saves them as one track."""

    def __init__(self, image_size: tuple[int, int], meta: dict | None = None) -> None:
        self.image_size = image_size
        self.meta = dict(meta or {})
        self._frames: list[tuple[float, Pose | None]] = []

    def add(self, t_ms: float, pose: Pose | None) -> None:
        self._frames.append((t_ms, pose))

    def track(self) -> Track:
        return Track.from_frames(self._frames, self.image_size, self.meta)


def save_track(track: Track, path: str | os.PathLike) -> None:
    """Write a compressed ``.npz`` atomically."""
    meta = dict(track.meta, version=TRACK_VERSION, image_size=list(track.image_size))
    with atomic_open(path, "wb") as fh:
        np.savez_compressed(
            fh,
            t_ms=track.t_ms,
            has_pose=track.has_pose,
            xy=track.xy,
            visibility=track.visibility,
            world=track.world,
            meta=np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8),
        )


def load_track(path: str | os.PathLike) -> Track:
    path = Path(path)
    try:
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(bytes(data["meta"]).decode())
            track = Track(
                t_ms=data["t_ms"].astype(np.float64),
                has_pose=data["has_pose"].astype(bool),
                xy=data["xy"].astype(np.float64),
                visibility=data["visibility"].astype(np.float64),
                world=data["world"].astype(np.float64),
                image_size=tuple(meta.get("image_size", (1, 1))),  # type: ignore[arg-type]
                meta=meta,
            )
    except FileNotFoundError:
        raise TrackError(f"track not found: {path}") from None
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile, json.JSONDecodeError) as exc:
        raise TrackError(f"not a formcheck track: {path} ({type(exc).__name__})") from None
    if meta.get("version") != TRACK_VERSION:
        raise TrackError(f"unsupported track version in {path}: {meta.get('version')!r} (expected {TRACK_VERSION})")
    n = len(track.t_ms)
    if track.xy.shape != (n, N_LANDMARKS, 2) or track.has_pose.shape != (n,):
        raise TrackError(f"corrupt track {path}: array shapes do not match")
    if not np.all(np.isfinite(track.t_ms)) or np.any(np.diff(track.t_ms) < 0):
        raise TrackError(f"corrupt track {path}: frame times are not numbers that go forward")
    return track
