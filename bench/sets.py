"""Counting accuracy per set of clips: the original real clips (the first floors), the real
clips added since (clips.is_added), the reference renders (synthetic) and the stress renders.

    python bench/sets.py [--jobs 2] [--verbose]

Per set: clips, exact, off by one, worst error, and recall and precision of repetitions
(repetitions counted that were there: sum of min(counted, true) over the true total and over the
counted total), plus the repetitions counted on idle clips (each replayed as every counted
exercise: reps / clip-exercise replays). Errors as tests/test_quality.py reads
them: an added clip's error is against its nearest defensible count (clips.count_error), the
others' against the label. Scored the way bench/accuracy.py analyses (each exercise's own model).
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from accuracy import COUNTED, analyse  # noqa: E402
from clips import Clip, all_clips, count_error, is_added, true_count  # noqa: E402
from extract_tracks import DEFAULT_CACHE  # noqa: E402

SETS = ("original real", "added real", "synthetic", "stress")


def set_of(clip: Clip) -> str:
    if clip.source == "real":
        return "added real" if is_added(clip) else "original real"
    return clip.source


def is_idle(clip: Clip) -> bool:
    """Idle footage: rendered (exercise "idle") or real (family "idle"), replayed as every counted
    exercise."""
    return clip.exercise is None and "idle" in (clip.truth.get("exercise"), clip.truth.get("family"))


def _score(clip: Clip) -> tuple[str, str, int | None, int, int | None]:
    """(set, clip, truth, counted, error); truth None for an idle clip."""
    if is_idle(clip):
        got = sum(analyse(clip, ex, None, DEFAULT_CACHE)["reps"] for ex in COUNTED)
        return set_of(clip), clip.name, None, got, None
    got = analyse(clip, clip.exercise, None, DEFAULT_CACHE)["reps"]
    truth = true_count(clip)
    err = count_error(clip, got) if is_added(clip) else got - truth
    return set_of(clip), clip.name, truth, got, err


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--verbose", "-v", action="store_true")
    args = ap.parse_args()
    clips = [c for c in all_clips() if (c.exercise in COUNTED and c.reps is not None) or is_idle(c)]
    with ProcessPoolExecutor(args.jobs) as pool:
        rows = list(pool.map(_score, clips))
    by_set: dict[str, list] = defaultdict(list)
    for row in rows:
        by_set[row[0]].append(row)
        if args.verbose and (row[4] not in (0, None) or row[2] is None and row[3]):
            print(f"{row[0]:<14} {row[1][:56]:<56} truth {row[2]} counted {row[3]} error {row[4]}")
    print(f"{'set':<14} {'clips':>5} {'exact':>9} {'off1':>9} {'worst':>5} {'recall':>7} {'precision':>9} {'idle reps':>9}")
    for name in SETS:
        counted = [r for r in by_set[name] if r[2] is not None]
        idle = [r for r in by_set[name] if r[2] is None]
        if not counted:
            continue
        n = len(counted)
        exact = sum(1 for r in counted if r[4] == 0)
        off1 = sum(1 for r in counted if abs(r[4]) == 1)
        hit = sum(min(r[2], r[3]) for r in counted)
        truth = sum(r[2] for r in counted)
        got = sum(r[3] for r in counted)
        print(f"{name:<14} {n:>5} {exact:>3} ({exact / n:>3.0%}) {off1:>3} ({off1 / n:>3.0%}) "
              f"{max(abs(r[4]) for r in counted):>5} {hit / truth:>7.0%} {hit / got if got else 1:>9.0%} "
              f"{sum(r[3] for r in idle):>4}/{len(idle) * len(COUNTED)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
