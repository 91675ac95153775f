"""A batch on a Ray cluster (``--ray ADDRESS|auto|local``): one Ray task per video, one CPU each.

Each task reads its video and writes its outputs by the paths the driver gives it (absolute:
the videos and the batch folder must be on storage every node mounts at the same path, and
formcheck installed on every node). The history is written by the driver only (one SQLite file,
on the driver's machine): a task returns its set's report and the driver records it, so a set
is in place before its row; a driver stopped in between leaves a finished folder without its row,
which ``formcheck history --repair FOLDER`` adds (as for ``kill -9`` of a single replay). On
Ctrl-C the driver makes a stop file in the batch folder; each task watches for it and interrupts
its replay as Ctrl-C would (replay leaves its folder as it was, or its set whole), and a task not
yet started does nothing; the driver waits for them and records every set put in place meanwhile.
Not ``ray.cancel``: with Ray 2.60 a task cancelled while it finished crashed the driver (a failed
check in Ray's task manager, "Tried to complete task that was not pending"), now and then; it is
used (forced) only on tasks that do not stop within CANCEL_WAIT_S.

Ray is an optional extra (``pip install 'formcheck[cluster]'``).
"""

from __future__ import annotations

import _thread
import json
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from formcheck.batch.jobs import BatchError, BatchUsageError, Job
from formcheck.batch.outcome import DONE, FAILED, NOT_RUN, Outcome, base
from formcheck.batch.work import (
    Settings,
    earlier_outcome,
    interrupted,
    run_job,
    thread_env,
)
from formcheck.core.interrupts import first_interrupt_ends
from formcheck.sets.outputs import REPORT

INSTALL = "pip install 'formcheck[cluster]'"
CANCEL_WAIT_S = 60.0
STOP_POLL_S = 0.2
STOP_PREFIX = ".formcheck-batch-stop-"
REACH_S = 5.0


def _ray() -> Any:
    try:
        import ray
    except ImportError:
        raise BatchUsageError(f"--ray needs Ray, which is not installed here: {INSTALL}") from None
    return ray


def _task(job: Job, settings: Settings, stop_file: str) -> Outcome:
    """A Ray task: one video, its set returned to the driver rather than recorded here; stopped
    (replay interrupted as by Ctrl-C) once the driver makes ``stop_file``."""
    os.environ.update(thread_env({}))  # (for replay's decoder and encoder processes too)
    # The pose model's module points the proxy variables at nothing, to keep MediaPipe's telemetry
    # off the network (media/estimator.py). An empty grpc_proxy, which gRPC reads before them,
    # keeps Ray's own connections between the nodes direct.
    os.environ["grpc_proxy"] = ""
    stop = Path(stop_file)
    if stop.exists():
        return base(job, NOT_RUN)
    finished = threading.Event()

    def watch() -> None:
        while not finished.wait(STOP_POLL_S):
            if stop.exists():
                # Not a real signal: Ray's workers block SIGINT. This runs the handler in the main
                # thread at its next step, which replay's loop reaches within a frame. Again at each
                # poll until the task ends: one that lands while replay holds interrupts back (the
                # pose model loading) is lost, as replay raises it again as a real, blocked, signal;
                # after the first that lands the handler is SIG_IGN and this does nothing.
                _thread.interrupt_main()

    try:
        with first_interrupt_ends():  # one KeyboardInterrupt; replay's clean-up is not cut short
            watcher = threading.Thread(target=watch, name="formcheck-stop-watch", daemon=True)
            watcher.start()
            try:
                return run_job(job, settings, record_here=False)
            finally:
                finished.set()
                watcher.join()
    except KeyboardInterrupt:  # replay left its folder as it was, or its set is whole
        kept = earlier_outcome(job)
        return interrupted(job) if kept is None else replace(kept, status=DONE)


def _reachable(address: str) -> None:
    """A cluster's address answers, or one line now: Ray itself would retry for minutes, printing
    its native log lines."""
    hostport = address.split("://", 1)[-1]
    host, _, port = hostport.rpartition(":")
    if not host or not port.isdigit():
        raise BatchUsageError(f"--ray {address!r}: give the cluster's address as HOST:PORT (or ray://HOST:PORT), "
                              "'auto' or 'local'")
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=REACH_S).close()
    except OSError as exc:
        raise BatchError(f"cannot reach the Ray cluster at {address}: {exc.strerror or exc} "
                         "(is 'ray start --head' running there, and the port open?)") from None


