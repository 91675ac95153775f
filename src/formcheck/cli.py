"""The ``formcheck`` command line. Errors are one line on stderr and a non-zero exit."""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
from pathlib import Path
from typing import Any, Callable, Iterator, NoReturn, Sequence

from .interrupts import Terminated, terminate

EXIT_ERROR = 1
EXIT_USAGE = 2  # a mistake on the command line (argparse's own errors exit 2 too)
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report it
EXIT_TERMINATED = 143  # 128 + SIGTERM


class CliError(Exception):
    """Raised by subcommands for a clean one-line failure."""


class UsageError(CliError):
    """Options that do not go together (found after parsing): exit 2 like argparse's errors."""

    def __init__(self, message: str, command: str) -> None:
        super().__init__(f"{message} (see 'formcheck {command} --help')")


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
    """argparse type of --target: a whole number of repetitions from 1 to spec.TARGET_MAX (the
    limit of exercise files, profiles and programs; imported only when --target is given)."""
    from .spec import TARGET_MAX

    return ranged(int, 1, TARGET_MAX, "a whole number")(text)


def _progress_factory(enabled: bool) -> Callable[[int | None], object] | None:
    if not enabled:
        return None
    from tqdm import tqdm

    return lambda total: tqdm(total=total, unit="frame", desc="replay", leave=False, dynamic_ncols=True)


def cmd_replay(args: argparse.Namespace) -> int:
    from .estimator import choose_model
    from .replay import default_out_dir, replay
    from .texts import fault_texts

    video = Path(args.video)
    if not video.exists():
        raise CliError(f"video not found: {video}")
    spec, target, profile = load_spec(args)
    check_history(args)
    out = Path(args.out) if args.out else default_out_dir(video)
    show = args.progress if args.progress is not None else sys.stderr.isatty()
    model = choose_model(args.model, spec.model)
    outcome = replay(video, spec, out, model=model, target=target, lang=args.lang,
                     write_video=not args.no_video, progress=_progress_factory(show), profile=profile)
    rep = outcome.report
    if outcome.warning:
        print(f"formcheck: warning: {outcome.warning}", file=sys.stderr)
    _record_history(args, rep)  # before "wrote ...": once that is printed, everything is stored
    print_set(spec.name.en, spec.kind, rep, outcome.out_dir, fault_texts(spec, "en"))
    return 0


def print_set(name: str, kind: str, rep: dict, out_dir: Path, cues: dict[str, str] | None = None) -> None:
    """A set's result on stdout (replay and live): the count or holds, or the pain stop; faults
    (with the cue each gave, from ``cues``: fault id -> its text, texts.fault_texts); where."""
    if rep.get("pain_stop"):
        print(f"{name}: stopped for pain at {rep['pain_stop']['t_s']:.1f} s after {rep['reps']} repetitions")
    elif kind == "reps":
        n = len(rep["partials"])
        print(f"{name}: {rep['reps']} / {rep['target']} repetitions, {n} partial{'' if n == 1 else 's'}")
    else:
        from .program import holds_in_report

        held = ", ".join(f"{h['side'] or ''} {h['held_s']:.0f}/{h['target_s']:.0f} s".strip() for h in rep["holds"]) or "none"
        done, short = holds_in_report(rep)
        missing = f", {' and '.join(short)} not yet" if short else ""
        print(f"{name}: holds {held}; {done} of {rep['target']} done{missing}")
    if rep["fault_counts"]:
        told = {k: f' ("{c}")' for k, c in (cues or {}).items()}
        print("faults: " + ", ".join(f"{k} x{v}{told.get(k, '')}" for k, v in rep["fault_counts"].items()))
    from .report import lost_to_pauses, never_started, paused_long, wrong_view

    if note := never_started(rep):
        print("note: " + note)
    if note := wrong_view(rep):
        print("camera: " + note)
    paused: dict[str, list[float]] = {}
    for p in rep.get("pauses", []):
        paused.setdefault(p["reason"], []).append(max(p["end_s"] - p["start_s"], 0.0))
    if paused:
        low = f" ({lost_to_pauses(rep)})" if paused_long(rep) is not None else ""
        print("counting paused: " + "; ".join(f"{r} x{len(d)}, {sum(d):.1f} s" for r, d in paused.items()) + low)
    print(f"wrote {out_dir}")


