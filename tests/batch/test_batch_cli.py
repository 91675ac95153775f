"""``formcheck replay`` on a folder, a manifest or several videos: each video's outputs as for one,
the summary files, the history rows, a bad video that stops nothing, two videos at once, Ctrl-C."""

from __future__ import annotations

import csv
import json
import os
import sys
import time
from pathlib import Path

import pytest
from conftest import history_rows, run_cli  # (tests/batch/conftest.py)
from factories import press_ctrl_c, start_formcheck

from formcheck.cli.main import main


def summary(out: Path) -> dict[str, dict]:
    doc = json.loads((out / "summary.json").read_text())
    return {v["name"]: v for v in doc["videos"]}


@pytest.mark.slow
@pytest.mark.timeout(240)
def test_a_folder_on_two_jobs_goes_past_a_bad_video_and_records_the_others(clips, tmp_path):
    out = tmp_path / "out"
    res = run_cli("replay", str(clips), "-e", "squat", "--jobs", "2", "--out", str(out), "--no-video")
    assert res.returncode == 3, res.stderr
    assert "Traceback" not in res.stderr
    bad = clips / "b_broken.mp4"
    failed = [ln for ln in res.stderr.splitlines() if ln.startswith("formcheck: failed:")]
    assert len(failed) == 1 and failed[0].startswith(f"formcheck: failed: {bad}: cannot read video")
    assert "exit code 3" in res.stderr.splitlines()[-1]
    rows = summary(out)
    assert {k: v["status"] for k, v in rows.items()} == {"a_squat": "done", "b_broken": "failed", "c_squat": "done"}
    for name in ("a_squat", "c_squat"):  # each video's outputs as a single replay writes them
        assert sorted(p.name for p in (out / name).iterdir()) == ["report.json", "track.npz"]
        report = json.loads((out / name / "report.json").read_text())
        assert report["reps"] == rows[name]["reps"] and report["video"] == str(clips / f"{name}.mp4")
    assert not (out / "b_broken").exists()  # nothing of the bad one
    with (out / "summary.csv").open() as f:
        assert [r["status"] for r in csv.DictReader(f)] == ["done", "failed", "done"]
    assert history_rows() == [(str(out / "a_squat"), "squat", 10), (str(out / "c_squat"), "squat", 10)]
    # --jobs 2: two processes, replaying at the same time
    a, c = rows["a_squat"], rows["c_squat"]
    assert a["pid"] != c["pid"]
    assert a["started"] < c["ended"] and c["started"] < a["ended"], (a, c)
    # run again (after a stop, say): the sets done are kept as they are, not recorded twice
    kept = (out / "a_squat" / "report.json").read_bytes()
    again = run_cli("replay", str(clips), "-e", "squat", "--jobs", "2", "--out", str(out), "--no-video")
    assert again.returncode == 3, again.stderr
    assert {k: v["status"] for k, v in summary(out).items()} == {"a_squat": "earlier", "b_broken": "failed",
                                                                 "c_squat": "earlier"}
    assert (out / "a_squat" / "report.json").read_bytes() == kept
    assert len(history_rows()) == 2


@pytest.mark.slow
@pytest.mark.timeout(240)
def test_a_manifest_gives_each_video_its_exercise_target_and_patient(clips, tmp_path):
    (clips / "b_broken.mp4").unlink()
    manifest = clips / "week.csv"
    manifest.write_text("video,exercise,target,patient\na_squat.mp4,squat,4,Anna\nc_squat.mp4,heel_raise,6,Bo\n")
    res = run_cli("replay", str(manifest), "--jobs", "1", "--no-history")
    assert res.returncode == 0, res.stderr
    out = clips / "week_formcheck"  # the default: beside the manifest
    rows = summary(out)
    assert [(r["exercise"], r["target"], r["patient"], r["status"]) for r in rows.values()] == [
        ("squat", 4, "Anna", "done"), ("heel_raise", 6, "Bo", "done")]
    for name, exercise, target in (("a_squat", "squat", 4), ("c_squat", "heel_raise", 6)):
        report = json.loads((out / name / "report.json").read_text())
        assert (report["exercise"], report["target"]) == (exercise, target)
        assert report["patient"] == {"a_squat": "Anna", "c_squat": "Bo"}[name]  # the set is the patient's
        assert (out / name / "annotated.mp4").stat().st_size > 0
    assert history_rows() == []  # --no-history
    assert res.stdout.splitlines()[-1].startswith("batch: 2 of 2 videos replayed, 0 failed")


