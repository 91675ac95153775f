"""Replay's decoder and encoder worker processes: same results as in-process threads, and no
half-written output or stray process when a worker dies or the user presses Ctrl-C."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import av
import numpy as np
import pytest

from formcheck.cli.main import main
from formcheck.core.results import OverlaySetup
from formcheck.media.video import VideoError, VideoReader
from formcheck.media.video_writer import VideoWriter
from formcheck.sets import workers
from formcheck.sets.end_card import end_card_frames
from formcheck.sets.outputs import REPORT, TRACK, VIDEO
from formcheck.sets.replay import ReplayOptions, replay
from formcheck.spec.exercise import load_exercise

pytestmark = pytest.mark.skipif(not workers.available(), reason="worker processes need POSIX")


@pytest.fixture(scope="module")
def short_clip(tmp_path_factory, sample_squat) -> Path:
    clip = tmp_path_factory.mktemp("clip") / "short.mp4"
    with VideoReader(sample_squat) as r, VideoWriter(clip, r.size, r.fps) as w:
        for i, f in enumerate(r):
            if i >= 45:
                break
            w.write(f.image, f.t_ms)
    return clip


def _children() -> set[int]:
    pids: set[int] = set()
    for task in Path(f"/proc/{os.getpid()}/task").iterdir():
        children = task / "children"
        if children.exists():
            pids.update(int(p) for p in children.read_text().split())
    return pids


def _frames(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as c:
        return [f.to_ndarray(format="rgb24") for f in c.decode(video=0)]


def test_decoder_process_gives_the_readers_frames_and_times(short_clip):
    with VideoReader(short_clip) as r:
        expected = [(f.t_ms, f.image.copy()) for f in r]
        size = r.size
    dec = workers.DecoderProcess(short_clip, size)
    got = []
    try:
        for frame in dec:
            got.append((frame.t_ms, frame.image.copy()))
            dec.release(frame)
    finally:
        dec.close()
    assert [t for t, _ in got] == [t for t, _ in expected]
    assert all(np.array_equal(a, b) for (_, a), (_, b) in zip(got, expected))
    assert dec.truncated is False


def test_workers_and_threads_give_the_same_report_and_video(short_clip, tmp_path):
    spec = load_exercise("squat")
    a = replay(short_clip, spec, tmp_path / "proc", ReplayOptions(workers=True))
    b = replay(short_clip, spec, tmp_path / "thread", ReplayOptions(workers=False))
    assert a.report == b.report
    fa, fb = _frames(tmp_path / "proc" / VIDEO), _frames(tmp_path / "thread" / VIDEO)
    card = end_card_frames(a.report.end.media.fps)  # both end on the summary
    assert len(fa) == len(fb) == a.report.frames + card
    assert all(np.array_equal(x, y) for x, y in zip(fa, fb))
    assert _children() == set()


def _leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in out.iterdir()) if out.exists() else []


def test_a_dead_encoder_is_one_line_and_leaves_nothing(short_clip, tmp_path, monkeypatch, capsys):
    sent = []
    original = workers.EncoderProcess.__call__

    def kill_after_ten(self, frame, result):
        sent.append(frame.index)
        if len(sent) == 10:
            os.kill(self._worker.proc.pid, signal.SIGKILL)
            self._worker.proc.wait()
        return original(self, frame, result)

    monkeypatch.setattr(workers.EncoderProcess, "__call__", kill_after_ten)
    out = tmp_path / "o"
    code = main(["replay", str(short_clip), "-e", "squat", "--out", str(out), "--no-history"])
    err = capsys.readouterr().err.strip()
    assert code != 0 and len(err.splitlines()) == 1 and "Traceback" not in err
    assert "video encoder stopped unexpectedly" in err
    assert _leftovers(out) == []  # no report, no track, no video, no .partial
    assert _children() == set()


def test_a_dead_decoder_is_one_line_and_leaves_nothing(short_clip, tmp_path, monkeypatch, capsys):
    original = workers.DecoderProcess.release

    def kill_at_frame_five(self, frame):
        if frame.index == 5:
            os.kill(self._worker.proc.pid, signal.SIGKILL)
        return original(self, frame)

    monkeypatch.setattr(workers.DecoderProcess, "release", kill_at_frame_five)
    out = tmp_path / "o"
    code = main(["replay", str(short_clip), "-e", "squat", "--out", str(out), "--no-history", "--no-video"])
    err = capsys.readouterr().err.strip()
    assert code != 0 and len(err.splitlines()) == 1 and "video decoder stopped unexpectedly" in err
    assert _leftovers(out) == []
    assert _children() == set()


def test_ctrl_c_mid_video_stops_the_workers_and_leaves_nothing(short_clip, tmp_path, monkeypatch):
    from formcheck.sets import pipeline

    calls = []
    original = pipeline.TrackSink.__call__

    def interrupt_at_twenty(self, frame, result):
        calls.append(1)
        if len(calls) == 20:
            raise KeyboardInterrupt
        return original(self, frame, result)

    monkeypatch.setattr(pipeline.TrackSink, "__call__", interrupt_at_twenty)
    out = tmp_path / "o"
    with pytest.raises(KeyboardInterrupt):
        replay(short_clip, load_exercise("squat"), out)
    assert _leftovers(out) == []
    assert _children() == set()


def test_an_encoder_that_cannot_open_its_file_reports_why(short_clip, tmp_path):
    size = (640, 480)
    dec = workers.DecoderProcess(short_clip, size)
    enc = workers.EncoderProcess(tmp_path / "missing-folder" / VIDEO, size, 30.0, OverlaySetup("Squat", "en", "reps"), dec)
    try:
        with pytest.raises(VideoError, match="cannot write video"):
            for frame in dec:
                enc(frame, None)  # the worker's error arrives with a later frame at the latest
                dec.release(frame)  # (this encoder never got to take the slots over)
            enc.close()
    finally:
        enc.abort()
        dec.close()
    assert _children() == set()


def test_a_finished_replay_leaves_exactly_its_three_outputs(short_clip, tmp_path):
    out = tmp_path / "o"
    replay(short_clip, load_exercise("squat"), out)
    assert _leftovers(out) == sorted([REPORT, TRACK, VIDEO])
    report = json.loads((out / REPORT).read_text())
    assert report["outputs"]["video"] == VIDEO


@pytest.fixture(scope="module")
def portrait_phone_clip(tmp_path_factory, sample_squat) -> Path:
    """The sample's first 30 frames stored as a phone does: pixels turned, rotation in metadata."""
    clip = tmp_path_factory.mktemp("phone") / "phone.mp4"
    with VideoReader(sample_squat) as r:
        upright = [f.image for _, f in zip(range(30), r)]
    with av.open(str(clip), "w") as c:
        s = c.add_stream("libx264", rate=30)
        h, w = upright[0].shape[:2]
        s.width, s.height, s.pix_fmt = h, w, "yuv420p"  # stored turned a quarter clockwise
        s.set_display_rotation(90)  # counter-clockwise degrees: the player turns it back
        for img in upright:
            c.mux(s.encode(av.VideoFrame.from_ndarray(np.ascontiguousarray(np.rot90(img, -1)), format="rgb24")))
        c.mux(s.encode())
    return clip


