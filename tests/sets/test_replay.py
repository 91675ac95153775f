"""`formcheck replay` end to end, its report format, and bad input handled in one line."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import av
import numpy as np
import pytest

from formcheck.cli.common import print_set
from formcheck.cli.main import main
from formcheck.media.track import load_track
from formcheck.media.video_writer import VideoWriter
from formcheck.sets.set_report import SetReport

REQUIRED = {"exercise", "video", "reps", "target", "reps_detail", "partials", "faults", "frames",
            "frames_with_pose", "model", "config"}


def run_cli(*args: str) -> tuple[int, str, str]:
    res = subprocess.run([sys.executable, "-m", "formcheck.cli", *args], capture_output=True, text=True, timeout=600)
    return res.returncode, res.stdout, res.stderr


@pytest.fixture(scope="module")
def squat_replay(tmp_path_factory, sample_squat) -> Path:
    out = tmp_path_factory.mktemp("replay") / "out"
    code, stdout, stderr = run_cli("replay", str(sample_squat), "--exercise", "squat", "--out", str(out), "--no-history")
    assert code == 0, stderr
    assert stderr.strip() == "", stderr  # no native log spam, no warnings
    return out


def test_replay_writes_video_report_and_track(squat_replay, sample_squat):
    out = squat_replay
    assert sorted(p.name for p in out.iterdir()) == ["annotated.mp4", "report.json", "track.npz"]
    report = json.loads((out / "report.json").read_text())
    assert REQUIRED <= set(report)
    truth = json.loads(sample_squat.with_suffix(".json").read_text())
    assert report["reps"] == truth["reps"]
    assert report["frames"] == report["frames_with_pose"] == truth["n_frames"]
    for i, rep in enumerate(report["reps_detail"], 1):
        assert rep["index"] == i
        assert rep["start_s"] < rep["bottom_s"] < rep["end_s"]
        assert {"metrics", "faults"} <= set(rep)
    # the reps line up with the rendered truth (rep counted on the return to standing)
    for rep, t in zip(report["reps_detail"], truth["rep_list"]):
        assert abs(rep["bottom_s"] - t["t_peak"]) < 0.5
    assert report["config"]["count"]["full"] > 0  # effective thresholds recorded


def test_annotated_video_is_browser_h264_with_all_frames_then_the_summary(squat_replay, sample_squat):
    """Every frame of the clip at its own time, then the last one held END_CARD_S with the set's
    summary over it (as live shows after a set)."""
    from formcheck.sets.end_card import END_CARD_S, end_card_frames

    with av.open(str(squat_replay / "annotated.mp4")) as c:
        s = c.streams.video[0]
        assert s.codec_context.name == "h264"
        assert s.codec_context.pix_fmt == "yuv420p"
        frames = [(float(f.time), f.to_ndarray(format="rgb24").astype(np.int16)) for f in c.decode(video=0)]
    truth = json.loads(sample_squat.with_suffix(".json").read_text())
    report = json.loads((squat_replay / "report.json").read_text())
    n, card = truth["n_frames"], end_card_frames(report["fps"])
    assert len(frames) == n + card
    times = [t for t, _ in frames]
    assert times == sorted(times) and len(set(times)) == len(times)
    assert times[-1] - times[n - 1] == pytest.approx(END_CARD_S, abs=1.5 / report["fps"])
    last_seen, first_card, last_card = frames[n - 1][1], frames[n][1], frames[-1][1]
    assert np.abs(first_card - last_card).mean() < 2  # one still picture (up to encoding noise)
    assert np.abs(first_card - last_seen).mean() > 10  # with the summary panel over it


def test_an_earlier_replays_folder_is_not_overwritten(squat_replay, sample_squat, tmp_path, capsys):
    """--out naming a folder that holds an earlier replay's results: they are not replaced
    unasked (a physiotherapist's earlier report and video would be lost)."""
    out = tmp_path / "again"
    shutil.copytree(squat_replay, out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    code = main(["replay", str(sample_squat), "-e", "squat", "--out", str(out), "--no-video", "--no-history"])
    assert "already holds the results of an earlier run" in _one_line_error(capsys, code)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_a_replay_without_video_removes_a_stray_video_and_a_failed_one_leaves_the_folder_as_it_was(
        sample_squat, tmp_path, capsys):
    """Outputs are staged and put in place at the end: an annotated.mp4 left by an unfinished
    earlier run would pass for this replay's (its report says video null), so it goes; a replay
    that fails leaves what was there."""
    out = tmp_path / "o"
    out.mkdir()
    (out / "annotated.mp4").write_bytes(b"an earlier, unfinished run's video")
    empty = tmp_path / "empty_room.mp4"
    _write_blank(empty, 20)
    code = main(["replay", str(empty), "-e", "squat", "--out", str(out), "--no-history"])
    assert "nobody was seen" in _one_line_error(capsys, code)
    assert [p.name for p in out.iterdir()] == ["annotated.mp4"]  # no staging folder, nothing half-written
    code, _, err = run_cli("replay", str(sample_squat), "-e", "squat", "--out", str(out), "--no-video", "--no-history")
    assert code == 0, err
    assert sorted(p.name for p in out.iterdir()) == ["report.json", "track.npz"]
    assert json.loads((out / "report.json").read_text())["outputs"]["video"] is None


def test_a_replay_killed_outright_leaves_its_staging_folder_to_the_next_replay_which_removes_it(
        sample_squat, tmp_path):
    """SIGKILL runs no cleanup: its hidden staging folder (with a half-written video) stays until
    the next replay into that folder, which removes it; one another run is using stays."""
    import time

    from formcheck.sets.outputs import STAGE_PREFIX, claim_stage

    out = tmp_path / "o"
    code = f"from formcheck.cli.main import main; main(['replay', {str(sample_squat)!r}, '-e', 'squat', '--out', {str(out)!r}, '--no-history'])"
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while not list(out.glob(STAGE_PREFIX + "*/.annotated.mp4.partial")) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert proc.poll() is None, "the replay ended before it could be killed"
    finally:
        proc.kill()
        proc.wait()
    [killed] = out.glob(STAGE_PREFIX + "*")
    busy = out / (STAGE_PREFIX + "busy")
    busy.mkdir()
    lock = claim_stage(busy)  # another replay at work in the same folder
    try:
        rc, _, err = run_cli("replay", str(sample_squat), "-e", "squat", "--out", str(out), "--no-video", "--no-history")
    finally:
        lock.close()
    assert rc == 0, err
    assert not killed.exists()
    assert sorted(p.name for p in out.iterdir()) == [busy.name, "report.json", "track.npz"]


def test_a_staging_folder_is_never_seen_unlocked_by_another_runs_sweep(sample_squat, tmp_path, monkeypatch):
    """Two replays into one folder: one sweeping between the other's making its lock file and
    taking the lock must not remove the other's staging folder."""
    from formcheck.sets import outputs

    real = outputs.claim_stage

    def swept_meanwhile(folder: Path):
        (folder / outputs.STAGE_LOCK).touch()  # made, not yet locked
        outputs.sweep_stale_stages(folder.parent)
        return real(folder)
    monkeypatch.setattr(outputs, "claim_stage", swept_meanwhile)
    out = tmp_path / "o"
    assert main(["replay", str(sample_squat), "-e", "squat", "--out", str(out), "--no-video", "--no-history"]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["report.json", "track.npz"]


def test_the_end_card_is_three_seconds_of_a_few_pictures_a_second(tmp_path):
    """One still picture held END_CARD_S: its first a frame after the set's last, then END_CARD_FPS
    a second (fewer at a lower frame rate: never more often than the video's own frames)."""
    from formcheck.core.results import SessionSummary
    from formcheck.overlay import Overlay
    from formcheck.sets.end_card import END_CARD_FPS, END_CARD_S, write_end_card

    for fps in (15.0, 30.0, 240.0):
        path = tmp_path / f"{fps:g}.mp4"
        w = VideoWriter(path, (64, 48), fps)
        image = np.zeros((48, 64, 3), np.uint8)
        w.write(image, 500.0)
        write_end_card(w, Overlay("Squat", lang="en"), (image.copy(), 500.0),
                       SessionSummary("Squat", 3, 10, 0, [], None), fps)
        w.close()
        with av.open(str(path)) as c:
            times = [float(f.time) for f in c.decode(video=0)]
        assert times[-1] - times[0] == pytest.approx(END_CARD_S, abs=0.01), fps
        assert times[1] - times[0] == pytest.approx(1.0 / fps, abs=0.001), fps
        gaps = np.diff(times[1:])
        assert gaps.max() <= 1.0 / min(fps, END_CARD_FPS) + 0.001, fps  # held, not a jump at the end
        assert gaps.min() >= 1.0 / fps - 0.001, fps
        assert len(times) <= 2 + END_CARD_S * END_CARD_FPS, fps


def test_track_can_be_replayed_without_the_model(squat_replay):
    from formcheck.engine.analyzer import Analyzer
    from formcheck.sets.pipeline import run_track
    from formcheck.sets.report import ReportBuilder
    from formcheck.spec.exercise import load_exercise

    track = load_track(squat_replay / "track.npz")
    spec = load_exercise("squat")
    b = ReportBuilder(spec, target=10, source="track", model="lite", mode="tune")
    an = Analyzer(spec)
    run_track(track, an, b)
    report = json.loads((squat_replay / "report.json").read_text())
    assert b.finish(an.pauses).reps == report["reps"]


# ---- bad input: one line on stderr, non-zero exit, nothing half-written ----------------------

def _one_line_error(capsys, code) -> str:
    err = capsys.readouterr().err.strip()
    assert code != 0
    assert len(err.splitlines()) == 1, err
    assert "Traceback" not in err
    return err


def test_missing_file(capsys, tmp_path):
    code = main(["replay", str(tmp_path / "nope.mp4"), "-e", "squat", "--out", str(tmp_path / "o")])
    assert "not found" in _one_line_error(capsys, code)
    assert not (tmp_path / "o").exists()


def test_not_a_video(capsys, tmp_path):
    bad = tmp_path / "notes.mp4"
    bad.write_bytes(os.urandom(5000))
    code = main(["replay", str(bad), "-e", "squat", "--out", str(tmp_path / "o")])
    assert "cannot read video" in _one_line_error(capsys, code)
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("name", ["report.json", "track.npz", "annotated.mp4"])
def test_a_video_named_like_an_output_in_the_output_folder_is_not_overwritten(capsys, sample_squat, tmp_path, name):
    """A video that sits in the output folder under an output's name would be replaced by it:
    refused before any work, the video kept ("the input is never touched")."""
    video = tmp_path / name
    video.write_bytes(sample_squat.read_bytes())
    code = main(["replay", str(video), "-e", "squat", "--out", str(tmp_path), "--no-video", "--no-history"])
    err = capsys.readouterr().err
    assert code == 1 and f"refusing to overwrite the input video with the {name}" in err
    assert video.read_bytes() == sample_squat.read_bytes()


def test_unknown_exercise(capsys, sample_squat, tmp_path):
    code = main(["replay", str(sample_squat), "-e", "jumping_jacks", "--out", str(tmp_path / "o")])
    assert "unknown exercise 'jumping_jacks'" in _one_line_error(capsys, code)


def test_unknown_pose_model_is_one_line_and_creates_nothing(capsys, sample_squat, tmp_path):
    code = main(["replay", str(sample_squat), "-e", "squat", "--model", "huge", "--out", str(tmp_path / "o")])
    assert "pose model not found: huge" in _one_line_error(capsys, code)
    assert not (tmp_path / "o").exists()


def test_unwritable_output_folder(capsys, sample_squat, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code = main(["replay", str(sample_squat), "-e", "squat", "--out", str(blocker / "sub")])
    assert "output folder" in _one_line_error(capsys, code)


def _write_blank(path: Path, n: int, size=(320, 240)) -> None:
    with VideoWriter(path, size, 30) as w:
        for i in range(n):
            w.write(np.full((size[1], size[0], 3), 90 + i % 50, np.uint8))


def test_nobody_in_any_frame_leaves_no_output(capsys, tmp_path):
    clip = tmp_path / "empty_room.mp4"
    _write_blank(clip, 20)
    out = tmp_path / "o"
    code = main(["replay", str(clip), "-e", "squat", "--out", str(out), "--no-history"])
    assert "nobody was seen" in _one_line_error(capsys, code)
    assert not out.exists()  # no half-written video, track or report, and no empty folder left
    nested = tmp_path / "a" / "b" / "c"
    code = main(["replay", str(clip), "-e", "squat", "--out", str(nested), "--no-history"])
    assert "nobody was seen" in _one_line_error(capsys, code)
    assert not (tmp_path / "a").exists()  # every folder it made
    out.mkdir()  # a folder that was there before stays
    code = main(["replay", str(clip), "-e", "squat", "--out", str(out), "--no-history"])
    assert "nobody was seen" in _one_line_error(capsys, code)
    assert list(out.iterdir()) == []


def test_zero_frames(capsys, tmp_path):
    clip = tmp_path / "zero.mp4"
    with VideoWriter(clip, (320, 240), 30):
        pass
    out = tmp_path / "o"
    code = main(["replay", str(clip), "-e", "squat", "--out", str(out), "--no-history"])
    err = _one_line_error(capsys, code)
    assert "no frames" in err or "cannot read video" in err
    assert not out.exists() or list(out.iterdir()) == []


def test_truncated_video_replays_what_it_can_and_says_so(capsys, tmp_path, sample_squat):
    cut = tmp_path / "cut.mp4"
    whole = tmp_path / "whole.mp4"
    _copy_frames(sample_squat, whole, 200)  # our writer puts the index (moov) first: a cut keeps it
    data = whole.read_bytes()
    cut.write_bytes(data[: len(data) // 2])
    out = tmp_path / "o"
    code = main(["replay", str(cut), "-e", "squat", "--out", str(out), "--no-history", "--no-video"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "truncated" in captured.err and len(captured.err.strip().splitlines()) == 1
    report = json.loads((out / "report.json").read_text())
    assert report["truncated"] is True
    assert 0 < report["frames"] < 200


def _copy_frames(src: Path, dst: Path, n: int) -> None:
    with av.open(str(src)) as c, VideoWriter(dst, (640, 480), 30) as w:
        for i, f in enumerate(c.decode(video=0)):
            if i >= n:
                break
            w.write(f.to_ndarray(format="rgb24"))


def test_no_traceback_from_a_subprocess(tmp_path):
    bad = tmp_path / "x.avi"
    bad.write_bytes(b"RIFF\x00\x00garbage")
    code, _, err = run_cli("replay", str(bad), "--exercise", "squat", "--out", str(tmp_path / "o"))
    assert code != 0 and "Traceback" not in err and len(err.strip().splitlines()) == 1


# ---- privacy: a patient's video never leaves the machine ----------------------------------------

@pytest.mark.slow
def test_replay_opens_no_network_connection(tmp_path, sample_squat):
    """Run replay under strace (every connect/send of every thread, native code included).

    MediaPipe's wheel has a telemetry client (libcurl, background thread); estimator.py blocks it.
    """
    if shutil.which("strace") is None:
        pytest.skip("strace is not installed (.ci/run installs it)")
    log = tmp_path / "strace.log"
    short = tmp_path / "short.mp4"
    _copy_frames(sample_squat, short, 60)
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    res = subprocess.run(
        ["strace", "-f", "-qq", "-e", "trace=connect,sendto,sendmsg", "-o", str(log), sys.executable, "-m",
         "formcheck.cli", "replay", str(short), "-e", "squat", "--out", str(tmp_path / "o"), "--no-history"],
        capture_output=True, text=True, timeout=600, env=env,
    )
    assert res.returncode == 0, res.stderr
    calls = [ln for ln in log.read_text().splitlines() if "AF_INET" in ln or "AF_INET6" in ln]
    assert calls == [], calls[:5]


def test_python_level_sockets_are_never_opened(tmp_path, sample_squat):
    """A cheaper check that runs everywhere: an audit hook sees any socket the Python side opens."""
    code = (
        "import sys\n"
        "events = []\n"
        "sys.addaudithook(lambda e, a: events.append(e) if e.startswith(('socket.connect', 'socket.getaddrinfo')) else None)\n"
        "from formcheck.cli.main import main\n"
        f"rc = main(['replay', {str(sample_squat)!r}, '-e', 'squat', '--out', {str(tmp_path / 'o')!r}, '--no-history', '--no-video'])\n"
        "print('RESULT', rc, len(events))\n"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600)
    assert "RESULT 0 0" in res.stdout, res.stdout + res.stderr


@pytest.mark.parametrize("n, words", [(0, "0 partials"), (1, "1 partial\n"), (2, "2 partials")])
def test_the_summary_line_counts_partials_in_plain_english(capsys, tmp_path, n, words):
    rep = {"reps": 3, "target": 10, "partials": [{}] * n, "fault_counts": {}}
    print_set("Squat", "reps", SetReport.from_json(rep), tmp_path)
    assert f"Squat: 3 / 10 repetitions, {words}" in capsys.readouterr().out


def test_the_summary_names_each_fault_with_what_the_patient_was_told(capsys, tmp_path):
    from formcheck.sets.texts import fault_texts
    from formcheck.spec.exercise import load_exercise

    spec = load_exercise("squat")
    told = fault_texts(spec, "en")
    assert told["head_down"] == next(r.cue.en for r in spec.rules if r.id == "head_down")
    assert told[spec.count.shallow_fault] == spec.count.shallow_cue.en  # a partial's cue too
    assert fault_texts(load_exercise("core_bracing"), "da")["not_still"]  # and the hold timer's own
    rep = {"reps": 3, "target": 10, "partials": [], "fault_counts": {"head_down": 3, "not_seen": 1}}
    print_set("Squat", "reps", SetReport.from_json(rep), tmp_path, told)
    out = capsys.readouterr().out
    assert f'faults: head_down x3 ("{told["head_down"]}"), not_seen x1\n' in out  # an id without a cue stays bare


def test_the_summary_says_when_counting_never_started(capsys, tmp_path):
    rep = {"reps": 0, "target": 10, "partials": [], "fault_counts": {}, "frames_with_pose": 40, "started_s": None,
           "kind": "reps", "config": {"settle_s": 0.25, "count": {"relative": False, "mode": "single"}}}
    print_set("Squat", "reps", SetReport.from_json(rep), tmp_path)
    assert "note: counting never started: the person was never seen in the start position" in capsys.readouterr().out
    two_way = rep | {"config": {"settle_s": 0.25, "count": {"relative": True, "mode": "cycle"}}}  # toe-heel waits still
    print_set("Toe-heel", "reps", SetReport.from_json(two_way), tmp_path)
    assert "the person was never still in the start position for 0.25 s" in capsys.readouterr().out
    print_set("Squat", "reps", SetReport.from_json(rep | {"started_s": 0.3}), tmp_path)
    assert "never started" not in capsys.readouterr().out


def test_the_summary_says_when_and_why_counting_paused(capsys, tmp_path):
    pauses = [{"start_s": 2.0, "end_s": 3.5, "reason": "moving about"}, {"start_s": 9.0, "end_s": 9.5, "reason": "moving about"},
              {"start_s": 12.0, "end_s": 14.0, "reason": "person or key joints not seen"}]
    rep = {"reps": 0, "target": 10, "partials": [], "fault_counts": {}, "pauses": pauses}
    print_set("Squat", "reps", SetReport.from_json(rep), tmp_path)  # no duration: nothing to say how much of the set that was
    out = capsys.readouterr().out
    assert "counting paused: moving about x2, 2.0 s; person or key joints not seen x1, 2.0 s\n" in out
    print_set("Squat", "reps", SetReport.from_json(rep | {"duration_s": 20.0}), tmp_path)  # 4 s of 20: the count may be low
    assert "not seen x1, 2.0 s (repetitions then were not counted, so the count may be low)" in capsys.readouterr().out
    print_set("Squat", "reps", SetReport.from_json(rep | {"duration_s": 60.0}), tmp_path)  # 4 s of a minute: it is said, not doubted
    assert "may be low" not in capsys.readouterr().out
    print_set("Squat", "reps", SetReport.from_json(rep | {"pauses": []}), tmp_path)
    assert "paused" not in capsys.readouterr().out


@pytest.mark.parametrize("exercise, flag, expected", [("calf_stretch", [], "full"), ("squat", [], "lite"),
                                                      ("calf_stretch", ["--model", "lite"], "lite")])
def test_replay_uses_the_exercises_own_pose_model_unless_told(monkeypatch, tmp_path, capsys, exercise, flag, expected):
    import formcheck.cli.replay as command
    from formcheck.sets.outputs import ReplayError

    seen = {}

    def fake_replay(video, spec, out, opts):
        seen["model"] = opts.model
        raise ReplayError("stopped by the test")

    monkeypatch.setattr(command, "replay", fake_replay)
    video = tmp_path / "clip.mp4"
    video.write_bytes(b"")
    assert main(["replay", str(video), "--exercise", exercise, "--out", str(tmp_path / "o"), *flag]) == 1
    assert seen["model"] == expected and "stopped by the test" in capsys.readouterr().err


@pytest.mark.parametrize("command", [["replay", "clip.mp4", "-e", "squat"], ["tune", "track.npz", "-e", "squat"],
                                     ["live", "-e", "squat", "--headless"]])
@pytest.mark.parametrize("value", ["0", "-3", "many", "101"])
def test_a_target_that_is_not_a_number_of_repetitions_is_refused(capsys, command, value):
    with pytest.raises(SystemExit) as exc:
        main([*command, "--target", value])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert f"argument --target: must be a whole number from 1 to 100, got '{value}'" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("value", ["-5", "nan", "soon", "61"])
def test_a_countdown_that_is_not_seconds_is_refused(capsys, value):
    with pytest.raises(SystemExit) as exc:
        main(["live", "-e", "squat", "--headless", "--countdown", value])
    assert exc.value.code == 2
    assert f"argument --countdown: must be seconds from 0 to 60, got '{value}'" in capsys.readouterr().err


@pytest.mark.parametrize("argv,msg", [
    (["replay", "-e", "squat"], "the following arguments are required: video (see 'formcheck replay --help')"),
    (["replay", "a.mp4", "b.mp4", "-e", "squat", "--jobs", "0"], "argument --jobs/-j: must be a whole number from 1 to 256"),
    (["replay", "a.mp4", "", "-e", "squat"], "video: one of them is empty"),
    (["replay", "a.mp4", "-e", "squat", "--data-dir", ""], "--data-dir is empty (see 'formcheck replay --help')"),
    (["replay", "", "-e", "squat"], "video is empty"),
    (["history", "--csv", ""], "--csv is empty"),
    (["exercises", "validate", "exercises/squat.toml", ""], "files: one of them is empty"),
    (["live", "--program", "home_program", "--only", "", "--headless"], "--only is empty"),
    (["live", "-e", "squat", "--camera", "-1", "--headless"], "argument --camera: must be a camera number from 0 to 63"),
    (["live", "-e", "squat", "--camera", "99999999999", "--headless"], "must be a camera number from 0 to 63"),
    (["live", "-e", "squat", "--lang", "fr"], "argument --lang: invalid choice: 'fr'"),
])
def test_command_line_mistakes_are_one_line(capsys, argv, msg):
    """A mistake on the command line is one line naming it (no usage block, no traceback), exit 2;
    an empty value is a mistake too, never a silent "use the default" (--data-dir "" used to
    record into the default history). A negative camera index crashed OpenCV."""
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and err.startswith("formcheck: error: ") and msg in err, err


def test_replay_loads_no_other_commands_modules():
    """The trainer, tuning, history and exercise commands live in their own modules, which replay
    does not need (the trainer's alone took 0.4 s to import)."""
    code = (
        "import sys\n"
        "from formcheck.cli.main import main\n"
        "try:\n"
        "    main(['replay', '--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(sorted(m for m in ('formcheck.live', 'formcheck.tune.analysis', 'formcheck.cli.history', 'formcheck.cli.exercises') if m in sys.modules))\n"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip().splitlines()[-1] == "[]"


def test_a_set_filmed_from_a_view_the_exercise_is_not_checked_from_says_so(capsys):
    """Toes-and-heels seen from behind (the toes lift out of sight behind the heels) was reported
    like any other: now the report's notes and the summary line say the counts may be wrong.
    (Heel raises, once the example here, are counted from the front and from behind now.)"""
    import numpy as np
    from factories import report_of, script

    from formcheck.core.pose import Pose
    from formcheck.spec.exercise import load_exercise

    spec = load_exercise("toe_heel")
    keys = [(0.0, {"heel_lift": 0.0}), (1.5, {"heel_lift": 0.0}), (2.3, {"heel_lift": 0.35}), (3.0, {"heel_lift": 0.35}),
            (3.8, {"heel_lift": 0.0}), (5.0, {"heel_lift": 0.0})]
    front = script(keys, fps=30, view="front")
    # from behind: the same picture mirrored (the person's left on the picture's left)
    behind = [(t, Pose(np.column_stack([1.0 - p.xy[:, 0], p.xy[:, 1]]), p.visibility, p.world, p.t_ms, p.image_size))
              for t, p in front]
    reports = {"back": report_of(spec, behind)[0], "side": report_of(spec, script(keys, fps=30, view="side"))[0]}
    back, side = reports["back"], reports["side"]
    assert (back.view, side.view) == ("back", "side") and back.views_asked == ("side", "oblique", "front")
    assert [n for n in back.notes if "filmed mostly from behind" in n] and not side.notes
    print_set("Toes and heels", "reps", back, Path("out"))
    assert "camera: filmed mostly from behind; this exercise is checked from the side or oblique or front" in capsys.readouterr().out
    print_set("Toes and heels", "reps", side, Path("out"))
    assert "camera:" not in capsys.readouterr().out


def _png(rgb: np.ndarray) -> bytes:
    """A PNG file's bytes (8-bit RGB), written by hand: no image library needed."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    h, w = rgb.shape[:2]
    rows = b"".join(b"\0" + rgb[y].tobytes() for y in range(h))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def test_a_still_picture_is_refused_but_a_moment_of_video_is_replayed_with_a_note(capsys, tmp_path, sample_squat):
    """A photo (even named .mp4) cannot hold an exercise: a one-line error, and nothing for the
    history to take as a set of 0 repetitions. A clip of a few frames with a person in it is
    replayed (issue 17: a 0.97 s clip holding one squat was refused), and its report says it is
    too short to be sure of."""
    photo = tmp_path / "photo.mp4"
    photo.write_bytes(_png(np.full((240, 320, 3), 90, np.uint8)))
    code = main(["replay", str(photo), "-e", "squat", "--out", str(tmp_path / "o"), "--no-history"])
    assert "still picture, not a video" in _one_line_error(capsys, code)
    assert not (tmp_path / "o").exists()
    blink = tmp_path / "blink.mp4"
    _copy_frames(sample_squat, blink, 5)
    code = main(["replay", str(blink), "-e", "squat", "--out", str(tmp_path / "b"), "--no-history", "--no-video"])
    assert code == 0, capsys.readouterr().err
    report = json.loads((tmp_path / "b" / "report.json").read_text())
    assert report["frames"] == 5 and any("too short to be sure" in n for n in report["notes"]), report["notes"]
    second = tmp_path / "second.mp4"
    with av.open(str(sample_squat)) as c:
        fps = float(c.streams.video[0].average_rate)
    _copy_frames(sample_squat, second, round(fps))
    code = main(["replay", str(second), "-e", "squat", "--out", str(tmp_path / "o"), "--no-history", "--no-video"])
    assert code == 0, capsys.readouterr().err


def test_outputs_are_not_put_over_a_report_that_appeared_meanwhile(tmp_path):
    """Two replays into one folder: the second to finish does not replace the first's report
    (the refusal at the start cannot see a run still going)."""
    from formcheck.sets.outputs import REPORT, TRACK, ReplayError, put_in_place

    stage, out = tmp_path / "stage", tmp_path / "out"
    stage.mkdir()
    out.mkdir()
    (stage / REPORT).write_text("mine")
    (stage / TRACK).write_bytes(b"my track")
    (out / REPORT).write_text("theirs")
    with pytest.raises(ReplayError, match="received another run's results"):
        put_in_place(stage, out)
    assert sorted(p.name for p in out.iterdir()) == [REPORT] and (out / REPORT).read_text() == "theirs"
    (out / REPORT).unlink()
    put_in_place(stage, out)
    assert (out / REPORT).read_text() == "mine" and (out / TRACK).read_bytes() == b"my track"
