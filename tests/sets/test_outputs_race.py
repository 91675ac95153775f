"""Putting outputs in place (issue 18, item 10): two runs finishing into one folder at the same
instant, and a full disk named by the user's output folder, not the hidden staging folder."""

from __future__ import annotations

import errno
import threading
import time

import pytest

from formcheck.cli.main import main
from formcheck.sets.outputs import (
    REPORT,
    TRACK,
    VIDEO,
    ReplayError,
    make_stage,
    put_in_place,
)


class SlowRecording:
    """A history row that takes a moment to write: the window between the check for an earlier
    report and the renames, where a second run finishing at once could slip in."""

    def __init__(self, barrier: threading.Barrier) -> None:
        barrier.wait()  # both runs have passed the check (without the lock) before either renames
        time.sleep(0.2)
        self.committed = False

    def commit(self) -> None:
        self.committed = True

    def abort(self) -> None:
        pass


def test_two_runs_finishing_at_the_same_instant_put_one_set_in_place(tmp_path):
    out = tmp_path / "o"
    out.mkdir()
    stages = []
    for run in ("first", "second"):
        stage, lock = make_stage(out)
        for name in (REPORT, TRACK, VIDEO):
            (stage / name).write_text(run)
        stages.append((stage, lock))
    barrier = threading.Barrier(2, timeout=1.0)  # (with the lock the second waits: the barrier breaks)
    results: dict[str, object] = {}

    def finish(run: str, stage) -> None:
        def record() -> SlowRecording:
            try:
                return SlowRecording(barrier)
            except threading.BrokenBarrierError:
                return SlowRecording(threading.Barrier(1))

        try:
            put_in_place(stage, out, record)
            results[run] = "in place"
        except ReplayError as exc:
            results[run] = exc

    threads = [threading.Thread(target=finish, args=(run, stage)) for run, (stage, _) in zip(("first", "second"), stages)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    for _, lock in stages:
        lock.close()
    assert sorted(str(r) == "in place" for r in results.values()) == [False, True], results
    winner = next(run for run, r in results.items() if r == "in place")
    loser = next(r for r in results.values() if r != "in place")
    assert "received another run's results" in str(loser)
    # the folder holds one run's set, whole: its report with its own video and track
    assert {(out / n).read_text() for n in (REPORT, TRACK, VIDEO)} == {winner}


def test_a_full_disk_is_named_by_the_output_folder_not_the_staging_folder(sample_squat, tmp_path, monkeypatch, capsys):
    from formcheck.media.track import TrackRecorder

    def full(recorder, path):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(TrackRecorder, "save", full)
    out = tmp_path / "o"
    code = main(["replay", str(sample_squat), "-e", "squat", "--out", str(out), "--no-history", "--no-video"])
    err = capsys.readouterr().err.strip()
    assert code == 1 and err == f"formcheck: error: cannot write {out / TRACK}: No space left on device"
    assert not out.exists()


@pytest.mark.parametrize("stage_in_message", [True, False])
def test_a_video_that_cannot_be_written_is_named_in_the_output_folder(tmp_path, stage_in_message):
    from formcheck.media.video import VideoError
    from formcheck.sets.replay import _named_as_the_output_folder

    stage, out = tmp_path / "o" / ".formcheck-replay-x", tmp_path / "o"
    text = f"cannot write video {stage / VIDEO}: no space left on device" if stage_in_message else "cannot read"
    with pytest.raises(VideoError) as caught, _named_as_the_output_folder(stage, out):
        raise VideoError(text)
    assert str(caught.value) == text.replace(str(stage), str(out))
