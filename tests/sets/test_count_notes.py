"""What a report says about the periodicity check and the adapted thresholds: the note, the
patient's tip at the end of the set, the terminal lines."""

from __future__ import annotations

import pytest

from formcheck.cli.common import print_set
from formcheck.sets.report_notes import adapted_note, count_doubt
from formcheck.sets.set_report import SetReport
from formcheck.sets.texts import TEXTS, summary_from_report
from formcheck.spec.exercise import load_exercise


def report(seen: int, counted: int, adapted: bool = False) -> SetReport:
    d = {"exercise": "heel_raise", "kind": "reps", "reps": counted, "target": 10, "frames": 300,
         "frames_with_pose": 300, "duration_s": 20.0, "started_s": 0.5, "view": "side", "views_asked": ["side"],
         "count_check": {"seen": seen, "counted": counted, "signal": "heel_height", "prominence": 0.13}}
    if adapted:
        d["adapted"] = [{"threshold": "full", "signal": "heel_height", "file_value": 0.18, "value": 0.14,
                         "bound": 0.13, "t_s": 6.2, "peaks": 2}]
    return SetReport.from_json(d)


@pytest.mark.parametrize("lang", ["da", "en"])
def test_saw_six_counted_none_says_the_count_may_be_wrong(lang, capsys):
    rep = report(6, 0)
    note = count_doubt(rep)
    assert note and "6" in note and "0 were counted" in note
    assert summary_from_report(load_exercise("heel_raise"), rep, lang).note == TEXTS[lang]["count_doubt"]  # a note, never the tip (the tip is a fault's cue)
    print_set("Heel raise", "reps", rep, "out")
    assert "may be wrong" in capsys.readouterr().out


def test_a_right_count_says_nothing(capsys):
    rep = report(6, 6)
    assert count_doubt(rep) is None
    assert summary_from_report(load_exercise("heel_raise"), rep, "en").note != TEXTS["en"]["count_doubt"]
    print_set("Heel raise", "reps", rep, "out")
    assert "may be wrong" not in capsys.readouterr().out


def test_adapted_thresholds_are_named(capsys):
    rep = report(6, 6, adapted=True)
    note = adapted_note(rep)
    assert note and "heel_height" in note and "0.18" in note and "0.14" in note and "0.13" in note
    assert SetReport.from_json(rep.to_json()).adapted == rep.adapted
    print_set("Heel raise", "reps", rep, "out")
    assert "own range" in capsys.readouterr().out
    assert adapted_note(report(6, 6)) is None


# ----- end to end, the real pose model ---------------------------------------------------------------

def _replay(tmp_path, video, exercise: str, *extra: str) -> dict:
    import json

    from formcheck.cli.main import main

    out = tmp_path / "out"
    assert main(["replay", str(video), "-e", exercise, "--out", str(out), "--no-video", "--no-history",
                 "--no-progress", *extra]) == 0
    return json.loads((out / "report.json").read_text())


@pytest.mark.slow
def test_bridges_short_of_a_patients_full_count_once_their_range_is_known(tmp_path):
    """The bundled bridge clip (3 lifts of about 37 degrees), for a patient whose profile asks for
    45 degrees with a clinical minimum of 25: the first is a partial, the next two count, and the
    report says full went from 45 to about 30. With full fixed at 45, none would count."""
    from pathlib import Path

    video = Path(__file__).resolve().parents[2] / "samples" / "pelvic_lift_side.mp4"
    profile = tmp_path / "stiff.toml"
    profile.write_text('name = "stiff"\n[exercises.pelvic_lift.count]\nfull = 45\nfull_min = 25\n')
    rep = _replay(tmp_path, video, "pelvic_lift", "--profile", str(profile))
    assert rep["reps"] == 2 and [p["reason"] for p in rep["partials"]] == ["hips_too_low"]
    (a,) = rep["adapted"]
    assert (a["threshold"], a["signal"], a["file_value"], a["bound"]) == ("full", "bridge_line", 45, 25)
    assert 25 <= a["value"] < 37
    assert any("own range" in n for n in rep["notes"])
    assert rep["count_check"]["disagrees"] is False


@pytest.mark.slow
def test_a_shallow_squat_render_stays_uncounted_at_the_clinical_minimum(tmp_path, shared_data):
    """Rendered squats of about 36 degrees (truth: 0, too shallow): full adapts no lower than
    squat's full_min of 50, nothing counts, and the periodicity check agrees (no movement big
    enough to count)."""
    rep = _replay(tmp_path, shared_data / "synthetic" / "squat_shallow_female_heavy.mp4", "squat")
    assert rep["reps"] == 0 and len(rep["partials"]) == 3
    assert [a["value"] for a in rep["adapted"]] == [50.0]
    assert (rep["count_check"]["seen"], rep["count_check"]["disagrees"]) == (0, False)
