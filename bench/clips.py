"""The labelled clips in ../shared/data (real, hand-counted) and ../shared/data/synthetic
(rendered, exact truth), as one list the benchmarks and quality tests share."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# real-clip families -> our exercise ids (families we do not coach are left out)
FAMILY_TO_EXERCISE = {
    "squat": "squat",
    "heel_raise": "heel_raise",
    "pelvic_lift": "pelvic_lift",
    "pelvic_lift_variant": "pelvic_lift",
    "weight_shift": "weight_shift",
    "calf_stretch": "calf_stretch",
    "curl_up": "curl_up",
    "oblique_curl_up": "oblique_curl_up",
    "core_bracing": "core_bracing",
    "supine_glute_stretch": "supine_glute_stretch",
}

# The real clips the first quality floors were set on (2026-11-27, labels.json's first 19). The
# 25 added since are harder (homes, gyms, outdoors, phones, other views and bodies): they have
# floors of their own (tests/quality/test_quality.py), so neither set's floor hides the other's change.
ORIGINAL_REAL = frozenset({
    "squat_bodyweight_oblique_woman_8reps", "squat_bodyweight_side_handheld_6reps", "squat_barbell_back_side_gym_3reps",
    "squat_bodyweight_front_man_1rep_a", "squat_bodyweight_side_woman_good_1rep", "squat_bodyweight_side_woman_BAD_1rep_a",
    "squat_bodyweight_front_woman_BAD_kneesin_1rep", "squat_goblet_front_woman_1rep",
    "squat_hold_pulses_portrait_man_15pulses", "calfraise_bodyweight_oblique_man_3reps",
    "calfraise_wall_supported_rear_oblique_man_2reps", "calfraise_on_plate_side_gym_2reps_lowconf",
    "glutebridge_side_woman_5reps", "bridge_straightleg_heels_side_man_3reps", "bridge_pigeon_crossedleg_side_man_3reps",
    "pushup_side_man_6reps", "lunge_reverse_kneedrive_side_woman_12reps", "weightshift_lateral_front_lowerbody_16s",
    "calfstretch_ankle_portrait_man_14s",
})

# Real labels that disagree with the clip after a careful look (frame sheets and the pose's
# joint angles, times in seconds). bench/accuracy.py keeps them in its main table and prints a
# second without them; tests/quality/test_quality.py has floors for both.
DISPUTED = {
    "squat_goblet_front_woman_1rep": (
        "label 1 (its note: the second squat's ascent is cut before lockout), we read 2: the second "
        "squat is deepest at 5.75 s (hips 0.71 leg lengths below standing) and at 6.38 s, the last "
        "frame, she is standing but for slightly bent knees (hips 0.10 leg lengths down, 85% of the "
        "way up, rising at about 1.5 leg lengths a second). The woman_good squat's label counts one "
        "cut at 57% of the way up; counted by the same rule (engine/edges.py) this is 2."),
    "calfraise_on_plate_side_gym_2reps_lowconf": (
        "label 2 (low confidence), we read at most 1: heels level with the plate at 0.3 s, up by "
        "1.9 s, at 5.0 s (the lowest point between the rises) still above their 0.3 s level, up again "
        "by 6.8 s and still up at 7.9 s when the clip ends; the label's note says the second may not "
        "come down. The camera moves, so heel height is read against a moving plate."),
}


# Real hold labels that disagree with the clip after a careful look: (the seconds held as read
# off the frames, per side as hold_truth gives them; why, with frame times). bench/accuracy.py
# scores holds against the label as it stands and prints a second tally against these readings.
DISPUTED_HOLDS = {
    "figure4_supine_glute_stretch_woman_10s": ({"both": 9.4}, (
        "label 4.6-9.4 s (4.8 s), we read the stretch held 0.0-9.4 s (9.4 s): at 0.5 s her ankle "
        "is already on the other knee, the knees drawn toward the chest and held (the label's note: "
        "in the figure-4 at 0 s); at 1.2-1.5 s one hand moves onto the crossed knee; from 1.5 to "
        "4.6 s she presses it out slowly (the knees move 0.2 torso lengths along the trunk, at most "
        "0.22 torso lengths a second, within the exercise's still_max of 0.25), and the frames at "
        "1.5, 2.5 and 3.5 s show the same figure-4 as those at 4.6 and 7.0 s. A patient settling "
        "deeper into a stretch is holding it. She lets go a little from 9.4 s.")),
}

def data_dir() -> Path | None:
    env = os.environ.get("FORMCHECK_DATA")
    p = Path(env) if env else ROOT.parent / "shared" / "data"
    return p if (p / "labels.json").is_file() else None


@dataclass(frozen=True)
class Clip:
    name: str
    path: Path
    exercise: str | None  # None: a family we do not coach (still replayed for idle checks)
    reps: int | None
    source: str  # "real", "synthetic" or "stress" (rendered like synthetic, scored the same way)
    faults: tuple[str, ...]
    truth: dict


# rendered faults whose repetitions never reach the required range: the right count is 0, the
# attempts are partials (../shared/data/synthetic/README.md); index.json lists the attempts
PARTIAL_FAULTS = ("shallow", "incomplete_rise")


def is_rendered(clip: Clip) -> bool:
    return clip.source in ("synthetic", "stress")


def true_count(clip: Clip) -> int:
    if is_rendered(clip) and any(f in PARTIAL_FAULTS for f in clip.faults):
        return 0
    return clip.reps or 0


def is_added(clip: Clip) -> bool:
    """A real clip added after the first floors were set (not in ORIGINAL_REAL)."""
    return clip.source == "real" and clip.name not in ORIGINAL_REAL


# label fields giving another defensible count of the same exercise where a cut or a clip end
# makes one repetition ambiguous (../shared/data/README.md: either is right)
OTHER_COUNTS = ("reps_if_return_required", "reps_counting_every_top", "reps_if_partial_counted",
                "reps_if_descent_required", "reps_complete_return_seen")


def count_error(clip: Clip, got: int) -> int:
    """``got`` minus the nearest right count: the label's, or another its label allows."""
    right = [true_count(clip)] + [clip.truth[k] for k in OTHER_COUNTS
                                  if clip.source == "real" and isinstance(clip.truth.get(k), int)]
    return min((got - r for r in right), key=abs)


