"""Peak memory of ``formcheck replay`` on a 4K clip: the resident memory of the command and its
worker processes (decoder, encoder), read from /proc every 50 ms, their sum at its highest.

The clip is made here, in a temporary folder, from a sample: its first ``--seconds`` scaled up
to 2160 lines and set in a 3840x2160 picture (pillarboxed, so the person keeps their shape).

    PYTHONPATH=src .venv/bin/python bench/replay_memory.py [--clip samples/squat_side.mp4] [--seconds 5]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import av
import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def make_4k(src: Path, dst: Path, seconds: float, size: tuple[int, int] = (3840, 2160)) -> int:
    """``src``'s first ``seconds`` upscaled into a ``size`` picture; returns the frames written."""
    w, h = size
    n = 0
    with av.open(str(src)) as inp, av.open(str(dst), "w") as out:
        s_in = inp.streams.video[0]
        rate = s_in.average_rate or 30
        s = out.add_stream("libx264", rate=rate)
        s.width, s.height, s.pix_fmt = w, h, "yuv420p"
        s.options = {"preset": "ultrafast", "crf": "23"}
        for frame in inp.decode(s_in):
            if n >= seconds * float(rate):
                break
            img = frame.to_ndarray(format="rgb24")
            sh, sw = img.shape[:2]
            scale = min(w / sw, h / sh)
            up = cv2.resize(img, (round(sw * scale), round(sh * scale)), interpolation=cv2.INTER_CUBIC)
            canvas = np.zeros((h, w, 3), np.uint8)
            y0, x0 = (h - up.shape[0]) // 2, (w - up.shape[1]) // 2
            canvas[y0:y0 + up.shape[0], x0:x0 + up.shape[1]] = up
            for p in s.encode(av.VideoFrame.from_ndarray(canvas, format="rgb24")):
                out.mux(p)
            n += 1
        for p in s.encode():
            out.mux(p)
    return n


def _tree(pid: int) -> list[int]:
    """``pid`` and its descendants (from /proc)."""
    parents: dict[int, list[int]] = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as fh:
                    ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            parents.setdefault(ppid, []).append(int(d))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(parents.get(p, []))
    return out


def _rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6
    except (OSError, IndexError, ValueError):
        return 0.0


def peak_rss(argv: list[str]) -> tuple[int, float, float, float]:
    """Run ``argv``; (exit status, peak of the summed resident memory of it and its children,
    peak of the command alone, wall seconds)."""
    t0 = time.monotonic()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak_sum = peak_main = 0.0
    peaks: dict[int, float] = {}
    while proc.poll() is None:
        sizes = {p: _rss_mb(p) for p in _tree(proc.pid)}
        peak_sum = max(peak_sum, sum(sizes.values()))
        peak_main = max(peak_main, sizes.get(proc.pid, 0.0))
        for p, mb in sizes.items():
            peaks[p] = max(peaks.get(p, 0.0), mb)
        time.sleep(0.05)
    print("peak RSS by process (MB):", ", ".join(f"{mb:.0f}" for mb in peaks.values()))
    err = proc.stderr.read() if proc.stderr else ""
    if proc.returncode:
        print(err, file=sys.stderr)
    return proc.returncode, peak_sum, peak_main, time.monotonic() - t0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--clip", type=Path, default=ROOT / "samples" / "squat_side.mp4")
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--exercise", default="squat")
    ap.add_argument("--size", default="3840x2160", help="the clip's size, WxH (default 4K UHD)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        clip = Path(tmp) / "clip.mp4"
        w, h = (int(x) for x in args.size.lower().split("x"))
        n = make_4k(args.clip, clip, args.seconds, (w, h))
        print(f"clip: {n} frames at {w}x{h} ({clip.stat().st_size / 1e6:.1f} MB)")
        rc, peak_sum, peak_main, wall = peak_rss([sys.executable, "-m", "formcheck.cli", "replay", str(clip),
                                                  "--exercise", args.exercise, "--out", str(Path(tmp) / "out"), "--no-history"])
        print(f"formcheck replay: exit {rc}, peak RSS {peak_sum:.0f} MB across processes "
              f"({peak_main:.0f} MB the command alone), {wall:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