def test_a_portrait_phone_clip_comes_out_upright_through_the_workers(portrait_phone_clip, sample_squat, tmp_path):
    with VideoReader(portrait_phone_clip) as r:
        assert r.rotation == 270 and r.size == (640, 480)
        expected = [f.image.copy() for f in r]
    dec = workers.DecoderProcess(portrait_phone_clip, (640, 480))
    try:
        got = []
        for frame in dec:
            got.append(frame.image.copy())
            dec.release(frame)
    finally:
        dec.close()
    assert len(got) == len(expected) == 30
    assert all(np.array_equal(a, b) for a, b in zip(got, expected))
    out = replay(portrait_phone_clip, load_exercise("squat"), tmp_path / "o")
    assert out.report.end.media.size == (640, 480) and out.report.frames_with_pose == 30
    frames = _frames(tmp_path / "o" / VIDEO)
    assert len(frames) == 30 + end_card_frames(out.report.end.media.fps) and frames[0].shape == (480, 640, 3)


def test_overlapped_pose_estimation_gives_the_same_results_in_order():
    """analyse_frames(overlap=True) runs frame N+1's pose while N is analysed: same results."""
    from factories import script, squat_keys

    from formcheck.engine.analyzer import Analyzer
    from formcheck.media.video import Frame
    from formcheck.sets.loop import Analyse, analyse_frames

    keys, _ = squat_keys(3)
    poses = script(keys, 30, noise_px=0.5)
    by_time = dict(poses)

    class Scripted:  # a detector that returns the scripted pose of the frame's time
        def detect(self, rgb, t_ms):
            return by_time[t_ms]

    frames = [Frame(image=np.zeros((2, 2, 3), np.uint8), t_ms=t, index=i) for i, (t, _) in enumerate(poses)]
    spec = load_exercise("squat")
    plain = [(f.index, r) for f, r in analyse_frames(frames, Scripted(), Analyse(Analyzer(spec)))]
    overlapped = [(f.index, r) for f, r in analyse_frames(frames, Scripted(), Analyse(Analyzer(spec)), overlap=True)]
    assert [i for i, _ in overlapped] == list(range(len(frames)))
    assert [(r.status, r.reps, r.value) for _, r in overlapped] == [(r.status, r.reps, r.value) for _, r in plain]
    assert overlapped[-1][1].reps == 3


