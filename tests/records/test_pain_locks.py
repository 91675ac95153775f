"""Pain locks (issue 20): a pain stop locks the exercise for the patient for the day; a
physiotherapist lifts the lock with ``formcheck pain-lock clear`` (confirmed, recorded: who, when)."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta, timezone

import pytest
from factories import TrackDetector, replay_reference

from formcheck.cli import main as cli
from formcheck.cli.live import cmd_live
from formcheck.cli.main import build_parser
from formcheck.media.capture import LiveError
from formcheck.records import history as H
from formcheck.records.pain_locks import (
    Clear,
    load_clears,
    locks_today,
    stopped_for_pain_today,
)
from formcheck.sets.set_report import SetReport


def _utc(hours_ago: float) -> str:
    t = datetime.now(timezone.utc) - timedelta(hours=hours_ago)
    return t.isoformat(timespec="seconds").replace("+00:00", "Z")


def row(exercise: str = "squat", patient: str = "default", pain: bool = True, time: str | None = None) -> dict:
    return {"exercise": exercise, "patient": patient, "pain_stop": pain, "time": time or _utc(0)}


def pain_set(d, patient: str | None = None, exercise: str = "squat", time: str | None = None) -> None:
    H.record_report(SetReport.from_json({"exercise": exercise, "kind": "reps", "mode": "live", "reps": 1, "target": 5,
                                         "config": {}, "patient": patient,
                                         "pain_stop": {"t_s": 3.0, "note": "pain"}}), d, time=time)


def run(argv: list[str], capsys, answer: str | None = None, monkeypatch=None) -> tuple[int, str, str]:
    if answer is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(answer))
    rc = cli.main(argv)
    out, err = capsys.readouterr()
    return rc, out, err


def test_a_pain_stop_today_locks_until_a_clear_and_again_after_a_new_one():
    today = datetime.now().astimezone().date()
    stop = _utc(0.02)
    assert stopped_for_pain_today([row(time=stop)], today=today) == {"squat"}
    assert stopped_for_pain_today([row(time=stop)], [Clear(_utc(0.01), "default", "squat", "pt")], today) == set()
    # a clear before the pain stop does not lift it; nor one of another patient or exercise
    assert stopped_for_pain_today([row(time=stop)], [Clear(_utc(0.03), "default", "squat", "pt")], today) == {"squat"}
    assert stopped_for_pain_today([row(time=stop)], [Clear(_utc(0.01), "bo", "squat", "pt"),
                                                     Clear(_utc(0.01), "default", "curl_up", "pt")], today) == {"squat"}
    # pain again after the clear: locked again
    again = [row(time=stop), row(time=_utc(0.005))]
    assert stopped_for_pain_today(again, [Clear(_utc(0.01), "default", "squat", "pt")], today) == {"squat"}
    # no pain, or pain on another day: no lock
    assert stopped_for_pain_today([row(pain=False)], today=today) == set()
    assert stopped_for_pain_today([row(time=stop)], today=today + timedelta(days=1)) == set()


def test_locks_are_each_patients_own():
    locks = locks_today([row(patient="anna"), row("curl_up", patient="bo")], today=date.today())
    assert [(lk.patient, lk.exercise) for lk in locks] == [("anna", "squat"), ("bo", "curl_up")]


def test_clear_asks_to_confirm_and_records_who_and_when(tmp_path, capsys, monkeypatch):
    d = str(tmp_path)
    pain_set(tmp_path, "anna")
    clear = ["pain-lock", "clear", "-e", "squat", "--patient", "anna", "--data-dir", d]
    rc, out, _ = run(clear, capsys, "n\n", monkeypatch)
    assert rc == 1 and "[y/N]" in out and out.rstrip().endswith("not lifted") and load_clears(tmp_path) == []
    rc, out, _ = run(clear, capsys, "", monkeypatch)  # no answer (end of input): no
    assert rc == 1 and load_clears(tmp_path) == []
    monkeypatch.setattr("getpass.getuser", lambda: "physio_kim")
    before = H.now_utc()
    rc, out, _ = run(clear, capsys, "j\n", monkeypatch)  # (ja)
    assert rc == 0 and "lifted the pain lock on squat of patient anna, by physio_kim" in out
    [c] = load_clears(tmp_path)
    assert (c.patient, c.exercise, c.cleared_by, c.note) == ("anna", "squat", "physio_kim", None)
    assert H.local_time(c.time) >= H.local_time(before)
    # nothing left to clear: one line, exit 1
    rc, _, err = run([*clear, "--yes"], capsys)
    assert rc == 1 and len(err.splitlines()) == 1 and "not locked today" in err


def test_clear_for_scripts_and_the_list(tmp_path, capsys):
    d = str(tmp_path)
    pain_set(tmp_path)
    pain_set(tmp_path, "bo", "curl_up")
    rc, out, _ = run(["pain-lock", "list", "--data-dir", d], capsys)
    assert rc == 0 and ["bo", "curl_up"] == out.splitlines()[1].split()[:2] and "default  squat" in out
    rc, out, _ = run(["pain-lock", "clear", "-e", "squat", "--yes", "--by", "Dr. Holm", "--note", "p by mistake",
                      "--data-dir", d], capsys)
    assert rc == 0 and "by Dr. Holm" in out and "[y/N]" not in out
    rc, out, _ = run(["pain-lock", "list", "--data-dir", d], capsys)
    assert "default  squat" not in out.split("locks lifted:")[0] and "bo" in out
    assert "Dr. Holm" in out.split("locks lifted:")[1] and "p by mistake" in out
    rc, out, _ = run(["pain-lock", "list", "--patient", "bo", "--data-dir", d], capsys)
    assert "locks lifted" not in out  # (bo's lock is not lifted)


@pytest.mark.parametrize("argv, said", [
    (["-e", "sqat", "--yes"], "unknown exercise 'sqat'"),
    (["-e", "squat", "--yes", "--by", "a\x1b[2Jb"], "--by"),
    (["-e", "squat", "--yes", "--by", " "], "--by"),
])
def test_clear_mistakes_are_one_line(tmp_path, capsys, argv, said):
    pain_set(tmp_path)
    try:
        rc = cli.main(["pain-lock", "clear", *argv, "--data-dir", str(tmp_path)])
    except SystemExit as exc:
        rc = exc.code
    _, err = capsys.readouterr()
    assert rc == 2 and len(err.splitlines()) == 1 and said in err and "\x1b" not in err
    assert load_clears(tmp_path) == []


def test_live_refuses_a_locked_exercise_until_the_lock_is_lifted(tmp_path, tmp_path_factory, sample_squat, capsys):
    """`live -e` after a pain stop today: refused for that patient only, and runs once lifted."""
    data = tmp_path / "data"
    pain_set(data, "anna")
    track = replay_reference(tmp_path_factory, sample_squat)["track"]
    started = []

    def live(patient: str) -> int:
        args = build_parser().parse_args(["live", "-e", "squat", "--source", str(sample_squat), "--headless",
                                          "--every-frame", "--data-dir", str(data), "--lang", "en", "--patient", patient,
                                          "--out", str(tmp_path / f"out{len(started)}"), "--keys", "1.0:q"])
        return cmd_live(args, detector_factory=lambda: started.append(patient) or TrackDetector(track))

    with pytest.raises(LiveError, match="stopped for pain earlier today"):
        live("anna")
    assert live("bo") == 0 and started == ["bo"]  # another patient's squat is not locked
    assert cli.main(["pain-lock", "clear", "-e", "squat", "--patient", "anna", "--yes", "--data-dir", str(data)]) == 0
    assert live("anna") == 0 and started == ["bo", "anna"]
    rows = H.load_sets(data)
    assert [(r["patient"], r["pain_stop"]) for r in rows] == [("anna", True), ("bo", False), ("anna", False)]
