"""After each live set: where sessions are saved, what is printed and what goes to the history."""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from formcheck.cli.common import print_set, record_history
from formcheck.core.interrupts import Terminated
from formcheck.live.set_loop import SetOutcome
from formcheck.records.history import data_dir
from formcheck.sets.texts import fault_texts
from formcheck.spec.exercise import ExerciseSpec


def sessions_root(args: argparse.Namespace, name: str) -> Path:
    """``--out``, else a new timestamped folder under the data folder's ``sessions/``."""
    if args.out:
        return Path(args.out)
    base = data_dir(args.data_dir) / "sessions" / f"{datetime.now().strftime('%Y-%m-%d_%H%M%S')}_{name}"
    base.parent.mkdir(parents=True, exist_ok=True)
    cand, n = base, 2
    while True:  # made here, at once: two sessions started in the same second get two folders
        try:
            cand.mkdir()
            return cand
        except FileExistsError:
            cand, n = base.with_name(f"{base.name}_{n}"), n + 1


def new_folders(path: Path) -> list[Path]:
    """``path`` and those of its parents that do not exist yet (what this command would make)."""
    return [d for d in (path, *path.parents) if not d.exists()]


@contextlib.contextmanager
def dropped_if_empty(folders: list[Path]) -> Iterator[None]:
    """Folders this command made go again when it stops on an error or Ctrl-C before writing
    anything into them (e.g. while the pose model loads): an empty ``--out`` left behind looked
    like a session that had failed. Innermost first; one holding anything stays."""
    try:
        yield
    except BaseException:
        for d in folders:
            with contextlib.suppress(OSError):  # not empty (or gone): it stays
                d.rmdir()
        raise


def report_set(args: argparse.Namespace, spec: ExerciseSpec, outcome: SetOutcome) -> None:
    """Print and store one finished set; a Ctrl-C during the set ends the command here.

    A set skipped (s key) before anything was done is only named; others go to the history
    when something was counted, and always after a pain stop.
    """
    if outcome.error:
        done = "saved what was done" if outcome.counted else "nothing was counted"
        grave = not outcome.counted or outcome.ended_by == "failed"
        print(f"formcheck: {'error' if grave else 'warning'}: {outcome.error} "
              f"after {outcome.report.duration_s:.1f} s; {done} ({outcome.out_dir})", file=sys.stderr)
    if outcome.ended_by == "skip" and not (outcome.report.reps or outcome.report.holds):
        print(f"{spec.name.en}: skipped")
    else:
        if outcome.counted or outcome.ended_by == "pain":
            try:
                record_history(args, outcome.report)
            except Exception as exc:  # the report is already on disk: warn, do not lose the set
                print(f"formcheck: warning: the set was not added to the history: {exc}", file=sys.stderr)
        print_set(spec.name.en, spec.kind, outcome.report, outcome.out_dir, fault_texts(spec, "en"))
    if args.stats:
        print(outcome.stats.line())
    if outcome.ended_by == "interrupted":
        raise KeyboardInterrupt
    if outcome.ended_by == "terminated":
        raise Terminated()


def exit_code(outcome: SetOutcome) -> int:
    """Non-zero when nothing could be done at all because of the source, or the set failed."""
    return 1 if (outcome.error and not outcome.counted) or outcome.ended_by == "failed" else 0
