"""After each live set: where sessions are saved, what is printed and what goes to the history."""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from formcheck.cli.common import history_write, kept_before, print_set, printable
from formcheck.core.interrupts import Terminated
from formcheck.live.runner import Runner
from formcheck.live.session import SetPlan
from formcheck.live.set_loop import SetOutcome
from formcheck.records.history import data_dir
from formcheck.sets.texts import TERMINAL, fault_texts, terminal_lines
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

    A set skipped (s key) before anything was done is only named; one interrupted before anything
    was counted left nothing to show. (Sets went to the history with their outputs: run_set.)
    """
    if outcome.error:
        done = "saved what was done" if outcome.counted else "nothing was counted"
        grave = not outcome.counted or outcome.ended_by == "failed"
        print(f"formcheck: {'error' if grave else 'warning'}: {outcome.error} "
              f"after {outcome.report.duration_s:.1f} s; {done} ({outcome.out_dir})", file=sys.stderr)
    if outcome.ended_by == "skip" and not (outcome.report.reps or outcome.report.holds):
        print(TERMINAL[args.lang]["skipped"].format(name=spec.name.get(args.lang)))
    elif outcome.kept and args.lang == "en":  # (its row went into the history with its outputs: set_loop)
        print_set(spec.name.en, spec.kind, outcome.report, outcome.out_dir, fault_texts(spec, "en"))
    elif outcome.kept:  # a Danish session: Danish lines, the end card's words (one language per session)
        for line in terminal_lines(spec, outcome.report, args.lang):
            print(printable(line))
        print(TERMINAL[args.lang]["wrote"].format(dir=printable(str(outcome.out_dir))))
    if args.stats:
        print(outcome.stats.line())
    if outcome.ended_by == "interrupted":
        raise KeyboardInterrupt
    if outcome.ended_by == "terminated":
        raise Terminated()


def exit_code(outcome: SetOutcome) -> int:
    """Non-zero when nothing could be done at all because of the source, or the set failed."""
    return 1 if (outcome.error and not outcome.counted) or outcome.ended_by == "failed" else 0


def run_into(args: argparse.Namespace, runner: Runner, plan: SetPlan, made: bool) -> SetOutcome:
    """Run one set into ``plan.out_dir`` (``made`` for it by this run). Its row goes into the
    history with its outputs (set_loop: both or neither); after an interrupt or error on the
    way out, says whether it was kept; a folder left empty goes again."""
    out = plan.out_dir
    try:
        with history_write(out):
            outcome = runner.run(plan)
    except BaseException as exc:
        kept_before(exc, out, False, plan.record is not None)
        drop_if_empty(out, made)
        raise
    if not outcome.kept:
        drop_if_empty(out, made)
    return outcome


def drop_if_empty(folder: Path, made: bool) -> None:
    """The set's folder, made for it, goes again when nothing was kept in it (Ctrl-C before anything
    was counted): no empty folder blocks or clutters. (A hidden staging folder a killed run left
    keeps it: the next run sweeps that.)"""
    if made:
        with contextlib.suppress(OSError):
            folder.rmdir()

