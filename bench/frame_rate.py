"""What frame rate each exercise needs: the labelled clips' counts with frames dropped.

    python bench/frame_rate.py [--rates 30,15,10,8,5] [--jobs 2] [--verbose]

Live analyses the newest camera frame each time the pose model is free, so a slow machine
analyses fewer frames a second (issue 19: 6-16 frames/s counted 1 of 3 squats). This replays
the cached landmark tracks (bench/extract_tracks.py: the same poses replay saw) keeping only the
frames live would have taken at each rate (the first frame at or after each 1/rate tick), and
scores each counted exercise's clips as bench/sets.py does (an added real clip against its
nearest defensible count). A rate an exercise "needs" is the lowest rate whose exact counts are
as many as at the clip's own rate and whose worst error is no larger; the table goes in the
README and ``formcheck.live.pace`` warns below it.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from accuracy import COUNTED, get_track  # noqa: E402
from clips import Clip, all_clips, count_error, is_added, true_count  # noqa: E402
from extract_tracks import DEFAULT_CACHE  # noqa: E402

from formcheck.engine.analyzer import Analyzer  # noqa: E402
from formcheck.media.estimator import choose_model  # noqa: E402
from formcheck.sets.report import ReportBuilder  # noqa: E402
from formcheck.spec.exercise import load_exercise  # noqa: E402

NATIVE = 0  # "rate" 0: every frame of the clip


def thinned(poses: list, rate: float) -> list:
    """The (t_ms, pose) pairs live would analyse at ``rate`` frames/s: the first at or after
    each tick of 1/rate s (every pair for rate 0)."""
    if not rate:
        return poses
    step, next_t, out = 1000.0 / rate, None, []
    for t, pose in poses:
        if next_t is None or t >= next_t - 0.5:
            out.append((t, pose))
            next_t = (next_t if next_t is not None else t) + step
            while next_t <= t:  # the source's own gaps: no catching up
                next_t += step
    return out


def count(clip: Clip, exercise: str, rates: list[float]) -> list[int]:
    spec = load_exercise(exercise)
    model = choose_model(None, spec.model)
    spec = spec.for_model(model)
    poses = list(get_track(clip, model, DEFAULT_CACHE).poses())
    got = []
    for rate in rates:
        an = Analyzer(spec)
        b = ReportBuilder(spec, target=spec.target, source=str(clip.path), model=model, mode="bench")
        kept = thinned(poses, rate)
        for t, pose in kept:
            b.add(an.update(t, pose))
        b.add(an.finish(kept[-1][0] if kept else 0.0), counted_frame=False)
        got.append(b.finish(an.pauses).reps)
    return got


def _score(args: tuple[Clip, list[float]]) -> tuple[str, str, list[int]]:
    clip, rates = args
    got = count(clip, clip.exercise, rates)
    errs = [count_error(clip, g) if is_added(clip) else g - true_count(clip) for g in got]
    return clip.exercise, clip.name, errs


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rates", default="0,20,15,12,10,8,5", help="frames/s to keep (0: every frame)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--verbose", "-v", action="store_true")
    args = ap.parse_args()
    rates = [float(r) for r in args.rates.split(",")]
    clips = [c for c in all_clips() if c.exercise in COUNTED and c.reps is not None]
    with ProcessPoolExecutor(args.jobs) as pool:
        rows = list(pool.map(_score, [(c, rates) for c in clips]))
    by_ex: dict[str, list] = defaultdict(list)
    for ex, name, errs in rows:
        by_ex[ex].append(errs)
        if args.verbose and len(set(errs)) > 1:
            print(f"{ex:<16} {name[:56]:<56} errors " + " ".join(f"{e:+d}" for e in errs))
    head = " ".join(f"{('own' if not r else f'{r:g}/s'):>14}" for r in rates)
    print(f"exact counts (worst error) per exercise, clips at their own rate and thinned\n{'exercise':<16} {'clips':>5} {head}   needs")
    for ex in COUNTED:
        errs = by_ex.get(ex)
        if not errs:
            continue
        cells, ok = [], []
        for i in range(len(rates)):
            exact = sum(1 for e in errs if e[i] == 0)
            worst = max(abs(e[i]) for e in errs)
            cells.append(f"{exact:>3}/{len(errs)} ({worst})")
            ok.append((exact, -worst))
        # the lowest rate from which every higher rate counts as well as every frame
        good = [r for r, o in zip(rates, ok) if r and o >= ok[0]]
        bad = [r for r, o in zip(rates, ok) if r and o < ok[0]]
        need = min((r for r in good if not any(b > r for b in bad)), default=None)
        print(f"{ex:<16} {len(errs):>5} " + " ".join(f"{c:>14}" for c in cells) + f"   {need if need else '>' + str(max(rates)):>5}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
