"""One video of a batch, replayed by replay's own function (``sets.replay.replay``), in whatever
process runs it (a local worker, a Ray task); and how such a process keeps to its share of cores.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from formcheck.batch.jobs import Job
from formcheck.batch.outcome import (
    DONE,
    EARLIER,
    FAILED,
    INTERRUPTED,
    Outcome,
    base,
    from_report,
)
from formcheck.sets.outputs import REPORT

# Libraries' thread pools, one thread each: a job's share of the machine is its cores (its
# affinity), and numpy/OpenCV pools sized for the whole machine would only fight the other jobs.
# Inherited by replay's decoder and encoder processes (OpenCV draws the overlay in the encoder).
THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS",
               "VECLIB_MAXIMUM_THREADS", "OPENCV_FOR_THREADS_NUM")


@dataclass(frozen=True)
class Settings:
    """What the command line sets for every video of the batch."""

    model: str | None = None  # --model (None: each exercise's own)
    lang: str = "da"
    write_video: bool = True
    history: bool = True  # record each set (--no-history: not)
    data_dir: str | None = None  # --data-dir (None: $FORMCHECK_DATA_DIR or the user's folder)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def job_to_json(job: Job) -> dict[str, Any]:
    return {k: (str(v) if isinstance(v, Path) else v) for k, v in asdict(job).items()}


def job_from_json(d: dict[str, Any]) -> Job:
    return Job(video=Path(d["video"]), exercise=d["exercise"], out_dir=Path(d["out_dir"]), name=d["name"],
               target=d.get("target"), profile=Path(d["profile"]) if d.get("profile") else None,
               patient=d.get("patient"))


def thread_env(env: dict[str, str] | None = None) -> dict[str, str]:
    """``env`` (default: this process's) with the libraries' thread pools at one thread."""
    env = dict(os.environ if env is None else env)
    env.update({v: "1" for v in THREAD_VARS})
    return env


def keep_to_cores(cores: set[int] | None) -> None:
    """Run this process (and the processes it starts) on ``cores`` only: one pose model per core.
    Where the OS has no affinity call (macOS) the OS spreads the jobs instead."""
    if cores and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, cores)


def earlier_outcome(job: Job) -> Outcome | None:
    """A job whose folder already holds a finished set (a batch run again after a stop): it is
    not replayed again; its summary row comes from that report. None if there is none."""
    path = job.out_dir / REPORT
    if not path.is_file():
        return None
    from formcheck.sets.set_report import SetReport

    try:
        report = SetReport.from_json(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None  # (not a whole report: replay refuses the folder, and says why)
    return from_report(job, EARLIER, report)


def run_job(job: Job, settings: Settings, *, record_here: bool = True) -> Outcome:
    """Replay one video as the single-video command does (replay's own function), into
    ``job.out_dir``. ``record_here``: its history row goes in with its outputs (the set is whole
    or absent); else the caller records it from the outcome's report (Ray's driver). Errors come
    back as a FAILED outcome with one line; Ctrl-C (KeyboardInterrupt) is raised, after replay
    has left the folder as it was, unless the set was already in place."""
    started, t0 = time.time(), time.monotonic()
    who: dict[str, Any] = {"pid": os.getpid(), "started": started}
    earlier = earlier_outcome(job)
    if earlier is not None:
        return earlier
    try:
        outcome = _replay(job, settings, record_here)
    except KeyboardInterrupt:
        raise
    except Exception as exc:  # noqa: BLE001 - one line, as the command line would print it
        return base(job, FAILED, error=_one_line(exc), seconds=round(time.monotonic() - t0, 2),
                    ended=time.time(), **who)
    report = outcome.report
    return from_report(job, DONE, report, outcome.warning, seconds=round(time.monotonic() - t0, 2),
                       ended=time.time(), report=None if record_here else report.to_json(), **who)


def interrupted(job: Job, **kw: Any) -> Outcome:
    return base(job, INTERRUPTED, error="stopped by an interrupt; nothing of it was kept", **kw)


def _replay(job: Job, settings: Settings, record_here: bool):
    # imported here: a process that only plans the batch (or Ray's driver) never loads the model
    from formcheck.media.estimator import choose_model
    from formcheck.records.history import begin_record
    from formcheck.sets.replay import ReplayOptions, replay
    from formcheck.spec.exercise import load_exercise_arg
    from formcheck.spec.profile import apply_profile, load_profile, profile_info

    spec, exercise_file = load_exercise_arg(job.exercise)  # an id, or an edited copy by path
    target, info = job.target, None
    if job.profile is not None:
        profile = load_profile(job.profile)
        spec, prof_target = apply_profile(spec, profile)
        target, info = target if target is not None else prof_target, profile_info(profile)
    data_dir = settings.data_dir
    record = None
    if record_here and settings.history:
        def record(report, out_dir):
            return begin_record(report, data_dir, out_dir=out_dir)
    opts = ReplayOptions(model=choose_model(settings.model, spec.model), target=target, lang=settings.lang,
                         write_video=settings.write_video, profile=info, record=record,
                         patient=job.patient, exercise_file=str(exercise_file))
    return replay(job.video, spec, job.out_dir, opts)


def _one_line(exc: BaseException) -> str:
    from formcheck.media.estimator import ModelError
    from formcheck.media.video import VideoError
    from formcheck.records.history import HistoryError
    from formcheck.sets.outputs import ReplayError
    from formcheck.spec.files import SpecError

    text = " ".join(str(exc).split())
    if isinstance(exc, (ModelError, ReplayError, SpecError, VideoError, HistoryError)):
        return text or type(exc).__name__
    if isinstance(exc, OSError):
        where = f" {exc.filename}:" if exc.filename else ""
        return f"{where} {exc.strerror or exc}".strip()
    return f"internal error: {type(exc).__name__}: {text}"
