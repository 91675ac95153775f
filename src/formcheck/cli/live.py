"""The ``formcheck live`` subcommand: its options, their checks, and one exercise's set."""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from formcheck.cli.common import (
    UsageError,
    add_patient_option,
    check_history,
    history_recorder,
    load_spec,
    ranged,
    target_count,
)
from formcheck.cli.live_pain import PainBetweenSets
from formcheck.cli.live_program import run_program, session_exercises
from formcheck.cli.live_sets import dropped_if_empty, exit_code, new_folders, report_set, run_into, sessions_root
from formcheck.live.cameras import describe, probe_cameras
from formcheck.live.display import KeySchedule
from formcheck.live.runner import Runner
from formcheck.live.screens import show_after_set
from formcheck.live.session import LiveOptions, SetPlan
from formcheck.live.voice import LiveVoice
from formcheck.media.capture import CameraError, LiveError
from formcheck.media.estimator import resolve_model
from formcheck.records.history import HistoryError, load_sets
from formcheck.records.pain_locks import load_clears, stopped_for_pain_today
from formcheck.sets.loop import Detector
from formcheck.sets.outputs import REPORT, prepare_out_dir
from formcheck.sets.texts import TEXTS
from formcheck.spec.exercise import ExerciseSpec, exercise_file
from formcheck.spec.profile import load_profile
from formcheck.spec.program import load_program


def cmd_live(args: argparse.Namespace, *, open_camera: Callable[[int], Any] | None = None,
             detector_factory: Callable[[], Detector] | None = None) -> int:
    """Run ``formcheck live``; ``open_camera`` and ``detector_factory`` stand in for devices in tests."""
    if args.list_cameras:
        return _list_cameras(args, open_camera)
    _check_args(args)
    keys = KeySchedule.parse(args.keys)
    if detector_factory is None and args.model:
        resolve_model(args.model)  # a missing model fails before the camera opens
    check_history(args)  # ... and so does a history that could not take the sets
    # ... and a program, profile or exercise file with a mistake in it: each read once, here
    if args.program:
        program = load_program(args.program)
        session = session_exercises(args, program)
        profile = None
        if args.profile:
            profile = load_profile(Path(args.profile))
    else:
        single = load_spec(args)
        _not_after_pain_today(args, single[0])
    opts = LiveOptions(model=args.model, lang=args.lang, save_video=args.save_video,
                       countdown_s=args.countdown if args.countdown is not None else 3.0,
                       program_keys=bool(args.program), hands_free=args.hands_free)
    try:
        runner = Runner(args, opts, keys, open_camera, detector_factory)
    except CameraError as exc:  # one line, exit 1, naming the cameras that do exist
        found = describe(probe_cameras(open_capture=open_camera), args.lang)
        if args.lang == "da":  # one language per session, the terminal too
            why = ("giver intet billede (bruger et andet program det?)" if "no picture" in str(exc)
                   else "blev ikke fundet (er det tilsluttet?)")
            raise CameraError(f"kamera {args.camera} {why}; fundne kameraer: {found}") from None
        raise CameraError(f"{exc}; cameras found: {found}") from None
    interrupted = True
    try:
        # on by default with a window; headless (tests, CI) only when asked. No speech engine or
        # sound device: one line, and the session goes on silent
        if args.voice_to or (args.voice if args.voice is not None else not args.headless):
            opts.voice = LiveVoice.open(args.lang, Path(args.voice_to) if args.voice_to else None)
        code = run_program(args, runner, program, profile, *session) if args.program else _run_single(args, runner, *single)
        interrupted = False
        return code
    finally:
        runner.close()
        if opts.voice is not None:
            opts.voice.close(interrupted)


def _list_cameras(args: argparse.Namespace, open_camera: Callable[[int], Any] | None) -> int:
    """``--list-cameras``: the camera numbers that open here, one a line, for ``--camera N``."""
    cameras = probe_cameras(open_capture=open_camera)
    if not cameras:
        print(describe(cameras, args.lang))
    for cam in cameras:
        print(describe([cam], args.lang))
    return 0


def _check_args(args: argparse.Namespace) -> None:
    """Options that do not go together: a mistake on the command line (exit 2, as argparse's)."""
    if bool(args.program) == bool(args.exercise):
        raise UsageError("give either --exercise ID or --program NAME (or --list-cameras)", "live")
    if args.every_frame and args.source is None:
        raise UsageError("--every-frame needs --source VIDEO (a camera cannot wait for the analysis)", "live")
    if args.program and args.target is not None:
        raise UsageError("--target is for one exercise; a program sets its targets from the history", "live")
    if not args.program and (args.session or args.only):
        raise UsageError("--session and --only need --program", "live")
    if args.source is not None and not Path(args.source).exists():
        raise LiveError(f"video not found: {args.source}")
    if args.out:  # an earlier session's results are not replaced unasked: say so before the camera opens
        out = Path(args.out)
        earlier = [out / REPORT] if args.exercise else sorted(out.glob(f"*/{REPORT}"))
        if any(p.is_file() for p in earlier):
            raise LiveError(f"{out} already holds the results of an earlier session ({REPORT}); "
                            "choose another folder with --out, or remove them first")


