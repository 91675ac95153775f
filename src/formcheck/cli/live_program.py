"""``formcheck live --program``: a session of the hospital program, exercise by exercise.

Each exercise gets its instructions, a set at the target the history says is next, the summary
(or, after a pain stop, the advice) and a rest. After a pain stop the session goes on only if
the patient explicitly asks for the next exercise.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from formcheck.cli.common import history_recorder
from formcheck.cli.live_sets import dropped_if_empty, exit_code, new_folders, report_set, run_into, sessions_root
from formcheck.live.runner import Runner
from formcheck.live.screens import (
    show_after_set,
    show_instructions,
    show_program_done,
    show_rest,
)
from formcheck.live.session import SetPlan
from formcheck.records.pain_locks import load_clears, stopped_for_pain_today
from formcheck.records.progression import load_history, session_targets
from formcheck.sets.outputs import prepare_out_dir
from formcheck.sets.texts import TERMINAL, TEXTS, program_row
from formcheck.spec.exercise import ExerciseSpec, exercise_file, load_exercise
from formcheck.spec.files import SpecError
from formcheck.spec.profile import apply_profile, profile_info

if TYPE_CHECKING:
    from formcheck.spec.profile import Profile
    from formcheck.spec.program import Program, ProgramExercise


def _load_specs(ids: list[str]) -> dict[str, ExerciseSpec]:
    """Every exercise of the session, or one error naming all that are missing or broken."""
    specs, missing = {}, []
    for exercise_id in ids:
        try:
            specs[exercise_id] = load_exercise(exercise_id)
        except SpecError as exc:
            missing.append(str(exc).splitlines()[0])
    if missing:
        raise SpecError("cannot run the program: " + "; ".join(missing))
    return specs


def only_ids(args: argparse.Namespace) -> list[str] | None:
    """--only's exercise ids (None without it)."""
    return [s.strip() for s in args.only.split(",") if s.strip()] if args.only is not None else None


def session_exercises(args: argparse.Namespace, program: Program) -> tuple[list[ProgramExercise], dict[str, ExerciseSpec]]:
    """The session's exercises (--session, --only) and their exercise files, read before the
    camera opens: a mistake in any of them is one error, with nothing started."""
    entries = program.select(args.session, only_ids(args))
    return entries, _load_specs([e.id for e in entries])


def run_program(args: argparse.Namespace, runner: Runner, program: Program, profile: Profile | None,
                entries: list[ProgramExercise], specs: dict[str, ExerciseSpec]) -> int:
    """The session of ``program``: its ``entries`` and their ``specs`` (session_exercises()),
    read like the patient's ``profile`` before the camera opened."""
    try:
        history = load_history(args.data_dir, args.patient)  # the patient's own progression and pain stops
        clears = load_clears(args.data_dir, args.patient)
    except Exception as exc:  # no history: start from the program's starting targets
        print(f"formcheck: warning: history not read ({exc}); using the starting targets, and pain stops "
              "earlier today could not be checked", file=sys.stderr)
        history, clears = [], []
    targets = session_targets(program, entries, history)
    resting = stopped_for_pain_today(history, clears)
    for entry in entries:  # the pain advice said: not again today
        if entry.id in resting:
            print(TEXTS[args.lang]["left_out"].format(name=specs[entry.id].name.get(args.lang)))
    entries = [e for e in entries if e.id not in resting]
    lang = args.lang
    advice = (program.advice.pain_title.get(lang), program.advice.pain.get(lang))
    runner.opts.countdown_s = args.countdown if args.countdown is not None else program.countdown_s
    session_id = datetime.now().strftime("%Y-%m-%d_%H%M%S")
    if not entries:
        return 0
    made = new_folders(Path(args.out)) if args.out else []
    root = sessions_root(args, program.name)
    try:
        plan = SessionPlan(program, entries, specs, targets, profile, advice, session_id, root)
        return _run_entries(args, runner, plan)
    finally:
        if root.exists():
            if any(root.iterdir()):
                print(TERMINAL[args.lang]["session"].format(dir=root))
            else:  # nothing was done (or Ctrl-C before the first set): the folders it made go again
                for d in made if args.out else [root]:
                    with contextlib.suppress(OSError):
                        d.rmdir()


