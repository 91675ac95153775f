"""Quality regression: counting accuracy on labelled clips must not drop below its floor.

Runs the real pose model on the labelled clips (tracks are cached per model and clip in
$FORMCHECK_TRACK_CACHE or ~/.cache/formcheck/tracks, so later runs take seconds) and the
engine on those tracks. The floors are what the engine reached when they were set (see
bench/accuracy.py for the full table); raise them when the engine gets better.
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest
from clips import (
    DISPUTED,
    Clip,
    all_clips,
    count_error,
    expected_fault,
    is_added,
    true_count,
)
from extract_tracks import cached_track, is_fresh, track_path

from formcheck.engine.analyzer import Analyzer
from formcheck.media.track import load_track
from formcheck.sets.pipeline import run_track
from formcheck.sets.report import ReportBuilder
from formcheck.sets.set_report import SetReport
from formcheck.spec.exercise import load_exercise

ROOT = Path(__file__).resolve().parents[2]

# the first test builds every clip's track when the cache is cold (CI): far past the default timeout
pytestmark = [pytest.mark.slow, pytest.mark.shared_data, pytest.mark.timeout(3600)]

MODEL = "lite"
CACHE = Path(os.environ.get("FORMCHECK_TRACK_CACHE", Path.home() / ".cache" / "formcheck" / "tracks"))

# exercise -> (minimum exact-count rate, maximum absolute count error on any clip), set to what
# the engine reached (2026-11-27, lite). Below the 90% / off-by-one goal for squat and heel raise:
# the misses are a barbell hiding the body and doubtful labels (clips.DISPUTED; clips cut
# mid-repetition count since engine/edges.py); raise these floors as the engine improves, never lower them to make a change pass.
FLOORS = {
    "squat": (0.86, 3),  # 2026-12-07, issue 17 (repetitions cut by the video's edges, engine/edges.py): 0.8 -> 0.86
    "heel_raise": (0.83, 2),
    "toe_heel": (1.0, 0),
    "pelvic_lift": (1.0, 0),
    "curl_up": (1.0, 0),
    "oblique_curl_up": (1.0, 0),
    "weight_shift": (1.0, 0),
}
# The same, leaving out the real labels that disagree with their clip (clips.DISPUTED): what the
# engine reaches on the clips whose labels hold up (the squat's worst is the barbell clip).
FLOORS_UNDISPUTED = {"squat": (0.92, 3), "heel_raise": (1.0, 0)}
# The 25 real clips added to ../shared/data since (clips.is_added): their own floors, at what the
# engine reached on them when they came (2026-12-07, lite), counting a label's other defensible
# count as right too (clips.count_error). Low: these are the footage nobody tuned to; raise them as
# the engine learns to count it.
FLOORS_ADDED = {
    "squat": (1.0, 0),  # 2026-12-07, issue 17 (counting arms at once): 0.5 -> 0.75; (cut by the video's edges) -> 1.0, worst 0
    "heel_raise": (0.0, 14),
    "pelvic_lift": (0.83, 1),  # worst 7 -> 5 (issue 17); a bridge the video ended on its way down: exact 0.16 -> 0.33; foot end and valley ends: worst 5 -> 1; a repetition ends 60 % of the way back (reps.RETURN_SHARE 0.4): 0.33 -> 0.83
    "curl_up": (1.0, 0),  # exact 0 -> 1 of 6 (issue 17); sit-ups, ends of repetitions: 3 of 6, worst 3; 3-D trunk: 4 of 6, worst 1; a sit-up begun as the title card fades: 5 of 6; RETURN_SHARE 0.4: 6 of 6
    "oblique_curl_up": (1.0, 0),  # 2026-12-08, RETURN_SHARE 0.4: 0 -> 1 of 1, worst 1 -> 0
}
# Idle footage (rendered: exercise "idle"; real: family "idle") is replayed as every counted
# exercise, standing and lying: nobody exercising, so every count is a false repetition.
IDLE_EXERCISES = ("squat", "heel_raise", "toe_heel", "weight_shift", "pelvic_lift", "curl_up", "oblique_curl_up")
# (clip, exercise) -> the most false repetitions allowed where the engine does not reach 0 yet: a
# ceiling that may only go down (2026-12-07, issue 17). Empty since the heel raise from the front
# is confirmed by both ankles rising with the body: the cane walker (1 false heel raise before,
# his push-off with the body growing in the image) counts 0.
IDLE_CEILINGS: dict[tuple[str, str], int] = {}


def is_idle(clip: Clip) -> bool:
    return "idle" in (clip.truth.get("exercise"), clip.truth.get("family"))


def _wanted_clips() -> list[Clip]:
    """The real and reference rendered clips the floors were set on (the stress renders,
    clips.stress_clips, are measured by bench/accuracy.py --source stress, not floored here yet)."""
    return [c for c in all_clips() if c.source != "stress" and ((c.exercise in FLOORS) or is_idle(c))]


def _ensure(clip: Clip) -> str:
    return str(cached_track(clip.path, MODEL, CACHE, clip.name))


@pytest.fixture(scope="module")
def tracks(shared_data) -> dict[str, Path]:
    clips = _wanted_clips()
    missing = [c for c in clips if not is_fresh(track_path(CACHE, MODEL, c.name), c.path, MODEL)]
    if missing:  # two processes: the model is single-threaded and the machine has two cores
        with ProcessPoolExecutor(max_workers=2) as ex:
            list(ex.map(_ensure, missing))
    return {c.name: track_path(CACHE, MODEL, c.name) for c in clips}


def _report(track_file: Path, exercise: str, model: str = MODEL) -> SetReport:
    spec = load_exercise(exercise).for_model(model)
    an = Analyzer(spec)
    b = ReportBuilder(spec, target=spec.target, source=str(track_file), model=model, mode="test")
    run_track(load_track(track_file), an, b)
    return b.finish(an.pauses)


def test_counting_accuracy_floors(tracks):
    errors: dict[str, list[tuple[str, int]]] = defaultdict(list)
    added: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for clip in _wanted_clips():
        if clip.exercise in FLOORS and clip.reps is not None:
            got = _report(tracks[clip.name], clip.exercise).reps
            if is_added(clip):
                added[clip.exercise].append((clip.name, count_error(clip, got)))
            else:
                errors[clip.exercise].append((clip.name, got - true_count(clip)))
    assert set(errors) == set(FLOORS), f"no labelled clips for {sorted(set(FLOORS) - set(errors))}"
    assert set(added) == set(FLOORS_ADDED), f"added clips: {sorted(set(added) ^ set(FLOORS_ADDED))}"
    problems = []
    undisputed = {ex: [(n, e) for n, e in errors[ex] if n not in DISPUTED] for ex in FLOORS_UNDISPUTED}
    for what, floors, table in (("", FLOORS, errors), (" (undisputed labels)", FLOORS_UNDISPUTED, undisputed),
                                (" (clips added 2026-12)", FLOORS_ADDED, added)):
        for ex, (min_exact, max_err) in floors.items():
            errs = table[ex]
            exact = sum(1 for _, e in errs if e == 0) / len(errs)
            worst = max(abs(e) for _, e in errs)
            if exact < min_exact or worst > max_err:
                problems.append(f"{ex}{what}: exact {exact:.0%} (floor {min_exact:.0%}), worst error {worst} "
                                f"(max {max_err}); {[(n, e) for n, e in errs if e]}")
    assert not problems, "\n".join(problems)


# Added clips (clips.is_added) whose shortfall the report does not explain, at most: 6 of 20 when
# they came (2026-12-07), 4 once counting armed at once (issue 17). Lower it as the engine learns
# to count them or to say why it cannot. 3 once sit-ups counted (issue 17).
SILENT_ADDED_MAX = 3


def test_repetitions_are_never_missed_silently(tracks):
    """Where the count falls short of the truth, the report says why: partials (with their
    reasons), pauses (tracking lost, moving about, the pose jumping) or a note (counting never
    started); a shortfall of more than one is not explained by a pause or two alone but by the
    note that the count may be low. Never on the clips this was set on; on the added ones at
    most SILENT_ADDED_MAX times."""
    silent, silent_added = [], []
    for clip in _wanted_clips():
        if clip.exercise in FLOORS and clip.reps is not None:
            rep = _report(tracks[clip.name], clip.exercise)
            short = -count_error(clip, rep.reps) if is_added(clip) else true_count(clip) - rep.reps
            found = silent_added if is_added(clip) else silent
            if short >= 1 and not (rep.partials or rep.pauses or rep.notes):
                found.append(f"{clip.name}: {rep.reps} of {true_count(clip)}, no partial, pause or note")
            elif short > 1 and not rep.partials and not any("may be low" in n for n in rep.notes):
                found.append(f"{clip.name}: {rep.reps} of {true_count(clip)}, no partial and no note that the count may be low")
    assert not silent, "\n".join(silent)
    assert len(silent_added) <= SILENT_ADDED_MAX, "\n".join(silent_added)


@pytest.mark.parametrize("exercise", IDLE_EXERCISES)
def test_idle_footage_counts_nothing(tracks, exercise):
    """No repetitions on footage of nobody exercising (real: walking, sitting, lying still), but
    for the ceilings IDLE_CEILINGS allows."""
    idle = [clip for clip in _wanted_clips() if is_idle(clip)]
    assert {c.source for c in idle} == {"synthetic", "real"}, "idle clips missing"
    false = []
    for clip in idle:
        rep = _report(tracks[clip.name], exercise)
        if rep.reps > IDLE_CEILINGS.get((clip.name, exercise), 0):
            false.append(f"{clip.name} as {exercise}: {rep.reps} reps")
    assert not false, "\n".join(false)


def test_rendered_faults_are_caught(tracks):
    missed = []
    for clip in _wanted_clips():
        if clip.source != "synthetic" or not clip.faults or clip.exercise not in FLOORS:
            continue
        found = set(_report(tracks[clip.name], clip.exercise).fault_counts)
        for f in clip.faults:
            want = expected_fault(clip, f)
            if want not in found:
                missed.append(f"{clip.name}: {want} not reported (found {sorted(found)})")
    assert not missed, "\n".join(missed)


def test_good_form_is_rarely_flagged(tracks):
    """At most 1 counted repetition in 10 flagged, over the rendered good-form clips and the real
    clips whose label names no fault (pace included: healthy squats of about 1.2 s from standing to
    standing, as labelled, are good form)."""
    reps = flagged = 0
    seen = set()
    for clip in _wanted_clips():
        if not clip.faults and clip.exercise in FLOORS:
            detail = _report(tracks[clip.name], clip.exercise).reps_detail
            reps += len(detail)
            flagged += sum(1 for r in detail if r.faults)
            seen.add(clip.source)
    assert seen == {"synthetic", "real"}, seen
    assert flagged / reps <= 0.1, f"{flagged} of {reps} good-form reps flagged"


# Clips whose good repetitions may still be flagged, where 1 in 10 is not reached yet (a list that
# may only shrink): the two women filmed from the hips down, where the pose model squeezes a whole
# skeleton onto the legs and its "hips" sway with the knees (hip_sway, too_fast). Until 2026-12-07
# a ceiling of 1 flagged heel raise stood for this clip's one counted repetition; since the valley
# end counts 2 of its 4 repetitions, both flagged as the one before. Every other clip: 1 in 10.
FLAGGED_CLIPS = {"calfraise_step_side_two_women_lowerbody_4reps"}


def test_good_form_is_rarely_flagged_in_every_family(tracks):
    """Issue 17's target per family, not only over all: at most 1 good repetition in 10 flagged.
    The curl-up's brisk held roll-downs (a real trainer's crunch) were cued too_fast, and the real
    twisting sit-ups read the same side five times over (same_side): 1 of 7 and 5 of 15 before."""
    reps: dict[str, int] = defaultdict(int)
    flagged: dict[str, list[str]] = defaultdict(list)
    for clip in _wanted_clips():
        if not clip.faults and clip.exercise in FLOORS:
            detail = _report(tracks[clip.name], clip.exercise).reps_detail
            if clip.name in FLAGGED_CLIPS:
                continue
            reps[clip.exercise] += len(detail)
            flagged[clip.exercise] += [f"{clip.name} rep {r.index}: {','.join(r.faults)}" for r in detail if r.faults]
    over = {ex: flagged[ex] for ex in reps if len(flagged[ex]) > 0.1 * reps[ex]}
    assert not over, "\n".join(f"{ex}: {len(v)} of {reps[ex]} good reps flagged: {v}" for ex, v in over.items())


def test_calf_stretch_with_its_own_pose_model_times_the_hold_and_sees_heel_and_knee(shared_data):
    """The calf stretch asks for the full model (its back-heel check needs it): on the rendered
    clips the good hold is timed, a lifted back heel and a bent back knee are each reported (and
    pause the timer), and neither is reported where it is not."""
    spec = load_exercise("calf_stretch")
    assert spec.model == "full"
    got = {}
    for clip in all_clips():
        if clip.source == "synthetic" and clip.exercise == "calf_stretch":
            p = cached_track(clip.path, spec.model, CACHE, clip.name)
            got[tuple(clip.faults)] = _report(p, "calf_stretch", spec.model)
    good, heel, knee = got[()], got[("back_heel_lifted",)], got[("back_knee_bent",)]
    assert good.fault_counts == {} and [round(h.held_s) for h in good.holds] == [17]
    assert set(heel.fault_counts) == {"back_heel_lifted"}
    assert set(knee.fault_counts) == {"back_knee_bent"}
    assert all(h.held_s < 1.0 for h in heel.holds + knee.holds)


@pytest.mark.parametrize("sample,fault,expected", [
    ("squat_side_head_down", "head_down", True), ("squat_side", "head_down", False),
    ("squat_side_fast", "too_fast", True), ("squat_side", "too_fast", False),
])
def test_rendered_squat_faults_are_seen_on_every_rep_and_not_on_good_form(sample, fault, expected):
    """samples/: a squat looking down at the floor (rendered through samples/synth_head.py, a
    fault the tool lacks) is flagged head_down on every repetition, and squats dropping to the
    bottom in 0.35 s from standing (samples/synth_drop.py) too_fast; the good squat sample
    (1.1-1.4 s down, level gaze) has neither. The real pose model on the repository's samples."""
    samples = ROOT / "samples"
    p = cached_track(samples / f"{sample}.mp4", MODEL, CACHE, f"sample_{sample}")
    rep = _report(p, "squat")
    truth = json.loads((samples / f"{sample}.json").read_text())["reps"]
    assert rep.reps == truth
    per_rep = [fault in r.faults for r in rep.reps_detail]
    assert per_rep == [expected] * truth, per_rep


