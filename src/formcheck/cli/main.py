"""The ``formcheck`` command line. Errors are one line on stderr and a non-zero exit.

This module imports little (the subcommands' modules take ~1 s to load): a Ctrl-C that early
reaches ``main``'s own handling, which prints one line, instead of a traceback from an import.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import signal
import sys
from typing import Callable, NoReturn, Sequence

from formcheck import __version__
from formcheck.core.interrupts import (
    Terminated,
    first_interrupt_ends,
    interrupts_held,
    signals_handled_by,
)

EXIT_ERROR = 1  # as cli.common's (not imported up front: see above)
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report it
EXIT_TERMINATED = 143  # 128 + SIGTERM


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
                self.error(f"{name} is empty" if len(value) == 1 else f"{name}: one of them is empty")
        return ns, rest


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser; with ``command`` only that subcommand's module is imported (see _COMMAND_MODULES)."""
    p = _Parser(prog="formcheck", description="Camera-based home-exercise coach. 'formcheck' alone starts "
                "today's session of the patient's program, as 'formcheck setup' saved it.")
    p.add_argument("--version", action="version", version=f"formcheck {__version__}")
    sub = p.add_subparsers(dest="command", required=True)

    for register in _subcommands(command):
        register(sub)
    return p


# Which module defines each subcommand, so that running one imports only its own module (the live
# coach pulls in OpenCV and the overlay: ~0.3 s before 'formcheck tune' could start). A command not
# listed here (or --help) imports them all, so a missing entry only costs time.
_COMMAND_MODULES = {"replay": "replay", "live": "live", "history": "history", "report": "history", "tune": "tune",
                    "exercises": "exercises", "patients": "patients", "pain-lock": "patients", "setup": "setup",
                    "install-launcher": "setup"}


def _command_in(argv: Sequence[str] | None) -> str | None:
    args = list(sys.argv[1:] if argv is None else argv)
    first = next((a for a in args if not a.startswith("-")), None)
    return first if first in _COMMAND_MODULES else None


def _subcommands(command: str | None = None) -> list[Callable[[argparse._SubParsersAction], None]]:
    """The ``register`` of each subcommand's module: only the one named by ``command``, or all of
    them (help, or a mistake in the command's name)."""
    mods = (_COMMAND_MODULES[command],) if command in _COMMAND_MODULES else tuple(dict.fromkeys(_COMMAND_MODULES.values()))
    # A Ctrl-C waits for the imports (up to ~1 s): one landing inside an extension module's own
    # Python (run from C) made the process end by SIGINT however it was handled
    with interrupts_held():
        return [importlib.import_module(f"formcheck.cli.{mod}").register for mod in mods]


def _known_errors() -> tuple[type[BaseException], ...]:
    """The error classes reported as one line. Imported here, only once something was raised:
    their modules load PyAV and OpenCV, which ``formcheck history`` or ``tune`` never need."""
    from formcheck.batch.jobs import BatchError
    from formcheck.cli.common import CliError
    from formcheck.media.capture import LiveError
    from formcheck.media.estimator import ModelError
    from formcheck.media.track import TrackError
    from formcheck.media.video import VideoError
    from formcheck.records.history import HistoryError
    from formcheck.sets.outputs import ReplayError
    from formcheck.spec.files import SpecError

    return (BatchError, CliError, ModelError, ReplayError, SpecError, TrackError, VideoError, HistoryError, LiveError)


def main(argv: Sequence[str] | None = None) -> int:
    # argv None: the process's own command line, which ends after this (the handlers stay)
    global _PROCESS_ENDS
    _PROCESS_ENDS = argv is None
    with first_interrupt_ends(leave_ignored=argv is None):
        if not list(sys.argv[1:] if argv is None else argv):  # formcheck alone: today's session (cli/setup.py)
            return _run(argparse.Namespace(func=_today))
        try:
            args = build_parser(_command_in(argv)).parse_args(argv)
        except KeyboardInterrupt as exc:  # while the subcommand's modules load
            return _interrupted(exc)
        return _run(args)


def _today(args: argparse.Namespace) -> int:
    """``formcheck`` with nothing after it: the patient's program as ``formcheck setup`` saved it."""
    with interrupts_held():
        setup = importlib.import_module("formcheck.cli.setup")
    return int(setup.cmd_today(args))


_PROCESS_ENDS = False  # main() runs the process's own command line: the process ends after it


def _interrupted(exc: KeyboardInterrupt) -> int:
    with signals_handled_by(signal.SIG_IGN):  # none while the message goes out
        print("formcheck: interrupted; nothing incomplete was left behind", file=sys.stderr)
        if _PROCESS_ENDS:
            # The one line is the last word: native libraries torn down as the process ends
            # printed after it (MediaPipe's "DestroyAccelerator" INFO lines, seen when a Ctrl-C
            # came about 1 s into live). The exit status still tells a crash at exit.
            sys.stderr.flush()
            with contextlib.suppress(OSError):
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stderr.fileno())
    return EXIT_TERMINATED if isinstance(exc, Terminated) else EXIT_INTERRUPTED


def _run(args: argparse.Namespace) -> int:
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt as exc:  # first: a second Ctrl-C must not land in the imports below
        return _interrupted(exc)
    except _known_errors() as exc:  # evaluated only when something is raised: no imports up front
        from formcheck.cli.common import UsageError, error_lines

        for line in error_lines(str(exc)) or [type(exc).__name__]:
            print(f"formcheck: error: {line}", file=sys.stderr)
        # an exercise, program or model named on the command line that does not exist: as argparse's
        usage = isinstance(exc, UsageError) or getattr(exc, "usage_mistake", False)
        return EXIT_USAGE if usage else EXIT_ERROR
    except BrokenPipeError:  # the reader of the output went away (e.g. `| head`): nothing to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        return EXIT_ERROR
    except OSError as exc:
        from formcheck.cli.common import printable

        where = f" {exc.filename}:" if exc.filename else ""
        print(printable(f"formcheck: error:{where} {exc.strerror or exc}"), file=sys.stderr)
        return EXIT_ERROR
    except Exception as exc:  # last resort: one line, never a traceback (FORMCHECK_DEBUG shows it)
        if os.environ.get("FORMCHECK_DEBUG"):
            raise
        from formcheck.cli.common import printable

        text = printable(" ".join(str(exc).split()))  # one line, whatever a library put in its message
        print(f"formcheck: internal error: {type(exc).__name__}: {text} (set FORMCHECK_DEBUG=1 for details)",
              file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":  # python -m formcheck.cli.main works as python -m formcheck.cli does
    sys.exit(main())