@dataclass(frozen=True)
class SessionPlan:
    """One program session, as settled before its first set."""

    program: Program
    entries: list[ProgramExercise]  # the exercises to do, in order
    specs: dict[str, ExerciseSpec]  # their exercise files, by id
    targets: dict[str, int]  # their targets (the history's next step), by id
    profile: Profile | None  # the patient's, applied to each exercise
    advice: tuple[str, tuple[str, ...]]  # the pain advice: title, lines
    session_id: str
    root: Path  # the session's folder: one folder a set in it


def _run_entries(args: argparse.Namespace, runner: Runner, plan: SessionPlan) -> int:
    """The session's exercises one by one: instructions, the set, its summary, a rest."""
    program, entries, specs, targets = plan.program, plan.entries, plan.specs, plan.targets
    profile, advice, session_id, root = plan.profile, plan.advice, plan.session_id, plan.root
    lang = args.lang
    source = Path(args.source) if args.source else Path(os.devnull)
    code = 0
    rows: dict[str, str] = {}  # the program's summary: a line per exercise, in order
    for i, entry in enumerate(entries):
        spec = specs[entry.id]
        target = targets[entry.id]
        if profile is not None:
            spec, prof_target = apply_profile(spec, profile)
            target = prof_target if prof_target is not None else target  # the patient's own prescription
        key = show_instructions(runner.screens, spec, target, lang, f"{i + 1}/{len(entries)}",
                                program.instructions_s, advice)
        if key == "q":
            break
        if key == "s":
            print(TERMINAL[lang]["skipped"].format(name=spec.name.get(lang)))
            rows[entry.id] = program_row(spec, None, lang, "skipped")
            continue
        made = not (root / f"{i + 1:02d}_{spec.id}").exists()
        info = {"name": program.name, "session": args.session or "all", "session_id": session_id,
                "index": i + 1, "of": len(entries), "step": entry.step}
        with dropped_if_empty(new_folders(root / f"{i + 1:02d}_{spec.id}")):
            out = prepare_out_dir(root / f"{i + 1:02d}_{spec.id}", source)
            set_plan = SetPlan(spec, out, target, info, profile_info(profile) if profile else None, history_recorder(args),
                               patient=args.patient, exercise_file=str(exercise_file(spec.id).resolve()))
            outcome = run_into(args, runner, set_plan, made)
        report_set(args, spec, outcome)
        skipped = outcome.ended_by == "skip" and not (outcome.report.reps or outcome.report.holds)
        rows[entry.id] = program_row(spec, None if skipped else outcome.report, lang, "skipped")
        after = show_after_set(runner.screens, outcome, spec, lang, advice, program=True)
        if outcome.error and (runner.camera is not None or outcome.ended_by == "failed"):
            code = exit_code(outcome)
            break
        if outcome.ended_by == "quit" or after == "q":
            break
        if outcome.ended_by == "pain" and after != "n":  # the session goes on only if the patient says so
            print(TERMINAL[lang]["ended_after_pain"])
            break
        if i + 1 < len(entries):
            nxt = specs[entries[i + 1].id]
            rest = entry.rest_s if entry.rest_s is not None else program.rest_s
            if show_rest(runner.screens, nxt, lang, rest, advice) == "q":
                break
    if rows:  # the program's summary: what was done, skipped, stopped, or not done today
        lines = [rows.get(e.id) or program_row(specs[e.id], None, lang, "not_done") for e in entries]
        for line in lines:
            print(line)
        show_program_done(runner.screens, program, lang, lines)
    return code
