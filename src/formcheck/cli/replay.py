"""``formcheck replay``: a recorded video in; an annotated video, a report and a landmark track out."""

from __future__ import annotations

import argparse
import shlex
import sys
from collections.abc import Callable
from pathlib import Path

from formcheck.cli.common import (
    CliError,
    UsageError,
    add_patient_option,
    check_history,
    history_recorder,
    history_write,
    kept_before,
    load_spec,
    print_set,
    ranged,
    target_count,
)
from formcheck.cli.replay_batch import cmd_batch, is_batch
from formcheck.media.estimator import choose_model
from formcheck.media.video_writer import VIDEO_SHORT_SIDE
from formcheck.sets.outputs import REPORT, default_out_dir
from formcheck.sets.replay import ReplayOptions, replay
from formcheck.sets.texts import fault_texts
from formcheck.spec.exercise import exercise_file


def video_lines(text: str) -> int:
    """argparse type of --video-size: 0 (as analysed), or 144 to 2160 lines."""
    lines = ranged(int, 0, 2160, "a whole number of lines")(text)
    if 0 < lines < 144:
        raise argparse.ArgumentTypeError(f"at least 144 lines (or 0 for the analysed size), got {text}")
    return lines


def register(sub: argparse._SubParsersAction) -> None:
    r = sub.add_parser("replay", help="analyse a recorded video: annotated video, report and landmark track")
    r.add_argument("video", nargs="+", help="video file (mp4, mov, avi, mkv, webm); several, a folder of them, or a "
                   "manifest (.csv or .toml: video, exercise[, target, profile, patient]) make a batch")
    r.add_argument("--exercise", "-e",
                   help="exercise id, e.g. squat (see 'formcheck exercises list'), or a path to an exercise file "
                        "(e.g. ./my_squat.toml: an edited copy to try); for a batch: of every video without one in "
                        "the manifest")
    r.add_argument("--out", "-o", help="output folder (default: a new folder beside the video); for a batch the "
                   "batch folder (default beside a folder or manifest), each video in a folder of its own there")
    r.add_argument("--model", help="pose model: lite, full, or a path to a .task file (default: the exercise's, else lite)")
    r.add_argument("--target", type=target_count, help="target repetitions (default: the exercise's)")
    r.add_argument("--lang", choices=("da", "en"), default="da", help="language of the overlay (default da)")
    r.add_argument("--profile", help="patient profile TOML overriding thresholds and targets")
    r.add_argument("--no-video", action="store_true", help="skip writing annotated.mp4")
    r.add_argument("--video-size", type=video_lines, default=VIDEO_SHORT_SIDE, metavar="LINES",
                   help=f"annotated.mp4 at most this many lines on its short side (default {VIDEO_SHORT_SIDE}; "
                        "0: the size the video is analysed at, up to 720)")
    r.add_argument("--voice", action=argparse.BooleanOptionalAction, default=True,
                   help="the trainer's voice (counts, cues) as annotated.mp4's sound (default: on)")
    add_patient_option(r)
    r.add_argument("--no-history", action="store_true", help="do not store this set in the history")
    r.add_argument("--data-dir", help="history folder (default: the user data folder, or $FORMCHECK_DATA_DIR)")
    r.add_argument("--jobs", "-j", type=ranged(int, 1, 256, "a whole number"),
                   help="a batch: videos replayed at a time on this machine (default: one per core)")
    r.add_argument("--ray", metavar="ADDRESS", help="a batch on a Ray cluster: its address, 'auto' (the cluster this "
                   "machine belongs to) or 'local' (start one here); needs pip install 'formcheck[cluster]'")
    r.add_argument("--progress", dest="progress", action="store_true", default=None, help="show a progress bar")
    r.add_argument("--no-progress", dest="progress", action="store_false")
    r.set_defaults(func=cmd_replay)



def _progress_factory(enabled: bool) -> Callable[[int | None], object] | None:
    if not enabled:
        return None
    # only with a progress bar (a terminal): ~30 ms of imports otherwise spared
    from tqdm import tqdm

    return lambda total: tqdm(total=total, unit="frame", desc="replay", leave=False, dynamic_ncols=True)


def _not_an_unrecorded_set(args: argparse.Namespace, out: Path) -> None:
    """A folder holding a finished set the history lacks (a run killed in the instant between
    the two) is refused as any earlier run's is, but says how to put it in the history."""
    if args.no_history or not (out / REPORT).is_file():
        return
    from formcheck.records.repair import recorded_folder

    if not recorded_folder(out, args.data_dir):
        raise CliError(f"{out} holds a finished set ({REPORT}) that is not in the history: "
                       f"run 'formcheck history --repair {shlex.quote(str(out))}' to add it, or choose another folder with --out")


def cmd_replay(args: argparse.Namespace) -> int:
    if is_batch(args):
        return cmd_batch(args)
    if args.jobs is not None:
        raise UsageError("--jobs is for a batch (several videos, a folder or a manifest)", "replay")
    if not args.exercise:
        raise UsageError("which exercise? give --exercise ID (see 'formcheck exercises list')", "replay")
    video = Path(args.video[0])
    if not video.exists():
        raise CliError(f"video not found: {video}")
    spec, target, profile = load_spec(args)
    check_history(args)
    out = Path(args.out) if args.out else default_out_dir(video)
    _not_an_unrecorded_set(args, out)
    show = args.progress if args.progress is not None else sys.stderr.isatty()
    model = choose_model(args.model, spec.model)
    opts = ReplayOptions(model=model, target=target, lang=args.lang, write_video=not args.no_video,
                         voice=args.voice,
                         progress=_progress_factory(show), profile=profile, record=history_recorder(args),
                         patient=args.patient, exercise_file=str(exercise_file(args.exercise).resolve()),
                         video_size=args.video_size or None)
    earlier = (out / REPORT).exists()  # (refused by replay: not this run's)
    try:  # the history row goes in with the report (sets.outputs.put_in_place): both or neither
        with history_write(out):
            outcome = replay(video, spec, out, opts)
    except BaseException as exc:
        kept_before(exc, out, earlier, not args.no_history)
        raise
    rep = outcome.report
    if outcome.warning:
        print(f"formcheck: warning: {outcome.warning}", file=sys.stderr)
    print_set(spec.name.en, spec.kind, rep, outcome.out_dir, fault_texts(spec, "en"))
    return 0


