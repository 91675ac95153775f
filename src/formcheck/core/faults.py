"""A fault put in on purpose, for tests: ``FORMCHECK_FAULT=<stage>:<action>`` makes the program
fail at one named point of finishing a set, the way a crash, a Ctrl-C, ``kill`` or ``kill -9``
would there. Unset (always, outside tests) nothing happens.

The stages, in order (``sets/outputs.py``; ``staged`` in ``sets/replay.py`` and ``live/set_loop.py``):
``staged`` (every output written in the staging folder), ``row`` (the history row written, not
committed), ``moved`` (video and track renamed in), ``renamed`` (the report renamed in, the row
not yet committed), ``committed`` (both durable); and ``batch-job`` (a batch's process for one video, as it
starts: ``batch/child.py``). Actions: ``raise`` (an error),
``sigint``, ``sigterm``, ``sigkill`` (sent to this process).
"""

from __future__ import annotations

import os
import signal

ENV = "FORMCHECK_FAULT"
STAGES = ("staged", "row", "moved", "renamed", "committed")
ACTIONS = ("raise", "sigint", "sigterm", "sigkill")


class InjectedFault(RuntimeError):
    """The error ``raise`` puts in."""


def fault_point(stage: str) -> None:
    """Fail here as $FORMCHECK_FAULT asks, if it names ``stage``."""
    want = os.environ.get(ENV)
    if not want:
        return
    where, _, action = want.partition(":")
    if where != stage:
        return
    if action == "raise":
        raise InjectedFault(f"fault put in at {stage} (${ENV})")
    signum = {"sigint": signal.SIGINT, "sigterm": signal.SIGTERM, "sigkill": signal.SIGKILL}.get(action)
    if signum is None:
        raise InjectedFault(f"${ENV}: unknown action {action!r} (one of {', '.join(ACTIONS)})")
    os.kill(os.getpid(), signum)
