"""`formcheck live`: the loop driven from a video file, scripted keys, camera trouble, and the
same results as `formcheck replay`.

Fast tests replace the pose model by the landmarks replay saved for the same clip (a
``TrackDetector``), so they test the live loop itself: threads, pacing, drops, keys, outputs.
The ``slow`` tests run the real model.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from factories import TrackDetector, replay_reference

from formcheck.cli.live import cmd_live
from formcheck.cli.main import build_parser, main
from formcheck.core.pose import Pose
from formcheck.engine.analyzer import GUIDE, Analyzer
from formcheck.live import (
    HeadlessDisplay,
    KeySchedule,
    LiveError,
    LiveOptions,
    SetPlan,
    canvas_size,
    run_set,
    summary_from_report,
)
from formcheck.media.capture import CameraSource, FileSource, LiveFrame, Mailbox
from formcheck.media.capture import camera as cap
from formcheck.media.track import load_track
from formcheck.media.video import VideoReader
from formcheck.sets.end_card import END_CARD_S, end_card_frames
from formcheck.sets.pipeline import run_track
from formcheck.sets.report import ReportBuilder
from formcheck.sets.set_report import SetReport
from formcheck.sets.texts import TEXTS
from formcheck.spec.exercise import load_exercise

# samples/squat_side.mp4: 4 reps, 1.0-3.5, 4.0-6.3, 6.8-9.5, 10.2-13.0 s (samples/README.md)
SAMPLE_REPS = 4






@pytest.fixture(scope="module")
def reference(tmp_path_factory, sample_squat) -> dict:
    return replay_reference(tmp_path_factory, sample_squat)


def live_set(source, keys: str = "", *, detector=None, countdown: float = 3.0, out: Path,
             save_video: bool = False, exercise: str = "squat", model: str | None = "lite") -> tuple[dict, object]:
    spec = load_exercise(exercise)
    out.mkdir(parents=True, exist_ok=True)
    source.start()
    try:
        outcome = run_set(SetPlan(spec, out), source, HeadlessDisplay(KeySchedule.parse(keys)),
                          LiveOptions(model=model, lang="en", countdown_s=countdown, save_video=save_video),
                          (lambda: detector) if detector is not None else None)
    finally:
        source.stop()
    report = json.loads((out / "report.json").read_text())
    return report, outcome


def same_results(a: dict, b: dict | SetReport) -> None:
    """The counts, faults and repetitions of two reports (report.json's dicts; a SetReport as its JSON)."""
    b = b.to_json() if isinstance(b, SetReport) else b
    for key in ("reps", "target", "partials", "holds", "fault_counts", "frames", "frames_with_pose", "pauses"):
        assert a[key] == b[key], key
    assert [(f["id"], f["t_s"]) for f in a["faults"]] == [(f["id"], f["t_s"]) for f in b["faults"]]
    assert a["reps_detail"] == b["reps_detail"]


# ----- the mailbox and the sources -------------------------------------------------------------


def frame(i: int, t: float = 0.0) -> LiveFrame:
    return LiveFrame(np.zeros((2, 2, 3), np.uint8), t, time.monotonic(), i)


def test_mailbox_keeps_only_the_newest_frame_and_counts_drops():
    box = Mailbox()
    for i in range(5):
        box.put(frame(i))
    got = box.get(timeout=0.1)
    assert got is not None and got.index == 4
    assert box.dropped == 4
    assert box.get(timeout=0.01) is None
    box.close()
    assert box.finished and box.put(frame(9)) is False


def test_mailbox_wait_mode_loses_nothing():
    box, got = Mailbox(), []

    def produce():
        for i in range(50):
            box.put(frame(i), wait=True)
        box.close()

    th = threading.Thread(target=produce)
    th.start()
    while not box.finished:
        f = box.get(timeout=0.5)
        if f is not None:
            got.append(f.index)
            time.sleep(0.001)
    th.join()
    assert got == list(range(50)) and box.dropped == 0


def test_file_source_every_frame_gives_replays_frames_with_a_preroll(sample_squat):
    src = FileSource(sample_squat, paced=False, preroll_s=1.0)
    src.start()
    frames = []
    while not src.finished:
        f = src.get(timeout=1.0)
        if f is not None:
            frames.append((f.t_ms, f.preroll))
    src.stop()
    pre = [t for t, p in frames if p]
    real = [t for t, p in frames if not p]
    assert len(pre) == 30 and all(t < 0 for t in pre) and pre == sorted(pre)
    with VideoReader(sample_squat) as r:
        assert real == [f.t_ms for f in r]  # the same frames at the same times as replay
    assert src.dropped == 0 and src.error is None


def test_file_source_at_camera_pace_keeps_real_time_and_drops_what_is_not_taken(sample_squat):
    src = FileSource(sample_squat, paced=True)
    src.start()
    t0 = time.monotonic()
    got = []
    while time.monotonic() - t0 < 1.5:
        f = src.get(timeout=0.5)
        if f is not None:
            got.append(f)
            time.sleep(0.1)  # a consumer three times slower than the camera
    src.stop()
    span_video = (got[-1].t_ms - got[0].t_ms) / 1000.0
    span_wall = got[-1].grab_s - got[0].grab_s
    assert abs(span_video - span_wall) < 0.1  # paced by the timestamps, not by the consumer
    assert src.dropped >= len(got)  # ~2 of every 3 frames dropped
    gaps = np.diff([f.t_ms for f in got])
    assert gaps.min() > 60  # always the newest frame, never a backlog


class _SlowDecoder:
    """A video reader that decodes each frame in ``step_s`` (a busy machine, a big clip)."""

    def __init__(self, reader, step_s: float) -> None:
        self.reader, self.step_s = reader, step_s

    def __iter__(self):
        for f in self.reader:
            time.sleep(self.step_s)
            yield f

    def __getattr__(self, name):
        return getattr(self.reader, name)


def test_file_source_whose_decoding_cannot_keep_up_still_hands_frames_over(sample_squat):
    """A decoder slower than the clip's frame rate falls further behind with every frame, so each
    frame is late when decoded: dropping every late frame handed over nothing at all (live
    counted 0 on 1080x1920 clips on a loaded machine). A camera gives fewer frames, not none."""
    src = FileSource(sample_squat, paced=True)
    src._reader = _SlowDecoder(src._reader, 1.5 / src.fps)  # two frames decoded in three frame times
    src.start()
    t0, got = time.monotonic(), []
    while time.monotonic() - t0 < 1.5:
        f = src.get(timeout=0.2)
        if f is not None:
            got.append(f.t_ms)
    src.stop()
    decoded = 1.5 / (1.5 / src.fps)  # in the 1.5 s
    assert len(got) >= 0.3 * decoded  # about every other decoded frame, however far behind
    assert src._source_dropped <= src.delivered + 1  # never two late frames dropped in a row


# ----- the live loop from a file (no model) ------------------------------------------------------


def test_every_frame_live_equals_the_fold_of_the_same_poses(reference, sample_squat, tmp_path):
    track = reference["track"]
    report, _outcome = live_set(FileSource(sample_squat, paced=False, preroll_s=3.0),
                               detector=TrackDetector(track), out=tmp_path / "o")
    spec = load_exercise("squat")
    analyzer = Analyzer(spec)
    builder = ReportBuilder(spec, target=analyzer.target, source="x", model="track", mode="replay")
    run_track(track, analyzer, builder)
    same_results(report, builder.finish(analyzer.pauses))
    assert report["reps"] == SAMPLE_REPS
    assert report["mode"] == "live" and report["ended_by"] == "end_of_video"
    assert report["live"]["every_frame"] is True and report["live"]["frames_dropped"] == 0
    assert sorted(p.name for p in (tmp_path / "o").iterdir()) == ["report.json", "track.npz"]


def test_countdown_preroll_is_shown_and_not_counted(reference, sample_squat, tmp_path):
    seen = []
    spec = load_exercise("squat")
    src = FileSource(sample_squat, paced=False, preroll_s=3.0)
    src.start()
    display = HeadlessDisplay(on_frame=lambda img: seen.append(img.shape))
    det = TrackDetector(reference["track"])
    outcome = run_set(SetPlan(spec, tmp_path), src, display, LiveOptions(lang="en"), lambda: det)
    src.stop()
    n_video = outcome.report.frames
    assert len(seen) == n_video + 90  # 3 s at 30 fps of countdown first
    assert det.calls == n_video  # the model never ran on countdown frames
    assert set(seen) == {(720, 960, 3)}  # 640x480 drawn at 960x720 for reading from afar


def test_pain_key_stops_at_once_and_records_pain_stop(reference, sample_squat, tmp_path):
    report, _outcome = live_set(FileSource(sample_squat, paced=False), "5.0:p",
                               detector=TrackDetector(reference["track"]), out=tmp_path / "o")
    assert report["pain_stop"]["t_s"] == pytest.approx(5.0, abs=0.04)
    assert "pain" in report["pain_stop"]["note"]
    assert report["ended_by"] == "pain"
    assert report["reps"] == 1  # rep 1 ended at 3.5 s; rep 2 was in progress
    assert report["duration_s"] == pytest.approx(5.0, abs=0.04)  # nothing after the key


def test_quit_key_ends_the_set_and_saves_it(reference, sample_squat, tmp_path):
    report, _ = live_set(FileSource(sample_squat, paced=False), "7.0:q",
                         detector=TrackDetector(reference["track"]), out=tmp_path / "o")
    assert report["ended_by"] == "quit" and report["reps"] == 2 and report["pain_stop"] is None


def test_pause_key_stops_counting_until_resumed(reference, sample_squat, tmp_path):
    track = reference["track"]
    report, _ = live_set(FileSource(sample_squat, paced=False), "4.2:space",
                         detector=TrackDetector(track), out=tmp_path / "a")
    assert report["reps"] == 1  # paused before rep 2 and never resumed
    assert report["pauses"] and report["pauses"][0]["start_s"] == pytest.approx(4.2, abs=0.05)
    report, _ = live_set(FileSource(sample_squat, paced=False), "4.2:space,6.5:space",
                         detector=TrackDetector(track), out=tmp_path / "b")
    starts = [r["start_s"] for r in report["reps_detail"]]
    assert not any(4.2 < s < 6.5 for s in starts)  # rep 2 fell in the pause
    assert 2 <= report["reps"] < SAMPLE_REPS and starts[-1] > 10.0  # counting went on after it


def test_restart_key_drops_the_count_and_counts_again_after_a_countdown(reference, sample_squat, tmp_path):
    report, _ = live_set(FileSource(sample_squat, paced=False), "5.0:r",
                         detector=TrackDetector(reference["track"]), out=tmp_path / "o")
    assert 1 <= report["reps"] < SAMPLE_REPS
    assert all(r["start_s"] > 8.0 for r in report["reps_detail"])  # 5.0 s + 3 s countdown
    assert report["frames"] < 0.5 * 14.4 * 30  # only frames after the countdown are in the report


def test_camera_pace_with_a_slow_model_drops_frames_but_counts_the_same(reference, sample_squat, tmp_path):
    # a 'model' taking 50 ms per frame cannot keep up with 30 fps: about a third of the frames
    # are analysed, the video still plays in real time, and the count is unchanged
    det = TrackDetector(reference["track"], delay_s=0.05)
    t0 = time.monotonic()
    report, outcome = live_set(FileSource(sample_squat, paced=True, preroll_s=0.0), detector=det,
                               out=tmp_path / "o")
    wall = time.monotonic() - t0
    assert abs(wall - 14.4) < 3.0  # real time, the lag did not grow
    assert report["live"]["frames_dropped"] > 0.3 * 432
    assert report["frames"] < 0.7 * 432
    assert report["reps"] == SAMPLE_REPS == reference["report"]["reps"]
    assert outcome.stats.pct("ready", 95) < 200  # newest frame each time: no backlog


def test_a_file_at_camera_pace_starts_playing_when_the_set_loop_is_ready(reference, sample_squat, tmp_path, monkeypatch):
    """Setting the set up (report, track, overlay, window) took about a second on a loaded
    machine, and a file started before it played on meanwhile: live lost the clip's first second
    (its first analysed frame at 0.83 s). The file now starts when the loop asks for a frame."""
    from formcheck.live import set_loop

    made = set_loop.Overlay.from_setup
    monkeypatch.setattr(set_loop.Overlay, "from_setup", staticmethod(lambda *a, **k: (time.sleep(0.6), made(*a, **k))[1]))
    src = FileSource(sample_squat, paced=True, preroll_s=0.0)
    try:
        run_set(SetPlan(load_exercise("squat"), tmp_path), src, HeadlessDisplay(KeySchedule.parse("2.0:q")),
                LiveOptions(lang="en", countdown_s=0.0), lambda: TrackDetector(reference["track"]))
    finally:
        src.stop()
    assert load_track(tmp_path / "track.npz").t_ms[0] == 0.0  # the clip's first frame was analysed


def test_saved_video_has_the_set_at_display_size(reference, sample_squat, tmp_path):
    report, _ = live_set(FileSource(sample_squat, paced=False, preroll_s=1.0), "3.0:q", save_video=True,
                         detector=TrackDetector(reference["track"]), out=tmp_path / "o")
    assert report["outputs"]["video"] == "annotated.mp4"
    with VideoReader(tmp_path / "o" / "annotated.mp4") as r:
        frames = list(r)
    assert r.size == (960, 720)
    card = end_card_frames(report["fps"])  # then the set's summary, held as replay holds it
    assert len(frames) == report["frames"] + card  # the countdown preroll is not in the video
    last_seen, first_card, last_card = (frames[i].image.astype(np.int16) for i in (-card - 1, -card, -1))
    assert frames[-1].t_ms - frames[-card - 1].t_ms == pytest.approx(END_CARD_S * 1000, abs=1500 / report["fps"])
    assert np.abs(first_card - last_card).mean() < 2  # one still picture
    assert np.abs(first_card - last_seen).mean() > 10  # the summary panel over it


def test_a_saved_video_has_no_summary_after_pain_and_ctrl_c_while_it_is_finished_still_saves_the_set(
        reference, sample_squat, tmp_path, monkeypatch):
    """After a pain stop live shows advice, not a summary: the video ends on the set's last
    picture. A Ctrl-C while the video is being finished drops the video, never the set."""
    report, _ = live_set(FileSource(sample_squat, paced=False, preroll_s=0.0), "3.0:p", save_video=True,
                         detector=TrackDetector(reference["track"]), out=tmp_path / "pain")
    assert report["ended_by"] == "pain"
    with VideoReader(tmp_path / "pain" / "annotated.mp4") as r:
        assert len(list(r)) == report["frames"]

    def interrupted(*_a, **_k):
        raise KeyboardInterrupt
    monkeypatch.setattr("formcheck.live.set_loop.write_end_card", interrupted)
    try:
        report, outcome = live_set(FileSource(sample_squat, paced=False, preroll_s=0.0), "3.0:q", save_video=True,
                                   detector=TrackDetector(reference["track"]), out=tmp_path / "ctrl_c")
    except KeyboardInterrupt:
        pytest.fail("the Ctrl-C while the video was finished escaped, and the set's report with it")
    assert outcome.ended_by == report["ended_by"] == "interrupted"
    assert report["outputs"]["video"] is None and report["frames"] > 0
    assert "interrupted while it was written" in " ".join(report["notes"])
    assert sorted(p.name for p in (tmp_path / "ctrl_c").iterdir()) == ["report.json", "track.npz"]


def test_a_set_without_video_into_an_earlier_set_folder_leaves_no_old_video(reference, sample_squat, tmp_path):
    out = tmp_path / "o"
    out.mkdir()
    (out / "annotated.mp4").write_bytes(b"an earlier set's video")
    report, _ = live_set(FileSource(sample_squat, paced=False, preroll_s=1.0), "3.0:q",
                         detector=TrackDetector(reference["track"]), out=out)
    assert report["outputs"]["video"] is None
    assert sorted(p.name for p in out.iterdir()) == ["report.json", "track.npz"]


def test_summary_names_the_most_frequent_fault_as_a_tip():
    spec = load_exercise("squat")
    report = {"reps": 3, "target": 10, "holds": [], "pain_stop": None,
              "faults": [{"id": "too_fast"}, {"id": "back_rounded"}, {"id": "back_rounded"}],
              "partials": []}
    s = summary_from_report(spec, SetReport.from_json(report), "en")
    assert (s.reps, s.target, s.partials, s.pain_stopped) == (3, 10, 0, False)
    assert s.top_cue == next(r.cue.en for r in spec.rules if r.id == "back_rounded")
    assert summary_from_report(spec, SetReport.from_json({**report, "faults": [], "partials": []}), "da").top_cue is None


def test_summary_tip_after_a_set_filmed_from_the_wrong_view_is_how_to_stand():
    """A heel raise filmed from the front (checked from the side or 45°): its faults may be
    misreadings, so the end screen gives no fault tip and its note says how to stand toward the camera."""
    spec = load_exercise("heel_raise")
    report = {"reps": 0, "target": 10, "holds": [], "pain_stop": None, "partials": [{}, {}],
              "faults": [{"id": "incomplete_rise"}, {"id": "incomplete_rise"}],
              "view": "front", "views_asked": ["side", "oblique"]}
    wrong = summary_from_report(spec, SetReport.from_json(report), "da")
    assert wrong.note == GUIDE["turn_sideways"].text("da") and wrong.top_cue is None
    assert summary_from_report(spec, SetReport.from_json({**report, "view": "side"}), "da").top_cue == spec.count.shallow_cue.da


def test_summary_tip_after_a_set_the_camera_lost_sight_of_says_so():
    """Squats missed while the camera could not see the patient: the end screen says why the
    count may be low rather than cueing a fault."""
    spec = load_exercise("squat")
    report = {"reps": 2, "target": 10, "holds": [], "pain_stop": None, "partials": [],
              "faults": [{"id": "back_rounded"}], "view": "side", "views_asked": ["side", "front", "oblique"],
              "duration_s": 30.0, "pauses": [{"start_s": 3.0, "end_s": 9.0, "reason": "person or key joints not seen"}]}
    assert summary_from_report(spec, SetReport.from_json(report), "da").note == TEXTS["da"]["not_seen"]
    assert summary_from_report(spec, SetReport.from_json(report), "en").note.startswith("The camera could not see you")
    assert summary_from_report(spec, SetReport.from_json(report), "en").top_cue is None
    short = {**report, "pauses": [{"start_s": 3.0, "end_s": 4.0, "reason": "person or key joints not seen"}]}
    assert summary_from_report(spec, SetReport.from_json(short), "en").top_cue == spec.rules[0].cue.en  # back_rounded
    walked = {**report, "pauses": [{"start_s": 3.0, "end_s": 9.0, "reason": "moving about or getting up (or the pose jumping)"}]}
    assert summary_from_report(spec, SetReport.from_json(walked), "en").top_cue == spec.rules[0].cue.en  # walking about is not the camera's fault
    never = {**short, "faults": [], "frames_with_pose": 200, "started_s": None}  # never still in the start position
    never_started = summary_from_report(spec, SetReport.from_json(never), "en")
    assert never_started.note == TEXTS["en"]["never_started"]
    assert never_started.top_cue is None  # the tip is never the positioning message (issue 19)


def test_summary_tip_counts_a_shallow_repetition_once_and_ties_go_to_the_graver_fault():
    """The engine logs a shallow repetition both as a partial and as a fault: the tip counts it
    once. One rounded back (severity 4) against one shallow squat (3): the back comes first."""
    from factories import report_of, script

    spec = load_exercise("squat")
    keys = [(0.0, {"knee": 0.0, "trunk": 0.0}), (1.0, {"knee": 0.0, "trunk": 0.0}),
            (2.2, {"knee": 100.0, "trunk": 70.0}), (2.6, {"knee": 100.0, "trunk": 70.0}),
            (3.6, {"knee": 0.0, "trunk": 0.0}), (4.5, {"knee": 0.0, "trunk": 0.0}),
            (5.7, {"knee": 55.0, "trunk": 20.0}), (5.9, {"knee": 55.0, "trunk": 20.0}),
            (6.9, {"knee": 0.0, "trunk": 0.0}), (8.0, {"knee": 0.0, "trunk": 0.0})]
    report, _ = report_of(spec, script(keys, 30, noise_px=0.3))
    assert [f.id for f in report.faults] == ["back_rounded", "too_shallow"]
    assert [p.reason for p in report.partials] == ["too_shallow"]
    s = summary_from_report(spec, report, "en")
    assert s.top_cue == next(r.cue.en for r in spec.rules if r.id == "back_rounded")


@pytest.mark.parametrize("size,expected", [((640, 480), (960, 720)), ((1280, 720), (1280, 720)),
                                           ((1920, 1080), (1920, 1080)), ((1080, 1920), (608, 1080))])
def test_canvas_is_at_least_720_lines(size, expected):
    assert canvas_size(size) == expected


def test_key_script_parsing():
    ks = KeySchedule.parse("5:p, 1.5:space,2:esc")
    assert ks.due(1.0) is None and ks.due(1.5) == "space" and ks.due(10) == "q" and ks.due(10) == "p"
    for bad in ("5", "x:p", "5:z"):
        with pytest.raises(LiveError):
            KeySchedule.parse(bad)


# ----- the command line ------------------------------------------------------------------------------


def args_for(*argv: str):
    return build_parser().parse_args(["live", *argv])


@pytest.mark.parametrize("argv,msg,code", [  # 2: options that do not go together, as argparse's errors
    (["--exercise", "squat", "--every-frame", "--headless"], "--every-frame needs --source", 2),
    (["--headless"], "either --exercise ID or --program NAME", 2),
    (["--exercise", "squat", "--session", "lying", "--headless"], "need --program", 2),
    (["--program", "home_program", "--target", "3", "--headless"], "--target is for one exercise", 2),
    (["--exercise", "squat", "--source", "/nonexistent.mp4", "--headless"], "video not found", 1),
    (["--exercise", "squat", "--source", "x.mp4", "--keys", "5:z", "--headless"], "unknown key", 1),
])
def test_bad_options_are_one_line_errors(argv, msg, code, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x.mp4").write_bytes(b"")
    assert main(["live", *argv]) == code
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and msg in err[0], err


@pytest.mark.parametrize("lang,expected", [
    ("en", ("formcheck: error: no camera found at index 9 (is one connected? try --camera 1, or --source VIDEO); "
           "cameras found: ")),
    ("da", "formcheck: error: kamera 9 blev ikke fundet (er det tilsluttet?); fundne kameraer: "),  # one language
    # per session (issue 19)
])
def test_no_camera_is_a_clear_error_not_a_traceback(lang, expected):
    res = subprocess.run([sys.executable, "-m", "formcheck.cli", "live", "--exercise", "squat", "--camera", "9",
                          "--headless", "--no-history", "--lang", lang], check=False, capture_output=True, text=True, timeout=120)
    assert res.returncode == 1
    assert res.stderr.startswith(expected) and len(res.stderr.strip().splitlines()) == 1, res.stderr


class FakeCapture:
    """A cv2.VideoCapture stand-in playing a clip at 30 fps, that can be 'busy' or 'unplugged'."""

    def __init__(self, clip: Path, *, busy: bool = False, unplug_after: int | None = None) -> None:
        self.frames = iter(VideoReader(clip))
        self.busy, self.unplug_after = busy, unplug_after
        self.n = 0
        self.next_due = time.monotonic()
        self._img = None

    def isOpened(self):
        return True

    def set(self, *a):
        return True

    def get(self, prop):
        return 30.0

    def grab(self):
        if self.busy or (self.unplug_after is not None and self.n >= self.unplug_after):
            time.sleep(0.01)
            return False
        time.sleep(max(0.0, self.next_due - time.monotonic()))
        self.next_due += 1 / 30
        f = next(self.frames, None)
        if f is None:
            return False
        self._img = f.image[:, :, ::-1].copy()
        self.n += 1
        return True

    def retrieve(self):
        return True, self._img

    def read(self):
        ok = self.grab()
        return (ok, self._img) if ok else (False, None)

    def release(self):
        pass


@pytest.mark.parametrize("lang,msg", [("da", r"kamera 0 giver intet billede \(bruger et andet program det\?\)"),
                                      ("en", r"camera 0 opened but gives no picture \(is another program using it\?\)")])
def test_busy_camera_is_a_clear_error(sample_squat, lang, msg):
    args = args_for("--exercise", "squat", "--headless", "--no-history", "--lang", lang)
    with pytest.raises(LiveError, match=msg):
        cmd_live(args, open_camera=lambda i: FakeCapture(sample_squat, busy=True), detector_factory=lambda: None)


def test_no_screen_for_the_window_lets_the_camera_go(sample_squat, monkeypatch):
    """The window cannot open (no DISPLAY): the camera, already started, is released before
    the one-line error, not left running."""
    from formcheck.live.runner import Runner

    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    released = []

    class Tracked(FakeCapture):
        def release(self):
            released.append(True)

    args = args_for("--exercise", "squat", "--no-history")
    with pytest.raises(LiveError, match="no display to open a window on"):
        Runner(args, LiveOptions(lang="en"), KeySchedule.parse(""), open_camera=lambda i: Tracked(sample_squat))
    assert released == [True]


def test_camera_unplugged_mid_set_saves_what_was_done(reference, sample_squat, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(cap, "CAMERA_STALL_S", 0.3)
    args = args_for("--exercise", "squat", "--headless", "--out", str(tmp_path / "o"), "--no-history",
                    "--countdown", "0.5", "--lang", "en")
    det = TrackDetector(reference["track"])
    code = cmd_live(args, open_camera=lambda i: FakeCapture(sample_squat, unplug_after=240),
                    detector_factory=lambda: det)
    assert code == 0  # something was done and saved
    report = json.loads((tmp_path / "o" / "report.json").read_text())
    assert report["ended_by"] == "source_error"
    assert any("stopped delivering frames" in n for n in report["notes"])
    assert report["frames"] > 60 and report["video"] == "camera:0"
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("formcheck: warning: camera 0 stopped delivering frames (unplugged?)")


def test_camera_lost_before_anything_was_counted_exits_non_zero(reference, sample_squat, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(cap, "CAMERA_STALL_S", 0.3)
    args = args_for("--exercise", "squat", "--headless", "--out", str(tmp_path / "o"), "--no-history")
    det = TrackDetector(reference["track"])
    code = cmd_live(args, open_camera=lambda i: FakeCapture(sample_squat, unplug_after=10),
                    detector_factory=lambda: det)
    assert code == 1
    report = json.loads((tmp_path / "o" / "report.json").read_text())
    assert report["frames"] == 0 and "the set ended before counting started" in report["notes"]
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "nothing was counted" in err[0]


def test_a_set_that_fails_mid_way_saves_what_was_done_and_exits_non_zero(reference, sample_squat, tmp_path, capsys):
    """The pose model (or anything else in the loop) raising mid-set: the set so far is saved
    with a report that says where and why it stopped, the video writer is closed (no stray
    .partial file), one line on stderr, and a non-zero exit."""
    class Failing(TrackDetector):
        def detect(self, rgb: np.ndarray, t_ms: float) -> Pose | None:
            if self.calls >= 300:
                raise RuntimeError("inference crashed\nwith a second line")
            return super().detect(rgb, t_ms)

    out = tmp_path / "o"
    args = args_for("--exercise", "squat", "--headless", "--source", str(sample_squat), "--every-frame",
                    "--out", str(out), "--no-history", "--countdown", "0", "--save-video", "--lang", "en")
    det = Failing(reference["track"])
    assert cmd_live(args, detector_factory=lambda: det) == 1
    report = json.loads((out / "report.json").read_text())
    assert report["ended_by"] == "failed" and report["reps"] >= 1
    assert any("the set stopped on an error: RuntimeError: inference crashed with a second line" in n
               for n in report["notes"])
    assert sorted(p.name for p in out.iterdir()) == ["annotated.mp4", "report.json", "track.npz"]
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("formcheck: error: the set stopped on an error: RuntimeError")


def test_camera_set_starts_after_guidance_and_countdown(reference, sample_squat, tmp_path):
    spec = load_exercise("squat")
    src = CameraSource(0, open_capture=lambda i: FakeCapture(sample_squat))
    src.start()
    det = TrackDetector(reference["track"])
    try:
        outcome = run_set(SetPlan(spec, tmp_path), src, HeadlessDisplay(KeySchedule.parse("6.0:q")),
                          LiveOptions(lang="en", countdown_s=1.0), lambda: det)
    finally:
        src.stop()
    rep = outcome.report
    # the person is seen from the start: 1 s of guidance, 1 s of countdown, then counting
    assert rep.frames > 0 and outcome.counted
    first_counted = 6.0 - rep.duration_s
    assert 1.8 < first_counted < 2.6


# ----- the real model (slow) ----------------------------------------------------------------------------


@pytest.mark.slow
def test_live_every_frame_gives_exactly_what_replay_gives(reference, sample_squat, tmp_path):
    out = tmp_path / "live"
    code = main(["live", "--exercise", "squat", "--source", str(sample_squat), "--headless", "--every-frame",
                 "--model", "lite", "--out", str(out), "--no-history"])
    assert code == 0
    report = json.loads((out / "report.json").read_text())
    same_results(report, reference["report"])
    assert report["reps"] == SAMPLE_REPS
    a, b = load_track(out / "track.npz"), reference["track"]
    assert np.array_equal(a.t_ms, b.t_ms) and np.array_equal(a.has_pose, b.has_pose)
    assert np.allclose(np.nan_to_num(a.xy), np.nan_to_num(b.xy), atol=1e-6)  # the same landmarks


@pytest.mark.slow
@pytest.mark.shared_data
def test_live_at_camera_pace_counts_labelled_clip_right(shared_data, tmp_path):
    clip = shared_data / "synthetic" / "squat_good_default.mp4"
    truth = json.loads(clip.with_suffix(".json").read_text())
    out = tmp_path / "live"
    code = main(["live", "--exercise", "squat", "--source", str(clip), "--headless", "--model", "lite",
                 "--out", str(out), "--no-history"])
    assert code == 0
    report = json.loads((out / "report.json").read_text())
    assert report["live"]["every_frame"] is False
    assert report["reps"] == truth["reps"] == 5
    assert report["frames"] + report["live"]["frames_dropped"] >= truth["n_frames"] - 2


class _Unnamed:
    """A detector that does not say which model it is (sees nobody)."""

    def detect(self, rgb: np.ndarray, t_ms: float) -> Pose | None:
        return None

    def reset_tracking(self) -> None:
        pass


@pytest.mark.parametrize("exercise, model, expected", [("calf_stretch", None, "full"), ("squat", None, "lite"),
                                                       ("calf_stretch", "lite", "lite")])
def test_a_live_set_uses_the_exercises_own_pose_model_unless_told(sample_squat, tmp_path, exercise, model, expected):
    report, _ = live_set(FileSource(sample_squat, paced=False, preroll_s=0.0), "0.5:q", detector=_Unnamed(),
                         countdown=0.0, out=tmp_path / "o", exercise=exercise, model=model)
    assert report["model"] == expected
    # the report's effective thresholds are what was judged: the heel check only with full
    assert ("back_heel_lifted" in [r["id"] for r in report["config"]["rules"]]) == (
        exercise == "calf_stretch" and expected == "full")


def test_sigterm_during_a_live_set_saves_it_and_exits_143(sample_squat, tmp_path):
    """`kill` during a live set: like Ctrl-C the set so far is saved (its report says why it
    stopped), and the exit status is SIGTERM's 143, not Ctrl-C's 130."""
    from factories import formcheck_killed

    out = tmp_path / "o"
    code, err = formcheck_killed(["live", "-e", "squat", "--source", str(sample_squat), "--headless", "--out", str(out),
                                  "--no-history", "--countdown", "0", "--lang", "en"], out, 4.0)  # into the set
    assert code == 143, err
    report = json.loads((out / "report.json").read_text())
    assert report["ended_by"] == "terminated" and "terminated (SIGTERM); saved what was done" in report["notes"]
    assert "Traceback" not in err


def test_a_display_that_does_not_answer_is_one_line_not_an_abort(tmp_path):
    """OpenCV's window toolkit aborts the process (core dump, Qt text) when DISPLAY names a
    display nobody serves: the trainer asks the X server first."""
    import socket

    from formcheck.live.display import x_display_answers

    def free(port: int) -> bool:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            return probe.connect_ex(("127.0.0.1", port)) != 0

    port = next(p for p in range(6150, 6400) if free(p))
    assert not x_display_answers(f"127.0.0.1:{port - 6000}")
    with socket.create_server(("127.0.0.1", port)):  # something listening where display N would be
        assert x_display_answers(f"127.0.0.1:{port - 6000}.0")
    assert not x_display_answers(":987")
    # in a process of its own: without the check, the window toolkit would abort the test run
    env = {k: v for k, v in os.environ.items() if k != "WAYLAND_DISPLAY"} | {"DISPLAY": ":987"}
    code = ("from formcheck.media.capture import LiveError\n"
            "from formcheck.live.display import WindowDisplay\n"
            "try:\n    WindowDisplay('t', (640, 480))\nexcept LiveError as e:\n    print(e)\n")
    res = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True, timeout=60, env=env)
    assert res.returncode == 0 and "does not answer" in res.stdout, (res.returncode, res.stdout, res.stderr[-300:])


def test_an_earlier_sessions_folder_is_refused_before_the_camera_opens(reference, sample_squat, tmp_path):
    """--out naming a folder holding an earlier set's report (or, for a program, an earlier
    session's set folders): refused at once, before the camera or the instructions, not after
    the patient has exercised."""
    (tmp_path / "o").mkdir()
    (tmp_path / "o" / "report.json").write_text("{}", encoding="utf-8")
    opened = []
    args = args_for("--exercise", "squat", "--headless", "--out", str(tmp_path / "o"), "--no-history")
    with pytest.raises(LiveError, match="already holds the results of an earlier session"):
        cmd_live(args, open_camera=lambda i: opened.append(i), detector_factory=lambda: TrackDetector(reference["track"]))
    (tmp_path / "p" / "01_squat").mkdir(parents=True)
    (tmp_path / "p" / "01_squat" / "report.json").write_text("{}", encoding="utf-8")
    args = args_for("--program", "home_program", "--headless", "--out", str(tmp_path / "p"), "--no-history")
    with pytest.raises(LiveError, match="already holds the results of an earlier session"):
        cmd_live(args, open_camera=lambda i: opened.append(i), detector_factory=lambda: TrackDetector(reference["track"]))
    assert opened == []


@pytest.mark.parametrize("display", ["garbage", "::::"])
def test_a_display_name_that_is_no_display_is_one_line_not_an_abort(tmp_path, sample_squat, display):
    """``DISPLAY=garbage``: the check above gave a name it could not parse the benefit of the
    doubt and Qt aborted the process (exit 134); now one line, exit 1 (issue 18)."""
    env = {k: v for k, v in os.environ.items() if k != "WAYLAND_DISPLAY"} | {"DISPLAY": display}
    res = subprocess.run([sys.executable, "-m", "formcheck.cli", "live", "--source", str(sample_squat), "-e", "squat",
                          "--no-history", "--countdown", "0", "--out", str(tmp_path / "o")],
                         check=False, capture_output=True, text=True, timeout=120, env=env)
    assert res.returncode == 1, (res.returncode, res.stderr[-300:])
    assert res.stderr.splitlines() == [(f"formcheck: error: the display {display} does not answer, so no window can "
                                       "be opened (is the desktop running? or use --headless)")]
