"""Generated training histories for the report's tests (and its screenshots in docs/report/):
sets written through the history's own API (``history.record_report``), as replay and live
write them, over one day, one week or three months."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from formcheck.records import history as H
from formcheck.sets.set_report import SetReport

HOSTILE_NOTE = "<script>alert('x')</script> & \"smerter\" i <b>ryggen</b>"
SQUAT_RULES = [
    {"id": "back_rounded", "kind": "max", "signal": "trunk_lean", "limit": 55.0, "severity": 4},
    {"id": "head_down", "kind": "max", "signal": "chin_tuck", "limit": 25.0, "severity": 3},
    {"id": "too_fast", "kind": "min_duration", "phase": "descent", "limit": 0.5, "severity": 2},
]


def squat(reps: int, target: int, *, rng: random.Random, **kw) -> dict:
    detail = []
    for i in range(reps):
        lean = rng.uniform(30, 60)
        chin = rng.uniform(10, 35)
        descent = rng.uniform(0.4, 1.0)
        faults = [f for f, bad in (("back_rounded", lean > 55), ("head_down", chin > 25), ("too_fast", descent < 0.5)) if bad]
        t = 2.0 + 3 * i
        detail.append({"index": i + 1, "start_s": t, "end_s": t + 2, "bottom_s": t + 1, "side": "L",
                       "metrics": {"peak": round(rng.uniform(70, 100), 1), "descent_s": round(descent, 2),
                                   "trunk_lean": round(lean, 1), "chin_tuck": round(chin, 1)},
                       "faults": faults})
    counts: dict[str, int] = {}
    for r in detail:
        for f in r["faults"]:
            counts[f] = counts.get(f, 0) + 1
    rep = {"exercise": "squat", "exercise_name": {"da": "Knæbøjning", "en": "Squat"}, "kind": "reps", "mode": "live",
           "reps": reps, "target": target, "reps_detail": detail, "partials": [], "holds": [], "faults": [],
           "fault_counts": counts, "pain_stop": None, "frames": 900, "frames_with_pose": 900, "duration_s": 30.0,
           "started_s": 1.0, "view": "side", "views_asked": ["side", "front", "oblique"], "model": "lite",
           "config": {"id": "squat", "rules": SQUAT_RULES},
           "metrics_legend": {"peak": "knee bend at the bottom (deg)", "descent_s": "seconds down",
                              "trunk_lean": "trunk lean (deg)", "chin_tuck": "chin toward chest (deg)"},
           "program": {"name": "home_program"}, "ended_by": "target" if reps >= target else "quit"}
    rep.update(kw)
    return rep


def bracing(reached: int, target: int = 5, *, short: int = 0, **kw) -> dict:
    holds = [{"side": None, "held_s": 10.0, "target_s": 10.0, "start_s": 15.0 * i, "end_s": 15.0 * i + 10, "faults": []}
             for i in range(reached)]
    holds += [{"side": None, "held_s": 6.0, "target_s": 10.0, "start_s": 15.0 * (reached + i),
               "end_s": 15.0 * (reached + i) + 6, "faults": ["not_still"]} for i in range(short)]
    rep = {"exercise": "core_bracing", "exercise_name": {"da": "Rygstabilisering", "en": "Core bracing"},
           "kind": "hold", "mode": "live", "reps": 0, "target": target, "partials": [], "holds": holds,
           "faults": [], "fault_counts": {"not_still": short} if short else {}, "pain_stop": None, "frames": 900,
           "frames_with_pose": 900, "duration_s": 60.0, "started_s": 1.0, "view": "side", "views_asked": ["side"],
           "config": {"id": "core_bracing", "hold": {"target_s": 10.0}}, "program": {"name": "home_program"},
           "ended_by": "target" if reached >= target else "quit"}
    rep.update(kw)
    return rep


def calf(left: float, right: float, **kw) -> dict:
    rep = {"exercise": "calf_stretch", "exercise_name": {"da": "Stræk læggen", "en": "Calf stretch"},
           "kind": "hold", "mode": "live", "reps": 0, "target": 2, "partials": [], "faults": [], "fault_counts": {},
           "holds": [{"side": "L", "held_s": left, "target_s": 30.0, "start_s": 2, "end_s": 2 + left, "faults": []},
                     {"side": "R", "held_s": right, "target_s": 30.0, "start_s": 40, "end_s": 40 + right, "faults": []}],
           "pain_stop": None, "frames": 900, "frames_with_pose": 900, "duration_s": 80.0, "started_s": 1.0,
           "view": "side", "views_asked": ["side"], "config": {"id": "calf_stretch", "hold": {"target_s": 30.0}},
           "program": {"name": "home_program"}, "ended_by": "target"}
    rep.update(kw)
    return rep


def record(report: dict, data_dir: Path, when: datetime, out_dir: Path | None = None) -> int:
    at = when.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    return H.record_report(SetReport.from_json(report), data_dir, time=at, out_dir=out_dir)


def local(d: date, hour: int, minute: int = 0) -> datetime:
    return datetime(d.year, d.month, d.day, hour, minute).astimezone()


def make_history(data_dir: Path, days: int, last: date = date(2026, 12, 7), seed: int = 1) -> dict:
    """``days`` days of training ending on ``last``: squats, core bracing and calf stretches most
    days, rising targets, a rest day now and then, one pain stop (with a hostile note), one set
    that counted nothing and one quit before its target. Returns what it put in."""
    rng = random.Random(seed)
    first = last - timedelta(days=days - 1)
    made = {"days": set(), "pain_day": None, "empty_day": None, "abandoned_day": None, "ids": []}
    for i in range(days):
        d = first + timedelta(days=i)
        if days > 1 and i not in (0, days - 1) and rng.random() < 0.2:
            continue  # a rest day
        made["days"].add(d)
        target = min(15, 8 + i // 7)
        reps = target if rng.random() < 0.7 else rng.randint(target // 2, target - 1)
        made["ids"].append(record(squat(reps, target, rng=rng), data_dir, local(d, 9)))
        if i == days // 2:  # the pain stop, with a note nobody should trust as markup
            made["ids"].append(record(bracing(1, short=1, pain_stop={"t_s": 30.0, "note": HOSTILE_NOTE},
                                              ended_by="pain"), data_dir, local(d, 9, 20)))
            made["pain_day"] = d
        else:
            made["ids"].append(record(bracing(rng.choice([5, 5, 4, 3]), short=rng.choice([0, 1])), data_dir,
                                      local(d, 9, 20)))
        made["ids"].append(record(calf(rng.choice([30.0, 30.0, 22.0]), 30.0), data_dir, local(d, 18)))
        if i == days - 1:
            made["ids"].append(record(squat(0, target, rng=rng, started_s=None, ended_by="quit"), data_dir,
                                      local(d, 18, 30)))
            made["empty_day"] = d
            made["ids"].append(record(squat(3, target, rng=rng, ended_by="quit"), data_dir, local(d, 18, 40)))
            made["abandoned_day"] = d
    return made
