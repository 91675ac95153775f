"""Batch throughput: a batch of 10 clips replayed with ``--jobs 1`` and ``--jobs 2`` (issue 21:
``--jobs 2`` at least 1.3x the videos per minute of ``--jobs 1`` on 2 cores).

    python bench/batch.py [--repeats R] [--jobs 1 2] [--frames N] [--no-video]

The 10 clips: the bundled samples (720p, 30 fps, 9-17 s, each replayed as its own exercise) and
the first two again under other names: 3,750 frames, about 2 minutes of video. Each batch is the
whole command (``formcheck replay MANIFEST --jobs N``: process start-up, the pose model, the
annotated video, the summary), timed from start to exit, with the history off. The runs alternate
(1, 2, 1, 2, ...) and each figure is the median of R: this machine is shared and its speed drifts
by 10 % within minutes, so a single pair of runs misleads. Prints videos (and frames) per minute
per --jobs, the CPU seconds per video (all processes of the batch: a figure the other users of a
shared machine disturb less than the wall time), the ratio of the medians, and the ratio within
each pair.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
N_CLIPS = 10


def make_batch(folder: Path, frames: int | None) -> tuple[Path, int]:
    """The manifest of 10 clips (cut to ``frames`` if given) and their frames in all."""
    sys.path.insert(0, str(ROOT / "src"))
    from formcheck.media.video import VideoReader
    from formcheck.media.video_writer import VideoWriter

    samples = sorted(p for p in SAMPLES.glob("*.mp4") if p.with_suffix(".json").is_file())
    chosen = [samples[i % len(samples)] for i in range(N_CLIPS)]
    lines, total = ["video,exercise"], 0
    for i, src in enumerate(chosen):
        exercise = json.loads(src.with_suffix(".json").read_text())["exercise"]
        dst = folder / f"{i:02d}_{src.name}"
        with VideoReader(src) as r, VideoWriter(dst, r.size, r.fps) as w:
            for k, f in enumerate(r):
                if frames is not None and k >= frames:
                    break
                w.write(f.image, f.t_ms)
                total += 1
        lines.append(f"{dst.name},{exercise}")
    manifest = folder / "batch.csv"
    manifest.write_text("\n".join(lines) + "\n")
    return manifest, total


def cpu_children() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)  # (every process below, once waited for)
    return ru.ru_utime + ru.ru_stime


def run_batch(manifest: Path, out: Path, jobs: int, video: bool) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one batch command."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")])))
    cmd = [sys.executable, "-m", "formcheck.cli", "replay", str(manifest), "--jobs", str(jobs), "--out", str(out),
           "--no-history", "--no-progress"] + ([] if video else ["--no-video"])
    t0, c0 = time.monotonic(), cpu_children()
    res = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    seconds, cpu = time.monotonic() - t0, cpu_children() - c0
    if res.returncode != 0:
        raise SystemExit(f"batch --jobs {jobs} failed (exit {res.returncode}): {res.stderr.strip()[-500:]}")
    return seconds, cpu


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=3, help="alternating runs per --jobs value (medians)")
    ap.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--frames", type=int, help="cut each clip to its first N frames (a quicker run)")
    ap.add_argument("--no-video", action="store_true", help="replay without the annotated videos")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        manifest, frames = make_batch(Path(tmp), args.frames)
        print(f"batch: {N_CLIPS} clips, {frames} frames, {os.cpu_count()} cores, "
              f"{'no video' if args.no_video else 'annotated videos written'}; {args.repeats} alternating runs "
              f"of --jobs {' / '.join(map(str, args.jobs))} (medians; the machine is shared: figures as measured)")
        times: dict[int, list[float]] = {j: [] for j in args.jobs}
        cpus: dict[int, list[float]] = {j: [] for j in args.jobs}
        for r in range(args.repeats):
            for j in args.jobs:
                s, cpu = run_batch(manifest, Path(tmp) / f"out_{j}_{r}", j, not args.no_video)
                times[j].append(s)
                cpus[j].append(cpu)
                print(f"  run {r + 1} --jobs {j}: {s:6.1f} s = {N_CLIPS / s * 60:5.1f} videos/min, "
                      f"{cpu / N_CLIPS:5.1f} CPU s per video", flush=True)
    base = args.jobs[0]
    for j in args.jobs:
        med = statistics.median(times[j])
        cpu = statistics.median(cpus[j])
        print(f"--jobs {j}: median {med:6.1f} s = {N_CLIPS / med * 60:5.1f} videos/min, {frames / med:5.1f} frames/s, "
              f"{cpu / N_CLIPS:.1f} CPU s per video ({cpu / med:.2f} cores busy)")
    for j in args.jobs[1:]:
        ratio = statistics.median(times[base]) / statistics.median(times[j])
        pairs = [b / t for b, t in zip(times[base], times[j])]
        print(f"--jobs {j} vs --jobs {base}: {ratio:.2f}x the throughput (per pair: "
              f"{', '.join(f'{p:.2f}' for p in pairs)}; target >= 1.3 for 2 vs 1 on 2 cores)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
