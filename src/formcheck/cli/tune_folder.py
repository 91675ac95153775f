"""``formcheck tune FOLDER``: suggestions from every set below a folder (several patients')."""

from __future__ import annotations

import argparse
from pathlib import Path

from formcheck.cli.common import CliError, UsageError, printable
from formcheck.cli.tune_args import ALL, spec_for
from formcheck.media.track import TrackError, load_track
from formcheck.spec.files import SpecError
from formcheck.tune.analysis import Analysis, analyse
from formcheck.tune.folder import (
    beside,
    count_groups,
    find_tracks,
    rule_summaries,
    set_line,
)
from formcheck.tune.rule_text import describe_rule
from formcheck.tune.rules import profile_line, unit_of


def tune_folder(args: argparse.Namespace, root: Path) -> int:
    if args.good is not None and args.good != ALL:
        raise UsageError("--good: a folder of sets takes only 'all' (repetition numbers belong to one set)", "tune")
    if args.model:
        raise UsageError("--model is for a video; a folder's tracks were measured already", "tune")
    if args.out:
        raise UsageError("--out: a drawing is of one set; give one track or replay folder to draw it", "tune")
    tracks = find_tracks(root)
    if not tracks:
        raise TrackError(f"no track.npz in {root} or below (give a track, a replay output folder or a folder of them)")
    specs: dict[str, tuple | str] = {}  # exercise -> spec_for's answer, or why its sets are skipped
    sets: list[tuple[str, Analysis]] = []
    paths: dict[str, Path] = {}
    skipped: list[str] = []
    for path in tracks:
        name = str(path.parent.relative_to(root)) if path.parent != root else path.name
        ex, target = beside(path)
        key = args.exercise or ex
        if key is None:
            skipped.append(f"{name} (no report.json names its exercise; give --exercise)")
            continue
        if key not in specs:
            try:
                specs[key] = spec_for(args, key)
            except (SpecError, UsageError) as exc:
                if args.exercise:  # the command line's own mistake: stop at once
                    raise
                specs[key] = str(exc).split(" (see ")[0]  # a report's exercise: that set is skipped
        if isinstance(specs[key], str):
            skipped.append(f"{name} ({specs[key]})")
            continue
        spec, arg_target, _ = specs[key]
        if args.exercise and ex is not None and ex != spec.id:
            skipped.append(f"{name} (a set of {ex})")
            continue
        try:
            track = load_track(path)
        except TrackError as exc:
            skipped.append(f"{name} ({exc})")
            continue
        if len(track):
            sets.append((name, analyse(track, spec, arg_target or target, str(path))))
            paths[name] = path
    if not sets:
        raise CliError(f"no set to tune in {root}: " + "; ".join(skipped[:5]))
    exercises = sorted({a.spec.id for _, a in sets})
    if len(exercises) > 1 and args.rule:
        raise UsageError(f"--rule: the sets are of {', '.join(exercises)}; give --exercise to take one", "tune")
    print(printable(f"tune on {root}: {len(sets)} set{'s' if len(sets) != 1 else ''} of {', '.join(exercises)}"))
    for name, a in sets:
        print(printable(set_line(name, a)))
    for s in skipped:
        print(printable(f"  skipped {s}"))
    for ex in exercises:
        group = [(n, a) for n, a in sets if a.spec.id == ex]
        for line in _exercise_lines(args, ex, group):
            print(printable(line))
        if args.check_suggestion:
            print(printable(_retried([(n, paths[n], a) for n, a in group], args.good == ALL, args.rule)))
    return 0


def _exercise_lines(args: argparse.Namespace, ex: str, group: list[tuple[str, Analysis]]) -> list[str]:
    lines = [f"{ex}:"]
    spec = group[0][1].spec
    if args.rule is None:
        for g in count_groups(group):
            c = g.sets[0][1].count
            reps = sum(a.report.reps for _, a in g.sets)
            lines.append(f"  count thresholds, {g.view} view ({c.signal}): from {len(g.sets)} set(s), "
                         f"{len(g.obs.peaks)} movements, {reps} counted repetitions")
            if not g.sugg:
                lines.append("    none (no clear movement and start position)")
            for s in g.sugg:
                cur = "-" if s.current is None else f"{s.current:g}"
                lines.append(f"    {s.key:<13} {cur:>6} -> {s.value:<6g} {s.reason}")
    lines.append("  form rules (good repetitions: "
                 + ("all, as you said (--good all)" if args.good == ALL else "those without the rule's own fault") + "):")
    for r in rule_summaries(group, args.good == ALL, args.rule):
        rule = r.finding.rule
        u = unit_of(rule)
        lines.append(f"    {rule.id}: {describe_rule(rule)}")
        checked = [(n, f) for n, f in r.per_set if not f.unchecked]
        if not checked:
            lines.append(f"      {r.finding.unchecked} (in every set)")
            continue
        for n, f in checked:
            vals = [x.worst for x in f.units if x.worst is not None]
            fired = sum(1 for x in f.units if x.fired)
            rng = f"{min(vals):.3g} to {max(vals):.3g}{u}" if vals else "not measured"
            lines.append(f"      {n}: {len(f.units)} reps, worst {rng}, fault on {fired}, {len(f.faults)} fault(s) in all")
        unchecked = len(r.per_set) - len(checked)
        if unchecked:
            lines.append(f"      not checked in {unchecked} set(s) (another view or pose model)")
        for s in r.sugg:
            name = "limit" if s.key == "limit" else f"confirm {s.signal}"
            if s.value is None:
                lines.append(f"      suggested {name}: none ({s.reason})")
                continue
            lines.append(f"      suggested {name}: {s.current:g} -> {s.value:g}, resting on {s.good} good "
                         f"repetition(s) in {s.sets} set(s)  ({s.reason})")
            if not s.keep:
                if s.others_line():
                    lines.append(f"        {s.others_line()}")
                if s.key == "limit":
                    lines.append(f"        as a profile: {profile_line(spec, rule, s.value)}")
    return lines



def _retried(group: list[tuple[str, Path, Analysis]], good_all: bool, only: str | None) -> str:
    """Every set of one exercise again with the changed rule limits suggested from them all:
    each fault's count in all the sets, now and then (count thresholds are per view: check those
    on one set)."""
    changes = {r.index: s.value for r in rule_summaries([(n, a) for n, _, a in group], good_all, only)
               for s in r.sugg if s.key == "limit" and s.value is not None and not s.keep}
    if not changes:
        return "  --check-suggestion: no rule limit to change"
    first = group[0][2]
    tried = first.with_limits(changes)
    ids = list(dict.fromkeys(first.every_rule[i].id for i in changes))
    now = dict.fromkeys(ids, 0)
    then = dict(now)
    for _, path, a in group:
        after = analyse(load_track(path), tried, a.report.target).report.fault_counts
        for fid in ids:
            now[fid] += a.report.fault_counts.get(fid, 0)
            then[fid] += after.get(fid, 0)
    return "  with the suggested limits, in all the sets: " + ", ".join(f"{f} {then[f]} (now {now[f]})" for f in ids)
