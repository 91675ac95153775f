"""Where a set's outputs go: the output folder, its hidden staging folder, and putting them in place
(replay's and live's alike).

Outputs are written into a hidden staging folder inside the output folder and put in place
only once all are complete: the video and track are renamed in, the report last (its presence
marks a finished replay). When the set goes to the history, its row is written before the
report is renamed in and committed right after, with interrupts held back: a failure of either
undoes the other, so a report in place is a set recorded. A replay that fails or is interrupted before that leaves the folder
as it was; one stopped during the renames leaves no report, so nothing passes for complete. A
folder already holding a report (an earlier run's) is refused. A staging folder left by a run
that was killed outright (no cleanup ran) is removed by the next replay into the same folder:
each run holds a lock on its own while it works, and one nobody holds is stale. A run killed
outright between the report's rename and the commit leaves the report without its row:
``formcheck history --repair`` adds it (records/repair.py).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Callable, Iterator, Protocol

from formcheck.core.atomic import same_file
from formcheck.core.faults import fault_point
from formcheck.core.interrupts import interrupts_held

try:
    import fcntl  # file locks on staging folders (POSIX)
except ImportError:  # pragma: no cover - not POSIX: killed runs' staging folders are not swept
    fcntl = None  # type: ignore[assignment]


REPORT = "report.json"


VIDEO = "annotated.mp4"


TRACK = "track.npz"


STAGE_PREFIX = ".formcheck-replay-"


NEW_STAGE_PREFIX = ".formcheck-new-"  # a staging folder until it is locked


STAGE_LOCK = ".in-use"


class ReplayError(Exception):
    """A replay that cannot produce a meaningful result; one line for the user."""


def claim_stage(stage: Path) -> Any:
    """Lock ``stage`` for this run (the lock goes when the process ends, however it ends). Returns
    the open lock file, to keep open while the run works; None where there are no file locks (not
    POSIX, or a file system without them: the run goes on, and no sweep can lock it either)."""
    if fcntl is None:  # pragma: no cover - not POSIX
        return None
    f = open(stage / STAGE_LOCK, "w")  # noqa: SIM115 - held open for the run
    try:
        fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        f.close()
        return None
    return f


def make_stage(out_dir: Path) -> tuple[Path, Any]:
    """A new staging folder in ``out_dir`` and its lock (see claim_stage). It is made and locked
    under another name, then renamed (the lock stays): a sweep never finds it unlocked."""
    new = Path(tempfile.mkdtemp(prefix=NEW_STAGE_PREFIX, dir=out_dir))
    lock = None
    try:
        lock = claim_stage(new)
        stage = new.with_name(STAGE_PREFIX + new.name.removeprefix(NEW_STAGE_PREFIX))
        os.rename(new, stage)
    except BaseException:
        if lock is not None:
            lock.close()
        shutil.rmtree(new, ignore_errors=True)
        raise
    return stage, lock


def sweep_stale_stages(out_dir: Path) -> None:
    """Remove staging folders in ``out_dir`` whose run is over without having cleaned up (killed):
    their lock is free. Folders in use, and ones without a lock file (one being made), stay."""
    if fcntl is None:  # pragma: no cover - not POSIX
        return
    for d in out_dir.glob(STAGE_PREFIX + "*"):
        try:
            with open(d / STAGE_LOCK, "r+") as f:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
                shutil.rmtree(d, ignore_errors=True)
        except OSError:  # in use (BlockingIOError), no lock file yet, or not ours to remove
            continue


def default_out_dir(video: Path) -> Path:
    """A new folder beside the video, never the video itself: <stem>_formcheck[_N]."""
    base = video.parent / f"{video.stem}_formcheck"
    cand, n = base, 2
    while cand.exists():
        cand, n = base.with_name(f"{base.name}_{n}"), n + 1
    return cand


def prepare_out_dir(out: Path, video: Path) -> Path:
    if out.exists() and not out.is_dir():
        raise ReplayError(f"output path exists and is not a folder: {out}")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ReplayError(f"cannot create output folder {out}: {exc.strerror} (choose another with --out)") from None
    if not os.access(out, os.W_OK | os.X_OK):
        raise ReplayError(f"output folder is not writable: {out} (choose another with --out)")
    for name in (VIDEO, REPORT, TRACK):  # the outputs' names in the input's own folder
        if same_file(out / name, video):
            raise ReplayError(f"refusing to overwrite the input video with the {name} written there (choose another --out)")
    if (out / REPORT).exists():  # an earlier replay or set: its results are not replaced unasked
        raise ReplayError(f"{out} already holds the results of an earlier run ({REPORT}); "
                          "choose another folder with --out, or remove them first")
    return out


class Recording(Protocol):
    """A set written into the history but not yet committed (records.history.PendingSet)."""

    def commit(self) -> object: ...

    def abort(self) -> None: ...


def put_in_place(stage: Path, out_dir: Path, record: Callable[[], Recording] | None = None) -> Recording | None:
    """Move a finished replay's outputs from ``stage`` into ``out_dir``, the report last. An
    output this run did not write (no video) left by an unfinished earlier run goes, or it would
    pass for this run's. A report that appeared meanwhile (another run into the same folder) is
    not replaced.

    With ``record`` (the history), the set's row is written, uncommitted, before anything is
    put in place; the rename and the commit then run with Ctrl-C and SIGTERM held back, and a
    failure of either undoes the other: the report and the row are both there or neither is.

    Two runs finishing into one folder at the same instant take turns (_one_at_a_time): the
    second finds the first's report, and puts nothing of its own there. Returns what ``record``
    returned (the committed row: live marks it when pain is reported after the set)."""
    with _one_at_a_time(out_dir):
        return _put_in_place(stage, out_dir, record)


@contextlib.contextmanager
def _one_at_a_time(out_dir: Path) -> Iterator[None]:
    """An exclusive lock on the output folder itself while outputs are put in it (nothing is left
    behind: the lock goes with the process, however it ends). Without it the check for an earlier
    report and the renames after it could interleave between two runs, the second replacing the
    first's video and report. Where folders cannot be locked, the check alone remains."""
    try:
        fd = os.open(out_dir, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        yield
        return
    try:
        if fcntl is not None:
            with contextlib.suppress(OSError):  # (a file system without locks: the check alone)
                fcntl.flock(fd, fcntl.LOCK_EX)  # another run's turn takes milliseconds (and its history commit)
        yield
    finally:
        os.close(fd)


def _put_in_place(stage: Path, out_dir: Path, record: Callable[[], Recording] | None) -> Recording | None:
    if (out_dir / REPORT).exists():
        raise ReplayError(f"{out_dir} received another run's results while this replay ran; "
                          "this replay's were not put there (choose another folder with --out)")
    # first: a history that cannot take the set (locked, full) leaves the output folder as it was
    pending = record() if record is not None else None
    moved: list[Path] = []
    placed = False
    try:
        fault_point("row")
        try:
            for name in (VIDEO, TRACK):
                if (stage / name).exists():
                    os.replace(stage / name, out_dir / name)
                    moved.append(out_dir / name)
                else:
                    (out_dir / name).unlink(missing_ok=True)
        except OSError as exc:
            raise ReplayError(f"cannot put the outputs in place in {out_dir}: {exc.strerror}") from None
        fault_point("moved")
        with interrupts_held():
            _report_in_place(stage, out_dir, pending)
            placed = True  # (a signal held meanwhile is raised after this: the set is there)
        fault_point("committed")
    except BaseException:
        if pending is not None:
            pending.abort()  # (nothing left to abort after a commit, failed or not)
        if not placed:  # no half of a set: the video and track without their report go too
            for path in moved:
                with contextlib.suppress(OSError):
                    path.unlink()
        raise
    return pending


def _report_in_place(stage: Path, out_dir: Path, pending: Recording | None) -> None:
    try:
        os.replace(stage / REPORT, out_dir / REPORT)
    except OSError as exc:
        raise ReplayError(f"cannot put the outputs in place in {out_dir}: {exc.strerror}") from None
    try:
        fault_point("renamed")  # (tests: the instant between the report's rename and the commit)
        if pending is not None:
            pending.commit()
    except BaseException:  # not in the history: then no report either, or it would pass for recorded
        with contextlib.suppress(OSError):
            (out_dir / REPORT).unlink()
        raise