# Holds (issue 17's target: timed within 20% or 2 s of the true hold, bench/accuracy.py's
# hold_within): the clips within it (each exercise's own pose model), real, reference and stress
# renders: 12 of 16 (2026-12-07, evening: the stress seated stretch at 45 degrees joined once a
# landmark's jump counts only up to what a body can move; 11 that morning, 8 before the
# jitter-relative stillness, the hidden-crossing rule and the 3-D stance split and hip flexion).
# Not within: the real figure-4 stretch against its label (timed 8.5 s from 0.3 s: the label counts
# only 4.6-9.4 s, leaving out 0.0-4.6 s in the same stretch, bench/clips.py DISPUTED_HOLDS), the
# seated glute stretch filmed from the side (it asks for the front; the trainer says "face the
# camera") and at 45 degrees with the crossed leg away from the camera (the model mixes the legs up).
HOLDS_WITHIN = frozenset({
    "calfstretch_ankle_portrait_man_14s", "supine_kneesbent_breathing_woman_home_9s",
    "core_bracing_good_default", "core_bracing_fidgeting_male", "supine_glute_stretch_L_default",
    "supine_glute_stretch_LR_male", "seated_glute_stretch_R_front_default", "calf_stretch_good_L_default",
    "calf_stretch_back_heel_lifted_R_male", "calf_stretch_back_knee_bent_L_female_heavy",
    "supine_glute_stretch_R_male", "seated_glute_stretch_L_oblique_female_heavy",
})


def test_holds_are_timed_within_tolerance_on_real_and_rendered_clips(shared_data):
    """Every clip on HOLDS_WITHIN is timed within the holds target on every side (a rendered
    fault that pauses the timer scored as bench/accuracy.py does, and only if it is reported)."""
    from accuracy import hold_scores, hold_truth

    clips = {c.name: c for c in all_clips() if c.exercise and hold_truth(c) is not None}
    assert HOLDS_WITHIN <= set(clips), sorted(HOLDS_WITHIN - set(clips))
    off = {}
    for name in sorted(HOLDS_WITHIN):
        clip = clips[name]
        rows = hold_scores(clip, clip.exercise, None, CACHE)
        if not rows or not all(ok for *_, ok in rows):
            off[name] = [(side, truth, round(got, 2)) for side, truth, got, _ in rows]
    assert not off, f"timed outside 20%/2 s (side, truth, timed): {off}"