def test_overlap_prepares_each_frame_on_the_callers_thread_for_the_pose_thread():
    """A detector with ``prepare`` (PoseEstimator's frame copy) has it made on the loop's thread,
    each frame's for that frame, and detect runs elsewhere with it."""
    import threading

    from formcheck.media.video import Frame
    from formcheck.sets.loop import analyse_frames

    caller = threading.get_ident()
    seen: list[tuple[float, object, bool]] = []

    class Preparing:
        def prepare(self, rgb):
            assert threading.get_ident() == caller
            return ("prepared", int(rgb[0, 0, 0]))

        def detect(self, rgb, t_ms, image=None):
            seen.append((t_ms, image, threading.get_ident() == caller))

    class Step:
        def wants_pose(self, frame):
            return True

        def __call__(self, frame, pose):
            return frame.t_ms

    frames = [Frame(image=np.full((2, 2, 3), i, np.uint8), t_ms=i * 33.0, index=i) for i in range(6)]
    out = [r for _, r in analyse_frames(frames, Preparing(), Step(), overlap=True)]
    assert out == [f.t_ms for f in frames]
    assert seen == [(f.t_ms, ("prepared", f.index), False) for f in frames]


@pytest.mark.skipif(not hasattr(os, "sched_getaffinity") or len(os.sched_getaffinity(0)) < 2,
                    reason="needs two cores and CPU affinity (Linux)")
def test_workers_leave_the_first_core_to_the_pose_model_and_give_way_after_the_first_frame(short_clip):
    with VideoReader(short_clip) as r:
        size = r.size
    allowed = os.sched_getaffinity(0)
    dec = workers.DecoderProcess(short_clip, size, head=0)  # every frame from the worker
    try:
        frames = iter(dec)
        first = next(frames)  # the decoder lowers its priority before sending its first frame
        pid = dec._worker.proc.pid
        assert os.sched_getaffinity(pid) == allowed - {min(allowed)}
        assert os.getpriority(os.PRIO_PROCESS, pid) >= 10
        dec.release(first)
    finally:
        dec.close()


def _decoded(clip: Path, size: tuple[int, int], head: int | None) -> list[tuple[float, int, np.ndarray]]:
    dec = workers.DecoderProcess(clip, size, head=head)
    out = []
    try:
        for f in dec:
            out.append((f.t_ms, f.index, f.image.copy()))
            dec.release(f)
        return out
    finally:
        dec.close()