def load_spec(args: argparse.Namespace):
    """The exercise spec with a patient profile applied (if any), the target, and the profile's
    name and file for the report (None without one)."""
    from .spec import load_exercise

    spec = load_exercise(args.exercise)
    target = getattr(args, "target", None)
    path = getattr(args, "profile", None)
    if not path:
        return spec, target, None
    from .profile import apply_profile, load_profile

    profile = load_profile(Path(path))
    spec, prof_target = apply_profile(spec, profile)
    return spec, target if target is not None else prof_target, profile_info(profile)


def profile_info(profile) -> dict[str, str | None]:
    """What a report says of the patient profile used: its name and file."""
    return {"name": profile.name, "path": str(Path(profile.path).resolve())}


def check_history(args: argparse.Namespace) -> None:
    """A history that cannot take the set fails now, before the work (not after it)."""
    if getattr(args, "no_history", False):
        return
    try:
        from .history import check_writable
    except ImportError:
        return
    check_writable(getattr(args, "data_dir", None))


def _record_history(args: argparse.Namespace, report: dict) -> None:
    """Store the set in the history database when that module is present."""
    if getattr(args, "no_history", False):
        return
    try:
        from .history import record_report
    except ImportError:
        return
    record_report(report, data_dir=getattr(args, "data_dir", None))


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors (the problem and where to read more, not the usage block),
    and no empty values: ``--data-dir ""`` is a mistake, not "use the default"."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"formcheck: error: {message} (see '{self.prog} --help')\n")

    def parse_known_args(self, args=None, namespace=None):  # type: ignore[override]
        ns, rest = super().parse_known_args(args, namespace)
        for action in self._actions:  # (hidden testing options may be empty)
            value = getattr(ns, action.dest, None)
            if action.help == argparse.SUPPRESS:
                continue
            name = action.option_strings[0] if action.option_strings else action.dest
            if value == "":
                self.error(f"{name} is empty")
            if isinstance(value, list) and "" in value:
                self.error(f"{name}: one of them is empty")
        return ns, rest


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser; with ``command`` only that subcommand's module is imported (see _COMMAND_MODULES)."""
    from . import __version__

    p = _Parser(prog="formcheck", description="Camera-based home-exercise coach.")
    p.add_argument("--version", action="version", version=f"formcheck {__version__}")
    sub = p.add_subparsers(dest="command", required=True)

    r = sub.add_parser("replay", help="analyse a recorded video: annotated video, report and landmark track")
    r.add_argument("video", help="video file (mp4, mov, avi, mkv, webm)")
    r.add_argument("--exercise", "-e", required=True, help="exercise id, e.g. squat (see 'formcheck exercises list')")
    r.add_argument("--out", "-o", help="output folder (default: a new folder beside the video)")
    r.add_argument("--model", help="pose model: lite, full, or a path to a .task file (default: the exercise's, else lite)")
    r.add_argument("--target", type=target_count, help="target repetitions (default: the exercise's)")
    r.add_argument("--lang", choices=("da", "en"), default="da", help="language of the overlay (default da)")
    r.add_argument("--profile", help="patient profile TOML overriding thresholds and targets")
    r.add_argument("--no-video", action="store_true", help="skip writing annotated.mp4")
    r.add_argument("--no-history", action="store_true", help="do not store this set in the history")
    r.add_argument("--data-dir", help="history folder (default: the user data folder, or $FORMCHECK_DATA_DIR)")
    r.add_argument("--progress", dest="progress", action="store_true", default=None, help="show a progress bar")
    r.add_argument("--no-progress", dest="progress", action="store_false")
    r.set_defaults(func=cmd_replay)

    for register in _extra_commands(command):
        register(sub)
    return p


