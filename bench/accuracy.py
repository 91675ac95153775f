"""Counting and fault accuracy on every labelled clip, formcheck against an AIGym-style
baseline on the same poses (cached tracks from bench/extract_tracks.py).

    python bench/accuracy.py [--exercise squat] [--verbose]

Prints per clip truth vs count and faults found (the rendered clips' faults, and the few real
labels that name a fault with an id: REAL_FAULTS), and per exercise the exact-count rate,
off-by-one rate, mean absolute error and worst error, for both counters, and again leaving out
the real labels that disagree with their clip (DISPUTED, each with the frame times that show it). Then a holds table: per hold clip
and side the true seconds held against the seconds the hold timer ran, and per exercise the
mean absolute error in seconds; 'within' is the holds target (hold_within: 20% or 2 s, a
fault that pauses the timer scored on the 'no pause' seconds and only if it was reported).
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from baseline import aigym_count
from clips import DISPUTED, DISPUTED_HOLDS, Clip, all_clips, expected_fault, true_count
from extract_tracks import DEFAULT_CACHE, cached_track

from formcheck.engine.analyzer import Analyzer
from formcheck.media.estimator import choose_model
from formcheck.media.track import load_track
from formcheck.sets.pipeline import run_track
from formcheck.sets.report import ReportBuilder
from formcheck.spec.exercise import load_exercise

# Real clips whose label names a fault formcheck has an id for (labels.json's form_faults are
# free text; the others name none: "knees travel far forward past toes", "heavy forward trunk
# lean" without a rounded back). Checked in the same way as the rendered fault clips.
REAL_FAULTS = {
    "squat_bodyweight_front_woman_BAD_kneesin_1rep": ("knees_caving",),  # "knees cave inward (valgus)"
}
# Missed, and doubtful: on full-size frames at 0.80, 0.93 and 1.05 s (the bottom and the start of
# the way up) the knees sit about over the feet, inside them by a few pixels at most; the pose
# reads knee distance / ankle distance rising from 0.67 standing to 1.10-1.28 at the bottom (knees
# apart, as in a good squat). Our rule compares with standing, so it cannot see a valgus this mild.
# Not listed: squat_bodyweight_side_handheld_6reps, labelled "fast reps" (medium confidence). Its
# squats (1.2-2.5, 3.0-4.3, 4.8-6.1, 6.6-7.7, 8.1-9.4 s) go down from 25 degrees of knee bend to the
# bottom in 0.29-0.75 s, no faster than squat_bodyweight_oblique_woman_8reps (0.29-0.38 s),
# labelled with no fault: the two labels disagree on pace, and neither squat is a drop.
COUNTED = ("squat", "heel_raise", "toe_heel", "pelvic_lift", "curl_up", "oblique_curl_up", "weight_shift")
IDLE_AS = "squat"  # idle clips are replayed as squats (a standing exercise): truth is 0
# Real clips with a hold but no hold time in labels.json: seconds per side read off the video by
# eye (frame sheets at 0.2-0.5 s), for the holds table. The calf clip rocks in and out of the
# stretch: in the split stance 0.0-13.0 s with the left leg back, of which the back knee is
# straight and the body still about 0.0-3.8, 6.0-7.2 and 9.4-10.7 s; in between it rocks
# forward onto a bent back knee (a soleus stretch). The timer should count the straight part.
REAL_HOLDS = {
    "calfstretch_ankle_portrait_man_14s": {"hold_s": {"L": 6.3}, "note": "by eye, +-0.5 s; 13.0 s in the stance"},
}


def get_track(clip: Clip, model: str, cache: Path):
    return load_track(cached_track(clip.path, model, cache, clip.name))


# The holds target (issue 17): timed within 20% of the true hold, or within 2 s of it, whichever
# is looser (a 5 s hold may be 2 s off: the start of a stretch is not sharp to the eye either).
HOLD_TOLERANCE_SHARE = 0.2
HOLD_TOLERANCE_S = 2.0


def hold_truth(clip: Clip) -> dict[str, float] | None:
    """True seconds held per side ('L', 'R' or 'both'), or None for clips without a hold. A real
    label's hold_s is a list of [start, end] seconds (its side unnamed: 'both')."""
    if clip.source == "real":
        spans = clip.truth.get("hold_s")
        if isinstance(spans, list) and spans:
            return {"both": round(sum(b - a for a, b in spans), 2)}
        return (REAL_HOLDS.get(clip.name) or {}).get("hold_s")
    return clip.truth.get("hold_s")


