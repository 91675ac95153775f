"""SIGTERM as an interrupt: `kill` (or a logout) stops a command the way Ctrl-C does, so what was
done is saved or nothing incomplete is left behind. Its own module so that every part of the
program sees one class, also when the command line runs as ``python -m formcheck.cli``."""

from __future__ import annotations

import contextlib
import signal
from typing import Any, Iterator


class Terminated(KeyboardInterrupt):
    """SIGTERM arrived (cli.main has it raised: core.interrupts.first_interrupt_ends)."""


def terminate(signum: int, frame: object) -> None:
    raise Terminated()


@contextlib.contextmanager
def _handlers_installed(handlers: dict[int, Any], *, leave_ignored: bool = False) -> Iterator[None]:
    """``handlers`` (signal -> handler) in place for a moment, then what handled them before (or,
    ``leave_ignored``, SIG_IGN). Outside the main thread (an embedding program: handlers cannot
    be changed there) nothing changes."""
    try:
        saved = {s: signal.signal(s, h) for s, h in handlers.items()}
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        for s, h in saved.items():
            signal.signal(s, signal.SIG_IGN if leave_ignored else (h if h is not None else signal.SIG_DFL))


def signals_handled_by(handler: Any) -> contextlib.AbstractContextManager[None]:
    """SIGINT and SIGTERM go to ``handler`` for a moment, then to what handled them before."""
    return _handlers_installed({signal.SIGINT: handler, signal.SIGTERM: handler})


@contextlib.contextmanager
def interrupts_held() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM back for a short step that must finish or not start (the history
    row and the report put in place together): a signal arriving meanwhile is raised as soon as
    the step is over, as it would have been."""
    pending: list[int] = []
    with signals_handled_by(lambda signum, frame: pending.append(signum)):
        yield
    for signum in dict.fromkeys(pending):  # the step is done: now each, to the handler back in place
        signal.raise_signal(signum)


def _end_once(exc_type: type[KeyboardInterrupt]) -> Any:
    def handler(signum: int, frame: object) -> None:
        for s in (signal.SIGINT, signal.SIGTERM):
            signal.signal(s, signal.SIG_IGN)
        raise exc_type()

    return handler


@contextlib.contextmanager
def first_interrupt_ends(*, leave_ignored: bool = False) -> Iterator[None]:
    """A command's handlers: the first Ctrl-C raises KeyboardInterrupt (the first SIGTERM,
    Terminated), and after it both are ignored, so the clean-up it starts runs to its end.

    Why: a second Ctrl-C landing in the clean-up cut it short - the wait for a pose estimation
    still running on the helper thread was abandoned and the landmarker closed under it (a
    segfault in MediaPipe, exit 139), or the interpreter's own teardown was interrupted (a
    traceback, exit by SIGINT). ``leave_ignored``: the process is ending (the command line's
    own run), so they stay ignored after the block too, through the interpreter's teardown.
    Outside the main thread (an embedding program) nothing changes.
    """
    with _handlers_installed({signal.SIGINT: _end_once(KeyboardInterrupt), signal.SIGTERM: _end_once(Terminated)},
                             leave_ignored=leave_ignored):
        yield
