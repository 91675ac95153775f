"""Live loop benchmark: a 30 fps 720p clip played at camera pace through ``formcheck live``.

Measures what a patient would feel: frames analysed per second, capture-to-display latency (the
frame's grab time to the moment its annotated picture is ready / shown, percentiles), CPU use
(process CPU time / wall time, in cores), and frames dropped because the loop was busy. Targets:
30 fps and under 100 ms latency with the lite model.

    .venv/bin/python bench/live_bench.py [--clip PATH] [--model lite] [--window] [--save-video]

``--window`` shows a real window (needs DISPLAY; e.g. under ``xvfb-run``). The machine's load
average is printed too: on a shared machine the figures depend on what else runs.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

# formcheck.live imports OpenCV before PyAV (a window needs that order)
from formcheck import live
from formcheck.media.capture import FileSource
from formcheck.media.estimator import PoseEstimator
from formcheck.spec.exercise import load_exercise

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CLIP = "synthetic/squat_good_front_male_720p.mp4"


def shared_data() -> Path:
    env = os.environ.get("FORMCHECK_DATA")
    return Path(env) if env else ROOT.parent / "shared" / "data"


class TimedDetector:
    """The real model, with the time of each call recorded."""

    def __init__(self, model: str) -> None:
        self.est = PoseEstimator(model)
        self.model_name = self.est.model_name
        self.ms: list[float] = []

    def detect(self, rgb, t_ms):
        t = time.perf_counter()
        pose = self.est.detect(rgb, t_ms)
        self.ms.append((time.perf_counter() - t) * 1000.0)
        return pose

    def reset_tracking(self) -> None:
        self.est.reset_tracking()

    def close(self) -> None:
        self.est.close()


def pct(values, q: float) -> float:
    """A percentile of a list of numbers, or of a set's latencies (``live.stats.Latencies``)."""
    import numpy as np

    if hasattr(values, "percentile"):
        got = values.percentile(q)
        return float("nan") if got is None else got
    return float(np.percentile(values, q)) if values else float("nan")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clip", help=f"video to play (default: shared data {DEFAULT_CLIP})")
    ap.add_argument("--exercise", default="squat")
    ap.add_argument("--model", default="lite")
    ap.add_argument("--window", action="store_true", help="show a real window (needs DISPLAY)")
    ap.add_argument("--save-video", action="store_true", help="also encode the annotated video")
    args = ap.parse_args(argv)
    clip = Path(args.clip) if args.clip else shared_data() / DEFAULT_CLIP
    if not clip.is_file():
        print(f"live_bench: clip not found: {clip}", file=sys.stderr)
        return 1

    spec = load_exercise(args.exercise)
    source = FileSource(clip, paced=True, preroll_s=0.0)
    det = TimedDetector(args.model)
    annotate_ms: list[float] = []

    class TimedOverlay(live.Overlay):
        def annotate(self, image, result):
            t = time.perf_counter()
            super().annotate(image, result)
            annotate_ms.append((time.perf_counter() - t) * 1000.0)

    live.set_loop.Overlay = TimedOverlay  # bench only: time the drawing without touching the module
    size = live.canvas_size(source.size)
    display = (live.WindowDisplay("formcheck live bench", size) if args.window else live.HeadlessDisplay())
    load0 = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        opts = live.LiveOptions(model=args.model, lang="en", countdown_s=0.0, save_video=args.save_video,
                                end_at_target=False)
        outcome = live.run_set(live.SetPlan(spec, Path(tmp)), source, display, opts, lambda: det)
    source.stop()
    display.close()
    load1 = os.getloadavg()
    s = outcome.stats
    total = s.processed + s.dropped
    print(f"clip        {clip.name}  {source.size[0]}x{source.size[1]} @ {source.fps:.1f} fps, drawn at "
          f"{size[0]}x{size[1]}, model {args.model}, {'window' if args.window else 'headless'}"
          f"{', saving video' if args.save_video else ''}")
    print(f"machine     {os.cpu_count()} cores, load average {load0[0]:.1f} before, {load1[0]:.1f} after")
    print(f"throughput  {s.fps:.1f} frames/s analysed ({s.processed} of {total} frames, "
          f"{s.dropped} dropped = {100.0 * s.dropped / max(total, 1):.0f}%)")
    print(f"latency     grab->ready p50 {pct(s.ready_ms, 50):.0f} ms, p90 {pct(s.ready_ms, 90):.0f} ms, "
          f"p99 {pct(s.ready_ms, 99):.0f} ms, max {s.ready_ms.max or float('nan'):.0f} ms")
    print(f"            grab->shown p50 {pct(s.shown_ms, 50):.0f} ms, p90 {pct(s.shown_ms, 90):.0f} ms, "
          f"p99 {pct(s.shown_ms, 99):.0f} ms")
    print(f"stages      pose model p50 {pct(det.ms, 50):.1f} ms (p90 {pct(det.ms, 90):.1f}), "
          f"overlay p50 {pct(annotate_ms, 50):.1f} ms")
    print(f"CPU         {s.cpu_s / s.wall_s:.2f} cores ({s.cpu_s:.1f} s CPU in {s.wall_s:.1f} s)")
    print(f"result      {outcome.report.reps} reps, ended by {outcome.ended_by}")
    ok = s.fps >= 29.0 and pct(s.shown_ms, 50) < 100
    print(f"target      30 fps and < 100 ms latency: {'met' if ok else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
