"""One video of a local batch in a process of its own: ``python -m formcheck.batch.child JSON``.

Why a process per video rather than a pool of long-lived workers: a video that crashes the pose
model's native code (or runs the process out of memory) takes only its own process down, and is
listed as failed while the batch goes on; each replay starts with a clean process (no memory kept
from the last); and Ctrl-C means what it means for ``formcheck replay``: the parent passes it on,
replay leaves the folder as it was, or the set is whole. Starting Python and the pose model costs
about 0.7 s per video (README, the speed table).

The JSON argument: ``{"job": ..., "settings": ..., "cores": [..] or null}``. Prints the outcome as
one line of JSON on stdout, and exits 0, or 130/143 when interrupted (the outcome says so too).
"""

from __future__ import annotations

import json
import sys
from dataclasses import replace

from formcheck.batch.outcome import DONE, Outcome
from formcheck.batch.work import (
    Settings,
    earlier_outcome,
    interrupted,
    job_from_json,
    keep_to_cores,
    run_job,
)
from formcheck.core.faults import fault_point
from formcheck.core.interrupts import Terminated, first_interrupt_ends

EXIT_INTERRUPTED, EXIT_TERMINATED = 130, 143


def _say(outcome: Outcome) -> None:
    sys.stdout.write(json.dumps(outcome.to_json()) + "\n")
    sys.stdout.flush()


def main(argv: list[str]) -> int:
    task = json.loads(argv[0])
    keep_to_cores(set(task["cores"]) if task.get("cores") else None)  # first: threads started later inherit it
    job, settings = job_from_json(task["job"]), Settings(**task["settings"])
    with first_interrupt_ends(leave_ignored=True):
        try:
            fault_point("batch-job")  # (tests: a job that crashes or hangs)
            outcome = run_job(job, settings)
        except KeyboardInterrupt as exc:
            kept = earlier_outcome(job)  # the set went in place (and in the history) just before it
            _say(interrupted(job) if kept is None else replace(kept, status=DONE))
            return EXIT_TERMINATED if isinstance(exc, Terminated) else EXIT_INTERRUPTED
    _say(outcome)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
