"""What ``formcheck tune`` on one set and on a folder of sets share: the options' values and
the exercise as given (an id or an exercise file) with the patient's profile applied."""

from __future__ import annotations

import argparse
from pathlib import Path

from formcheck.cli.common import CliError, UsageError
from formcheck.core.atomic import refuse_overwriting
from formcheck.spec.exercise import ExerciseSpec, load_exercise_arg
from formcheck.spec.profile import apply_profile, load_profile

ALL = "all"


def good_reps(text: str) -> str | frozenset[int]:
    """argparse type of --good: ``all`` or repetition numbers and ranges (``1,3-5``)."""
    if text.strip().lower() == ALL:
        return ALL
    out: set[int] = set()
    try:
        for part in text.split(","):
            lo, _, hi = part.strip().partition("-")
            a, b = int(lo), int(hi or lo)
            if not 1 <= a <= b <= 1000:
                raise ValueError
            out.update(range(a, b + 1))
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be 'all' or repetition numbers such as 1,3-5, got {text!r}") from None
    return frozenset(out)


def spec_for(args: argparse.Namespace, exercise: str) -> tuple[ExerciseSpec, int | None, Path]:
    spec, path = load_exercise_arg(exercise)  # an id or an exercise file, as replay and live take it
    target = args.target
    if args.profile:
        spec, prof_target = apply_profile(spec, load_profile(Path(args.profile)))
        target = target if target is not None else prof_target
    if args.rule is not None:
        ids = list(dict.fromkeys(r.id for r in spec.rules))
        if args.rule not in ids:
            raise UsageError(f"--rule: {spec.id} has no rule {args.rule!r}; its rules: {', '.join(ids) or 'none'}", "tune")
    return spec, target, path


def check_out(args: argparse.Namespace, *inputs: Path | None) -> None:
    if args.out:
        refuse_overwriting(args.out, *inputs, args.profile)
        if Path(args.out).suffix.lower() != ".png":  # (a replay's report.json or video must not become a PNG)
            raise CliError(f"--out: the drawing is a PNG image; give a file name ending in .png, not {args.out!r}")