def hold_within(truth_s: float, got_s: float) -> bool:
    """``got_s`` seconds timed are within the holds target of ``truth_s``."""
    return abs(got_s - truth_s) <= max(HOLD_TOLERANCE_SHARE * truth_s, HOLD_TOLERANCE_S) + 1e-6


def hold_scores(clip: Clip, exercise: str, model: str | None, cache: Path) -> list[tuple[str, float, float, bool]]:
    """Per side of a hold clip: (side, true seconds, seconds timed, within tolerance). A rendered
    fault that pauses the timer (Rule.pauses_hold: the time does not count toward the target, by
    design) is scored on what the timer ran with form faults not pausing it; such a clip must
    also have its fault reported, or no side of it is within."""
    truth = hold_truth(clip)
    if truth is None:
        return []
    spec = load_exercise(exercise)
    pausing = {r.id for r in spec.rules if r.pauses_hold}
    want = {expected_fault(clip, f) for f in clip.faults} if clip.source != "real" else set()
    rep = analyse(clip, exercise, model, cache)
    rep.pop("_track")
    caught = want <= set(rep["fault_counts"])
    if want & pausing:
        rep = analyse(clip, exercise, model, cache, ignore_pauses=True)
        rep.pop("_track")
    got = held_by_side(rep["holds"], truth)
    return [(side, truth.get(side, 0.0), got.get(side, 0.0), caught and hold_within(truth.get(side, 0.0), got.get(side, 0.0)))
            for side in sorted(set(truth) | set(got))]


def held_by_side(holds: list[dict], truth: dict[str, float]) -> dict[str, float]:
    """The hold timer's seconds summed per side, keyed like the truth."""
    if set(truth) == {"both"}:
        return {"both": sum(h["held_s"] for h in holds)}
    return {s: sum(h["held_s"] for h in holds if h["side"] == s) for s in sorted(set(truth) | {h["side"] for h in holds if h["side"]})}


