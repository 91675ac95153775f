"""Replay throughput against bare MediaPipe inference on the same frames, per clip size.

    python bench/throughput.py [VIDEO ...] [--model lite] [--frames N] [--repeats R] [--no-memory]

Without VIDEO: three clips made in a temporary folder, the sizes issue 21 asks about: 720p
landscape (the 30 fps rendered squat), 1080p landscape (the same, upscaled) and 1080x1920
portrait (a real phone clip), plus the peak memory of a 4K replay (bench/replay_memory.py).

Per clip, each figure the median of R alternating runs (this machine's timing noise is several
percent from run to run, so a single pair of runs cannot resolve a 10 % target):

* **per frame** (steady state): (a) bare inference, ``PoseEstimator.detect`` on frames decoded
  beforehand, against (b) the whole replay loop (decode, pose, rules, drawing, encoding, track,
  report) timed from its first processed frame to its last, read from the progress callback.
* **whole command**: (a) bare = create the landmarker + inference on every frame, against
  (b) the whole ``replay()`` call, start-up and finishing included. MediaPipe's one-time native
  set-up (~0.6 s, paid by the first landmarker of a process) happens before either is timed.
* **CPU per frame**: bare inference's detect loop, and per frame of a replay in its steady state
  (the CPU of a 10-frame replay taken off: start-up and finishing) its main process (the pose
  model) and its two worker processes (decoder and encoder, kept to the second core). Wall time
  on a machine other jobs share says little; on 2 free cores replay runs at about
  max(main, workers) / bare of bare inference's time a frame, which CPU time still shows under
  load ("2-core estimate"; CPU time itself grows a little under load).
* **peak memory**: resident memory of a ``formcheck replay`` command and its workers, summed.

``--threads`` measures the in-process alternative (decoding and encoding on threads), which
the worker processes replaced. Also prints the real-time factor against the clip's own frame rate.
The batch's throughput (``--jobs``, issue 21 item 2) goes in ``batch_section`` below.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from replay_memory import make_4k, peak_rss  # noqa: E402

from formcheck.media.estimator import PoseEstimator  # noqa: E402
from formcheck.media.video import VideoReader  # noqa: E402
from formcheck.sets.replay import ReplayOptions, replay  # noqa: E402
from formcheck.spec.exercise import load_exercise  # noqa: E402

DATA = Path(os.environ.get("FORMCHECK_DATA") or ROOT.parent / "shared" / "data")
SQUAT_720 = DATA / "synthetic" / "squat_good_front_male_720p.mp4"
PORTRAIT = DATA / "videos" / "squat_bodyweight_side_man_portrait_2reps.mp4"  # a real phone clip
SAMPLE = ROOT / "samples" / "squat_side.mp4"  # when the labelled clips are absent
FIXED_FRAMES = 10  # a replay this short is nearly all start-up and finishing


def cpu_s(who: int) -> float:
    r = resource.getrusage(who)
    return r.ru_utime + r.ru_stime


@dataclass(frozen=True)
class Run:
    whole_s: float  # the whole call
    frame_s: float  # a frame in the steady state
    main_cpu_s: float  # CPU, this process (the pose model's): bare, a frame of the loop; replay, the whole call
    workers_cpu_s: float  # CPU, the worker processes (replay's decoder and encoder), the whole call


class Stamps:
    """A progress 'bar' that records when each frame finished."""

    def __init__(self, total: int | None) -> None:
        self.times: list[float] = []

    def update(self, n: int) -> None:
        self.times.append(time.perf_counter())

    def close(self) -> None:
        pass


def bare_run(model: str, frames: list) -> Run:
    """Bare inference: landmarker creation + detect loop on frames decoded beforehand."""
    t0 = time.perf_counter()
    with PoseEstimator(model, num_poses=1) as est:
        t1, c1 = time.perf_counter(), cpu_s(resource.RUSAGE_SELF)
        for f in frames:
            est.detect(f.image, f.t_ms)
        t2, c2 = time.perf_counter(), cpu_s(resource.RUSAGE_SELF)
    whole = time.perf_counter() - t0
    n = len(frames)
    return Run(whole, (t2 - t1) / n, (c2 - c1) / n, 0.0)


def replay_run(clip: Path, out: Path, model: str, exercise: str, n: int, workers: bool) -> Run:
    """The whole replay; per frame from the first frame done to the last."""
    spec = load_exercise(exercise)
    bars: list[Stamps] = []

    def progress(total: int | None) -> Stamps:
        bars.append(Stamps(total))
        return bars[-1]

    t0, c0, k0 = time.perf_counter(), cpu_s(resource.RUSAGE_SELF), cpu_s(resource.RUSAGE_CHILDREN)
    replay(clip, spec, out, ReplayOptions(model=model, progress=progress, workers=workers))
    whole = time.perf_counter() - t0
    times = bars[0].times
    if len(times) != n:
        raise SystemExit(f"replay processed {len(times)} frames, expected {n}")
    return Run(whole, (times[-1] - times[0]) / (n - 1), cpu_s(resource.RUSAGE_SELF) - c0,
               cpu_s(resource.RUSAGE_CHILDREN) - k0)


def make_clips(tmp: Path, frames: int) -> list[Path]:
    """The three sizes, in ``tmp``: 720p and 1080p landscape, 1080x1920 portrait."""
    src = SQUAT_720 if SQUAT_720.is_file() else SAMPLE
    seconds = frames / 30.0 + 0.5
    out = []
    for name, size in (("720p", (1280, 720)), ("1080p", (1920, 1080))):
        make_4k(src, tmp / f"{name}.mp4", seconds, size)  # fitted into the size, pillarboxed
        out.append(tmp / f"{name}.mp4")
    if PORTRAIT.is_file():
        out.append(PORTRAIT)
    else:
        make_4k(SAMPLE, tmp / "portrait.mp4", seconds, (1080, 1920))
        out.append(tmp / "portrait.mp4")
    return out


def write_prefix(frames: list, path: Path, fps: float) -> None:
    """The frames as the replay's input file (H.264 at crf 18: the same input for any version of
    formcheck this bench is run against)."""
    from fractions import Fraction

    import av

    h, w = frames[0].image.shape[:2]
    with av.open(str(path), "w") as out:
        s = out.add_stream("libx264", rate=Fraction(fps).limit_denominator(1001))
        s.width, s.height, s.pix_fmt = w, h, "yuv420p"
        s.options = {"preset": "veryfast", "crf": "18"}
        for i, f in enumerate(frames):
            vf = av.VideoFrame.from_ndarray(f.image, format="rgb24")
            vf.pts = i
            for p in s.encode(vf):
                out.mux(p)
        for p in s.encode():
            out.mux(p)


def bench_clip(video: Path, args: argparse.Namespace, tmp: Path) -> dict:
    with VideoReader(video) as r:
        fps = r.fps
        frames = []
        for f in r:
            frames.append(f)
            if len(frames) >= args.frames:
                break
    n = len(frames)
    w, h = frames[0].image.shape[1], frames[0].image.shape[0]
    import av

    with av.open(str(video)) as c:
        stored = (c.streams.video[0].width, c.streams.video[0].height)
    print(f"clip: {video.name} {stored[0]}x{stored[1]} (analysed {w}x{h}) @ {fps:.2f} fps, {n} frames, "
          f"model {args.model}, {os.cpu_count()} cores, {args.repeats} alternating runs each (medians), "
          f"replay I/O on {'threads' if args.threads else 'worker processes'}")
    clip = tmp / f"prefix_{video.stem}.mp4"
    write_prefix(frames, clip, fps)
    short = tmp / f"short_{video.stem}.mp4"  # start-up and finishing alone, to take off the CPU
    write_prefix(frames[:FIXED_FRAMES], short, fps)
    with PoseEstimator(args.model, num_poses=1) as est:  # MediaPipe's one-time native set-up
        est.detect(frames[0].image, 0.0)
    bare, full, fixed = [], [], []
    for i in range(args.repeats):
        bare.append(bare_run(args.model, frames))
        full.append(replay_run(clip, tmp / f"out_{video.stem}_{i}", args.model, args.exercise, n,
                               not args.threads))
        fixed.append(replay_run(short, tmp / f"fixed_{video.stem}_{i}", args.model, args.exercise,
                                FIXED_FRAMES, not args.threads))
    del frames

    def med(runs: list[Run], field: str) -> float:
        return statistics.median(getattr(r, field) for r in runs)

    bare_frame, full_frame = med(bare, "frame_s"), med(full, "frame_s")
    bare_whole, full_whole = med(bare, "whole_s"), med(full, "whole_s")
    bare_cpu = med(bare, "main_cpu_s")
    main_cpu = (med(full, "main_cpu_s") - med(fixed, "main_cpu_s")) / (n - FIXED_FRAMES)
    work_cpu = (med(full, "workers_cpu_s") - med(fixed, "workers_cpu_s")) / (n - FIXED_FRAMES)
    est = max(main_cpu, work_cpu) / bare_cpu
    print(f"  per frame      : bare {1 / bare_frame:6.1f} frames/s, replay {1 / full_frame:6.1f} frames/s, "
          f"replay / bare {full_frame / bare_frame:.3f}")
    print(f"  whole command  : bare {bare_whole:6.2f} s, replay {full_whole:6.2f} s, replay / bare "
          f"{full_whole / bare_whole:.3f} (pairs {min(r.whole_s / b.whole_s for b, r in zip(bare, full)):.3f}"
          f"-{max(r.whole_s / b.whole_s for b, r in zip(bare, full)):.3f})")
    print(f"  CPU per frame  : bare {bare_cpu * 1e3:.1f} ms; replay main {main_cpu * 1e3:.1f} ms, "
          f"workers {work_cpu * 1e3:.1f} ms (a {FIXED_FRAMES}-frame replay's CPU taken off); "
          f"2-core estimate replay / bare {est:.3f}")
    rt = n / full_whole / fps
    print(f"  real time      : {rt:.2f}x the clip's {fps:.0f} fps, whole command")
    row = {"clip": f"{stored[0]}x{stored[1]}", "frames": n, "per_frame": full_frame / bare_frame,
           "whole": full_whole / bare_whole, "cpu_est": est, "rt": rt, "peak_mb": None}
    if args.memory:
        row["peak_mb"] = peak_memory(clip, tmp / f"mem_{video.stem}", args.exercise)
        print(f"  peak memory    : {row['peak_mb']:.0f} MB (the command and its workers)")
    return row


def peak_memory(clip: Path, out: Path, exercise: str) -> float:
    env_py = [sys.executable, "-m", "formcheck.cli", "replay", str(clip), "--exercise", exercise,
              "--out", str(out), "--no-history"]
    rc, peak_sum, _, _ = peak_rss(env_py)
    if rc:
        raise SystemExit(f"replay exited {rc}")
    return peak_sum


def batch_section(args: argparse.Namespace) -> None:
    """Batch throughput: videos per minute with --jobs N against --jobs 1 (issue 21 item 2): runs
    bench/batch.py (10 clips, alternating --jobs 1 and --jobs 2), unless --no-batch."""
    if not args.batch:
        return
    print("\nbatch (bench/batch.py, 10 clips, --jobs 1 vs --jobs 2):", flush=True)
    import subprocess

    subprocess.run([sys.executable, str(Path(__file__).with_name("batch.py")), "--frames", str(args.frames)],
                   check=False)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("video", nargs="*", type=Path, help="clips (default: 720p, 1080p and 1080x1920 made here)")
    ap.add_argument("--model", default="lite")
    ap.add_argument("--exercise", default="squat")
    ap.add_argument("--frames", type=int, default=240, help="frames to use (a clip prefix)")
    ap.add_argument("--repeats", type=int, default=5, help="alternating bare/replay pairs")
    ap.add_argument("--no-memory", dest="memory", action="store_false", help="skip the peak-memory runs")
    ap.add_argument("--no-batch", dest="batch", action="store_false", help="skip the batch throughput (bench/batch.py)")
    ap.add_argument("--threads", action="store_true",
                    help="decode and encode on threads of the main process (replay workers=False)")
    args = ap.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.1f} (other jobs on the machine disturb wall times)")
    with tempfile.TemporaryDirectory() as t:
        tmp = Path(t)
        clips = args.video or make_clips(tmp, args.frames)
        rows = [bench_clip(v, args, tmp) for v in clips]
        if args.memory and not args.video:
            make_4k(SQUAT_720 if SQUAT_720.is_file() else SAMPLE, tmp / "4k.mp4", 5.0)
            peak_4k = peak_memory(tmp / "4k.mp4", tmp / "out_4k", args.exercise)
            print(f"4K (3840x2160, 5 s): peak memory {peak_4k:.0f} MB")
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    print("\n| clip | replay / bare, per frame | whole command | 2-core estimate (CPU) | vs real time | peak memory |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        mem = f"{r['peak_mb']:.0f} MB" if r["peak_mb"] else ""
        print(f"| {r['clip']} ({r['frames']} frames) | {r['per_frame']:.2f} | {r['whole']:.2f} | {r['cpu_est']:.2f} | {r['rt']:.1f}x | {mem} |")
    batch_section(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
