"""What the subcommands share: one-line errors, argument types, the exercise as a patient's
profile changes it, the history write, and a set's result on the terminal."""

from __future__ import annotations

import argparse
import contextlib
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Callable

from formcheck.core.patient import DEFAULT_PATIENT, check_patient_id
from formcheck.records.history import (
    HistoryError,
    PendingSet,
    begin_record,
    check_writable,
    record_report,
)
from formcheck.records.progression import holds_in_report
from formcheck.sets.outputs import REPORT
from formcheck.sets.report_notes import (
    adapted_note,
    count_doubt,
    lost_to_pauses,
    never_started,
    paused_long,
    wrong_view,
)
from formcheck.sets.set_report import SetReport
from formcheck.spec.exercise import TARGET_MAX, load_exercise_arg
from formcheck.spec.profile import apply_profile, load_profile, profile_info

EXIT_ERROR = 1
EXIT_USAGE = 2  # a mistake on the command line (argparse's own errors exit 2 too)


class CliError(Exception):
    """Raised by subcommands for a clean one-line failure."""


class UsageError(CliError):
    """Options that do not go together (found after parsing): exit 2 like argparse's errors."""

    def __init__(self, message: str, command: str) -> None:
        super().__init__(f"{message} (see 'formcheck {command} --help')")


MAX_ERROR_LINES = 20  # a file with thousands of mistakes: the first ones, then how many more

# what must not reach a terminal from a file or an option: escape sequences (colours, moving the
# cursor, a window title...) and other control characters
_ESCAPES = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """``text`` without terminal escape sequences and control characters (newlines and tabs stay)."""
    return _CONTROL.sub("", _ESCAPES.sub("", text))


def error_lines(message: str) -> list[str]:
    """An error's lines for the terminal: printable, at most MAX_ERROR_LINES and then how many more."""
    lines = [printable(line) for line in message.splitlines()]
    if len(lines) > MAX_ERROR_LINES:
        more = len(lines) - MAX_ERROR_LINES
        lines = lines[:MAX_ERROR_LINES] + [f"... and {more} more problem{'' if more == 1 else 's'}"]
    return lines


def ranged(cast: Callable[[str], float], lo: float, hi: float, what: str) -> Callable[[str], Any]:
    """An argparse type: ``cast(text)`` within lo..hi, else "must be WHAT from LO to HI"."""
    def parse(text: str) -> Any:
        try:
            v = cast(text)
        except ValueError:
            v = None
        if v is None or not lo <= v <= hi:  # (NaN is never within)
            raise argparse.ArgumentTypeError(f"must be {what} from {lo:g} to {hi:g}, got {text!r}")
        return v

    return parse


def target_count(text: str) -> int:
    """argparse type of --target: a whole number of repetitions from 1 to TARGET_MAX (the
    limit of exercise files, profiles and programs)."""
    return ranged(int, 1, TARGET_MAX, "a whole number")(text)


