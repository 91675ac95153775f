"""The plumbing of replay's worker processes (workers.py): the shared ring of frame slots, the
``python -m formcheck.sets.workers ROLE`` subprocess, and how a worker keeps out of the pose model's
way (off its core, at a lower priority)."""

from __future__ import annotations

import json
import mmap
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import numpy as np

from formcheck.media.video import Frame, VideoError

RING_BYTES = 64 * 1024 * 1024  # the ring's size (720p: 12 slots; 4K: 3)
MIN_SLOTS, MAX_SLOTS = 3, 12
STOP = 255  # a "slot" that tells the decoder to stop
JOIN_S = 10.0


def available() -> bool:
    """Worker processes need POSIX fd passing (Linux, macOS); elsewhere replay uses threads."""
    return os.name == "posix"


@dataclass(frozen=True)
class SlotFrame(Frame):
    """A frame whose pixels live in ring slot ``slot`` (valid until the slot is released)."""

    slot: int = -1


def ring_slots(shape: tuple[int, int, int]) -> int:
    return max(MIN_SLOTS, min(MAX_SLOTS, RING_BYTES // int(np.prod(shape))))


class Ring:
    """``n`` frame slots in one shared, anonymous memory file (fd inherited by the workers)."""

    def __init__(self, shape: tuple[int, int, int], n: int, fd: int | None = None) -> None:
        size = n * int(np.prod(shape))
        if fd is None:
            if hasattr(os, "memfd_create"):
                fd = os.memfd_create("formcheck-frames")
            else:  # macOS: an unlinked temporary file
                fd = os.dup(tempfile.TemporaryFile().fileno())
            os.ftruncate(fd, size)
        self.fd = fd
        self._map = mmap.mmap(fd, size)
        self.frames = np.frombuffer(self._map, dtype=np.uint8).reshape((n, *shape))

    def close(self) -> None:
        self.frames = None  # type: ignore[assignment]
        try:
            self._map.close()
        except BufferError:  # a view is still alive somewhere; the OS frees it at exit
            pass
        os.close(self.fd)


def one_line(exc: BaseException) -> str:
    if isinstance(exc, VideoError):
        return str(exc)
    text = " ".join(str(exc).split()) or type(exc).__name__
    return f"{type(exc).__name__}: {text}"


class Worker:
    """A ``python -m formcheck.sets.workers ROLE`` subprocess with the given fds inherited."""

    def __init__(self, role: str, args: dict[str, Any], fds: list[int]) -> None:
        env = dict(os.environ)
        src = str(Path(__file__).resolve().parents[2])  # importable however formcheck was found
        env["PYTHONPATH"] = src + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        self._stderr = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "formcheck.sets.workers", role, json.dumps(args)],
            pass_fds=fds, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=self._stderr, start_new_session=True,  # Ctrl-C reaches the main process only
        )
        self.role = role

    def died(self) -> VideoError:
        """The error for a worker that went away without saying why (its last stderr line)."""
        try:
            code = self.proc.wait(JOIN_S)
        except subprocess.TimeoutExpired:
            code = None
        self._stderr.seek(0)
        lines = [ln for ln in self._stderr.read().decode(errors="replace").splitlines() if ln.strip()]
        why = f": {lines[-1].strip()}" if lines else ""
        return VideoError(f"video {self.role} stopped unexpectedly (exit code {code}){why}")

    def receive(self, conn: Connection) -> tuple:
        """The worker's next message; its ("error", line), or its death, raised as VideoError."""
        try:
            msg = conn.recv()
        except EOFError:
            raise self.died() from None
        if msg[0] == "error":
            raise VideoError(msg[1])
        return msg

    def stop(self) -> None:
        try:
            self.proc.wait(JOIN_S)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self._stderr.close()


def leave_first_core() -> None:
    """Keep this process off the first of its allowed cores, where the pose model then runs
    undisturbed (the scheduler otherwise moves the workers onto it now and then). Measured on
    this 2-core machine (lite, 720p, medians of 7 alternating runs): replay per frame 1.08x
    bare inference unpinned, 0.94x with the workers on the second core. Called first thing: the
    affinity is per thread and only threads started later (x264's) inherit it; pinning after
    start-up measured 1.07x, and did not bring the first frame sooner. Not done with a single
    core, or where the OS has no affinity call (macOS)."""
    try:
        allowed = os.sched_getaffinity(0)
    except AttributeError:
        return
    if len(allowed) >= 2:
        os.sched_setaffinity(0, allowed - {min(allowed)})


def lower_priority() -> None:
    """Workers run ahead of the pose model: when the cores are busy, the model goes first."""
    try:
        os.nice(10)
    except OSError:
        pass
