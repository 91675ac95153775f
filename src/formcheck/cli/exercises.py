"""``formcheck exercises list|show|validate|programs``: what the exercise and program files say, for a physiotherapist."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from formcheck.media.estimator import choose_model
from formcheck.signals import SIGNALS
from formcheck.spec.exercise import (
    ExerciseSpec,
    exercises_dir,
    in_exercises_dir,
    load_exercise_arg,
    load_exercise_file,
    parse_exercise,
)
from formcheck.spec.files import SpecError, read_toml
from formcheck.spec.profile import apply_profile, load_profile, parse_profile
from formcheck.spec.program import load_program, parse_program, programs_dir


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("exercises", help="list, show or validate the exercise files; list the programs")
    esub = p.add_subparsers(dest="exercises_command", required=True)

    ls = esub.add_parser("list", help="all exercises with kind, camera views, posture and target")
    ls.add_argument("--json", action="store_true", help="machine-readable output")
    ls.set_defaults(func=cmd_list)

    sh = esub.add_parser("show", help="one exercise's thresholds, rules, cues and instructions")
    sh.add_argument("id", help="exercise id, e.g. squat, or a path to an exercise file (e.g. ./my_squat.toml)")
    sh.add_argument("--profile", help="show the values with this patient profile applied")
    sh.add_argument("--json", action="store_true", help="the whole (effective) exercise as JSON")
    sh.set_defaults(func=cmd_show)

    va = esub.add_parser("validate", help="check exercise, program and profile files; one line per problem, exit 1 if any")
    va.add_argument("files", nargs="*",
                    help="exercise, program or profile TOML files (default: all exercise files in the exercises folder)")
    va.set_defaults(func=cmd_validate)

    pr = esub.add_parser("programs", help="the programs (for 'formcheck live --program NAME'): sessions and exercises")
    pr.add_argument("--json", action="store_true", help="machine-readable output")
    pr.set_defaults(func=cmd_programs)


def _load_all() -> tuple[list[ExerciseSpec], list[str]]:
    specs, problems = [], []
    if not exercises_dir().is_dir():
        raise SpecError(f"exercises folder not found: {exercises_dir()}")
    for path in sorted(exercises_dir().glob("*.toml")):
        try:
            specs.append(load_exercise_file(path))
        except SpecError as exc:
            problems.extend(str(exc).splitlines())
    return specs, problems


def summary(spec: ExerciseSpec) -> dict[str, Any]:
    """The list entry of one exercise (also the --json format)."""
    d: dict[str, Any] = {
        "id": spec.id, "name": {"da": spec.name.da, "en": spec.name.en}, "kind": spec.kind,
        "views": list(spec.views), "posture": spec.posture, "target": spec.target,
        "model": choose_model(None, spec.model),  # the pose model replay and live use for it
    }
    if spec.count is not None:
        d["signal"] = spec.count.signal
    if spec.hold is not None:
        d["hold_s"] = spec.hold.target_s
        d["sides"] = list(spec.hold.sides)
    d["rules"] = list(dict.fromkeys(r.id for r in spec.rules))
    return d


def cmd_list(args: argparse.Namespace) -> int:
    specs, problems = _load_all()
    for line in problems:
        print(f"formcheck: warning: {line}", file=sys.stderr)
    if args.json:
        print(json.dumps([summary(s) for s in specs], ensure_ascii=False, indent=2))
        return 0
    if not specs:
        print("no valid exercise files (see the problems above)" if problems else "no exercise files found")
        return 1 if problems else 0
    rows = [("id", "name", "kind", "target", "posture", "views")]
    for s in specs:
        target = f"{s.target} reps" if s.kind == "reps" else f"{s.hold.target_s:g} s" + (  # type: ignore[union-attr]
            f" x {'/'.join(s.hold.sides)}" if s.hold and s.hold.sides else "")
        rows.append((s.id, f"{s.name.en} ({s.name.da})", s.kind, target, s.posture, ", ".join(s.views)))
    print(_table(rows))
    if problems:
        print(f"({len(problems)} problem(s) in the exercise files: run 'formcheck exercises validate')", file=sys.stderr)
    return 0


def _table(rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows)


def _unit(signal: str | None) -> str:
    if not signal or signal not in SIGNALS:
        return ""
    u = SIGNALS[signal].unit
    return "°" if u == "deg" else ("" if u == "ratio" else f" {u}")


def _signal_line(signal: str) -> str:
    s = SIGNALS[signal]
    return f"{signal} ({s.unit}: {s.description})"


def describe(spec: ExerciseSpec) -> str:
    """A readable account of an exercise: counting, holds, rules with cues, instructions."""
    out = [f"{spec.id}: {spec.name.en} / {spec.name.da}",
           f"  kind {spec.kind}, posture {spec.posture}, camera views {', '.join(spec.views)}, target {spec.target}"
           + (f", pose model {spec.model}" if spec.model else ""),
           f"  settle {spec.settle_s:g} s still in the start position before counting; walking above {spec.move_max:g} torso lengths/s pauses"]
    c = spec.count
    if c is not None:
        u = _unit(c.signal)
        out.append("count:")
        out.append(f"  signal {_signal_line(c.signal)}" + (", relative to the start position" if c.relative else "")
                   + (", falling (direction -1)" if c.direction == -1 else ""))
        out.append(f"  mode {c.mode}: rest <= {c.rest:g}{u}, enter > {c.enter:g}{u}, full >= {c.full:g}{u}"
                   + (f", other side full >= {c.full_negative:g}{u}" if c.full_negative else "")
                   + (f", peak must also reach {c.full_at:g}{u} absolute" if c.full_at is not None else ""))
        out.append(f"  a repetition takes {c.min_rep_s:g}-{c.max_rep_s:g} s; crossings must last {c.min_dwell_s:g} s")
        out.append(f"  shallower than full: partial, fault {c.shallow_fault}"
                   + (f", cue \"{c.shallow_cue.en}\" / \"{c.shallow_cue.da}\"" if c.shallow_cue else ""))
        for view, ov in spec.count_views.items():
            eff = spec.count_for(view)
            out.append(f"  from the {view}: signal {eff.signal}, rest {eff.rest:g}, enter {eff.enter:g}, full {eff.full:g}"
                       + (", relative" if eff.relative else ""))
    h = spec.hold
    if h is not None:
        out.append("hold:")
        out.append(f"  {h.target_s:g} s" + (f" per side ({', '.join(h.sides)})" if h.sides else "")
                   + f"; still = under {h.still_max:g} torso lengths/s; leaving for under {h.grace_s:g} s is forgiven;"
                   + f" holds under {h.min_hold_s:g} s are not reported")
        for cond in h.position:
            u = _unit(cond.signal)
            rng = " and ".join(x for x in (f">= {cond.min:g}{u}" if cond.min is not None else "",
                                           f"<= {cond.max:g}{u}" if cond.max is not None else "") if x)
            out.append(f"  position: {_signal_line(cond.signal)} {rng}" + (" (relative to the start)" if cond.relative else ""))
    if spec.rules:
        out.append("rules:")
        for r in spec.rules:
            if r.kind in ("max", "min"):
                what = f"{r.signal} {'above' if r.kind == 'max' else 'below'} {r.limit:g}{_unit(r.signal)}" + (
                    " (relative to the start)" if r.relative else "") + f" for {r.min_duration_s:g} s"
            else:
                what = f"{r.phase} {'shorter' if r.kind == 'min_duration' else 'longer'} than {r.limit:g} s"
            out.append(f"  {r.id}: {what}, during {r.during}, views {', '.join(r.views)}, severity {r.severity}"
                       + (", pauses the hold" if r.pauses_hold else "")
                       + (f", only with the {' or '.join(r.models)} pose model" if r.models else ""))
            out.append(f"      cue: \"{r.cue.en}\" / \"{r.cue.da}\"")
    for lang, label in (("en", "instructions"), ("da", "instruktioner")):
        out.append(f"{label}:")
        out.extend(f"  {i}. {line}" for i, line in enumerate(spec.instructions[lang], 1))  # type: ignore[index]
    return "\n".join(out)


def cmd_show(args: argparse.Namespace) -> int:
    from formcheck.cli.common import (
        printable,  # (only here: it loads the history and the report types)
    )

    spec, path = load_exercise_arg(args.id)
    if args.profile:
        spec, _ = apply_profile(spec, load_profile(Path(args.profile)))
    if args.json:
        print(json.dumps(spec.model_dump(mode="json"), ensure_ascii=False, indent=2))
    else:  # which file to edit (or copy, to try an edit: --exercise ./my_copy.toml)
        print(describe(spec) + f"\nfile: {printable(str(path))}" + (f"\n(with profile {args.profile})" if args.profile else ""))
    return 0


def file_kind(path: Path) -> tuple[str, dict[str, Any] | None]:
    """What a TOML file is, by its folder and shape, and its contents: a file in the exercise
    folder is an exercise file; elsewhere a program lists ``[[exercises]]``, an
    exercise file has an exercise's own keys (id, kind, [count], ...), anything else is read as a
    profile (an empty one changes nothing; a typo in one is then named as a profile key). The
    checks then say what is wrong; None: the TOML itself is not readable."""
    try:
        data = read_toml(path)
    except SpecError:
        return "exercise", None
    if path.resolve().parent == exercises_dir().resolve():  # the exercise folder holds exercise files only
        return "exercise", data
    exercises = data.get("exercises")
    if isinstance(exercises, list):
        return "program", data
    if isinstance(exercises, dict) or not (set(data) & EXERCISE_ONLY_KEYS):
        return "profile", data
    return "exercise", data


EXERCISE_ONLY_KEYS = frozenset({"id", "kind", "posture", "views", "instructions", "count", "count_views", "hold",
                                "rules", "settle_s", "move_max", "settle_motion_max", "model"})


def cmd_validate(args: argparse.Namespace) -> int:
    files = [Path(f) for f in args.files] or sorted(exercises_dir().glob("*.toml"))
    if not files:
        print(f"formcheck: error: no exercise files in {exercises_dir()}", file=sys.stderr)
        return 1
    parsers = {"exercise": parse_exercise, "profile": parse_profile, "program": parse_program}
    problems: list[str] = []
    kinds: dict[str, int] = {}
    bad = 0
    for path in files:
        kind, data = file_kind(path)
        kinds[kind] = kinds.get(kind, 0) + 1
        try:
            if data is None:
                load_exercise_file(path)  # not readable TOML: reading it again raises the one-line error
            elif kind == "exercise":  # a trial copy outside the exercises folder keeps its exercise's id
                parse_exercise(data, path, named_by_file=in_exercises_dir(path))
            else:
                parsers[kind](data, path)
        except SpecError as exc:
            problems.extend(str(exc).splitlines())
            bad += 1
    for line in problems:
        print(line, file=sys.stderr)
    what = ", ".join(f"{n} {kind} file(s)" for kind, n in sorted(kinds.items()))
    if problems:
        print(f"{bad} of {len(files)} file(s) have problems ({what})", file=sys.stderr)
        return 1
    print(f"ok: {what} valid")
    return 0


def cmd_programs(args: argparse.Namespace) -> int:
    """Each program in the programs folder: its name, title, exercises in order (starting target
    and step) and sessions; a program file with a mistake is named, the others still listed."""
    from formcheck.cli.common import (
        printable,  # (only here: it loads the history and the report types)
    )

    paths = sorted(programs_dir().glob("*.toml"))
    programs, problems = [], []
    for path in paths:
        try:
            programs.append(load_program(path))
        except SpecError as exc:
            problems.extend(str(exc).splitlines())
    for line in problems:
        print(f"formcheck: warning: {line}", file=sys.stderr)
    if args.json:
        print(json.dumps([{"name": p.name, "title": {"da": p.title.da, "en": p.title.en}, "file": str(Path(p.path).resolve()),
                           "max_target": p.max_target,
                           "exercises": [{"id": e.id, "start_target": e.start_target, "step": e.step} for e in p.exercises],
                           "sessions": {k: list(v) for k, v in p.sessions.items()}} for p in programs],
                         ensure_ascii=False, indent=2))
        return 1 if problems and not programs else 0
    if not programs:
        print(f"no valid program files in {programs_dir()}" if problems else f"no program files in {programs_dir()}")
        return 1 if problems else 0
    for p in programs:
        print(f"{p.name}: {p.title.en} / {p.title.da}")
        print(f"  file: {printable(str(Path(p.path).resolve()))}")
        print(f"  {len(p.exercises)} exercises, targets up to {p.max_target}: "
              + ", ".join(f"{e.id} (from {e.start_target}, +{e.step})" for e in p.exercises))
        for name, members in p.sessions.items():
            print(f"  session {name}: {', '.join(members)}")
    return 0
