"""Leave one source out: the thresholds chosen from data, chosen again without each source's clips,
and that source's clips counted with them. The fitted column uses the shipped values.

    python bench/loso.py [--jobs 2]

Engine constants checked against clips (engine/posture.py, engine/reps.py): KNEES_BENT_MIN_DEG (a
lying exercise starts only with the knees bent this much), THIGHS_DOWN_MIN (a standing one only with
the thighs pointing down this much), HIPS_UP_MIN (a curl-up set is left when the trunk is steep with
the hips this high above the feet), RETURN_SHARE (a repetition has ended in the lowest share of
its own range) and ADAPT_SHARE (engine/adapt.py: full placed at this share of the patient's range). Each is chosen from a grid, the others at their shipped values, by the least total
counting error plus false repetitions on idle clips (replayed as every exercise it affects), ties
to the shipped value; each clip is then counted with all the values chosen without its source.
A source is a real clip's repository, or the rendered set (synthetic, stress) as a whole. Per
family: exact, off by one, worst, recall and precision, fitted and left-one-source-out.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from accuracy import analyse  # noqa: E402
from clips import Clip, all_clips, count_error, is_added, true_count  # noqa: E402
from extract_tracks import DEFAULT_CACHE  # noqa: E402
from sets import is_idle  # noqa: E402

from formcheck.engine import adapt, posture, reps  # noqa: E402

PARAMS = {  # name -> (module, grid, the exercises it affects)
    "KNEES_BENT_MIN_DEG": (posture, (15.0, 20.0, 25.0, 30.0, 35.0, 40.0), ("pelvic_lift", "curl_up", "oblique_curl_up")),
    "THIGHS_DOWN_MIN": (posture, (0.3, 0.4, 0.5, 0.6, 0.7), ("squat", "heel_raise", "toe_heel", "weight_shift")),
    "HIPS_UP_MIN": (posture, (0.4, 0.6, 0.8, 1.0, 1.2), ("curl_up", "oblique_curl_up")),
    "RETURN_SHARE": (reps, (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6), ("squat", "heel_raise", "toe_heel", "pelvic_lift", "curl_up",
                                                      "oblique_curl_up", "weight_shift")),
    "ADAPT_SHARE": (adapt, (0.6, 0.7, 0.8, 0.9), ("squat", "heel_raise", "pelvic_lift")),
}


def source_of(clip: Clip) -> str:
    return clip.truth.get("source_repo", "real") if clip.source == "real" else clip.source


def _count(job: tuple[Clip, str, dict[str, float]]) -> int:
    clip, exercise, values = job
    for param, value in values.items():
        setattr(PARAMS[param][0], param, value)
    try:
        return analyse(clip, exercise, None, DEFAULT_CACHE)["reps"]
    finally:
        for param in values:
            setattr(PARAMS[param][0], param, SHIPPED[param])


SHIPPED = {p: getattr(m, p) for p, (m, _, _) in PARAMS.items()}


def _error(clip: Clip, got: int) -> int:
    return count_error(clip, got) if is_added(clip) else got - true_count(clip)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    clips = all_clips()
    shipped = SHIPPED
    rows = []  # (param, clip, exercise or None for idle, value, count)
    jobs = []
    for param, (_, grid, exercises) in PARAMS.items():
        for clip in clips:
            if clip.exercise in exercises and clip.reps is not None:
                jobs += [(clip, clip.exercise, {param: v}) for v in grid]
            elif is_idle(clip):
                jobs += [(clip, ex, {param: v}) for ex in exercises for v in grid]
    with ProcessPoolExecutor(args.jobs) as pool:
        counts = list(pool.map(_count, jobs, chunksize=4))
    for (clip, ex, values), n in zip(jobs, counts):
        (param, v), = values.items()
        rows.append((param, clip, None if is_idle(clip) else ex, v, n))

    def cost(param: str, value: float, keep) -> float:
        return sum(abs(_error(c, n)) if ex else n for p, c, ex, v, n in rows if p == param and v == value and keep(c))

    chosen: dict[tuple[str, str], float] = {}
    for param, (_, grid, _) in PARAMS.items():
        for source in sorted({source_of(c) for _, c, *_ in rows}):
            chosen[(param, source)] = min(grid, key=lambda v: (cost(param, v, lambda c: source_of(c) != source),
                                                              abs(v - shipped[param])))
    counted = [c for c in clips if c.exercise in PARAMS["RETURN_SHARE"][2] and c.reps is not None]
    idle = [(c, ex) for c in clips if is_idle(c) for ex in PARAMS["RETURN_SHARE"][2]]

    def left_out(c: Clip, ex: str) -> dict[str, float]:
        return {p: chosen[(p, source_of(c))] for p, (_, _, exs) in PARAMS.items() if ex in exs}
    final = [(c, c.exercise, left_out(c, c.exercise)) for c in counted] + [(c, ex, left_out(c, ex)) for c, ex in idle]
    with ProcessPoolExecutor(args.jobs) as pool:
        loso_counts = list(pool.map(_count, final, chunksize=4))
        fitted_counts = list(pool.map(_count, [(c, ex, {}) for c, ex, _ in final], chunksize=4))
    fitted, loso = defaultdict(list), defaultdict(list)  # family -> [(truth, got, error)]
    idle_false = {"fitted": 0, "loso": 0}
    for (c, ex, _), n_loso, n_fit in zip(final, loso_counts, fitted_counts):
        if is_idle(c):
            idle_false["fitted"] += n_fit
            idle_false["loso"] += n_loso
            continue
        fitted[ex].append((true_count(c), n_fit, _error(c, n_fit)))
        loso[ex].append((true_count(c), n_loso, _error(c, n_loso)))
    for param, (_, grid, _) in PARAMS.items():  # how much each value costs on all sources together
        print(f"{param}: " + ", ".join(f"{v:g} -> {cost(param, v, lambda c: True):g}" for v in grid))
    moved = {k: v for k, v in chosen.items() if v != shipped[k[0]]}
    print("shipped:", shipped)
    print("left-one-source-out choices that differ from the shipped value:", moved or "none")
    print(f"{'family':<16} {'clips':>5} | {'fitted: exact off1 worst recall precision':<44} | "
          f"{'left one source out: exact off1 worst recall precision'}")

    def line(rs) -> str:
        n = len(rs)
        hit, truth, got = sum(min(t, g) for t, g, _ in rs), sum(t for t, _, _ in rs), sum(g for _, g, _ in rs)
        return (f"{sum(e == 0 for *_, e in rs) / n:6.0%} {sum(abs(e) == 1 for *_, e in rs) / n:5.0%} "
                f"{max(abs(e) for *_, e in rs):5d} {hit / truth if truth else 1:6.0%} {hit / got if got else 1:9.0%}")
    for fam in sorted(fitted):
        print(f"{fam:<16} {len(fitted[fam]):>5} | {line(fitted[fam]):<44} | {line(loso[fam])}")
    print(f"false repetitions on idle clips: fitted {idle_false['fitted']}, left one source out {idle_false['loso']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
