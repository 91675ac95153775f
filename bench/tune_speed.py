"""How fast ``formcheck tune`` answers on a saved track (the issue asks for well under a second).

    python bench/tune_speed.py [TRACK ...] [--exercise squat] [--runs 5]

Runs ``formcheck tune`` as a fresh process (imports included, as a physiotherapist would) on
each track, first printing only and then also drawing the PNG, and prints the median wall and
CPU seconds of ``--runs`` runs against the 1 s target. CPU time says more than wall time on a
shared machine. Default track: the cached track of the rendered good-form squat (19 s of video;
bench/extract_tracks.py makes it).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from extract_tracks import DEFAULT_CACHE  # noqa: E402

DEFAULT = DEFAULT_CACHE / "lite" / "squat_good_default.npz"
TARGET_S = 1.0
# As installed: pip writes the bytecode caches, so a physiotherapist's runs do not compile the
# sources every time. A sandbox may set PYTHONDONTWRITEBYTECODE (it did here: +0.14 s a run);
# the warm-up run below then writes the caches, as the first run after an install would.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def timed(cmd: list[str]) -> tuple[float, float]:
    """(wall s, CPU s) of one run of ``cmd`` as a child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=ENV)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed: {proc.stderr.strip()}")
    if "repetition" not in proc.stdout and "hold" not in proc.stdout:  # timing a command that did no work
        raise SystemExit(f"{' '.join(cmd)} printed no analysis: {proc.stdout.strip()[:200]!r}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("tracks", nargs="*", type=Path, default=[DEFAULT])
    ap.add_argument("--exercise", default="squat")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    print(f"formcheck tune on a saved track, fresh process, median of {args.runs} runs (target < {TARGET_S:g} s)")
    with tempfile.TemporaryDirectory() as tmp:
        for track in args.tracks:
            if not track.is_file():
                raise SystemExit(f"no track {track} (bench/extract_tracks.py makes the cached ones)")
            base = [sys.executable, "-m", "formcheck.cli", "tune", str(track), "--exercise", args.exercise]
            for label, cmd in (("text", base), ("text + PNG", base + ["--out", str(Path(tmp) / "t.png")])):
                timed(cmd)  # warm the file cache and write the bytecode caches
                runs = [timed(cmd) for _ in range(args.runs)]
                wall = statistics.median(r[0] for r in runs)
                cpu = statistics.median(r[1] for r in runs)
                print(f"  {track.name:<40} {label:<11} wall {wall:5.2f} s  cpu {cpu:5.2f} s  "
                      f"({cpu / TARGET_S:.2f} of the target)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
