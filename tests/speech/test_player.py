"""The loudspeaker player, on a stand-in sound device: it plays what the schedule starts, from
its own thread, and a frame loop's hand-over never waits."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import numpy as np
import pytest

from formcheck.speech.player import DevicePlayer, PlayerError
from formcheck.speech.schedule import COUNT_LATE_S, Kind, Utterance
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
    player.offer([Utterance(10.0, "tre", Kind.COUNT)], 10.0, frozenset())  # (a queue put: never waits)
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


PLAY_ON_A_NULL_DEVICE = """
import json, time
from formcheck.speech.player import DevicePlayer
from formcheck.speech.schedule import Kind, Utterance
from formcheck.speech.tts import Tts
tts = Tts()
player = DevicePlayer(tts, "da")  # PortAudio's default device: ALSA's null device here
t0 = time.monotonic()
player.offer([Utterance(0.0, "Skub knæene ud", Kind.CUE, key="c", late_s=1.5), Utterance(0.3, "en", Kind.COUNT)],
             0.0, frozenset({"c"}))
while (len(player.played) < 2 or player._pos < len(tts.pcm("en", "da"))) and time.monotonic() - t0 < 5:
    time.sleep(0.01)
print(json.dumps([[text for _, text in player.played], player.played[-1][0] - t0,
                  player._pos == len(tts.pcm("en", "da"))]))
player.close(wait_s=2.0)
"""


def test_the_real_sound_device_plays_a_count_cutting_a_cue_on_time(tmp_path):
    """sounddevice (PortAudio) on a real ALSA device that discards the sound (HOME's .asoundrc)."""
    try:
        import sounddevice  # noqa: F401
    except OSError as exc:
        pytest.skip(f"PortAudio is not installed (Debian's libportaudio2): {exc}")
    (tmp_path / ".asoundrc").write_text("pcm.!default { type null }\n")
    proc = subprocess.run([sys.executable, "-c", PLAY_ON_A_NULL_DEVICE], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "HOME": str(tmp_path)}, check=False)
    assert proc.returncode == 0, proc.stderr
    played, count_s, all_taken = json.loads(proc.stdout.strip().splitlines()[-1])
    assert played == ["Skub knæene ud", "en"]  # the count cut the cue ...
    assert 0.3 <= count_s <= 0.3 + COUNT_LATE_S + 0.05  # ... on time (its moment: 0.3 s after the offer)
    assert all_taken  # and the device took all of the count's samples
