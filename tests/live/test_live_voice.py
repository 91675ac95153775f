"""live --voice, end to end with the real pose model: a clip played as the camera, the voice
rendered to a WAV file on the frames' clock (the hidden --voice-to), and checked against the
set's own report: the counts and the cue are said, in order, on time, in Danish."""

from __future__ import annotations

import json
import subprocess
import sys
import wave
from pathlib import Path

import numpy as np
import pytest
from conftest import SAMPLES
from factories import TrackDetector
from speech_audio import SAME_VOICE, similarity

from formcheck.live.display import HeadlessDisplay, KeySchedule
from formcheck.live.session import LiveOptions, SetPlan
from formcheck.live.set_loop import run_set
from formcheck.live.voice import LiveVoice
from formcheck.media.capture import FileSource
from formcheck.media.track import load_track
from formcheck.sets.texts import TEXTS, fault_texts
from formcheck.spec.exercise import load_exercise
from formcheck.speech.phrases import number
from formcheck.speech.schedule import COUNT_LATE_S, CUE_LATE_S
from formcheck.speech.timeline import Timeline
from formcheck.speech.tts import Tts

ROOT = Path(__file__).resolve().parents[2]
CLIP = SAMPLES / "squat_side_fast.mp4"  # 3 squats dropped into, each with the too_fast cue


@pytest.fixture(scope="module")
def voiced(tmp_path_factory) -> tuple[dict, dict, np.ndarray, Path]:
    tmp = tmp_path_factory.mktemp("voice")
    wav = tmp / "voice.wav"
    proc = subprocess.run(
        [sys.executable, "-m", "formcheck.cli.main", "live", "-e", "squat", "--source", str(CLIP), "--headless",
         "--voice", "--every-frame", "--out", str(tmp / "set"), "--no-history", "--voice-to", str(wav)],
        capture_output=True, text=True, cwd=ROOT, timeout=240, check=False)
    assert proc.returncode == 0, proc.stderr
    report = json.loads((tmp / "set" / "report.json").read_text())
    said = json.loads(wav.with_name("voice.wav.json").read_text())
    with wave.open(str(wav)) as w:
        assert w.getframerate() == said["rate"] and w.getnchannels() == 1
        audio = np.frombuffer(w.readframes(w.getnframes()), np.int16)
    return report, said, audio, tmp / "set" / "track.npz"


@pytest.mark.slow
def test_counts_are_said_in_order_within_half_a_second_of_each_repetition(voiced):
    report, said, *_ = voiced
    counts = [p for p in said["phrases"] if p["kind"] == "count" and p["text"] != "Start"]
    assert report["reps"] == 3
    assert [p["text"] for p in counts] == ["en", "to", "tre"]
    for p, rep in zip(counts, report["reps_detail"]):
        assert 0.0 <= p["said_s"] - rep["end_s"] <= COUNT_LATE_S, (p, rep)


@pytest.mark.slow
def test_the_exercise_files_cue_is_said_when_the_fault_is_seen(voiced):
    report, said, *_ = voiced
    cues = fault_texts(load_exercise("squat"), "da")
    first = report["faults"][0]
    spoken = [p for p in said["phrases"] if p["kind"] == "cue"]
    assert spoken and spoken[0]["text"] == cues[first["id"]]
    assert 0.0 <= spoken[0]["said_s"] - first["t_s"] <= CUE_LATE_S + 0.5


@pytest.mark.slow
def test_the_set_is_announced_started_and_ended_in_that_order(voiced):
    _, said, *_ = voiced
    texts = [p["text"] for p in said["phrases"]]
    assert texts[0].startswith("Knæbøjning") and texts[1] == "Start" and texts[-1].startswith("Sættet er slut: 3 af")
    starts = [p["start_s"] for p in said["phrases"]]
    assert starts == sorted(starts)


@pytest.mark.slow
def test_each_phrase_in_the_file_is_the_danish_voice_saying_it_where_the_list_says(voiced):
    _, said, audio, _ = voiced
    tts, rate = Tts(), said["rate"]
    last_end = 0
    for p in said["phrases"]:
        a, b = round(p["start_s"] * rate), round(p["end_s"] * rate)
        segment = audio[a:b]
        da, en = tts.pcm(p["text"], "da")[: b - a], tts.pcm(p["text"], "en")[: b - a]
        assert similarity(segment, da) > SAME_VOICE, p
        assert similarity(segment, da) > similarity(segment, en) + 0.1, p
        assert not audio[last_end:a].any(), p  # silence between phrases
        last_end = b


def _live_with_voice(tmp_path: Path, track: Path, keys: str) -> tuple[dict, list[dict]]:
    """A live set of CLIP with scripted keys, the poses from its saved track (no model), the voice on a timeline."""
    wav = tmp_path / "v.wav"
    voice = LiveVoice(Timeline(Tts(), "en", origin_s=None), wav)
    source = FileSource(CLIP, paced=False, preroll_s=3.0)
    (tmp_path / "o").mkdir()
    source.start()
    try:
        run_set(SetPlan(load_exercise("squat"), tmp_path / "o"), source, HeadlessDisplay(KeySchedule.parse(keys)),
                LiveOptions(lang="en", voice=voice), lambda: TrackDetector(load_track(track)))
    finally:
        source.stop()
    voice.close()
    return json.loads((tmp_path / "o" / "report.json").read_text()), json.loads(wav.with_name("v.wav.json").read_text())["phrases"]


@pytest.mark.slow
def test_after_the_pain_key_the_pain_advice_is_said_at_once_and_nothing_after_it(voiced, tmp_path):
    report, said = _live_with_voice(tmp_path, voiced[3], "4.0:p")
    assert report["ended_by"] == "pain"
    assert said[-1]["kind"] == "pain" and said[-1]["text"] == " ".join(TEXTS["en"]["pain"])
    assert said[-1]["said_s"] - 4.0 < 0.1
    assert [p["text"] for p in said if p["kind"] == "count"] == ["Start", "one"]


@pytest.mark.slow
def test_nothing_is_said_while_paused_and_counting_goes_on_after(voiced, tmp_path):
    report, said = _live_with_voice(tmp_path, voiced[3], "3.5:space,6.5:space")
    assert not [p for p in said if 3.6 < p["said_s"] < 6.5]
    assert [p["text"] for p in said if p["kind"] == "count"][-1] == number(report["reps"], "en")
