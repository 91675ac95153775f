"""``formcheck tune``: how an exercise's thresholds and form rules fit a recording (or a folder
of them), and what would fit (the work is ``formcheck.tune``'s; this is its command line)."""

from __future__ import annotations

import argparse
from pathlib import Path

from pydantic import ValidationError

from formcheck.cli.common import UsageError, target_count
from formcheck.cli.tune_args import ALL, check_out, good_reps, spec_for
from formcheck.media.estimator import choose_model
from formcheck.media.track import TrackError
from formcheck.tune.analysis import analyse, load_source, observe, retry, suggest
from formcheck.tune.folder import beside
from formcheck.tune.rule_text import rule_lines
from formcheck.tune.rules import findings, suggest_limits
from formcheck.tune.text import format_text


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("tune", help="check and suggest an exercise's thresholds and form-rule limits on recordings")
    p.add_argument("source", help="track.npz saved by replay, a replay output folder, a folder of sets "
                                  "(every track.npz below it), or a video")
    p.add_argument("--exercise", "-e", help="exercise id (e.g. squat) or an exercise file (PATH.toml); "
                                            "default: the one in the report.json beside each track")
    p.add_argument("--rule", help="show one form rule only, by its id (e.g. heels_lifting)")
    p.add_argument("--good", type=good_reps, metavar="REPS",
                   help="the repetitions (or holds) in good form, e.g. 1,3-5 or all: form-rule limits are suggested "
                        "from them (default: those without the rule's fault; a folder takes only 'all')")
    p.add_argument("--profile", help="patient profile TOML to apply before analysing")
    p.add_argument("--target", type=target_count, help="target repetitions (default: the exercise's)")
    p.add_argument("--out", "-o", help="draw the counted signal and each form rule's signal with its limit, "
                                       "repetitions and faults to this PNG")
    p.add_argument("--check-suggestion", action="store_true",
                   help="run the analyzer again with the suggested thresholds and limits and print the counts")
    p.add_argument("--model", help="pose model for a video: lite, full, or a .task file (default: the exercise's, else lite)")
    p.set_defaults(func=cmd_tune)


def cmd_tune(args: argparse.Namespace) -> int:
    src = Path(args.source)
    if src.is_dir() and not (src / "track.npz").is_file():
        from formcheck.cli.tune_folder import tune_folder

        return tune_folder(args, src)
    track_path = src / "track.npz" if src.is_dir() else src
    exercise = args.exercise or beside(track_path)[0]
    if exercise is None:
        raise UsageError(f"--exercise is needed: no report.json beside {track_path} names the exercise", "tune")
    spec, target, spec_path = spec_for(args, exercise)
    if target is None and not args.exercise:
        target = beside(track_path)[1]
    check_out(args, src, track_path, spec_path)
    track = load_source(src, choose_model(args.model, spec.model))
    if len(track) == 0:
        raise TrackError(f"{src} has no frames")
    a = analyse(track, spec, target, str(src))
    good = None
    if args.good is not None:
        units = len(a.report.reps_detail) or len(a.report.holds)
        good = set(range(1, units + 1)) if args.good == ALL else set(args.good)
        missing = sorted(good - set(range(1, units + 1)))
        if missing:
            raise UsageError(f"--good: no repetition {', '.join(map(str, missing))} in this set (it has {units})", "tune")
    found = findings(a, good, args.rule)
    rule_sugg = {f.index: suggest_limits(f.rule, [("", u) for u in f.units]) for f in found
                 if f.index >= 0 and not f.unchecked}
    obs = observe(a)
    sugg = suggest(a, obs) if args.rule is None else []
    retried = retry(a, sugg, track, target) if args.check_suggestion and sugg else None
    rules_retried = _retry_rules(a, rule_sugg, track, target) if args.check_suggestion else None
    if args.rule is None:
        print(format_text(a, obs, sugg, src.name, retried))
    else:
        rep = a.report
        head = format_text(a, obs, [], src.name).splitlines()[:2]
        print("\n".join(head + [f"reps {rep.reps} / {rep.target}, partials {len(rep.partials)}, holds {len(rep.holds)}"
                                if a.count is not None else f"holds {len(rep.holds)}"]))
    print("\n".join(rule_lines(a.spec, found, rule_sugg, good is not None, rules_retried)))
    if args.check_suggestion and a.count is None and args.rule is None:
        print("--check-suggestion: a hold has no suggested thresholds to check; its position ranges are above")
    if args.out:
        from formcheck.tune.plot import draw  # matplotlib: ~0.6 s, paid only for a PNG

        out = Path(args.out)
        draw(a, obs, sugg, out, f"{spec.id} on {src.name}", found, rule_sugg, counted=args.rule is None)
        print(f"wrote {out}")
    return 0


def _retry_rules(a, rule_sugg, track, target) -> dict[str, tuple[int, int]] | None:
    """Fault counts now and with every changed suggested limit (confirms kept as they are)."""
    changes = {i: s.value for i, ss in rule_sugg.items() for s in ss
               if s.key == "limit" and s.value is not None and not s.keep}
    if not changes:
        return None
    try:
        spec = a.with_limits(changes)
    except ValidationError:
        return None
    after = analyse(track, spec, target).report.fault_counts
    ids = dict.fromkeys(a.every_rule[i].id for i in changes)
    return {fid: (a.report.fault_counts.get(fid, 0), after.get(fid, 0)) for fid in ids}