def patient_id(text: str) -> str:
    """argparse type of --patient: a patient id (core.patient), else one line saying what one is."""
    try:
        return check_patient_id(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_patient_option(parser: argparse.ArgumentParser, default: str | None = DEFAULT_PATIENT,
                       what: str = "whose sets these are") -> None:
    """--patient ID, the same on every command that has it."""
    parser.add_argument("--patient", type=patient_id, default=default, metavar="ID",
                        help=f"patient id, e.g. p017: {what}" + (f" (default: {default!r})" if default else ""))


def load_spec(args: argparse.Namespace):
    """The exercise spec (``--exercise``: an id or a path to an exercise file) with a patient
    profile applied (if any), the target, and the profile's name and file for the report (None
    without one)."""
    spec, _ = load_exercise_arg(args.exercise)
    target = getattr(args, "target", None)
    path = getattr(args, "profile", None)
    if not path:
        return spec, target, None
    profile = load_profile(Path(path))
    spec, prof_target = apply_profile(spec, profile)
    return spec, target if target is not None else prof_target, profile_info(profile)


def check_history(args: argparse.Namespace) -> None:
    """A history that cannot take the set fails now, before the work (not after it)."""
    if getattr(args, "no_history", False):
        return
    check_writable(getattr(args, "data_dir", None))


def history_recorder(args: argparse.Namespace) -> Callable[[SetReport, Path], PendingSet] | None:
    """What writes a set (and its output folder) into the history, uncommitted, for replay or
    live to commit together with its report (sets.outputs.put_in_place); None with --no-history."""
    if getattr(args, "no_history", False):
        return None
    folder = getattr(args, "data_dir", None)
    return lambda report, out_dir: begin_record(report, folder, out_dir=out_dir)


@contextlib.contextmanager
def history_write(out: Path) -> Iterator[None]:
    """Around a set (replay or live) whose row goes into the history with its outputs: a history
    that cannot take it (locked past the wait, a full disk) says that the outputs were not kept
    either, for replay and live alike."""
    try:
        yield
    except HistoryError as exc:
        raise HistoryError(f"{exc}; the set was not kept (nothing was put in {out}): "
                           "run it again once the history can be written") from None


def kept_before(exc: BaseException, out: Path, earlier: bool, recorded: bool) -> None:
    """After ``exc`` stopped a set: say whether its outputs (and row) were kept before it."""
    if earlier or not (out / REPORT).is_file():
        return
    stored = " and recorded in the history" if recorded else ""
    why = "interrupt" if isinstance(exc, KeyboardInterrupt) else "error"
    print(f"formcheck: the set was finished{stored} before the {why}: {out}", file=sys.stderr)


def record_history(args: argparse.Namespace, report: SetReport) -> None:
    """Store the set in the history database (unless --no-history)."""
    if getattr(args, "no_history", False):
        return
    record_report(report, data_dir=getattr(args, "data_dir", None))


def print_set(name: str, kind: str, rep: SetReport, out_dir: Path, cues: dict[str, str] | None = None) -> None:
    """A set's result on stdout (replay and live): the count or holds, or the pain stop; faults
    (with the cue each gave, from ``cues``: fault id -> its text, texts.fault_texts); where."""
    name, out_dir = printable(name), Path(printable(str(out_dir)))
    if rep.pain_stop is not None:
        print(f"{name}: stopped for pain at {rep.pain_stop.t_s or 0.0:.1f} s after {rep.reps} repetitions")
    elif kind == "reps":
        n = len(rep.partials)
        print(f"{name}: {rep.reps} / {rep.target} repetitions, {n} partial{'' if n == 1 else 's'}")
    else:
        held = ", ".join(f"{h.side or ''} {h.held_s:.0f}/{h.target_s:.0f} s".strip() for h in rep.holds) or "none"
        done, short = holds_in_report(rep)
        missing = f", {' and '.join(short)} not yet" if short else ""
        print(f"{name}: holds {held}; {done} of {rep.target} done{missing}")
    if rep.fault_counts:
        told = {k: f' ("{c}")' for k, c in (cues or {}).items()}
        print("faults: " + ", ".join(f"{k} x{v}{told.get(k, '')}" for k, v in rep.fault_counts.items()))
    if note := never_started(rep):
        print("note: " + note)
    if note := wrong_view(rep):
        print("camera: " + note)
    if note := count_doubt(rep):
        print("note: " + note)
    if note := adapted_note(rep):
        print("note: " + note)
    paused: dict[str, list[float]] = {}
    for p in rep.pauses:
        paused.setdefault(p.reason, []).append(max(p.end_s - p.start_s, 0.0))
    if paused:
        low = f" ({lost_to_pauses(rep)})" if paused_long(rep) is not None else ""
        print("counting paused: " + "; ".join(f"{r} x{len(d)}, {sum(d):.1f} s" for r, d in paused.items()) + low)
    print(f"wrote {out_dir}")