def _not_after_pain_today(args: argparse.Namespace, spec: ExerciseSpec) -> None:
    """An exercise stopped for pain earlier today does not start again for that patient (the
    pain advice: not again today; a physiotherapist can lift the lock: ``formcheck pain-lock
    clear``); a program session leaves it out in the same way."""
    try:
        history = load_sets(args.data_dir, spec.id, with_report=False, patient=args.patient)
        clears = load_clears(args.data_dir, args.patient)
    except (HistoryError, sqlite3.Error, OSError) as exc:
        print(f"formcheck: warning: history not read ({exc}); pain stops earlier today could not be checked",
              file=sys.stderr)
        return
    if spec.id in stopped_for_pain_today(history, clears):
        txt = TEXTS[args.lang]
        raise LiveError(f"{txt['stopped_today'].format(name=spec.name.get(args.lang))} {' '.join(txt['pain'][1:])}")


def _run_single(args: argparse.Namespace, runner: Runner, spec: ExerciseSpec, target: int | None,
                profile: dict[str, Any] | None) -> int:
    made = not (args.out and Path(args.out).exists())  # (sessions_root makes a new folder)
    # the folders made for --out (and its parents) go again if nothing was kept in them; the Ctrl-C
    # that ended such a set is raised by report_set, so it stays inside
    with dropped_if_empty(new_folders(Path(args.out)) if args.out else []):
        out = prepare_out_dir(sessions_root(args, spec.id), Path(args.source) if args.source else Path(os.devnull))
        plan = SetPlan(spec, out, target, profile=profile, record=history_recorder(args), patient=args.patient,
                       exercise_file=str(exercise_file(args.exercise).resolve()))
        outcome = run_into(args, runner, plan, made)
        report_set(args, spec, outcome)
    pains = PainBetweenSets(args)  # p on the summary: recorded against this exercise
    pains.ran(spec, target, outcome)
    show_after_set(runner.screens, outcome, spec, args.lang, on_pain=pains.after_set())
    return exit_code(outcome)


KEYS_HELP = """keys in the window:
  p          pain: stops the exercise at once, records it and shows the advice (on every screen)
  space      start (instructions), pause / resume (during a set), go on (after a set)
  q, Esc     end the set (its summary is shown and saved); on a screen between sets: end the session
  r          restart the set (what was counted is dropped, the countdown runs again)
  f          leave or re-enter full screen
  n, s       program only: next exercise (also after a pain stop) / skip this exercise

hands-free (camera): a set starts by itself once you are in the start position (1 s) or after
10 s in view, and ends after a long still pause: twice the longest a repetition may take, or a
hold and its rest (20 s to 2 min); in a program the next exercise follows."""

_countdown = ranged(float, 0.0, 60.0, "seconds")  # --countdown
_camera_index = ranged(int, 0, 63, "a camera number")  # --camera (OpenCV crashes on a negative index)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("live", help="coach a set (or a program) live from the camera or a video file",
                       epilog=KEYS_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    what = p.add_mutually_exclusive_group()
    what.add_argument("--exercise", "-e",
                      help="exercise id, e.g. squat, or a path to an exercise file (e.g. ./my_squat.toml: an edited copy)")
    what.add_argument("--program", help="run a program exercise by exercise, e.g. home_program")
    p.add_argument("--session", help="program: one named session of the program (e.g. lying, upright)")
    p.add_argument("--only", help="program: only these exercise ids, comma separated")
    p.add_argument("--target", type=target_count, help="target repetitions (default: the exercise's)")
    src = p.add_mutually_exclusive_group()
    src.add_argument("--camera", type=_camera_index, default=0, help="camera index (default 0)")
    src.add_argument("--source", help="play a video file as if it were the camera")
    p.add_argument("--lang", choices=("da", "en"), default="da", help="language of the screen (default da)")
    p.add_argument("--model", help="pose model: lite, full, or a .task file (default: each exercise's, else lite)")
    p.add_argument("--headless", action="store_true", help="no window (tests, CI)")
    p.add_argument("--every-frame", action="store_true",
                   help="with --source: analyse every frame (no drops, no pacing)")
    p.add_argument("--out", "-o", help="output folder (default: a new folder under the data folder's sessions/)")
    p.add_argument("--save-video", action="store_true", help="also write the annotated video")
    p.add_argument("--profile", help="patient profile TOML overriding thresholds and targets")
    add_patient_option(p, what="whose sets these are (their progression and pain stops are their own)")
    p.add_argument("--data-dir",
                   help="history and sessions folder (default: the user data folder, or $FORMCHECK_DATA_DIR)")
    p.add_argument("--no-history", action="store_true", help="do not store the sets in the history")
    p.add_argument("--countdown", type=_countdown, help="seconds of countdown before a set, 0-60 (default 3)")
    p.add_argument("--fullscreen", action=argparse.BooleanOptionalAction, default=True,
                   help="start the window full screen (default; the f key leaves and re-enters it)")
    p.add_argument("--hands-free", action=argparse.BooleanOptionalAction, default=True,
                   help="camera: a set starts by itself once the patient is in the start position, and ends "
                        "after a long still pause (default; the keys work either way)")
    p.add_argument("--list-cameras", action="store_true", help="list the cameras found (numbers for --camera) and exit")
    p.add_argument("--voice", action=argparse.BooleanOptionalAction, default=None,
                   help="speak the counts, cues and hold timing (default: on, off with --headless)")
    p.add_argument("--voice-to", help=argparse.SUPPRESS)  # testing: the voice into this WAV file (+ .json), not a device
    p.add_argument("--stats", action="store_true", help="print frames per second, drops, latency and CPU use")
    p.add_argument("--keys", help=argparse.SUPPRESS)  # testing: scripted keys by video time, "5.0:p,7:r"
    p.set_defaults(func=cmd_live)
