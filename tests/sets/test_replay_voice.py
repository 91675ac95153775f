"""Replay's annotated.mp4 carries the trainer's voice as an AAC track: decoded here (PyAV) and
checked against the set's report: speech at each counted repetition, the Danish voice saying
the count, silence where nothing is said; --no-voice leaves the video silent."""

from __future__ import annotations

import json
from pathlib import Path

import av
import numpy as np
import pytest
from conftest import SAMPLES
from speech_audio import SAME_VOICE, similarity

from formcheck.sets.replay import ReplayOptions, replay
from formcheck.spec.exercise import load_exercise
from formcheck.speech.phrases import number
from formcheck.speech.schedule import COUNT_LATE_S
from formcheck.speech.tts import Tts

CLIP = SAMPLES / "squat_side_fast.mp4"
SPEECH_RMS = 1000  # eSpeak's speech is ~3500 RMS (of 32767); silence decodes to < 30


def _audio(video: Path) -> tuple[np.ndarray, int, float]:
    """The audio track as int16-scaled samples, its rate, and the video stream's length in seconds."""
    with av.open(str(video)) as c:
        assert len(c.streams.audio) == 1 and c.streams.audio[0].codec_context.name == "aac"
        v = c.streams.video[0]
        video_s = float(v.duration * v.time_base)
        frames = list(c.decode(audio=0))
    rate = frames[0].sample_rate
    assert frames[0].pts == 0
    x = np.concatenate([f.to_ndarray()[0] for f in frames]) * 32767
    return x, rate, video_s


def _rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(x.astype(float) ** 2))) if len(x) else 0.0


@pytest.fixture(scope="module")
def replayed(tmp_path_factory) -> tuple[dict, Path]:
    out = tmp_path_factory.mktemp("voice") / "set"
    replay(CLIP, load_exercise("squat"), out, ReplayOptions(lang="da"))
    return json.loads((out / "report.json").read_text()), out / "annotated.mp4"


@pytest.mark.slow
def test_the_annotated_video_says_each_count_when_the_repetition_is_counted(replayed):
    report, video = replayed
    audio, rate, video_s = _audio(video)
    assert abs(len(audio) / rate - video_s) < 0.1  # as long as the video, end card included
    tts = Tts()
    assert report["reps"] == 3
    for rep in report["reps_detail"]:
        a = round(rep["end_s"] * rate)
        window = audio[a: a + round((COUNT_LATE_S + 0.35) * rate)]
        assert _rms(window) > SPEECH_RMS, rep
        # the count itself, in Danish: it starts within COUNT_LATE_S of the repetition's end
        said = tts.pcm(number(rep["index"], "da"), "da")
        starts = np.flatnonzero(np.abs(window) > 300)
        assert len(starts) and starts[0] / rate <= COUNT_LATE_S, rep
        segment = window[starts[0]: starts[0] + len(said)]
        assert similarity(segment, said) > SAME_VOICE - 0.08, rep  # (AAC at 64 kbit/s blurs a little)
        assert similarity(segment, said) > similarity(segment, tts.pcm(number(rep["index"], "da"), "en")), rep


@pytest.mark.slow
def test_the_summary_is_said_under_the_end_card_and_the_report_has_no_voice_note(replayed):
    report, video = replayed
    audio, rate, video_s = _audio(video)
    last = report["reps_detail"][-1]["end_s"]
    ends = round((video_s - 3.0 + 0.2) * rate)
    assert _rms(audio[ends: ends + rate]) > SPEECH_RMS  # "Sættet er slut: 3 af 10 gentagelser."
    assert _rms(audio[round((last + 1.2) * rate): round((video_s - 3.0) * rate)]) < 30  # nothing to say meanwhile
    assert not [n for n in report["notes"] if "voice" in n]


@pytest.mark.slow
def test_no_voice_leaves_the_video_silent(tmp_path):
    out = tmp_path / "set"
    replay(SAMPLES / "squat_side.mp4", load_exercise("squat"), out, ReplayOptions(voice=False))
    with av.open(str(out / "annotated.mp4")) as c:
        assert not c.streams.audio and len(c.streams.video) == 1
