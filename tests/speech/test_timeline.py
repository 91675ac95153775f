"""The timeline: phrases placed at the frames' times, cut where a more urgent one starts, and
the audio made from them piece by piece (an hour's track never in memory)."""

from __future__ import annotations

import json
import wave

import numpy as np
import pytest

from formcheck.speech.schedule import Kind, Utterance
from formcheck.speech.timeline import Timeline
from formcheck.speech.tts import Tts


def _timeline() -> Timeline:
    tl = Timeline(Tts(), "da", origin_s=0.0)
    cue = Utterance(1.0, "Hold ryggen lige og kig frem", Kind.CUE, key="back", late_s=1.5)
    for i in range(90):
        t = i / 30
        items = [cue] if i == 30 else [Utterance(t, "to", Kind.COUNT)] if i == 45 else []
        tl.offer(items, t, frozenset({"back"}))
    tl.close()
    return tl


def test_a_count_cuts_the_cue_at_the_frame_it_is_said():
    tl = _timeline()
    assert [p.text for p in tl.placed] == ["Hold ryggen lige og kig frem", "to"]
    cue, count = tl.placed
    assert cue.start_s == 1.0 and count.start_s == 1.5 and cue.end_s == 1.5  # cut there
    assert count.end_s == 1.5 + tl.tts.seconds("to", "da")


def test_the_samples_are_the_phrases_at_their_places_and_silence_between():
    tl = _timeline()
    total = round((tl.end_s + 0.5) * tl.rate)
    whole = tl.samples(0, total)
    pieced = np.concatenate(list(tl.chunks(total, size=1000)))
    assert np.array_equal(whole, pieced)
    a = round(1.5 * tl.rate)
    to = tl.tts.pcm("to", "da")
    assert np.array_equal(whole[a:a + len(to)], to)
    assert not whole[: tl.rate].any() and not whole[a + len(to):].any()
    cue = tl.tts.pcm("Hold ryggen lige og kig frem", "da")
    assert np.array_equal(whole[tl.rate:a], cue[: a - tl.rate])


def test_the_wav_file_and_its_list_of_phrases(tmp_path):
    tl = _timeline()
    tl.write_wav(tmp_path / "v.wav")
    with wave.open(str(tmp_path / "v.wav")) as w:
        assert w.getframerate() == tl.rate and w.getnframes() == round((tl.end_s + 0.5) * tl.rate)
    listed = json.loads((tmp_path / "v.wav.json").read_text())
    assert [(p["text"], p["kind"], p["said_s"]) for p in listed["phrases"]] == [
        ("Hold ryggen lige og kig frem", "cue", 1.0), ("to", "count", 1.5)]
    assert not list(tmp_path.glob(".*"))  # no partial file left


def test_sets_of_a_program_follow_one_another_in_a_rendered_file():
    tl = Timeline(Tts(), "en", origin_s=None)  # live --voice-to: each set's clock starts again
    for _ in range(2):
        tl.new_set()
        for i in range(60):
            tl.offer([Utterance(-1.0, "Get ready", Kind.EVENT, late_s=1.0)] if i == 0 else [], -1.0 + i / 30,
                     frozenset())
    first, second = tl.placed
    assert first.start_s == 0.0 and first.said_s == second.said_s == -1.0
    assert second.start_s == pytest.approx(first.end_s + 1.0)  # one second after the first set's speech (float sums)
