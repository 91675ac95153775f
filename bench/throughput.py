"""Replay throughput against bare MediaPipe inference on the same frames, in one run.

    python bench/throughput.py [VIDEO] [--model lite] [--frames N] [--repeats R]

Two figures, each the median of R alternating runs (this machine's timing noise is several
percent from run to run, so a single pair of runs cannot resolve a 10 % target):

* **per frame** (steady state): (a) bare inference, ``PoseEstimator.detect`` on frames decoded
  beforehand, against (b) the whole replay loop (decode, pose, rules, drawing, encoding, track,
  report) timed from its first processed frame to its last, read from the progress callback.
* **whole command**: (a) bare = create the landmarker + inference on every frame, against
  (b) the whole ``replay()`` call, start-up and finishing included. MediaPipe's one-time native
  set-up (~0.6 s, paid by the first landmarker of a process) happens before either is timed.

``--threads`` measures the in-process alternative (decoding and encoding on threads), which
the worker processes replaced. Also prints the real-time factor against the clip's own frame rate and the CPU cores used.
Default clip: the 720p 30 fps rendered squat.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from formcheck.media.estimator import PoseEstimator  # noqa: E402
from formcheck.media.video import VideoReader  # noqa: E402
from formcheck.media.video_writer import VideoWriter  # noqa: E402
from formcheck.sets.replay import ReplayOptions, replay  # noqa: E402
from formcheck.spec.exercise import load_exercise  # noqa: E402

DEFAULT = ROOT.parent / "shared" / "data" / "synthetic" / "squat_good_front_male_720p.mp4"


def cpu_s() -> float:
    """CPU seconds of this process and its finished workers (replay's decoder and encoder)."""
    return sum(r.ru_utime + r.ru_stime for r in map(resource.getrusage, (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)))


class Stamps:
    """A progress 'bar' that records when each frame finished."""

    def __init__(self, total: int | None) -> None:
        self.times: list[float] = []

    def update(self, n: int) -> None:
        self.times.append(time.perf_counter())

    def close(self) -> None:
        pass


def bare_run(model: str, frames: list) -> tuple[float, float, float]:
    """(whole s, per-frame s, cores) of bare inference: landmarker creation + detect loop."""
    t0, c0 = time.perf_counter(), cpu_s()
    with PoseEstimator(model, num_poses=1) as est:
        t1 = time.perf_counter()
        for f in frames:
            est.detect(f.image, f.t_ms)
        t2 = time.perf_counter()
    whole = time.perf_counter() - t0
    return whole, (t2 - t1) / len(frames), (cpu_s() - c0) / whole


def replay_run(clip: Path, out: Path, model: str, exercise: str, n: int, workers: bool) -> tuple[float, float, float]:
    """(whole s, per-frame s, cores) of the whole replay; per frame from the first to the last."""
    spec = load_exercise(exercise)
    bars: list[Stamps] = []

    def progress(total: int | None) -> Stamps:
        bars.append(Stamps(total))
        return bars[-1]

    t0, c0 = time.perf_counter(), cpu_s()
    replay(clip, spec, out, ReplayOptions(model=model, progress=progress, workers=workers))
    whole = time.perf_counter() - t0
    times = bars[0].times
    if len(times) != n:
        raise SystemExit(f"replay processed {len(times)} frames, expected {n}")
    return whole, (times[-1] - times[0]) / (n - 1), (cpu_s() - c0) / whole


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("video", nargs="?", type=Path, default=DEFAULT)
    ap.add_argument("--model", default="lite")
    ap.add_argument("--exercise", default="squat")
    ap.add_argument("--frames", type=int, default=300, help="frames to use (a clip prefix)")
    ap.add_argument("--repeats", type=int, default=5, help="alternating bare/replay pairs")
    ap.add_argument("--threads", action="store_true",
                    help="decode and encode on threads of the main process (replay workers=False)")
    args = ap.parse_args()

    with VideoReader(args.video) as r:
        fps = r.fps
        frames = []
        for f in r:
            frames.append(f)
            if len(frames) >= args.frames:
                break
    n = len(frames)
    w, h = frames[0].image.shape[1], frames[0].image.shape[0]
    print(f"clip: {args.video.name} {w}x{h} @ {fps:.2f} fps, {n} frames, model {args.model}, "
          f"{os.cpu_count()} cores, {args.repeats} alternating runs each (medians), "
          f"replay I/O on {'threads' if args.threads else 'worker processes'}")

    with tempfile.TemporaryDirectory() as tmp:
        clip = Path(tmp) / "clip.mp4"
        with VideoWriter(clip, (w, h), fps) as wr:  # the same prefix as a file for the replay
            for f in frames:
                wr.write(f.image, f.t_ms)
        with PoseEstimator(args.model, num_poses=1) as est:  # MediaPipe's one-time native set-up
            est.detect(frames[0].image, 0.0)

        bare, full = [], []
        for i in range(args.repeats):
            bare.append(bare_run(args.model, frames))
            full.append(replay_run(clip, Path(tmp) / f"out{i}", args.model, args.exercise, n,
                                   not args.threads))

    def med(runs: list[tuple[float, float, float]], k: int) -> float:
        return statistics.median(r[k] for r in runs)

    bare_frame, full_frame = med(bare, 1), med(full, 1)
    bare_whole, full_whole = med(bare, 0), med(full, 0)
    print("per frame (steady state)")
    print(f"  bare inference : {1 / bare_frame:6.1f} frames/s")
    print(f"  whole replay   : {1 / full_frame:6.1f} frames/s")
    print(f"  replay / bare time ratio: {full_frame / bare_frame:.3f}  (target <= 1.10)")
    print("whole command (start-up and finishing included)")
    print(f"  bare inference : {bare_whole:6.2f} s = {n / bare_whole:6.1f} frames/s  (cpu {med(bare, 2):.2f} cores)")
    print(f"  whole replay   : {full_whole:6.2f} s = {n / full_whole:6.1f} frames/s  (cpu {med(full, 2):.2f} cores)")
    print(f"  replay / bare time ratio: {full_whole / bare_whole:.3f}  (target <= 1.10)")
    spread = [r[0] / b[0] for b, r in zip(bare, full)]
    print(f"  ratio per pair: min {min(spread):.3f}  max {max(spread):.3f}")
    print(f"real-time factor: {n / full_whole / fps:.2f}x the clip's {fps:.0f} fps, whole command  (target > 1)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
