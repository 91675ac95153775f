#!/usr/bin/env python3
"""Run the synth tool's render_exercise.py with the head out of line in squats, a fault the
tool does not have: ``down`` flexes the neck to look at the floor (the face turned 53° toward
the chest against the upper back at full depth), ``up`` tips the head back to look up, and
``level`` keeps the gaze level (as when watching a screen) however far the trunk leans.

usage (in ../shared/tools/synth, with the synth venv; make_samples.py does this):
    $PY /path/to/samples/synth_head.py down --exercise squat ... --out clip.mp4

Only the neck and head angles of the tool's good squat change (its torso_profile's last two
arguments, scaled with depth as the tool scales the trunk); the ground truth JSON is the tool's
and still says good form: the fault is named by the clip, not by the JSON.
"""
import os
import sys

sys.path.insert(0, os.getcwd())  # run from the synth folder

import motions  # noqa: E402

MODE = sys.argv.pop(1)
if MODE not in ("down", "up", "level"):
    raise SystemExit("first argument: down, up or level")
_profile = motions.torso_profile


def _head_out_of_line(pelvis, lumbar, thoracic, neck, head):
    depth = thoracic / 32.0  # the good squat's upper-back angle is 32° times the depth
    if MODE == "down":
        neck, head = 60 * depth + 5, 75 * depth + 10
    elif MODE == "level":
        neck, head = 10 * depth, 0.0
    else:
        neck, head = 0.0, -30 * depth - 10
    return _profile(pelvis, lumbar, thoracic, neck, head)


motions.torso_profile = _head_out_of_line

import render_exercise  # noqa: E402

render_exercise.main()
