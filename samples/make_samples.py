#!/usr/bin/env python3
"""Regenerate the bundled sample clips in samples/ with the synth rendering tool.

Renders each clip (MP4 + full ground-truth JSON) into a scratch folder, copies the MP4 here and
writes a compact <clip>.json beside it: the tool's JSON with the per-frame `joints_px` and
`joints_world` fields removed (everything else, incl. per-frame angles/phase/rep_index/hold,
is kept unchanged).  The full JSON stays in the scratch folder.

usage (from anywhere; needs the synth venv, see ../../shared/tools/synth/README.md):
    ~/.cache/synth-venv/bin/python samples/make_samples.py                 # all clips
    ~/.cache/synth-venv/bin/python samples/make_samples.py squat_side      # only some
    ~/.cache/synth-venv/bin/python samples/make_samples.py --preview       # contact sheets only

Environment: SYNTH_DIR (default ../shared/tools/synth relative to the repo root),
SYNTH_PY (default ~/.cache/synth-venv/bin/python), SCRATCH (default /tmp/formcheck-samples-raw).
Renders 2 clips at a time under `nice -n 10`.
"""
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
SYNTH_DIR = os.environ.get("SYNTH_DIR", os.path.normpath(os.path.join(REPO, "..", "shared", "tools", "synth")))
SYNTH_PY = os.environ.get("SYNTH_PY", os.path.expanduser("~/.cache/synth-venv/bin/python"))
SCRATCH = os.environ.get("SCRATCH", "/tmp/formcheck-samples-raw")
JOBS = 2

# Common to every clip (tool defaults otherwise: 30 fps, jitter 0.08, sway 1.0).
COMMON = "--size 640x480 --fps 30 --quality 7"

# clip name -> render_exercise.py arguments.  Seeds 101-108 and variant/shirt choices differ
# from the reference set in ../shared/data/synthetic (seeds 1-38, all blue shirts).
CLIPS = {
    "squat_side":
        "--exercise squat --reps 4 --view side --variant older_slim --shirt green "
        "--lead-in 1.0 --lead-out 0.8 --seed 101",
    "squat_front_knees_caving":
        "--exercise squat --faults knees_caving --reps 3 --view front --variant male --shirt red "
        "--lead-in 1.0 --lead-out 0.8 --seed 102",
    "pelvic_lift_side":
        "--exercise pelvic_lift --reps 3 --view side --variant male --shirt teal --tempo 0.7 "
        "--lead-in 1.0 --lead-out 0.8 --seed 103",
    "toe_heel_side":
        "--exercise toe_heel --reps 3 --view side --variant female_heavy --shirt purple "
        "--lead-in 1.0 --lead-out 0.8 --seed 104",
    "heel_raise_side":
        "--exercise heel_raise --reps 3 --view side --variant older_slim --shirt orange "
        "--lead-in 1.0 --lead-out 0.8 --seed 105",
    # a fault the tool lacks, rendered through synth_head.py (its first argument before the tool's)
    "squat_side_head_down":
        "@head down --exercise squat --reps 3 --view side --shirt navy "
        "--lead-in 1.0 --lead-out 0.8 --seed 107",
    # dropping into the squat, a fault the tool lacks, rendered through synth_drop.py: 0.35 s from
    # standing to the bottom (the good squat_side takes 1.1-1.4 s), the rest of each squat the
    # tool's own, for the too_fast check on the real pose model
    "squat_side_fast":
        "@drop 0.35 --exercise squat --reps 3 --view side --variant female_heavy --shirt yellow "
        "--lead-in 1.0 --lead-out 0.8 --seed 108",
    "calf_stretch_side":
        "--exercise calf_stretch --sides L --hold 10 --view side --variant male --shirt maroon "
        "--lead-in 0.8 --lead-out 0.5 --seed 106",
}

STRIP = ("joints_px", "joints_world")


def render(name, preview=False):
    os.makedirs(SCRATCH, exist_ok=True)
    args = (CLIPS[name] + " " + COMMON).split()
    if preview:
        args += ["--preview", os.path.join(SCRATCH, name + "_preview.png")]
    else:
        args += ["--out", os.path.join(SCRATCH, name + ".mp4")]
    script = ["render_exercise.py"]
    if args[0].startswith("@"):  # @head MODE or @drop SECONDS: samples/synth_<name>.py, then the tool's own arguments
        script, args = [os.path.join(HERE, f"synth_{args[0][1:]}.py"), args[1]], args[2:]
    cmd = ["nice", "-n", "10", SYNTH_PY] + script + args
    print("+ (cd", SYNTH_DIR, "&&", " ".join(cmd) + ")", flush=True)
    subprocess.run(cmd, cwd=SYNTH_DIR, check=True)
    if not preview:
        post(name)
    return name


def post(name):
    """Copy the MP4 into samples/ and write the compact ground truth beside it."""
    src = os.path.join(SCRATCH, name)
    with open(src + ".mp4", "rb") as fh:
        data = fh.read()
    with open(os.path.join(HERE, name + ".mp4"), "wb") as fh:
        fh.write(data)
    gt = json.load(open(src + ".json"))
    for fr in gt["frames"]:
        for k in STRIP:
            fr.pop(k, None)
    gt["samples_note"] = ("compact copy: per-frame joints_px/joints_world removed by samples/make_samples.py; "
                          "re-render with it to get them")
    gt.pop("timing_s", None)   # wall-clock render time: not reproducible, would churn the diff
    with open(os.path.join(HERE, name + ".json"), "w") as fh:
        json.dump(gt, fh, separators=(",", ":"))
    print(f"{name}: {len(data) / 1e6:.2f} MB mp4, {os.path.getsize(os.path.join(HERE, name + '.json')) / 1e3:.0f} KB json,"
          f" {gt['duration_s']} s, reps={gt['reps']}" + (f", hold_s={gt['hold_s']}" if "hold_s" in gt else ""),
          flush=True)


def main(argv):
    preview = "--preview" in argv
    names = [a for a in argv if not a.startswith("--")] or list(CLIPS)
    unknown = [n for n in names if n not in CLIPS]
    if unknown:
        raise SystemExit(f"unknown clip(s) {unknown}; known: {list(CLIPS)}")
    with ThreadPoolExecutor(JOBS) as pool:
        list(pool.map(lambda n: render(n, preview), names))


if __name__ == "__main__":
    main(sys.argv[1:])
