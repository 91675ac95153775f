"""The lag the One Euro smoothing adds to each exercise's counted signal, and what it costs at
the peak.

    python bench/filter_lag.py [--exercise squat] [--cache DIR]

1. Scripted: one repetition shaped like a raised cosine from the start position to 1.3x the
   exercise's `full` and back (in 2 s, and a brisk 1 s), sampled at 15, 30 and 60 frames a
   second. Prints how much later the smoothed signal crosses `enter` and `full` than the raw one
   (the delay of each count and each depth check) and how much of the peak it keeps.
2. Recorded: on every labelled clip of the exercise (cached lite tracks, bench/extract_tracks.py),
   the lag that best lines up the smoothed counted signal with the raw one (the shift from 0 to
   0.5 s, on a 5 ms grid, with the highest correlation over the stretch where both exist).

Every figure comes from the exercise files as they are: change a `smoothing` and run it again.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from clips import all_clips  # noqa: E402
from extract_tracks import DEFAULT_CACHE, cached_track  # noqa: E402

from formcheck.engine.readings import one_euro  # noqa: E402
from formcheck.media.track import load_track  # noqa: E402
from formcheck.spec.exercise import load_exercise  # noqa: E402
from formcheck.tune.analysis import analyse  # noqa: E402

EXERCISES = ("squat", "heel_raise", "toe_heel", "pelvic_lift", "curl_up", "oblique_curl_up", "weight_shift")
FPS = (15, 30, 60)


def crossing(t: np.ndarray, s: np.ndarray, level: float) -> float | None:
    """First time ``s`` reaches ``level`` (linear between frames), None if it never does."""
    above = np.nonzero(s >= level)[0]
    if not len(above):
        return None
    i = above[0]
    if i == 0:
        return float(t[0])
    f = (level - s[i - 1]) / (s[i] - s[i - 1])
    return float(t[i - 1] + f * (t[i] - t[i - 1]))


def repetition(t: np.ndarray, amp: float, lead_s: float = 1.0, rep_s: float = 2.0) -> np.ndarray:
    """One repetition: a raised cosine from 0 (the start position) to ``amp`` and back in
    ``rep_s`` seconds, starting at ``lead_s``."""
    phase = np.clip((t - lead_s) / rep_s, 0.0, 1.0)
    return amp * 0.5 * (1.0 - np.cos(2.0 * math.pi * phase))


def scripted(count, rep_s: float, fps: float) -> tuple[float | None, float | None, float]:
    """(delay at enter, delay at full, share of the peak kept) for one scripted repetition."""
    t = np.arange(0.0, rep_s + 2.0, 1.0 / fps)
    raw = repetition(t, 1.3 * count.full, 1.0, rep_s)  # past full
    f = one_euro(count.smoothing)
    smooth = np.array([f(float(x), float(ti)) for x, ti in zip(raw, t)])
    out = []
    for level in (count.enter, count.full):
        a, b = crossing(t, raw, level), crossing(t, smooth, level)
        out.append(None if a is None or b is None else b - a)
    return out[0], out[1], float(smooth.max() / raw.max())


def recorded_lag(t: np.ndarray, raw: np.ndarray, value: np.ndarray, max_s: float = 0.5) -> float | None:
    """Seconds the smoothed signal trails the raw one, by cross-correlation on a uniform grid."""
    ok = np.isfinite(raw) & np.isfinite(value)
    if ok.sum() < 20:
        return None
    dt = 0.005  # a 5 ms grid (linear between frames): lags finer than a frame
    grid = np.arange(t[ok][0], t[ok][-1], dt)
    r = np.interp(grid, t[ok], raw[ok])
    v = np.interp(grid, t[ok], value[ok])
    r, v = r - r.mean(), v - v.mean()
    if r.std() == 0 or v.std() == 0:
        return None
    shifts = range(0, min(int(max_s / dt), len(r) // 2) + 1)
    # the correlation of raw with value shifted back by k, over their overlap (a plain sum of
    # products would favour small shifts, whose overlap is longer)
    scores = [float(np.corrcoef(r[: len(r) - k], v[k:])[0, 1]) for k in shifts]
    return shifts[int(np.argmax(scores))] * dt


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--exercise", help="only this exercise")
    ap.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    args = ap.parse_args()
    exercises = [args.exercise] if args.exercise else list(EXERCISES)

    print("scripted repetition (raised cosine to 1.3x full): delay of the smoothed signal at enter / full, ms; peak kept")
    print(f"{'exercise':<16} {'view':<8} {'smoothing':<28} {'rep s':>5} " + " ".join(f"{f'{f} fps':>22}" for f in FPS))
    for ex in exercises:
        spec = load_exercise(ex)
        if spec.count is None:
            continue
        views = [None, *sorted(spec.count_views)]
        for view in views:
            count = spec.count_for(view) if view else spec.count
            sm = count.smoothing
            sm_txt = f"{sm.min_cutoff:g} Hz, beta {sm.beta:g}" if sm else "default"
            for rep_s in (2.0, 1.0):
                cells = []
                for fps in FPS:
                    d_enter, d_full, kept = scripted(count, rep_s, fps)
                    fmt = lambda d: "-" if d is None else f"{d * 1000:.0f}"  # noqa: E731
                    cells.append(f"{fmt(d_enter):>5} / {fmt(d_full):>5}  {kept:>5.0%}")
                print(f"{ex:<16} {view or 'main':<8} {sm_txt:<28} {rep_s:>5.1f} " + " ".join(f"{c:>22}" for c in cells))

    print()
    print("recorded: lag of the smoothed counted signal behind the raw one (cross-correlation), ms")
    print(f"{'exercise':<16} {'clip':<52} {'view':<8} {'lag':>5}")
    for ex in exercises:
        spec = load_exercise(ex)
        if spec.count is None:
            continue
        lags = []
        for clip in all_clips():
            if clip.exercise != ex:
                continue
            track = load_track(cached_track(clip.path, "lite", args.cache, clip.name))
            a = analyse(track, spec, source=str(clip.path))
            lag = recorded_lag(a.t_s, a.raw, a.value)
            if lag is not None:
                lags.append(lag)
            print(f"{ex:<16} {clip.name[:52]:<52} {a.report.view or '-':<8} {'-' if lag is None else f'{lag * 1000:.0f}':>5}")
        if lags:
            print(f"{ex:<16} {'median over ' + str(len(lags)) + ' clips':<52} {'':<8} {np.median(lags) * 1000:>5.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
