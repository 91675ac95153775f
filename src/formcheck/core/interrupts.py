"""SIGTERM as an interrupt: `kill` (or a logout) stops a command the way Ctrl-C does, so what was
done is saved or nothing incomplete is left behind. Its own module so that every part of the
program sees one class, also when the command line runs as ``python -m formcheck.cli``."""

from __future__ import annotations


class Terminated(KeyboardInterrupt):
    """SIGTERM arrived (see cli.main, which installs terminate() for it)."""


def terminate(signum: int, frame: object) -> None:
    raise Terminated()
