"""``formcheck replay`` on several videos, a folder or a manifest: a batch, on this machine's cores
(``--jobs``) or on a Ray cluster (``--ray``). One progress bar for the batch, a line per video,
``summary.csv``/``summary.json`` in the batch folder, and the failed videos listed at the end."""

from __future__ import annotations

import argparse
import shlex
import sys
import time
from pathlib import Path
from typing import Any

from formcheck.batch.jobs import Defaults, collect_jobs, default_batch_dir, is_manifest
from formcheck.batch.local import LocalBatch, default_jobs
from formcheck.batch.outcome import DONE, EARLIER, FAILED, INTERRUPTED, Outcome
from formcheck.batch.summary import counts, write_summary
from formcheck.batch.work import Settings
from formcheck.cli.common import CliError, UsageError, check_history, printable
from formcheck.core.interrupts import Terminated
from formcheck.media.estimator import resolve_model
from formcheck.spec.exercise import load_exercise_arg

EXIT_SOME_FAILED = 3  # the batch ran, and at least one video failed (listed at the end)
EXIT_INTERRUPTED, EXIT_TERMINATED = 130, 143


def is_batch(args: argparse.Namespace) -> bool:
    """Several inputs, a folder or a manifest, or --ray: a batch (else one video, as before)."""
    inputs = [Path(v) for v in args.video]
    return len(inputs) > 1 or inputs[0].is_dir() or is_manifest(inputs[0]) or args.ray is not None


def _batch_dir(args: argparse.Namespace, inputs: list[Path]) -> Path:
    if args.out:
        out = Path(args.out)
    elif (found := default_batch_dir(inputs)) is not None:
        out = found
    else:
        raise UsageError("a batch of videos named one by one (or on Ray) needs --out DIR (the batch folder: "
                         "each video's outputs in a folder of its own there, and the summary)", "replay")
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} is a file, not a folder", "replay")
    return out


def _make(out: Path) -> None:
    """The batch folder, made once the batch is known to be good (a mistake leaves nothing)."""
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CliError(f"cannot create the batch folder {out}: {exc.strerror} (choose another with --out)") from None


def _line(o: Outcome) -> str:
    if o.status in (DONE, EARLIER):
        what = (f"{o.reps} / {o.target} repetitions" + (f", {o.partials} partial{'' if o.partials == 1 else 's'}"
                                                         if o.partials else "")
                if o.reps is not None else f"holds {o.holds}")
        faults = f"; faults: {o.faults}" if o.faults else ""
        earlier = " (done earlier, kept)" if o.status == EARLIER else ""
        return printable(f"{o.name} ({o.exercise}): {what}{faults}{earlier}")
    return printable(f"{o.name}: {o.status}: {o.error or ''}".rstrip(": "))


def _bar(total: int, show: bool) -> Any:
    if not show:
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit="video", desc="batch", dynamic_ncols=True, leave=False)


def cmd_batch(args: argparse.Namespace) -> int:
    inputs = [Path(v) for v in args.video]
    if args.ray is not None and args.jobs is not None:
        raise UsageError("--jobs is for a batch on this machine; on Ray each video is a task of one CPU", "replay")
    if args.exercise:
        load_exercise_arg(args.exercise)  # an unknown --exercise is one line (exit 2), not one per video
    elif not any(is_manifest(p) for p in inputs):
        raise UsageError("which exercise? give --exercise ID for the batch's videos, or a manifest naming "
                         "each video's (see 'formcheck exercises list')", "replay")
    if args.model:
        resolve_model(args.model)  # an unknown --model: one line now (exit 2), not a failure per video
    check_history(args)
    out = _batch_dir(args, inputs)
    jobs = collect_jobs(inputs, out, Defaults(args.exercise, args.target, Path(args.profile) if args.profile else None,
                                              args.patient))
    settings = Settings(model=args.model, lang=args.lang, write_video=not args.no_video,
                        history=not args.no_history, data_dir=args.data_dir)
    if args.ray is not None:
        from formcheck.batch.cluster import RayBatch

        runner: Any = RayBatch(jobs, settings, args.ray, out)
        runner.connect()
        how = f"Ray ({args.ray})"
    else:
        n = args.jobs or default_jobs()
        runner = LocalBatch(jobs, settings, n)
        how = f"{runner.n_lanes} job{'' if runner.n_lanes == 1 else 's'} at a time"
    _make(out)
    show = args.progress if args.progress is not None else sys.stderr.isatty()
    bar = _bar(len(jobs), show)
    print(printable(f"replaying {len(jobs)} video{'' if len(jobs) == 1 else 's'} into {out}, {how}"),
          file=sys.stderr, flush=True)
    t0 = time.monotonic()

    def done(o: Outcome) -> None:
        text = _line(o)
        if bar is not None:
            bar.write(text)
            bar.update(1)
        else:
            print(text, flush=True)

    try:
        outcomes, stopped = runner.run(done)
    finally:
        if bar is not None:
            bar.close()
    seconds = time.monotonic() - t0
    batch = {"ray": args.ray, "jobs": None if args.ray is not None else runner.n_lanes,
             "seconds": round(seconds, 1), "interrupted": stopped is not None}
    csv_path, _ = write_summary(out, outcomes, batch)
    if not args.no_history:
        _unrecorded_earlier(outcomes, args.data_dir)
    return _report(outcomes, stopped, seconds, csv_path)


def _unrecorded_earlier(outcomes: list[Outcome], data_dir: str | None) -> None:
    """A folder kept from an earlier run whose set the history lacks (that run killed in the
    instant between the two): said, with the command that adds it, as a single replay says."""
    from formcheck.records.repair import recorded_folder

    for o in outcomes:
        if o.status == EARLIER and not recorded_folder(Path(o.out_dir), data_dir):
            print(printable(f"formcheck: note: {o.out_dir} holds a finished set that is not in the history: "
                            f"run 'formcheck history --repair {shlex.quote(o.out_dir)}' to add it"), file=sys.stderr)


def _report(outcomes: list[Outcome], stopped: BaseException | None, seconds: float, csv_path: Path) -> int:
    c = counts(outcomes)
    replayed = c[DONE]
    rate = f", {replayed / seconds * 60:.1f} videos/min" if replayed and seconds > 0 else ""
    earlier = f", {c[EARLIER]} done earlier" if c[EARLIER] else ""
    failed = [o for o in outcomes if o.status == FAILED]
    for o in failed:
        print(printable(f"formcheck: failed: {o.video}: {o.error}"), file=sys.stderr)
    tail = printable(f"summary: {csv_path} (and .json)")
    if stopped is not None:
        cut = c[INTERRUPTED] + sum(o.status not in (DONE, EARLIER, FAILED, INTERRUPTED) for o in outcomes)
        print(printable(f"formcheck: interrupted: {replayed} set{'' if replayed == 1 else 's'} kept whole{earlier}, "
                        f"{cut} video{'' if cut == 1 else 's'} not replayed (nothing of them kept); {tail}"),
              file=sys.stderr)
        return EXIT_TERMINATED if isinstance(stopped, Terminated) else EXIT_INTERRUPTED
    print(printable(f"batch: {replayed} of {len(outcomes)} videos replayed{earlier}, {len(failed)} failed "
                    f"({seconds:.0f} s{rate}); {tail}"))
    if failed:
        print(f"formcheck: {len(failed)} of {len(outcomes)} videos failed (listed above); exit code {EXIT_SOME_FAILED}",
              file=sys.stderr)
        return EXIT_SOME_FAILED
    return 0

