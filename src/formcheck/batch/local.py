"""A batch on this machine: ``jobs`` lanes, each replaying one video at a time in a process of
its own (``batch/child.py``) on its share of the cores.

Cores: with as many lanes as cores each lane has one core, so each job's pose model has a core to
itself (replay's decoder and encoder processes share it); with fewer lanes, the cores are dealt
out between them (one lane: all, as a single replay). More lanes than cores share cores.

Ctrl-C (or SIGTERM): no new video starts; the replays under way are passed the interrupt and end
as ``formcheck replay`` does (the folder as it was, or the set whole if it was already being put in
place); then the batch ends with each video's status. The children are in sessions of their own,
so that the terminal's Ctrl-C reaches them through this process only, once.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from formcheck.batch.jobs import Job
from formcheck.batch.outcome import DONE, FAILED, NOT_RUN, Outcome, base
from formcheck.batch.work import (
    Settings,
    earlier_outcome,
    interrupted,
    job_to_json,
    thread_env,
)
from formcheck.core.interrupts import Terminated

UNEXPECTED = "the replay stopped unexpectedly"
STOP_WAIT_S = 60.0  # how long an interrupted replay may take to clean up before it is killed


def default_jobs() -> int:
    """One job per core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # (macOS)
        return max(1, os.cpu_count() or 1)


def lane_cores(n_lanes: int) -> list[set[int] | None]:
    """Each lane's cores: the allowed cores dealt out round-robin (None: no affinity call)."""
    try:
        allowed = sorted(os.sched_getaffinity(0))
    except AttributeError:
        return [None] * n_lanes
    if n_lanes <= len(allowed):
        return [{c for j, c in enumerate(allowed) if j % n_lanes == i} for i in range(n_lanes)]
    return [{allowed[i % len(allowed)]} for i in range(n_lanes)]


class LocalBatch:
    """Runs jobs in ``n_lanes`` lanes; ``run`` returns one outcome per job, in the jobs' order."""

    def __init__(self, jobs: list[Job], settings: Settings, n_lanes: int) -> None:
        self.jobs, self.settings = jobs, settings
        self.n_lanes = max(1, min(n_lanes, len(jobs)))
        self._todo: queue.SimpleQueue[int] = queue.SimpleQueue()
        for i in range(len(jobs)):
            self._todo.put(i)
        # each job's outcome, set by its lane (not by this thread: an interrupt here loses none)
        self._outcomes: list[Outcome | None] = [None] * len(jobs)
        self._done: queue.SimpleQueue[int] = queue.SimpleQueue()  # the jobs that ended, in turn
        self._stop = threading.Event()
        self._procs: dict[int, subprocess.Popen] = {}
        self._lock = threading.Lock()
        src = str(Path(__file__).resolve().parents[2])  # importable however formcheck was found
        env = thread_env()
        env["PYTHONPATH"] = src + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        self._env = env

    def run(self, on_done: Callable[[Outcome], None]) -> tuple[list[Outcome], BaseException | None]:
        """Replay every job, calling ``on_done`` (in this thread) as each ends. Returns the outcomes
        and the interrupt that stopped the batch (None: it ran to its end)."""
        outcomes = self._outcomes
        lanes = [threading.Thread(target=self._lane, args=(cores,), name=f"formcheck-batch-{i}", daemon=True)
                 for i, cores in enumerate(lane_cores(self.n_lanes))]
        for t in lanes:
            t.start()
        stopped: BaseException | None = None
        stopped_at = 0.0
        # (lanes first: a lane's last job is in the queue before the lane ends)
        while any(t.is_alive() for t in lanes) or not self._done.empty():
            try:
                try:
                    i = self._done.get(timeout=0.2)  # (a timeout: Ctrl-C is seen at once)
                except queue.Empty:
                    if stopped is not None and time.monotonic() - stopped_at > STOP_WAIT_S:
                        self._signal(signal.SIGKILL)  # a replay that does not end when asked
                    continue
                on_done(outcomes[i])
            except KeyboardInterrupt as exc:  # (cli.main ignores any further one: the clean-up runs to its end)
                if stopped is None:
                    stopped, stopped_at = exc, time.monotonic()
                    self._stop.set()
                    self._signal(signal.SIGTERM if isinstance(exc, Terminated) else signal.SIGINT)
        return [o if o is not None else base(j, NOT_RUN) for o, j in zip(outcomes, self.jobs)], stopped

    def _signal(self, signum: int) -> None:
        with self._lock:
            procs = list(self._procs.values())
        for p in procs:
            try:
                os.kill(p.pid, signum)
            except ProcessLookupError:
                pass

    def _lane(self, cores: set[int] | None) -> None:
        while not self._stop.is_set():
            try:
                i = self._todo.get_nowait()
            except queue.Empty:
                return
            try:
                self._outcomes[i] = self._run_one(self.jobs[i], cores)
            except Exception as exc:  # noqa: BLE001 - starting the process failed (out of memory, processes)
                text = " ".join(str(exc).split())
                self._outcomes[i] = base(self.jobs[i], FAILED, error=f"cannot start its replay: {text}")
            self._done.put(i)

    def _run_one(self, job: Job, cores: set[int] | None) -> Outcome:
        task = {"job": job_to_json(job), "settings": self.settings.to_json(),
                "cores": sorted(cores) if cores else None}
        with tempfile.TemporaryFile() as err:
            with self._lock:
                if self._stop.is_set():
                    return base(job, NOT_RUN)
                proc = subprocess.Popen([sys.executable, "-m", "formcheck.batch.child", json.dumps(task)],
                                        env=self._env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                        stderr=err, start_new_session=True)
                self._procs[proc.pid] = proc
            try:
                out, _ = proc.communicate()
                code = proc.returncode
            finally:
                with self._lock:
                    self._procs.pop(proc.pid, None)
            err.seek(0)
            why = err.read().decode(errors="replace")
        outcome = _outcome(job, out.decode(errors="replace"), code, why, proc.pid)
        if outcome.status == FAILED and (outcome.error or "").startswith(UNEXPECTED):
            kept = earlier_outcome(job)  # the set went in place before the process ended
            if kept is not None:
                return replace(kept, status=DONE, pid=proc.pid)
            if self._stop.is_set():  # stopped by the interrupt before it could say so
                return interrupted(job, pid=proc.pid)
        return outcome


def _outcome(job: Job, out: str, code: int, stderr: str, pid: int) -> Outcome:
    """The child's outcome (its last line of JSON), or a failure naming how it ended."""
    for line in reversed(out.splitlines()):
        try:
            return Outcome.from_json(json.loads(line))
        except (ValueError, TypeError):
            continue
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    how = f"killed by signal {-code}" if code < 0 else f"exit code {code}"
    last = f": {lines[-1]}" if lines else ""
    return base(job, FAILED, error=f"{UNEXPECTED} ({how}){last}", pid=pid, ended=time.time())
