"""The speech engine: eSpeak NG from the espeakng-loader wheel, in process, Danish and English."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from formcheck.speech.tts import Tts


@pytest.fixture(scope="module")
def tts() -> Tts:
    return Tts("wheel")


def test_phrases_are_speech_trimmed_and_cached(tts):
    pcm = tts.pcm("Skub knæene ud", "da")
    assert pcm.dtype == np.int16 and 0.5 < len(pcm) / tts.rate < 3.0
    assert abs(int(pcm[0])) > 64 and abs(int(pcm[-1])) > 64  # no silence around it
    assert tts.pcm("Skub knæene ud", "da") is pcm


def test_danish_is_said_with_the_danish_voice(tts):
    da, en = tts.pcm("syv", "da"), tts.pcm("syv", "en")
    assert len(da) != len(en) or not np.array_equal(da, en)


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="Debian's espeak-ng is not installed (the fallback)")
def test_the_espeak_ng_program_is_the_fallback():
    tts = Tts("program")
    assert tts.rate > 8000 and len(tts.pcm("to", "da")) > 0
