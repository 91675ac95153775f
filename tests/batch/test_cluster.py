"""``formcheck replay --ray``: the batch on a Ray instance this test starts (two CPUs), driven by a
separate ``formcheck`` process as it would be on a cluster's head node; the history written by
that driver only."""

from __future__ import annotations

import json
import socket
import time

import pytest
from conftest import SAMPLES, history_rows, run_cli  # (tests/batch/conftest.py)
from factories import press_ctrl_c, start_formcheck

ray = pytest.importorskip("ray", reason="Ray is not installed (pip install -e '.[test]' installs it)")


@pytest.fixture(scope="module")
def ray_cluster(tmp_path_factory):
    """(address, the history folder Ray's workers would write to: they inherit this environment)"""
    workers_data = tmp_path_factory.mktemp("ray-workers-data")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FORMCHECK_DATA_DIR", str(workers_data))
        ctx = ray.init(num_cpus=2, include_dashboard=False, logging_level="ERROR", log_to_driver=False,
                       _temp_dir=str(tmp_path_factory.mktemp("ray")))
    try:
        yield ctx.address_info["gcs_address"], workers_data
    finally:
        ray.shutdown()


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_a_batch_on_ray_goes_past_a_bad_video_and_the_driver_records_the_sets(ray_cluster, clips, tmp_path):
    ray_address, workers_data = ray_cluster
    out = tmp_path / "out"
    res = run_cli("replay", str(clips), "-e", "squat", "--ray", ray_address, "--out", str(out), "--no-video")
    assert res.returncode == 3, res.stderr
    assert "Traceback" not in res.stderr
    assert f"formcheck: failed: {clips / 'b_broken.mp4'}: cannot read video" in res.stderr
    doc = json.loads((out / "summary.json").read_text())
    assert doc["batch"]["ray"] == ray_address
    assert {v["name"]: v["status"] for v in doc["videos"]} == {"a_squat": "done", "b_broken": "failed",
                                                                "c_squat": "done"}
    for name in ("a_squat", "c_squat"):
        assert sorted(p.name for p in (out / name).iterdir()) == ["report.json", "track.npz"]
    # recorded by the driver (this test's history folder), none by the tasks (their own folder)
    assert history_rows() == [(str(out / "a_squat"), "squat", 10), (str(out / "c_squat"), "squat", 10)]
    assert history_rows(workers_data) == []


def test_an_address_nobody_answers_at_is_one_line_and_leaves_nothing(tmp_path, capsys):
    from formcheck.cli.main import main

    for name in ("a.mp4", "b.mp4"):
        (tmp_path / name).write_bytes(b"\0")
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    out = tmp_path / "out"
    code = main(["replay", str(tmp_path / "a.mp4"), str(tmp_path / "b.mp4"), "-e", "squat", "--out", str(out),
                 "--ray", f"127.0.0.1:{port}"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1 and len(err) == 1, err
    assert err[0].startswith(f"formcheck: error: cannot reach the Ray cluster at 127.0.0.1:{port}")
    assert not out.exists()


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_ctrl_c_on_the_driver_cancels_the_tasks_and_keeps_only_whole_recorded_sets(ray_cluster, clips, tmp_path):
    ray_address, _ = ray_cluster
    (clips / "b_broken.mp4").unlink()
    for i in range(3):  # longer videos: one is under way when the first short one is done
        (clips / f"d{i}.mp4").write_bytes((SAMPLES / "squat_side.mp4").read_bytes())
    out = tmp_path / "out"
    p = start_formcheck(["replay", str(clips), "-e", "squat", "--ray", ray_address, "--out", str(out), "--no-video"])
    deadline = time.monotonic() + 200
    while time.monotonic() < deadline and p.poll() is None and not any(out.glob("d*")):
        time.sleep(0.05)  # until a long video is under way (its replay has made its folder)
    time.sleep(0.5)
    rc, err = press_ctrl_c(p, 2, 0.1, 150)
    assert rc == 130, err
    assert "Traceback" not in err
    rows = {v["name"]: v["status"] for v in json.loads((out / "summary.json").read_text())["videos"]}
    done = {k for k, s in rows.items() if s == "done"}
    assert "interrupted" in rows.values(), (rows, err)  # the replay under way was stopped
    assert set(rows.values()) - {"done"} <= {"interrupted", "not run"}
    assert not list(out.glob(".formcheck-batch-stop-*"))  # the stop file goes with the batch
    for name in rows:  # whole, or nothing of it
        if name in done:
            assert sorted(q.name for q in (out / name).iterdir()) == ["report.json", "track.npz"]
        else:
            assert not (out / name).exists(), name
    assert [r[0] for r in history_rows()] == sorted(str(out / n) for n in done)
