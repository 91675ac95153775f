"""A live set the patient ends (q) before counting started is recorded as an abandoned set when
they had been in front of the camera: 0 repetitions, "counting never started", its outputs and
its history row together. Nobody seen, or Ctrl-C / SIGTERM there: nothing is kept (README, "What
formcheck promises"). A camera stand-in and scripted poses; the slow test runs the real model."""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import pytest
from factories import make_pose

from formcheck.cli.live import cmd_live
from formcheck.cli.main import build_parser
from formcheck.core.pose import Pose
from formcheck.live.session import SEEN_MIN_S, LiveOptions, SetPlan, SetSession
from formcheck.records import history as H
from formcheck.records.report_model import status
from formcheck.spec.exercise import load_exercise


class BlankCamera:
    """A cv2.VideoCapture stand-in: grey frames at 30 frames/s for ever."""

    def __init__(self) -> None:
        self.next_due = time.monotonic()
        self.img = np.full((480, 640, 3), 90, np.uint8)

    def isOpened(self):
        return True

    def set(self, *a):
        return True

    def get(self, prop):
        return 30.0

    def grab(self):
        time.sleep(max(0.0, self.next_due - time.monotonic()))
        self.next_due += 1 / 30
        return True

    def retrieve(self):
        return True, self.img

    def read(self):
        self.grab()
        return self.retrieve()

    def release(self):
        pass


class Crouched:
    """A pose model that sees a person crouching (not the squat's start position, so hands-free
    does not start the countdown) from ``seen_from_s`` of the set on; ``ctrl_c_at_s``: Ctrl-C."""

    model_name = "lite"

    def __init__(self, seen_from_s: float | None = 0.0, ctrl_c_at_s: float | None = None) -> None:
        self.seen_from_s, self.ctrl_c_at_s = seen_from_s, ctrl_c_at_s

    def detect(self, rgb: np.ndarray, t_ms: float) -> Pose | None:
        if self.ctrl_c_at_s is not None and t_ms >= 1000.0 * self.ctrl_c_at_s:
            raise KeyboardInterrupt
        if self.seen_from_s is None or t_ms < 1000.0 * self.seen_from_s:
            return None
        return make_pose(knee=100.0, t_ms=t_ms)

    def close(self) -> None:
        pass


def live(out: Path, keys: str, detector: Crouched, *extra: str) -> int:
    args = build_parser().parse_args(["live", "-e", "squat", "--headless", "--out", str(out), "--keys", keys,
                                      "--lang", "en", *extra])
    return cmd_live(args, open_camera=lambda i: BlankCamera(), detector_factory=lambda: detector)


def test_q_before_counting_after_being_seen_is_recorded_as_an_abandoned_set(tmp_path, capsys):
    """Seen crouching for 3 s, then q: before this change the report was put in the folder with
    no history row (the physiotherapist never saw the attempt)."""
    out = tmp_path / "o"
    assert live(out, "3.0:q", Crouched()) == 0
    report = json.loads((out / "report.json").read_text())
    assert report["ended_by"] == "quit" and report["reps"] == 0 and report["started_s"] is None
    assert any(n.startswith("ended by the patient (q key) after ") and "before counting started" in n
               for n in report["notes"]), report["notes"]
    assert (out / "track.npz").is_file()
    rows = H.load_sets()
    assert [(r["exercise"], r["reps"], r["out_dir"]) for r in rows] == [("squat", 0, str(out.absolute()))]
    assert status(rows[0]) == "never"  # the physiotherapist's page: "counting never started"
    assert "Squat: recorded in the history as abandoned (counting had not started)" in capsys.readouterr().out


def test_q_before_anybody_was_seen_keeps_nothing(tmp_path, capsys):
    """Nobody in front of the camera (or a stray moment, under SEEN_MIN_S): no attempt, nothing
    kept (before: a report without its row was left in the folder)."""
    out = tmp_path / "o"
    assert live(out, "2.0:q", Crouched(seen_from_s=None)) == 0
    assert not out.exists() and H.load_sets() == []
    assert "Squat: nothing saved (the set ended before the camera saw you)" in capsys.readouterr().out
    assert live(out, "2.0:q", Crouched(seen_from_s=2.0 - SEEN_MIN_S / 2)) == 0
    assert not out.exists() and H.load_sets() == []