@pytest.mark.parametrize("frames", [45, 3])
def test_the_first_frames_decoded_here_while_the_worker_starts_are_the_videos_own(short_clip, tmp_path, frames):
    """The head (the first frames, decoded on a thread of this process while the worker starts)
    and the worker's frames after it are the video's frames, each once, in order: the same
    as the worker's alone. A clip shorter than the head ends within it."""
    clip = short_clip
    if frames < 45:
        clip = tmp_path / "three.mp4"
        with VideoReader(short_clip) as r, VideoWriter(clip, r.size, r.fps) as w:
            for _, f in zip(range(frames), r):
                w.write(f.image, f.t_ms)
    with VideoReader(clip) as r:
        size = r.size
    alone, with_head = _decoded(clip, size, 0), _decoded(clip, size, None)
    assert len(alone) == len(with_head) == frames
    assert [(t, i) for t, i, _ in with_head] == [(t, i) for t, i, _ in alone]
    assert all(np.array_equal(a[2], b[2]) for a, b in zip(alone, with_head))


def test_the_threaded_reader_stops_decoding_before_its_video_is_closed():
    """replay(ReplayOptions(workers=False)): when a replay stops early (an error, Ctrl-C), closing the source
    must first stop the decoding thread; else it goes on reading a closed container."""
    import threading
    import time

    from formcheck.sets.pipeline import PrefetchedFrames

    class SlowReader:
        truncated, error = False, None

        def __init__(self) -> None:
            self.closed = threading.Event()
            self.read_after_close = 0

        def __iter__(self):
            for i in range(1000):
                time.sleep(0.005)
                if self.closed.is_set():
                    self.read_after_close += 1
                yield i

        def close(self) -> None:
            self.closed.set()

    reader = SlowReader()
    frames = PrefetchedFrames(reader)  # type: ignore[arg-type]
    it = iter(frames)
    assert next(it) == 0
    frames.close()  # as replay's finally does, with the loop left mid-video
    time.sleep(0.2)
    assert reader.read_after_close == 0


def test_sigterm_mid_replay_is_like_ctrl_c(sample_squat, tmp_path):
    """`kill` (SIGTERM) during a replay: the workers stop, nothing incomplete is left (not even
    the empty output folder), one line, and the shell's 143; it used to die silently, leaving
    the folder."""
    from factories import formcheck_killed

    out = tmp_path / "o"
    code, err = formcheck_killed(["replay", str(sample_squat), "-e", "squat", "--out", str(out), "--no-history",
                                  "--no-progress"], out, 1.5)  # into the frames
    assert code == 143, err
    assert err.strip().splitlines()[-1] == "formcheck: interrupted; nothing incomplete was left behind"
    assert "Traceback" not in err
    assert not out.exists()


def test_the_decoder_process_passes_on_what_the_reader_noted(tmp_path):
    """The decoding worker hands the reader's timing notes (a clock starting again) to replay's
    report, as the in-process reader does."""
    from factories import write_restarting_clock

    joined = write_restarting_clock(tmp_path)
    with VideoReader(joined) as r:
        size = r.size
    dec = workers.DecoderProcess(joined, size)
    try:
        n = 0
        for f in dec:
            dec.release(f)
            n += 1
    finally:
        dec.close()
    assert n >= 55 and any("timestamps jump back" in note for note in dec.notes), dec.notes


def test_the_encoder_process_loads_neither_the_engine_nor_the_exercise_files():
    """What replay's encoder process imports (workers.py, the overlay, the end card): the engine and
    the exercise files (pydantic) took ~0.25 s of CPU more at its start, while the pose model's
    first frames waited for it to take their ring slots."""
    code = (
        "import sys\n"
        "import formcheck.sets.workers\n"
        "from formcheck.overlay import Overlay\n"
        "from formcheck.sets.end_card import write_end_card\n"
        "print(sorted(m for m in sys.modules if m.startswith(('formcheck.engine', 'formcheck.spec', 'pydantic', 'mediapipe'))))\n"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip().splitlines()[-1] == "[]"
