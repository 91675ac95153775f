"""The schedule: one voice, nothing stale, counts on time."""

from __future__ import annotations

import itertools
import math

from hypothesis import given, settings
from hypothesis import strategies as st

from formcheck.speech.schedule import COUNT_LATE_S, KEPT, Kind, Schedule, Utterance


def _run(items, current_at=lambda t: frozenset({"cue"}), seconds=lambda u: 0.1 * len(u.text), until=30.0):
    """Offer each item at its own time and poll every 1/30 s; returns what started, when."""
    s = Schedule(seconds)
    started, pending = [], sorted(items, key=lambda u: u.t_s)
    for i in range(int(until * 30)):
        t = i / 30
        due = [u for u in pending if u.t_s <= t]
        pending = [u for u in pending if u.t_s > t]
        s.offer(due, current_at(t))
        got = s.poll(t)
        if got is not None:
            started.append(got)
    return started, s


def test_a_cue_that_no_longer_applies_is_dropped_before_it_is_said():
    long_event = Utterance(0.0, "x" * 20, Kind.EVENT, late_s=3)  # 2 s of speech
    cue = Utterance(0.5, "knees out", Kind.CUE, key="cue", late_s=1.5)
    started, s = _run([long_event, cue], current_at=lambda t: frozenset({"cue"}) if t < 1.0 else frozenset())
    assert [p.utterance.text for p in started] == ["x" * 20]
    assert list(s.dropped) == [cue]


def test_a_cue_waits_for_the_voice_while_it_still_applies():
    started, _ = _run([Utterance(0.0, "x" * 10, Kind.EVENT), Utterance(0.2, "knees", Kind.CUE, key="cue", late_s=1.5)])
    assert [p.utterance.text for p in started] == ["x" * 10, "knees"]
    assert started[1].start_s >= started[0].end_s


def test_a_count_cuts_a_long_cue_rather_than_being_late():
    cue = Utterance(0.0, "y" * 30, Kind.CUE, key="cue", late_s=1.5)  # 3 s
    count = Utterance(1.0, "two", Kind.COUNT)
    started, _ = _run([cue, count])
    assert [p.utterance.text for p in started] == ["y" * 30, "two"]
    assert started[1].start_s - 1.0 <= COUNT_LATE_S


def test_of_two_counts_waiting_only_the_newer_is_said():
    pain = Utterance(0.0, "p" * 40, Kind.PAIN, late_s=math.inf)
    started, s = _run([pain, Utterance(1.0, "one", Kind.COUNT), Utterance(1.2, "two", Kind.COUNT)])
    assert [p.utterance.text for p in started] == ["p" * 40]  # nothing cuts the pain advice ...
    assert {u.text for u in s.dropped} == {"one", "two"}  # ... and counts are not said late


def test_an_hours_stale_phrases_are_not_all_kept():
    pain = Utterance(0.0, "p" * 40, Kind.PAIN, late_s=math.inf)  # 4 s: every count after it goes stale
    counts = [Utterance(0.1 + i * 0.01, str(i), Kind.COUNT) for i in range(3 * KEPT)]
    _, s = _run([pain, *counts], until=5.0)
    assert len(s.dropped) == KEPT and s.dropped[-1].text == str(3 * KEPT - 1)  # the latest are kept


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 20), st.sampled_from([Kind.CUE, Kind.EVENT, Kind.COUNT]),
                          st.integers(1, 40)), max_size=25))
def test_nothing_is_said_late_and_one_phrase_at_a_time(spec):
    items = [Utterance(t, "z" * n, k, key="cue", late_s={Kind.CUE: 1.5, Kind.EVENT: 3.0}.get(k, COUNT_LATE_S))
             for t, k, n in spec]
    started, s = _run(items)
    for p in started:
        assert p.utterance.t_s <= p.start_s <= p.utterance.deadline_s + 1e-9
    for a, b in itertools.pairwise(started):
        assert b.start_s >= a.start_s
        if b.start_s < a.end_s:  # cut: only by something at least as urgent, never a cue
            assert b.utterance.kind >= a.utterance.kind and b.utterance.kind > Kind.CUE
    assert len(started) + len(s.dropped) + len(s.pending) == len(items)