def test_ctrl_c_before_counting_records_nothing_even_after_being_seen(tmp_path):
    """The promise: a live set stopped (Ctrl-C) before anything was counted records nothing."""
    out = tmp_path / "o"
    with pytest.raises(KeyboardInterrupt):
        live(out, "", Crouched(ctrl_c_at_s=3.0))
    assert not out.exists() and H.load_sets() == []


def test_the_session_decides_per_ending(tmp_path):
    """Scripted poses through the set's state machine: only q or n after SEEN_MIN_S in view is an
    attempt; s (skip), Ctrl-C and SIGTERM are not."""
    class Camera:
        live, name, fps, size = True, "camera:0", 30.0, (640, 480)

    def ended(how: str, seen: bool, program: bool = False) -> bool:
        session = SetSession(SetPlan(load_exercise("squat"), tmp_path), Camera(),
                             LiveOptions(program_keys=program), "test", None)
        for i in range(60):  # 2 s at 30 frames/s, crouched (the countdown does not start)
            t_ms = i * 1000 / 30
            session.update(t_ms, make_pose(knee=100.0, t_ms=t_ms) if seen else None)
            session.after_frame(t_ms, None, False)
        session.end(how)
        attempted = session.attempted
        session.recorder.close()
        return attempted

    assert ended("quit", True) and ended("next", True, program=True)
    assert not ended("quit", False)
    for how in ("skip", "interrupted", "terminated"):
        assert not ended(how, True, program=True), how


# ----- the real pose model: a clip played as the camera -------------------------------------------


@pytest.mark.slow
def test_q_during_the_countdown_on_a_real_clip_records_an_abandoned_set(sample_squat, tmp_path, capsys):
    """samples/squat_side.mp4 played as camera 0 with the real pose model: the person is seen
    standing, the countdown (3 s) starts by itself, q at 2.5 s ends the set before counting did.
    The set is in the history with its report, 0 repetitions, as "counting never started"."""
    from test_hands_free import ClipCamera

    out = tmp_path / "o"
    args = build_parser().parse_args(["live", "-e", "squat", "--headless", "--out", str(out), "--keys", "2.5:q",
                                      "--lang", "da", "--model", "lite"])
    assert cmd_live(args, open_camera=lambda i: ClipCamera(sample_squat)) == 0
    report = json.loads((out / "report.json").read_text())
    assert report["ended_by"] == "quit" and report["reps"] == 0 and report["started_s"] is None
    rows = H.load_sets()
    assert len(rows) == 1 and rows[0]["out_dir"] == str(out.absolute()) and status(rows[0]) == "never"
    said = capsys.readouterr().out
    assert "Knæbøjning: gemt som afbrudt i historikken (tællingen var ikke startet)" in said, said


def test_a_set_ended_idle_by_hands_free_before_the_count_armed_is_recorded(tmp_path, monkeypatch):
    """Hands-free: seen out of the start position long enough, the set starts anyway (the count
    would arm itself later), then a long still pause ends it: recorded, as "counting never
    started" (this already held before; the idle end only comes once the set has started)."""
    import formcheck.live.session as session_mod

    monkeypatch.setattr(session_mod, "POSITION_WAIT_S", 1.0)
    monkeypatch.setattr(session_mod, "still_end_s", lambda spec: 1.5)
    out = tmp_path / "o"
    assert live(out, "", Crouched(), "--countdown", "0.5") == 0
    report = json.loads((out / "report.json").read_text())
    assert report["ended_by"] == "idle" and report["reps"] == 0 and report["started_s"] is None
    [row] = H.load_sets()
    assert row["out_dir"] == str(out.absolute()) and status(row) == "never"