@pytest.mark.slow
@pytest.mark.timeout(240)
def test_ctrl_c_stops_the_batch_keeping_only_whole_sets(clips, tmp_path):
    (clips / "b_broken.mp4").unlink()
    for i in range(2):  # four videos, one at a time
        (clips / f"d{i}.mp4").write_bytes((clips / "a_squat.mp4").read_bytes())
    out = tmp_path / "out"
    p = start_formcheck(["replay", str(clips), "-e", "squat", "--jobs", "1", "--out", str(out), "--no-video"])
    deadline = time.monotonic() + 180
    while not (out / "c_squat").exists() and time.monotonic() < deadline and p.poll() is None:
        time.sleep(0.05)  # until the second video is under way (its replay has made its folder)
    time.sleep(0.3)
    rc, err = press_ctrl_c(p, 3, 0.1, 120)  # pressed three times, to the whole group as a terminal does
    assert rc == 130, err
    assert "Traceback" not in err
    assert err.splitlines()[-1].startswith("formcheck: interrupted: ")
    rows = summary(out)
    done = {k for k, v in rows.items() if v["status"] == "done"}
    assert "a_squat" in done and rows["c_squat"]["status"] == "interrupted", rows  # the one under way stopped
    assert {v["status"] for k, v in rows.items() if k not in done} <= {"interrupted", "not run"}
    for name in rows:  # each set whole, or nothing of it (not even its folder)
        if name in done:
            assert sorted(p.name for p in (out / name).iterdir()) == ["report.json", "track.npz"]
        else:
            assert not (out / name).exists(), name
    assert [r[0] for r in history_rows()] == sorted(str(out / n) for n in done)


@pytest.mark.timeout(120)
def test_a_replay_process_that_dies_is_one_failed_video(clips, tmp_path):
    """(No pose model: every video's process is killed as it starts, by the test hook.)"""
    out = tmp_path / "out"
    res = run_cli("replay", str(clips / "a_squat.mp4"), str(clips / "c_squat.mp4"), "-e", "squat", "--out", str(out),
                  env=dict(os.environ, FORMCHECK_FAULT="batch-job:sigkill"))
    assert res.returncode == 3, res.stderr
    assert "Traceback" not in res.stderr
    rows = summary(out)
    assert [v["error"] for v in rows.values()] == ["the replay stopped unexpectedly (killed by signal 9)"] * 2
    assert history_rows() == []


def _one_line(capsys, code: int) -> tuple[int, str]:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    return code, err[0]


def test_command_line_mistakes_of_a_batch_exit_2_in_one_line(tmp_path, capsys, monkeypatch):
    for name in ("a.mp4", "b.mp4"):
        (tmp_path / name).write_bytes(b"\0")
    a, b = str(tmp_path / "a.mp4"), str(tmp_path / "b.mp4")
    code, line = _one_line(capsys, main(["replay", a, b, "-e", "squat"]))
    assert code == 2 and "needs --out DIR" in line
    code, line = _one_line(capsys, main(["replay", str(tmp_path), "--out", str(tmp_path / "o")]))
    assert code == 2 and "which exercise?" in line
    code, line = _one_line(capsys, main(["replay", a, "-e", "squat", "--jobs", "2"]))
    assert code == 2 and "--jobs is for a batch" in line
    code, line = _one_line(capsys, main(["replay", a, b, "-e", "sqaut", "--out", str(tmp_path / "o")]))
    assert code == 2 and "unknown exercise 'sqaut'" in line
    code, line = _one_line(capsys, main(["replay", a, b, "-e", "squat", "--model", "huge", "--out", str(tmp_path / "o")]))
    assert code == 2 and "pose model not found" in line
    assert not (tmp_path / "o").exists()
    monkeypatch.setitem(sys.modules, "ray", None)  # as if Ray were not installed
    code, line = _one_line(capsys, main(["replay", a, b, "-e", "squat", "--out", str(tmp_path / "o"), "--ray", "auto"]))
    assert code == 2 and line == "formcheck: error: --ray needs Ray, which is not installed here: pip install 'formcheck[cluster]'"


def test_a_manifests_mistakes_are_listed_and_nothing_runs(tmp_path, capsys):
    (tmp_path / "a.mp4").write_bytes(b"\0")
    m = tmp_path / "m.csv"
    m.write_text("video,exercise,target\na.mp4,squat,0\nb.mp4,squat,3\n")
    code = main(["replay", str(m)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1 and len(err) == 2, err
    assert "line 2: target must be a whole number" in err[0] and "line 3: video not found" in err[1]
    assert not (tmp_path / "m_formcheck").exists()


def test_a_set_kept_from_an_earlier_run_but_missing_from_the_history_is_said(tmp_path):
    """(No pose model: both videos' folders hold finished sets, so nothing is replayed.)"""
    from formcheck.sets.set_report import SetReport

    out = tmp_path / "out"
    videos = []
    for name in ("a", "b"):
        (tmp_path / f"{name}.mp4").write_bytes(b"\0")
        videos.append(str(tmp_path / f"{name}.mp4"))
        (out / name).mkdir(parents=True)
        (out / name / "report.json").write_text(SetReport(exercise="squat", reps=4, target=10).dumps())
    res = run_cli("replay", *videos, "-e", "squat", "--out", str(out))
    assert res.returncode == 0, res.stderr
    assert {v["status"] for v in summary(out).values()} == {"earlier"}
    notes = [ln for ln in res.stderr.splitlines() if ln.startswith("formcheck: note:")]
    assert notes == [f"formcheck: note: {out / n} holds a finished set that is not in the history: "
                     f"run 'formcheck history --repair {out / n}' to add it" for n in ("a", "b")]
    assert history_rows() == []  # (said, not done behind the user's back)