def analyse(clip: Clip, exercise: str, model: str | None, cache: Path, ignore_pauses: bool = False) -> dict:
    """One clip's report; ``model`` None: the exercise's own pose model (as replay and live)."""
    spec = load_exercise(exercise)
    model = choose_model(model, spec.model)
    spec = spec.for_model(model)
    if ignore_pauses:  # what the timer would show if form faults did not pause it
        spec = spec.model_copy(update={"rules": tuple(r.model_copy(update={"pauses_hold": False}) for r in spec.rules)})
    track = get_track(clip, model, cache)
    an = Analyzer(spec)
    b = ReportBuilder(spec, target=spec.target, source=str(clip.path), model=model, mode="bench")
    run_track(track, an, b)
    return b.finish(an.pauses).to_json() | {"_track": track}  # report.json's dict


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--exercise", help="only clips of this exercise")
    ap.add_argument("--model", help="pose model for every clip (default: each exercise's, else lite)")
    ap.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    ap.add_argument("--source", help="only clips of this source (real, synthetic, stress)")
    ap.add_argument("--verbose", "-v", action="store_true")
    args = ap.parse_args()
    rows = []
    hold_rows = []
    hold_asked: set[str] = set()  # hold clips filmed from a view their exercise asks for
    stats: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for clip in all_clips():
        ex = clip.exercise or (IDLE_AS if clip.truth.get("exercise") == "idle" else None)
        if ex is None or ex not in COUNTED and clip.source == "real" and hold_truth(clip) is None:
            continue
        if args.exercise and ex != args.exercise or args.source and clip.source != args.source:
            continue
        idle = clip.exercise is None
        rep = analyse(clip, ex, args.model, args.cache)
        track = rep.pop("_track")
        truth = true_count(clip) if clip.reps is not None or clip.source != "real" else None
        got = rep["reps"]
        base = aigym_count(track, ex) if ex in COUNTED else None
        found = sorted(rep["fault_counts"])
        want = (sorted(expected_fault(clip, f) for f in clip.faults) if clip.source != "real"
                else sorted(REAL_FAULTS.get(clip.name, ())))
        missed = [f for f in want if f not in found]
        good_reps = [r for r in rep["reps_detail"]]
        flagged = sum(1 for r in good_reps if r["faults"]) if not clip.faults else 0
        # tempo rules (too_fast, lowering_too_fast) are also shown apart: the labels judge
        # technique more than pace
        tempo = {r.id for r in load_exercise(ex).rules if r.kind in ("min_duration", "max_duration")}
        flagged_tech = sum(1 for r in good_reps if set(r["faults"]) - tempo) if not clip.faults else 0
        key = "idle" if idle else ex
        if (ex in COUNTED or idle) and truth is not None:  # None: a real clip nobody counted
            stats[key]["err"].append(got - truth)
            if clip.name not in DISPUTED:
                stats[key]["err_undisputed"].append(got - truth)
            if base is not None:
                stats[key]["base_err"].append(base - truth)
        if not clip.faults and ex in COUNTED and not idle:
            stats[key]["good_reps"].append(len(good_reps))
            stats[key]["good_flagged"].append(flagged)
            stats[key]["good_flagged_tech"].append(flagged_tech)
        if want:
            stats[key]["faults_want"].append(len(want))
            stats[key]["faults_missed"].append(len(missed))
        holds = ", ".join(f"{h['side'] or '-'}:{h['held_s']:.1f}" for h in rep["holds"])
        htruth = hold_truth(clip)
        if htruth is not None:
            spec = load_exercise(ex)
            loose = None
            if any(r.pauses_hold for r in spec.rules):
                loose = held_by_side(analyse(clip, ex, args.model, args.cache, ignore_pauses=True)["holds"], htruth)
            got_s = held_by_side(rep["holds"], htruth)
            view = str(clip.truth.get("view", ""))
            asked = any(v in view for v in spec.views)  # filmed from a view the exercise asks for
            within = {side: ok for side, _, _, ok in hold_scores(clip, ex, args.model, args.cache)}
            if asked:
                hold_asked.add(clip.name)
            for side in sorted(set(htruth) | set(got_s)):
                t_s, g_s = htruth.get(side, 0.0), got_s.get(side, 0.0)
                hold_rows.append((clip.source, clip.name, ex, side, t_s, g_s, None if loose is None else loose.get(side, 0.0),
                                  within.get(side, False), ",".join(found) or "-", ",".join(missed) or "-"))
                stats[ex]["hold_err"].append(abs(g_s - t_s))
                if asked:
                    stats[ex]["hold_err_asked"].append(abs(g_s - t_s))
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
        mark = "" if got == truth or truth is None else "  <-- off" + (" (label disputed)" if name in DISPUTED else "")
        print(f"{src:<5} {name[:52]:<52} {ex:<16} {'?' if truth is None else truth:>5} {got:>5} {'' if base is None else base:>5} {parts:>4}  {found} / {missed} / {holds}{mark}")
    print()
    print(f"{'exercise':<16} {'clips':>5} {'exact':>6} {'off1':>6} {'MAE':>6} {'worst':>5} | {'aigym exact':>11} {'off1':>6} {'MAE':>6} | faults caught | good reps flagged (not for tempo alone)")
    for key, s in sorted(stats.items()):
        e = s["err"]
        if not e or key not in COUNTED and key != "idle":
            continue
        n = len(e)
        exact = sum(1 for x in e if x == 0) / n
        off1 = sum(1 for x in e if abs(x) == 1) / n
        mae = sum(abs(x) for x in e) / n
        be = s["base_err"]
        bs = (f"{sum(1 for x in be if x == 0) / len(be):>11.0%} {sum(1 for x in be if abs(x) == 1) / len(be):>6.0%} "
              f"{sum(abs(x) for x in be) / len(be):>6.2f}") if be else f"{'-':>11} {'-':>6} {'-':>6}"
        fw, fm = sum(s["faults_want"]), sum(s["faults_missed"])
        gr, gf, gt = sum(s["good_reps"]), sum(s["good_flagged"]), sum(s["good_flagged_tech"])
        print(f"{key:<16} {n:>5} {exact:>6.0%} {off1:>6.0%} {mae:>6.2f} {max(abs(x) for x in e):>5} | {bs} | {fw - fm}/{fw:<11} | {gf}/{gr} ({gt}/{gr})")
    disputed = [(k, s["err_undisputed"]) for k, s in sorted(stats.items()) if len(s["err_undisputed"]) < len(s["err"])]
    if disputed:
        print()
        print("the same, leaving out the real labels that disagree with their clip (DISPUTED, with frame times):")
        for key, e in disputed:
            n = len(e)
            if not n:
                continue
            print(f"{key:<16} {n:>5} {sum(1 for x in e if x == 0) / n:>6.0%} {sum(1 for x in e if abs(x) == 1) / n:>6.0%} "
                  f"{sum(abs(x) for x in e) / n:>6.2f} {max(abs(x) for x in e):>5}")
        for name, why in DISPUTED.items():
            print(f"  {name}: {why}")
    if hold_rows:
        print()
        print("holds: seconds the hold timer ran per side against the truth; 'no pause' = the same with form")
        print("faults not pausing the timer (exercises whose rules have pauses_hold)")
        print(f"{'src':<5} {'clip':<46} {'exercise':<21} {'side':<4} {'truth':>6} {'ours':>6} {'no pause':>8} {'within':>6}  faults found / missed")
        for src, name, ex, side, t_s, g_s, loose, ok, found, missed in hold_rows:
            lo = "" if loose is None else f"{loose:.1f}"
            print(f"{src:<5} {name[:46]:<46} {ex:<21} {side:<4} {t_s:>6.1f} {g_s:>6.1f} {lo:>8} {'yes' if ok else 'NO':>6}  {found} / {missed}")
        clips_ok: dict[str, bool] = {}
        for row in hold_rows:
            clips_ok[row[1]] = clips_ok.get(row[1], True) and row[7]
        asked_ok = {n: ok for n, ok in clips_ok.items() if n in hold_asked}
        print(f"holds within tolerance {sum(clips_ok.values())}/{len(clips_ok)} clips; filmed from a view the "
              f"exercise asks for: {sum(asked_ok.values())}/{len(asked_ok)}")
        if any(n in DISPUTED_HOLDS for n in clips_ok):
            read_ok = dict(clips_ok)
            for name in read_ok.keys() & DISPUTED_HOLDS.keys():
                truth = DISPUTED_HOLDS[name][0]
                got = {r[3]: r[5] for r in hold_rows if r[1] == name}
                read_ok[name] = all(hold_within(truth.get(s, 0.0), got.get(s, 0.0)) for s in set(truth) | set(got))
            print(f"the same against the hold read off the frames where a label disagrees (DISPUTED_HOLDS): "
                  f"{sum(read_ok.values())}/{len(read_ok)} clips")
            for name in sorted(read_ok.keys() & DISPUTED_HOLDS.keys()):
                print(f"  {name}: {DISPUTED_HOLDS[name][1]}")
        print()
        print(f"{'exercise':<21} {'sides':>5} {'MAE s':>6} | {'asked view':>10} {'MAE s':>6} | faults caught")
        for key, s in sorted(stats.items()):
            if s["hold_err"]:
                fw, fm = sum(s["faults_want"]), sum(s["faults_missed"])
                e, a = s["hold_err"], s["hold_err_asked"]
                am = f"{sum(a) / len(a):>6.2f}" if a else f"{'-':>6}"
                print(f"{key:<21} {len(e):>5} {sum(e) / len(e):>6.2f} | {len(a):>10} {am} | {fw - fm}/{fw}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
