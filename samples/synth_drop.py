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
import os
import sys

sys.path.insert(0, os.getcwd())  # run from the synth folder

import motions  # noqa: E402

try:
    DROP_S = float(sys.argv.pop(1))
except (IndexError, ValueError):
    raise SystemExit("first argument: the descent's duration in seconds, e.g. 0.3")
_plan = motions.Squat.plan


def _dropping(self, k, side):
    steps = _plan(self, k, side)
    return [dataclasses.replace(st, dur=DROP_S, scalable=False) if st.phase == "descent" else st
            for st in steps]


motions.Squat.plan = _dropping

import render_exercise  # noqa: E402

render_exercise.main()