# Which module defines each subcommand, so that running one imports only its own module (the live
# coach pulls in OpenCV and the overlay: ~0.3 s before 'formcheck tune' could start). A command not
# listed here (or --help) imports them all, so a missing entry only costs time.
_COMMAND_MODULES = {"live": "live", "history": "history_cli", "report": "history_cli", "tune": "tune",
                    "exercises": "exercises_cli"}


def _command_in(argv: Sequence[str] | None) -> str | None:
    args = list(sys.argv[1:] if argv is None else argv)
    first = next((a for a in args if not a.startswith("-")), None)
    return first if first in _COMMAND_MODULES or first == "replay" else None


def _extra_commands(command: str | None = None) -> list[Callable[[argparse._SubParsersAction], None]]:
    """Subcommands living in their own modules (live, history, tune, exercises...): only the
    one named by ``command`` (none for replay, which is built in), or all of them (help)."""
    found = []
    if command is None:
        mods: tuple[str, ...] = ("live", "history_cli", "tune", "exercises_cli")
    else:
        mods = (_COMMAND_MODULES[command],) if command in _COMMAND_MODULES else ()
    for mod in mods:
        try:
            module = __import__(f"formcheck.{mod}", fromlist=["register"])
        except ImportError:
            continue
        if hasattr(module, "register"):
            found.append(module.register)
    return found


def _known_errors() -> tuple[type[BaseException], ...]:
    from .estimator import ModelError
    from .replay import ReplayError
    from .spec import SpecError
    from .track import TrackError
    from .video import VideoError

    errs: list[type[BaseException]] = [CliError, ModelError, ReplayError, SpecError, TrackError, VideoError]
    try:
        from .history import HistoryError

        errs.append(HistoryError)
    except ImportError:
        pass
    try:
        from .live import LiveError

        errs.append(LiveError)
    except ImportError:
        pass
    return tuple(errs)


@contextlib.contextmanager
def _signals_ignored() -> Iterator[None]:
    """SIGINT and SIGTERM ignored for a moment (main thread only), then as they were."""
    try:
        saved = {s: signal.signal(s, signal.SIG_IGN) for s in (signal.SIGINT, signal.SIGTERM)}
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        for s, h in saved.items():
            signal.signal(s, h if h is not None else signal.SIG_DFL)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser(_command_in(argv))
    args = parser.parse_args(argv)
    try:
        previous = signal.signal(signal.SIGTERM, terminate)
    except ValueError:  # not the main thread (an embedding program): leave SIGTERM alone
        return _run(args)
    try:
        return _run(args)
    finally:
        signal.signal(signal.SIGTERM, previous if previous is not None else signal.SIG_DFL)


def _run(args: argparse.Namespace) -> int:
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt as exc:  # first: a second Ctrl-C must not land in the imports below
        with _signals_ignored():  # and none while the message goes out
            print("formcheck: interrupted; nothing incomplete was left behind", file=sys.stderr)
        return EXIT_TERMINATED if isinstance(exc, Terminated) else EXIT_INTERRUPTED
    except _known_errors() as exc:  # evaluated only when something is raised: no imports up front
        for line in str(exc).splitlines() or [type(exc).__name__]:
            print(f"formcheck: error: {line}", file=sys.stderr)
        return EXIT_USAGE if isinstance(exc, UsageError) else EXIT_ERROR
    except BrokenPipeError:  # the reader of the output went away (e.g. `| head`): nothing to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        return EXIT_ERROR
    except OSError as exc:
        where = f" {exc.filename}:" if exc.filename else ""
        print(f"formcheck: error:{where} {exc.strerror or exc}", file=sys.stderr)
        return EXIT_ERROR
    except Exception as exc:  # last resort: one line, never a traceback (FORMCHECK_DEBUG shows it)
        if os.environ.get("FORMCHECK_DEBUG"):
            raise
        text = " ".join(str(exc).split())  # one line, whatever a library put in its message
        print(f"formcheck: internal error: {type(exc).__name__}: {text} (set FORMCHECK_DEBUG=1 for details)",
              file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":  # python -m formcheck.cli: run the imported module, so that the error
    from formcheck.cli import main as _main  # classes other modules raise are the ones caught here

    sys.exit(_main())
