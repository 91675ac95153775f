"""Counting and fault accuracy on every labelled clip, formcheck against an AIGym-style
baseline on the same poses (cached tracks from bench/extract_tracks.py).

    python bench/accuracy.py [--exercise squat] [--verbose]

Prints per clip truth vs count and faults found, and per exercise the exact-count rate,
off-by-one rate and mean absolute error, for both counters.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from baseline import aigym_count  # noqa: E402
from clips import Clip, all_clips  # noqa: E402
from extract_tracks import DEFAULT_CACHE, extract, track_path  # noqa: E402

from formcheck.engine import Analyzer  # noqa: E402
from formcheck.pipeline import run_track  # noqa: E402
from formcheck.report import ReportBuilder  # noqa: E402
from formcheck.spec import load_exercise  # noqa: E402
from formcheck.track import load_track  # noqa: E402

# rendered fault names -> the fault ids formcheck reports for them
SYNTH_FAULTS = {
    "shallow": {"squat": "too_shallow", "pelvic_lift": "hips_too_low"},
    "rounded_back": "back_rounded", "knees_caving": "knees_caving", "heels_lifting": "heels_lifting",
    "incomplete_rise": "incomplete_rise", "hip_sway": "hip_sway", "over_arched": "over_arching",
    "fast_lowering": "lowering_too_fast", "fast_return": "too_fast", "no_chin_tuck": "chin_not_tucked",
    "fidgeting": "not_still", "back_heel_lifted": "back_heel_lifted", "back_knee_bent": "back_knee_bent",
}
COUNTED = ("squat", "heel_raise", "toe_heel", "pelvic_lift", "curl_up", "oblique_curl_up", "weight_shift")
IDLE_AS = "squat"  # idle clips are replayed as squats (a standing exercise): truth is 0


def expected_fault(clip: Clip, fault: str) -> str:
    f = SYNTH_FAULTS.get(fault, fault)
    return f[clip.exercise] if isinstance(f, dict) else f


def get_track(clip: Clip, model: str, cache: Path):
    p = track_path(cache, model, clip.name)
    if not p.exists():
        p.parent.mkdir(parents=True, exist_ok=True)
        extract(clip.path, model, p)
    return load_track(p)


def analyse(clip: Clip, exercise: str, model: str, cache: Path) -> dict:
    spec = load_exercise(exercise)
    track = get_track(clip, model, cache)
    an = Analyzer(spec)
    b = ReportBuilder(spec, target=spec.target, source=str(clip.path), model=model, mode="bench")
    run_track(track, an, b)
    return b.build(an.pauses) | {"_track": track}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--exercise", help="only clips of this exercise")
    ap.add_argument("--model", default="lite")
    ap.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    ap.add_argument("--verbose", "-v", action="store_true")
    args = ap.parse_args()
    rows = []
    stats: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for clip in all_clips():
        ex = clip.exercise or (IDLE_AS if clip.truth.get("exercise") == "idle" else None)
        if ex is None or ex not in COUNTED and clip.source == "real":
            continue
        if args.exercise and ex != args.exercise:
            continue
        idle = clip.exercise is None
        rep = analyse(clip, ex, args.model, args.cache)
        track = rep.pop("_track")
        truth = clip.reps or 0
        got = rep["reps"]
        base = aigym_count(track, ex) if ex in COUNTED else None
        found = sorted(rep["fault_counts"])
        want = sorted(expected_fault(clip, f) for f in clip.faults) if clip.source == "synthetic" else []
        missed = [f for f in want if f not in found]
        good_reps = [r for r in rep["reps_detail"]]
        flagged = sum(1 for r in good_reps if r["faults"]) if not clip.faults else 0
        key = "idle" if idle else ex
        if ex in COUNTED or idle:
            stats[key]["err"].append(got - truth)
            if base is not None:
                stats[key]["base_err"].append(base - truth)
        if not clip.faults and ex in COUNTED and not idle:
            stats[key]["good_reps"].append(len(good_reps))
            stats[key]["good_flagged"].append(flagged)
        if want:
            stats[key]["faults_want"].append(len(want))
            stats[key]["faults_missed"].append(len(missed))
        holds = ", ".join(f"{h['side'] or '-'}:{h['held_s']:.1f}" for h in rep["holds"])
        rows.append((clip.source, clip.name, ex, truth, got, base, len(rep["partials"]), ",".join(found) or "-",
                     ",".join(missed) or "-", holds))
        if args.verbose:
            for r in rep["reps_detail"]:
                print(f"    rep {r['index']} {r['start_s']:.2f}-{r['end_s']:.2f} bottom {r['bottom_s']:.2f} {r['metrics']} {r['faults']}")
            for p in rep["partials"]:
                print(f"    partial {p['start_s']:.2f}-{p['end_s']:.2f} {p['reason']} {p['metrics']}")
            for p in rep["pauses"]:
                print(f"    pause {p['start_s']:.2f}-{p['end_s']:.2f}")
    print(f"{'src':<5} {'clip':<52} {'exercise':<16} {'truth':>5} {'ours':>5} {'aigym':>5} {'part':>4}  faults found / missed / holds")
    for src, name, ex, truth, got, base, parts, found, missed, holds in rows:
        mark = "" if got == truth else "  <-- off"
        print(f"{src:<5} {name[:52]:<52} {ex:<16} {truth:>5} {got:>5} {'' if base is None else base:>5} {parts:>4}  {found} / {missed} / {holds}{mark}")
    print()
    print(f"{'exercise':<16} {'clips':>5} {'exact':>6} {'off1':>6} {'MAE':>6} | {'aigym exact':>11} {'off1':>6} {'MAE':>6} | faults caught | good reps flagged")
    for key, s in sorted(stats.items()):
        e = s["err"]
        if not e:
            continue
        n = len(e)
        exact = sum(1 for x in e if x == 0) / n
        off1 = sum(1 for x in e if abs(x) == 1) / n
        mae = sum(abs(x) for x in e) / n
        be = s["base_err"]
        bs = (f"{sum(1 for x in be if x == 0) / len(be):>11.0%} {sum(1 for x in be if abs(x) == 1) / len(be):>6.0%} "
              f"{sum(abs(x) for x in be) / len(be):>6.2f}") if be else f"{'-':>11} {'-':>6} {'-':>6}"
        fw, fm = sum(s["faults_want"]), sum(s["faults_missed"])
        gr, gf = sum(s["good_reps"]), sum(s["good_flagged"])
        print(f"{key:<16} {n:>5} {exact:>6.0%} {off1:>6.0%} {mae:>6.2f} | {bs} | {fw - fm}/{fw:<11} | {gf}/{gr}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
