"""A replayed set and its history row are durable together (issue 18): an interrupt or a failure
at any point leaves both (the report in place and the row) or neither, never a complete-looking
folder the history does not know (a re-run would then be refused) or a row without its report."""

from __future__ import annotations

import errno
import os
import signal
import sqlite3
from pathlib import Path

import pytest

from formcheck.cli.main import main
from formcheck.records import history as H
from formcheck.sets import outputs


class _Faulty:
    """A history connection with a fault put in at one statement (``on``, its first word):
    ``fault(conn)`` runs in its place, then the statement runs unless ``fault`` raised."""

    def __init__(self, conn: sqlite3.Connection, on: str, fault) -> None:
        self._conn, self._on, self._fault = conn, on, fault

    def execute(self, sql: str, *args):
        if sql.split()[0].upper() == self._on:
            self._fault(self._conn)
        return self._conn.execute(sql, *args)

    def __getattr__(self, name: str):
        return getattr(self._conn, name)


def _fault_history(monkeypatch, on: str, fault) -> None:
    real = H.connect
    monkeypatch.setattr(H, "connect", lambda *a, **k: _Faulty(real(*a, **k), on, fault))


@pytest.fixture
def ctrl_c_raises():
    """Ctrl-C as in a terminal (a test runner's worker may ignore it)."""
    saved = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, saved)


def _replay(video: Path, out: Path, *extra: str) -> int:
    return main(["replay", str(video), "-e", "squat", "--out", str(out), "--no-video", *extra])


def _rows() -> list[dict]:
    return H.load_sets(with_report=False)


def _full_disk(conn: sqlite3.Connection) -> None:
    conn.execute("ROLLBACK")  # SQLite rolls back on its own after some failed COMMITs (SQLITE_FULL)
    raise sqlite3.OperationalError("database or disk is full")


def test_a_history_that_fails_to_commit_leaves_no_report_and_says_why(sample_squat, tmp_path, capsys):
    """A full disk under the history: no row, and no report either (it would pass for a stored
    set, and a re-run would be refused); the real error, in one line."""
    out = tmp_path / "o"
    with pytest.MonkeyPatch.context() as mp:
        _fault_history(mp, "COMMIT", _full_disk)
        code = _replay(sample_squat, out)
    err = capsys.readouterr().err
    assert not (out / outputs.REPORT).exists() and _rows() == []
    assert code == 1
    assert [line for line in err.splitlines() if line.startswith("formcheck: error:")] == err.splitlines()[-1:]
    assert "database or disk is full" in err and "cannot rollback" not in err
    assert _replay(sample_squat, out) == 0  # the re-run is not refused, and it is stored
    assert (out / outputs.REPORT).is_file() and len(_rows()) == 1


def _ctrl_c(conn):
    raise KeyboardInterrupt


def _locked(conn):
    raise sqlite3.OperationalError("database is locked")  # (after the 15 s wait)


@pytest.mark.parametrize(("fault", "code", "says"), [(_ctrl_c, 130, "nothing incomplete was left behind"),
                                                     (_locked, 1, "database is locked")])
def test_an_interrupt_or_a_locked_history_while_the_row_is_written_leaves_nothing(
        sample_squat, tmp_path, capsys, ctrl_c_raises, fault, code, says):
    """The row is written before any output is put in place: the output folder stays as it was
    (here: it is not made at all)."""
    out = tmp_path / "o"
    with pytest.MonkeyPatch.context() as mp:
        _fault_history(mp, "INSERT", fault)
        assert _replay(sample_squat, out) == code
    assert not out.exists() and _rows() == []
    assert says in capsys.readouterr().err


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_an_interrupt_between_the_rename_and_the_commit_leaves_both(
        sample_squat, tmp_path, capsys, ctrl_c_raises, signum, code):
    """Ctrl-C or SIGTERM arriving as the set is committed (the report already renamed in): held
    back until both are done, then the command stops, saying the set is there."""
    def signal_now(conn):
        assert (out / outputs.REPORT).is_file()  # the window: report in place, row not committed
        os.kill(os.getpid(), signum)
    out = tmp_path / "o"
    with pytest.MonkeyPatch.context() as mp:
        _fault_history(mp, "COMMIT", signal_now)
        assert _replay(sample_squat, out) == code
    assert (out / outputs.REPORT).is_file() and len(_rows()) == 1
    assert "finished and recorded in the history before the interrupt" in capsys.readouterr().err


def test_a_report_that_cannot_be_renamed_in_leaves_no_row(sample_squat, tmp_path, capsys, monkeypatch):
    """The reverse: the row is written first, so a failed rename of the report must take it out."""
    real = os.replace
    out = tmp_path / "o"

    def full(src, dst):
        if Path(dst) == out / outputs.REPORT:  # (not the report's own atomic write in the staging folder)
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(src, dst)
    monkeypatch.setattr(outputs.os, "replace", full)
    assert _replay(sample_squat, out) == 1
    assert "cannot put the outputs in place" in capsys.readouterr().err
    assert not (out / outputs.REPORT).exists() and _rows() == []


def test_no_history_puts_the_outputs_in_place_and_records_nothing(sample_squat, tmp_path):
    out = tmp_path / "o"
    assert _replay(sample_squat, out, "--no-history") == 0
    assert (out / outputs.REPORT).is_file() and _rows() == []


def test_interrupts_are_held_for_the_step_and_raised_after_it(ctrl_c_raises):
    from formcheck.core.interrupts import interrupts_held

    done = []
    with pytest.raises(KeyboardInterrupt):
        with interrupts_held():
            os.kill(os.getpid(), signal.SIGINT)
            done.append("the step went on")
    assert done == ["the step went on"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
