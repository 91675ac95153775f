"""The voice out of the loudspeaker, never in the frame loop's way.

The loop only hands phrases over (``offer``: a queue put, no waiting). A player thread keeps the
schedule (``schedule.py``) on the wall clock, synthesises (cached, ~1 ms a phrase) and hands the
phrase to the sound device's callback, which plays it from memory; a phrase started replaces the
one being played (that is how a count cuts a cue). Nothing queues without bound: what is stale is
dropped by the schedule. No sound device: ``PlayerError`` (one line) when the player is made."""

from __future__ import annotations

import queue
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any

import numpy as np

from formcheck.speech.schedule import KEPT, Schedule, Utterance
from formcheck.speech.tts import Tts

TICK_S = 0.01  # the player thread looks at the schedule this often
Callback = Callable[[np.ndarray, int, Any, Any], None]
OpenStream = Callable[[int, Callback], Any]  # (sample rate, callback) -> a started-able stream


class PlayerError(Exception):
    """No sound can be played (the message is one line)."""


def open_sounddevice(rate: int, callback: Callback) -> Any:
    """A PortAudio output stream (mono, 16 bit) on the default device."""
    try:
        import sounddevice as sd
    except OSError as exc:  # the PortAudio library is missing
        raise PlayerError(f"no sound output ({exc})") from None
    try:
        return sd.OutputStream(samplerate=rate, channels=1, dtype="int16", callback=callback, latency="low")
    except Exception as exc:  # noqa: BLE001 - PortAudioError and friends: no device, busy device
        raise PlayerError(f"no loudspeaker found (PortAudio: {' '.join(str(exc).split())})") from None


class DevicePlayer:
    """A speaker (``narrator.Speaker``) that plays through a sound device."""

    def __init__(self, tts: Tts, lang: str, open_stream: OpenStream = open_sounddevice) -> None:
        self.tts, self.lang = tts, lang
        self._inbox: queue.SimpleQueue[tuple[str, Any, Any]] = queue.SimpleQueue()
        self._schedule = Schedule(lambda u: tts.seconds(u.text, lang))
        self._lock = threading.Lock()  # the phrase being played, shared with the device's callback
        self._pcm = np.zeros(0, np.int16)
        self._pos = 0
        # (wall time, text) of the latest phrases started, for tests; bounded for an hour's session
        self.played: deque[tuple[float, str]] = deque(maxlen=KEPT)
        self._quiet = False  # (the player thread's, each tick) nothing played nor waiting
        self._stop = threading.Event()
        self._stream = open_stream(tts.rate, self._callback)
        try:
            self._stream.start()
        except Exception as exc:  # noqa: BLE001 - a device that fails to start
            raise PlayerError(f"no sound output ({' '.join(str(exc).split())})") from None
        self._thread = threading.Thread(target=self._run, name="formcheck-voice", daemon=True)
        self._thread.start()

    # ----- the loop's side: never waits ---------------------------------------------------------
    def prepare(self, texts: Iterable[str]) -> None:
        self._inbox.put(("prepare", list(texts), None))

    def new_set(self) -> None:
        """(The wall clock goes on across sets: nothing to do.)"""

    def offer(self, items: Iterable[Utterance], now_s: float, current: frozenset[str]) -> None:
        wall = time.monotonic()  # a phrase's moment on the wall clock: as far from now as from the frame
        self._inbox.put(("offer", [replace(u, t_s=u.t_s - now_s + wall) for u in items], current))

    def finish(self) -> None:
        """(What waits is still said: the player thread goes on.)"""

    # ----- the player thread -------------------------------------------------------------------
    def _run(self) -> None:
        while not self._stop.is_set():
            while True:
                try:
                    what, items, current = self._inbox.get_nowait()
                except queue.Empty:
                    break
                self._quiet = False
                if what == "prepare":
                    for text in items:
                        self.tts.pcm(text, self.lang)
                else:
                    self._schedule.offer(items, current)
            now = time.monotonic()
            spoken = self._schedule.poll(now)
            if spoken is not None:
                pcm = self.tts.pcm(spoken.utterance.text, self.lang)
                with self._lock:
                    self._pcm, self._pos = pcm, 0
                self.played.append((now, spoken.utterance.text))
            with self._lock:
                playing = self._pos < len(self._pcm)
            self._quiet = not playing and not self._schedule.busy(now)
            time.sleep(TICK_S)

    def _callback(self, out: np.ndarray, frames: int, time_info: Any, status: Any) -> None:
        with self._lock:
            n = min(frames, len(self._pcm) - self._pos)
            out[:n, 0] = self._pcm[self._pos:self._pos + n]
            self._pos += n
        out[n:] = 0

    def close(self, wait_s: float = 0.0) -> None:
        """Stop, after what is still to be said has been (at most ``wait_s`` seconds)."""
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline and not (self._quiet and self._inbox.empty()):
            time.sleep(2 * TICK_S)
        self._stop.set()
        self._thread.join(timeout=2.0)
        try:
            self._stream.stop()
            self._stream.close()
        except Exception:  # noqa: BLE001, S110 - the device went away meanwhile: nothing left to play
            pass