class RayBatch:
    """Runs jobs as Ray tasks; ``run`` returns one outcome per job, in the jobs' order."""

    def __init__(self, jobs: list[Job], settings: Settings, address: str, folder: Path) -> None:
        self.jobs, self.settings, self.address = jobs, settings, address
        # made on Ctrl-C, in the batch folder every node reaches: the tasks stop (see _task)
        self.stop_file = folder.resolve() / f"{STOP_PREFIX}{uuid.uuid4().hex}"
        self.ray = _ray()
        self._started = False

    def connect(self) -> None:
        """Connect to the cluster (or start one here for ``local``), before anything is made: a
        wrong address is one line and leaves nothing behind."""
        ray = self.ray
        if self.address not in ("local", "auto"):
            _reachable(self.address)
        if ray.is_initialized():  # (an embedding program's own, or connected already)
            return
        kw: dict[str, Any] = {"logging_level": "ERROR", "log_to_driver": False, "configure_logging": True}
        try:
            if self.address == "local":
                ray.init(include_dashboard=False, **kw)
            else:
                ray.init(address=self.address, **kw)
        except (ConnectionError, ValueError, RuntimeError, TimeoutError) as exc:
            text = " ".join(str(exc).split())
            raise BatchError(f"cannot connect to the Ray cluster at {self.address!r}: {text}") from None
        self._started = True

    def run(self, on_done: Callable[[Outcome], None]) -> tuple[list[Outcome], BaseException | None]:
        ray = self.ray
        self.connect()
        try:
            return self._run(ray, on_done)
        finally:
            self.stop_file.unlink(missing_ok=True)
            if self._started:
                ray.shutdown()

    def _run(self, ray: Any, on_done: Callable[[Outcome], None]) -> tuple[list[Outcome], BaseException | None]:
        remote = ray.remote(num_cpus=1, max_retries=0)(_task)
        refs = {remote.remote(job, self.settings, str(self.stop_file)): i for i, job in enumerate(self.jobs)}
        outcomes: list[Outcome | None] = [None] * len(self.jobs)
        stopped: BaseException | None = None
        pending = list(refs)
        deadline: float | None = None
        while pending:
            try:
                ready, _ = ray.wait(pending, num_returns=1, timeout=0.5)
                for ref in ready:  # (taken off the list once handled: an interrupt meanwhile loses none)
                    i = refs[ref]
                    outcomes[i] = self._finish(ray, ref, self.jobs[i], stopped is not None)
                    pending.remove(ref)
                    on_done(outcomes[i])
                if deadline is not None and time.monotonic() > deadline:
                    for ref in pending:
                        ray.cancel(ref, force=True)
                    deadline = None
            except KeyboardInterrupt as exc:
                if stopped is None:  # the tasks stop on their own, not by ray.cancel (see the module's text)
                    stopped, deadline = exc, time.monotonic() + CANCEL_WAIT_S
                    self.stop_file.touch()
        return [o if o is not None else base(j, NOT_RUN) for o, j in zip(outcomes, self.jobs)], stopped

    def _finish(self, ray: Any, ref: Any, job: Job, stopping: bool) -> Outcome:
        """The task's outcome, its set recorded in the history here (the driver)."""
        try:
            outcome: Outcome = ray.get(ref)
        except ray.exceptions.TaskCancelledError:
            outcome = base(job, NOT_RUN) if earlier_outcome(job) is None else replace(earlier_outcome(job), status=DONE)
        except ray.exceptions.RayError as exc:  # the task's process died, or Ray lost it
            text = " ".join(str(exc).split())[:300]
            outcome = (interrupted(job) if stopping else
                       base(job, FAILED, error=f"the Ray task failed: {type(exc).__name__}: {text}"))
        if outcome.status == DONE:
            outcome = self._record(outcome, job)
        return outcome.without_report()

    def _record(self, outcome: Outcome, job: Job) -> Outcome:
        if not self.settings.history:
            return outcome
        from formcheck.records.history import HistoryError, record_report
        from formcheck.records.repair import recorded_folder
        from formcheck.sets.set_report import SetReport

        data_dir = self.settings.data_dir
        try:
            if recorded_folder(job.out_dir, data_dir):
                return outcome
            report = outcome.report
            if report is None:  # (cancelled after it was put in place: read from its folder)
                report = json.loads((job.out_dir / REPORT).read_text(encoding="utf-8"))
            record_report(SetReport.from_json(report), data_dir, out_dir=job.out_dir)
        except (HistoryError, OSError, ValueError) as exc:
            return replace(outcome, status=FAILED, error=(
                f"the set is in {job.out_dir} but could not be recorded in the history ({' '.join(str(exc).split())}): "
                f"run 'formcheck history --repair {job.out_dir}' once it can be written"))
        return outcome
