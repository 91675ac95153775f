"""A history locked by another writer (issue 18 item 7): the wait says so after about a second,
and Ctrl-C stops it at once (SQLite's own 15 s wait, in C, ignored Ctrl-C for ~12 s)."""

from __future__ import annotations

import signal
import sqlite3
import threading
import time

import pytest

from formcheck.records import history as H
from formcheck.sets.set_report import SetReport

REPORT = SetReport.from_json({"exercise": "squat", "exercise_name": {"da": "squat", "en": "squat"}, "reps": 3,
                              "target": 10, "frames": 100, "frames_with_pose": 100, "duration_s": 30.0,
                              "config": {"id": "squat"}})


@pytest.fixture
def locked(tmp_path):
    """Another connection holding the history's write lock (until the test lets it go)."""
    H.check_writable(tmp_path)
    other = sqlite3.connect(tmp_path / H.DB_NAME, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    yield other
    if other.in_transaction:
        other.execute("ROLLBACK")
    other.close()


@pytest.fixture
def ctrl_c_raises():
    saved = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, saved)


def _later(s: float, do) -> threading.Timer:
    t = threading.Timer(s, do)
    t.start()
    return t


def test_ctrl_c_stops_the_wait_for_a_locked_history_at_once(tmp_path, locked, ctrl_c_raises, capsys):
    import os

    sent: list[float] = []

    def ctrl_c():
        sent.append(time.monotonic())
        os.kill(os.getpid(), signal.SIGINT)
    timer = _later(2.0, ctrl_c)
    with pytest.raises(KeyboardInterrupt):
        H.record_report(REPORT, tmp_path)
    late = time.monotonic() - sent[0]
    timer.join()
    assert late < 0.6, f"Ctrl-C took {late:.1f} s to stop the wait"
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith(f"formcheck: waiting for the history database {tmp_path / H.DB_NAME}")
    locked.execute("ROLLBACK")
    assert H.load_sets(tmp_path) == []  # and the lock was let go: a set can be recorded
    H.record_report(REPORT, tmp_path)
    assert len(H.load_sets(tmp_path)) == 1


def test_a_lock_let_go_during_the_wait_lets_the_set_in_and_a_short_one_says_nothing(tmp_path, locked, capsys):
    timer = _later(1.5, lambda: locked.execute("ROLLBACK"))
    H.record_report(REPORT, tmp_path)
    timer.join()
    assert len(H.load_sets(tmp_path)) == 1
    assert capsys.readouterr().err.count("waiting for the history database") == 1
    locked.execute("BEGIN IMMEDIATE")
    timer = _later(0.3, lambda: locked.execute("ROLLBACK"))
    H.record_report(REPORT, tmp_path)
    timer.join()
    assert len(H.load_sets(tmp_path)) == 2 and capsys.readouterr().err == ""


def test_a_lock_held_past_the_wait_is_one_line_error(tmp_path, locked, monkeypatch, capsys):
    monkeypatch.setattr(H, "LOCK_WAIT_S", 1.5)
    t0 = time.monotonic()
    with pytest.raises(H.HistoryError, match="database is locked"):
        H.record_report(REPORT, tmp_path)
    assert 1.4 < time.monotonic() - t0 < 3.0
