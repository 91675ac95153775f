#!/usr/bin/env python3
"""Run the synth tool's render_exercise.py with squats that drop to the bottom, a fault the tool
does not have (its ``--tempo`` scales every phase, the way back up too, which is not a drop):
the descent lasts the given seconds whatever the tempo, the rest of each squat is the tool's.

usage (in ../shared/tools/synth, with the synth venv; make_samples.py does this):
    $PY /path/to/samples/synth_drop.py 0.3 --exercise squat ... --out clip.mp4

The ground truth JSON is the tool's: its per-rep phases give the true descent times; it still
says good form (the fault is named by the clip, not by the JSON).
"""
import dataclasses
import math
import os
import sys

sys.path.insert(0, os.getcwd())  # run from the synth folder

import motions  # noqa: E402

try:
    DROP_S = float(sys.argv.pop(1))
except (IndexError, ValueError):
    DROP_S = math.nan
if not 0 < DROP_S < 10:  # also refuses nan and inf
    raise SystemExit("first argument: the descent's duration in seconds, e.g. 0.3")
if "--exercise" not in sys.argv or sys.argv[sys.argv.index("--exercise") + 1:][:1] != ["squat"]:
    raise SystemExit("synth_drop.py changes squats only: give --exercise squat")
_plan = motions.Squat.plan


def _dropping(self, k, side):
    steps = _plan(self, k, side)
    return [dataclasses.replace(st, dur=DROP_S, scalable=False) if st.phase == "descent" else st
            for st in steps]


motions.Squat.plan = _dropping

import render_exercise  # noqa: E402

render_exercise.main()
