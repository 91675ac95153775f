"""Live memory soak: a long synthetic set through live's set loop, headless, every frame analysed.

The frames are one small grey picture again and again (decoding is not what is measured); the
pose model is replaced by a scripted squatting person (``tests/factories.py``), a new ``Pose``
each frame at the frame's own time, as the model gives. Everything after the model is live's
own: the session, the analyzer, the report and the landmark track, the overlay drawn on the
720-line canvas, the headless window, the stats, the outputs at the end. The process's resident
memory is read every ``every`` frames.

    PYTHONPATH=src .venv/bin/python bench/live_soak.py [--frames 108000] [--out DIR]

An hour at 30 frames/s is 108,000 frames. ``tests/live/test_soak.py`` runs a shorter one.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from formcheck.core.pose import Pose  # noqa: E402
from formcheck.live import HeadlessDisplay, LiveFrame, LiveOptions, SetPlan, run_set  # noqa: E402
from formcheck.spec.exercise import load_exercise  # noqa: E402

FPS = 30.0


def rss_mb() -> tuple[float, float]:
    """This process's resident memory now, in MB (Linux: /proc): all of it, and its anonymous
    part (the heap: what grows with what the program keeps; the rest is mapped files, such as
    the libraries' code, which a busy machine evicts and reloads, so the total jumps about)."""
    fields = {}
    with open("/proc/self/status") as fh:
        for line in fh:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "RssAnon"):
                fields[key] = int(value.split()[0]) / 1000.0
    return fields["VmRSS"], fields["RssAnon"]


class SyntheticSource:
    """``n`` frames of one grey picture at ``FPS``, each handed over when asked (a file played
    with ``--every-frame``: nothing is dropped)."""

    name = "soak"
    live = False
    paced = False
    error: str | None = None

    def __init__(self, n: int, size: tuple[int, int] = (1280, 720)) -> None:
        self.n, self.size, self.fps = n, size, FPS
        self.delivered = 0
        self._image = np.full((size[1], size[0], 3), 90, np.uint8)

    def start(self) -> None:
        pass

    def get(self, timeout: float | None = None) -> LiveFrame | None:
        if self.delivered >= self.n:
            return None
        i = self.delivered
        self.delivered += 1
        return LiveFrame(self._image, 1000.0 * i / FPS, time.monotonic(), i)

    @property
    def finished(self) -> bool:
        return self.delivered >= self.n

    @property
    def dropped(self) -> int:
        return 0

    def stop(self) -> None:
        pass


class ScriptedDetector:
    """A person squatting over and over (a scripted cycle of poses), given at the asked time."""

    model_name = "scripted"

    def __init__(self) -> None:
        from factories import script, squat_keys

        keys, _ = squat_keys(3, lead_s=2.0)
        self._cycle = itertools.cycle([p for _, p in script(keys, FPS, noise_px=0.5)])

    def detect(self, rgb: np.ndarray, t_ms: float) -> Pose | None:
        p = next(self._cycle)
        if p is None:
            return None
        return Pose(xy=p.xy.copy(), visibility=p.visibility.copy(), world=p.world.copy(), t_ms=t_ms,
                    image_size=p.image_size)

    def close(self) -> None:
        pass


@dataclass
class Soak:
    """Resident memory (MB: all, anonymous) by frames done, and the set's report and wall time."""

    rss: list[tuple[int, tuple[float, float]]] = field(default_factory=list)
    wall_s: float = 0.0
    report: object = None

    def growth(self, after: int) -> float:
        """Anonymous resident memory at the end minus at the first reading at or after frame ``after``."""
        start = next(mb[1] for i, mb in self.rss if i >= after)
        return self.rss[-1][1][1] - start


def soak(frames: int, out: Path, every: int = 1000) -> Soak:
    """Run one live set of ``frames`` synthetic frames into ``out``; resident memory read every
    ``every`` frames (as each is shown) and once more after the outputs are written."""
    result = Soak()
    shown = itertools.count(1)

    def on_frame(image: np.ndarray) -> None:
        i = next(shown)
        if i % every == 0:
            result.rss.append((i, rss_mb()))

    out.mkdir(parents=True, exist_ok=True)
    t0 = time.monotonic()
    outcome = run_set(SetPlan(load_exercise("squat"), out), SyntheticSource(frames),
                      HeadlessDisplay(on_frame=on_frame),
                      LiveOptions(model="lite", lang="en", end_at_target=False), ScriptedDetector)
    result.wall_s = time.monotonic() - t0
    result.rss.append((frames, rss_mb()))
    result.report = outcome.report
    return result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--frames", type=int, default=108_000, help="frames (30 a second; 108000: an hour)")
    ap.add_argument("--every", type=int, default=3000, help="read memory every this many frames")
    ap.add_argument("--out", type=Path, help="output folder (default: a temporary one)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = args.out or Path(tmp) / "soak"
        s = soak(args.frames, out, args.every)
        for i, (mb, anon) in s.rss:
            print(f"{i:>7} frames ({i / FPS / 60:5.1f} min)  RSS {mb:7.1f} MB, anonymous {anon:7.1f} MB")
        (w, warm), (e, end) = s.rss[0][1], s.rss[-1][1]
        print(f"{args.frames} frames in {s.wall_s:.0f} s; at frame {s.rss[0][0]} RSS {w:.1f} MB (anonymous "
              f"{warm:.1f} MB) -> at the end {e:.1f} MB (anonymous {end:.1f} MB, {end - warm:+.1f} MB); "
              f"{s.report.reps} reps counted, track {(out / 'track.npz').stat().st_size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
