"""Replay throughput against bare MediaPipe inference on the same frames, in one run.

    python bench/throughput.py [VIDEO] [--model lite] [--frames N]

Prints frames/s for (a) bare inference on frames decoded beforehand, (b) the whole replay
pipeline (decode, pose, rules, drawing, encoding, track, report), the ratio, and the real-time
factor against the clip's own frame rate. Default clip: the 720p 30 fps rendered squat.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from formcheck.estimator import PoseEstimator  # noqa: E402
from formcheck.replay import replay  # noqa: E402
from formcheck.spec import load_exercise  # noqa: E402
from formcheck.video import VideoReader, VideoWriter  # noqa: E402

DEFAULT = ROOT.parent / "shared" / "data" / "synthetic" / "squat_good_front_male_720p.mp4"


def cpu_s() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("video", nargs="?", type=Path, default=DEFAULT)
    ap.add_argument("--model", default="lite")
    ap.add_argument("--exercise", default="squat")
    ap.add_argument("--frames", type=int, default=300, help="frames to use (a clip prefix)")
    args = ap.parse_args()

    with VideoReader(args.video) as r:
        fps = r.fps
        frames = []
        for f in r:
            frames.append(f)
            if len(frames) >= args.frames:
                break
    w, h = frames[0].image.shape[1], frames[0].image.shape[0]
    print(f"clip: {args.video.name} {w}x{h} @ {fps:.2f} fps, {len(frames)} frames, model {args.model}, "
          f"{os.cpu_count()} cores")

    with tempfile.TemporaryDirectory() as tmp:
        clip = Path(tmp) / "clip.mp4"
        with VideoWriter(clip, (w, h), fps) as wr:  # the same prefix as a file for the replay
            for f in frames:
                wr.write(f.image, f.t_ms)

        with PoseEstimator(args.model) as est:  # bare inference, frames already in memory
            est.detect(frames[0].image, 0.0)
            t0, c0 = time.perf_counter(), cpu_s()
            for f in frames:
                est.detect(f.image, f.t_ms + 1.0)
            bare_s, bare_cpu = time.perf_counter() - t0, cpu_s() - c0

        spec = load_exercise(args.exercise)
        t0, c0 = time.perf_counter(), cpu_s()
        replay(clip, spec, Path(tmp) / "out", model=args.model)
        full_s, full_cpu = time.perf_counter() - t0, cpu_s() - c0

    n = len(frames)
    bare_fps, full_fps = n / bare_s, n / full_s
    print(f"bare inference : {bare_fps:6.1f} frames/s  (cpu {bare_cpu / bare_s:.2f} cores)")
    print(f"whole replay   : {full_fps:6.1f} frames/s  (cpu {full_cpu / full_s:.2f} cores)")
    print(f"replay / bare time ratio: {bare_fps / full_fps:.3f}  (target <= 1.10)")
    print(f"real-time factor: {full_fps / fps:.2f}x the clip's {fps:.0f} fps  (target > 1)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
