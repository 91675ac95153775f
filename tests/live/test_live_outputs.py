"""A live set's outputs and its history row are put in place together, by the same code as
replay's (sets/outputs.py): issue 18 items 5 and 8. A Ctrl-C before anything was counted keeps
nothing (no 0-repetition set in the history, no folder left), and a history that cannot take the
set is told the same way by live and replay (exit non-zero, the outputs not kept)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pytest

from formcheck.cli.live import cmd_live
from formcheck.cli.main import build_parser, main
from formcheck.core.pose import Pose
from formcheck.records import history as H
from formcheck.sets import outputs


class _Stub:
    """A pose model that sees nobody (the set still counts its frames), or is stopped by
    Ctrl-C at its first frame."""

    model_name = "lite"

    def __init__(self, ctrl_c: bool = False) -> None:
        self.ctrl_c = ctrl_c

    def detect(self, rgb: np.ndarray, t_ms: float) -> Pose | None:
        if self.ctrl_c:
            raise KeyboardInterrupt
        return None

    def close(self) -> None:
        pass


def _live(out: Path, *extra: str):
    return build_parser().parse_args(["live", "-e", "squat", "--headless", "--source",
                                      str(Path(__file__).resolve().parents[2] / "samples" / "squat_side_fast.mp4"),
                                      "--every-frame", "--countdown", "0", "--out", str(out), "--lang", "en", *extra])


def test_a_ctrl_c_before_anything_was_counted_keeps_no_set_and_no_folder(tmp_path):
    out = tmp_path / "o"
    with pytest.raises(KeyboardInterrupt):
        cmd_live(_live(out, "--save-video"), detector_factory=lambda: _Stub(ctrl_c=True))
    assert not out.exists() and H.load_sets() == []
    assert cmd_live(_live(out), detector_factory=_Stub) == 0  # the folder is free for the set after it
    assert (out / outputs.REPORT).is_file() and [s["out_dir"] for s in H.load_sets()] == [str(out.absolute())]


def test_a_ctrl_c_before_counting_keeps_an_out_folder_that_was_there(tmp_path):
    out = tmp_path / "o"
    out.mkdir()
    (out / "notes.txt").write_text("the patient's own", encoding="utf-8")
    with pytest.raises(KeyboardInterrupt):
        cmd_live(_live(out), detector_factory=lambda: _Stub(ctrl_c=True))
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"] and H.load_sets() == []


def _full_disk_at_commit(monkeypatch) -> None:
    real = H.connect

    class Conn:
        def __init__(self, conn):
            self._conn = conn

        def execute(self, sql, *args):
            if sql.split()[0].upper() == "COMMIT":
                self._conn.execute("ROLLBACK")
                raise sqlite3.OperationalError("database or disk is full")
            return self._conn.execute(sql, *args)

        def __getattr__(self, name):
            return getattr(self._conn, name)

    monkeypatch.setattr(H, "connect", lambda *a, **k: Conn(real(*a, **k)))


def test_live_and_replay_tell_a_history_that_cannot_take_the_set_alike(tmp_path, monkeypatch, capsys, sample_squat):
    """Both: exit 1, one line that the history failed and the outputs were not kept, nothing in
    the folder, no row (before: live said a warning, kept the report and exited 0)."""
    H.check_writable()
    _full_disk_at_commit(monkeypatch)
    with pytest.raises(H.HistoryError) as live_err:
        cmd_live(_live(tmp_path / "live"), detector_factory=_Stub)
    assert not (tmp_path / "live" / outputs.REPORT).exists() and H.load_sets() == []
    assert main(["replay", str(sample_squat), "-e", "squat", "--out", str(tmp_path / "replay"), "--no-video"]) == 1
    replay_err = capsys.readouterr().err.strip().splitlines()
    assert not (tmp_path / "replay" / outputs.REPORT).exists() and H.load_sets() == []
    for msg, out in ((str(live_err.value), tmp_path / "live"), (replay_err[-1], tmp_path / "replay")):
        assert "database or disk is full" in msg
        assert f"the set was not kept (nothing was put in {out}): run it again once the history can be written" in msg
    assert len(replay_err) == 1


def test_a_live_set_sweeps_the_staging_folder_of_a_run_killed_outright(tmp_path):
    out = tmp_path / "o"
    stale = out / f"{outputs.STAGE_PREFIX}killed"
    stale.mkdir(parents=True)
    (stale / outputs.STAGE_LOCK).write_text("", encoding="utf-8")  # its lock: nobody holds it
    (stale / outputs.REPORT).write_text("{}", encoding="utf-8")
    assert cmd_live(_live(out), detector_factory=_Stub) == 0
    assert sorted(p.name for p in out.iterdir()) == [outputs.REPORT, outputs.TRACK]
