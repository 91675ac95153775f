"""``formcheck tune``: how an exercise's thresholds fit one recording, and what would fit it
(the work is ``formcheck.tune``'s; this is its command line)."""

from __future__ import annotations

import argparse
from pathlib import Path

from formcheck.cli.common import CliError, load_spec, target_count
from formcheck.core.atomic import refuse_overwriting
from formcheck.media.estimator import choose_model
from formcheck.media.track import TrackError
from formcheck.spec.exercise import exercises_dir
from formcheck.tune.analysis import analyse, load_source, observe, retry, suggest
from formcheck.tune.text import format_text


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("tune", help="check and suggest an exercise's thresholds on a track or video")
    p.add_argument("source", help="track.npz saved by replay, a replay output folder, or a video")
    p.add_argument("--exercise", "-e", required=True, help="exercise id, e.g. squat")
    p.add_argument("--profile", help="patient profile TOML to apply before analysing")
    p.add_argument("--target", type=target_count, help="target repetitions (default: the exercise's)")
    p.add_argument("--out", "-o", help="draw the counted signal with thresholds, reps and faults to this PNG")
    p.add_argument("--check-suggestion", action="store_true",
                   help="run the analyzer again with the suggested thresholds and print the counts")
    p.add_argument("--model", help="pose model for a video: lite, full, or a .task file (default: the exercise's, else lite)")
    p.set_defaults(func=cmd_tune)



def cmd_tune(args: argparse.Namespace) -> int:
    spec, target, _ = load_spec(args)
    src = Path(args.source)
    if args.out:
        refuse_overwriting(args.out, src, src / "track.npz" if src.is_dir() else None, args.profile,
                           exercises_dir() / f"{spec.id}.toml")
        if Path(args.out).suffix.lower() != ".png":  # (a replay's report.json or video must not become a PNG)
            raise CliError(f"--out: the drawing is a PNG image; give a file name ending in .png, not {args.out!r}")
    track = load_source(src, choose_model(args.model, spec.model))
    if len(track) == 0:
        raise TrackError(f"{src} has no frames")
    a = analyse(track, spec, target, str(src))
    obs = observe(a)
    sugg = suggest(a, obs)
    retried = retry(a, sugg, track, target) if args.check_suggestion else None
    print(format_text(a, obs, sugg, src.name, retried))
    if args.check_suggestion and a.count is None:
        print("--check-suggestion: a hold has no suggested thresholds to check; its position ranges are above")
    if args.out:
        from formcheck.tune.plot import draw  # matplotlib: ~0.6 s, paid only for a PNG

        out = Path(args.out)
        draw(a, obs, sugg, out, f"{spec.id} on {src.name}")
        print(f"wrote {out}")
    return 0
