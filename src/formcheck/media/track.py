"""The landmark track: every frame's pose saved beside a replay, so rules can be re-run and
tuned later without the model (``formcheck tune``, benchmarks)."""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Iterable, Iterator

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


# one frame of a track as the recorder keeps it, and the dtypes its file holds (format version 1)
FRAME = np.dtype([
    ("t_ms", "<f8"),
    ("has_pose", "?"),
    ("xy", "<f4", (N_LANDMARKS, 2)),
    ("visibility", "<f4", (N_LANDMARKS,)),
    ("world", "<f4", (N_LANDMARKS, 3)),
])
COLUMNS = tuple(FRAME.names)
CHUNK_FRAMES = 1024  # frames held in memory before they go to the spool file (~0.8 MB)


class TrackRecorder:
    """Collects poses frame by frame and saves them as one track, in constant memory.

    Frames are packed into a fixed buffer (``FRAME``, 805 bytes each); each full buffer goes to
    an unnamed spool file (``spool_dir``: beside the outputs, not /tmp, which may be memory), so
    an hour of live costs ~87 MB of disk while the set runs and nothing in memory. The file has
    no name (O_TMPFILE / unlinked at once): a killed run leaves nothing behind. ``save`` writes
    the track file from it, streaming; ``track`` reads it all back (tune, tests).
    """

    def __init__(self, image_size: tuple[int, int], meta: dict | None = None,
                 spool_dir: str | os.PathLike | None = None) -> None:
        self.image_size = image_size
        self.meta = dict(meta or {})
        self.spool_dir = spool_dir
        self._buf = np.zeros(CHUNK_FRAMES, FRAME)
        self._filled = 0  # frames in _buf not yet spooled
        self._spooled = 0  # frames in the spool file
        self._spool: IO[bytes] | None = None

    def __len__(self) -> int:
        return self._spooled + self._filled

    def add(self, t_ms: float, pose: Pose | None) -> None:
        row = self._buf[self._filled]
        row["t_ms"] = t_ms
        if pose is None:
            row["has_pose"] = False
            row["xy"] = np.nan
            row["visibility"] = 0.0
            row["world"] = np.nan
        else:
            row["has_pose"] = True
            row["xy"] = pose.xy
            row["visibility"] = pose.visibility
            row["world"] = pose.world
        self._filled += 1
        if self._filled == CHUNK_FRAMES:
            self._flush()

    def _flush(self) -> None:
        if self._spool is None:
            try:
                self._spool = tempfile.TemporaryFile(dir=self.spool_dir)  # noqa: SIM115 - open until save/close
            except FileNotFoundError:  # the output folder is not there (yet): the system's
                self._spool = tempfile.TemporaryFile()  # noqa: SIM115
        self._spool.write(self._buf[: self._filled].tobytes())
        self._spooled += self._filled
        self._filled = 0

    def _chunks(self) -> Iterator[np.ndarray]:
        """The frames so far, in order, a chunk at a time (each a FRAME array)."""
        if self._spool is not None:
            self._spool.flush()
            self._spool.seek(0)
            left = self._spooled
            while left:
                n = min(left, CHUNK_FRAMES)
                data = self._spool.read(n * FRAME.itemsize)
                if len(data) != n * FRAME.itemsize:
                    raise OSError(f"the track's spool file came back short ({len(data)} bytes)")
                yield np.frombuffer(data, FRAME)
                left -= n
            self._spool.seek(0, os.SEEK_END)
        if self._filled:
            yield self._buf[: self._filled]

    def _column(self, name: str) -> Iterator[np.ndarray]:
        for chunk in self._chunks():
            yield chunk[name]

    def track(self) -> Track:
        """The whole track in memory."""
        frames = np.concatenate([*self._chunks(), np.zeros(0, FRAME)])
        return Track(
            t_ms=frames["t_ms"].copy(),
            has_pose=frames["has_pose"].copy(),
            xy=frames["xy"].copy(),
            visibility=frames["visibility"].copy(),
            world=frames["world"].copy(),
            image_size=self.image_size,
            meta=dict(self.meta),
        )

    def save(self, path: str | os.PathLike) -> None:
        """Write the track file (as ``save_track``, atomically), a chunk at a time."""
        columns = {name: (FRAME.fields[name][0], self._column(name)) for name in COLUMNS}
        _write_track(path, self.meta, self.image_size, len(self), columns)

    def close(self) -> None:
        """Drop the spool file (the recorder's frames are gone after this)."""
        if self._spool is not None:
            self._spool.close()
            self._spool = None
        self._spooled = self._filled = 0


def save_track(track: Track, path: str | os.PathLike) -> None:
    """Write a compressed ``.npz`` atomically."""
    columns = {name: (FRAME.fields[name][0], iter((getattr(track, name),))) for name in COLUMNS}
    _write_track(path, track.meta, track.image_size, len(track), columns)


def _write_track(path: str | os.PathLike, meta: dict, image_size: tuple[int, int], n: int,
                 columns: dict[str, tuple[np.dtype, Iterator[np.ndarray]]]) -> None:
    """The track file: what ``np.savez_compressed`` writes (a zip of one ``.npy`` per column, and
    ``meta`` as JSON bytes), but each column written from an iterator of parts, so a long track
    never has to be in memory at once. Atomic: a crash leaves only a hidden ``.partial`` file."""
    meta = dict(meta, version=TRACK_VERSION, image_size=list(image_size))
    meta_bytes = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    with atomic_open(path, "wb") as fh, zipfile.ZipFile(fh, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as zf:
        for name, (dtype, parts) in columns.items():
            base, shape = dtype.base, (n, *dtype.shape)
            with zf.open(f"{name}.npy", "w", force_zip64=True) as out:
                header = {"descr": np.lib.format.dtype_to_descr(base), "fortran_order": False, "shape": shape}
                np.lib.format.write_array_header_1_0(out, header)
                written = 0
                for part in parts:
                    out.write(np.ascontiguousarray(part, dtype=base).tobytes())
                    written += len(part)
                if written != n:
                    raise ValueError(f"track column {name}: {written} frames written, {n} expected")
        with zf.open("meta.npy", "w", force_zip64=True) as out:
            np.lib.format.write_array(out, meta_bytes, allow_pickle=False)


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
