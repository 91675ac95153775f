"""The loudspeaker player, on a stand-in sound device: it plays what the schedule starts, from
its own thread, and a frame loop's hand-over never waits."""

from __future__ import annotations

import time

import numpy as np
import pytest

from formcheck.speech.player import DevicePlayer, PlayerError
from formcheck.speech.schedule import Kind, Utterance
from formcheck.speech.tts import Tts


class FakeStream:
    """Pulls the callback like PortAudio would, in blocks, on demand."""

    def __init__(self, rate, callback):
        self.rate, self.callback, self.started, self.closed = rate, callback, False, False

    def pull(self, seconds: float) -> np.ndarray:
        out, blocks = [], []
        for _ in range(int(seconds * self.rate / 512)):
            block = np.full((512, 1), 7, np.int16)
            self.callback(block, 512, None, None)
            blocks.append(block[:, 0].copy())
        out = np.concatenate(blocks)
        return out

    def start(self):
        self.started = True

    def stop(self):
        pass

    def close(self):
        self.closed = True


def test_it_plays_the_phrase_and_silence_after_it():
    tts = Tts()
    made = []
    player = DevicePlayer(tts, "da", lambda rate, cb: made.append(FakeStream(rate, cb)) or made[-1])
    stream = made[0]
    t0 = time.monotonic()
    player.offer([Utterance(10.0, "tre", Kind.COUNT)], 10.0, frozenset())
    assert time.monotonic() - t0 < 0.05  # the frame loop never waits
    deadline = time.monotonic() + 2
    while not player.played and time.monotonic() < deadline:
        time.sleep(0.01)
    assert [text for _, text in player.played] == ["tre"]
    audio = stream.pull(1.0)
    pcm = tts.pcm("tre", "da")
    assert np.array_equal(audio[: len(pcm)], pcm)
    assert not audio[len(pcm):].any()  # silence after (not the block's filler)
    player.close(wait_s=1.0)
    assert stream.closed


def test_no_sound_device_is_one_line():
    def broken(rate, cb):
        raise PlayerError("no sound output (Error querying device -1)")

    with pytest.raises(PlayerError, match="no sound output"):
        DevicePlayer(Tts(), "da", broken)