def real_clips() -> list[Clip]:
    d = data_dir()
    if d is None:
        return []
    out = []
    for lab in json.loads((d / "labels.json").read_text()):
        ex = FAMILY_TO_EXERCISE.get(lab["family"])
        out.append(Clip(Path(lab["file"]).stem, d / lab["file"], ex, lab.get("reps"), "real",
                        tuple(lab.get("form_faults") or ()), lab))
    return out


def _rendered(folder: Path, source: str) -> list[Clip]:
    """The clips an index.json of tools/synth lists (same format for every rendered set)."""
    if not (folder / "index.json").is_file():
        return []
    idx = json.loads((folder / "index.json").read_text())
    out = []
    for c in idx["clips"]:
        path = folder / c["clip"]
        ex = None if c["exercise"] == "idle" else c["exercise"]
        out.append(Clip(path.stem, path, ex, c.get("reps", 0), source, tuple(c.get("faults") or ()), c))
    return out


def synthetic_clips() -> list[Clip]:
    d = data_dir()
    return [] if d is None else _rendered(d / "synthetic", "synthetic")


def stress_clips() -> list[Clip]:
    """Renders of what real patients do (brisk reps, no rest before the first, front, back and
    foot-end cameras: synthetic/stress/README.md). A source of their own so the reference set's
    floors and these are read apart."""
    d = data_dir()
    return [] if d is None else _rendered(d / "synthetic" / "stress", "stress")


def all_clips() -> list[Clip]:
    return real_clips() + synthetic_clips() + stress_clips()


# rendered fault names -> the fault ids formcheck reports for them
SYNTH_FAULTS = {
    "shallow": {"squat": "too_shallow", "pelvic_lift": "hips_too_low"},
    "rounded_back": "back_rounded", "knees_caving": "knees_caving", "heels_lifting": "heels_lifting",
    "incomplete_rise": "incomplete_rise", "hip_sway": "hip_sway", "over_arched": "over_arching",
    "fast_lowering": "lowering_too_fast", "fast_return": "too_fast", "no_chin_tuck": "chin_not_tucked",
    "fidgeting": "not_still", "back_heel_lifted": "back_heel_lifted", "back_knee_bent": "back_knee_bent",
}


def expected_fault(clip: Clip, fault: str) -> str:
    """The fault id formcheck should report for a rendered clip's fault (bench and quality test)."""
    f = SYNTH_FAULTS.get(fault, fault)
    return f[clip.exercise] if isinstance(f, dict) else f
