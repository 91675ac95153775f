"""Speech placed on the frames' clock instead of a loudspeaker: replay's audio track and live's
``--voice-to`` file. The schedule runs at each frame's time (``schedule.py``), so a phrase starts
at the first frame at or after its moment, exactly when live at that frame rate would start it;
a phrase cut by a more urgent one ends where that one starts.

Only the list of phrases is kept (memory stays flat however long the set); the samples are made
from the cached phrase audio when asked for (``samples``)."""

from __future__ import annotations

import bisect
import json
import os
import wave
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from formcheck.core.atomic import atomic_write_text
from formcheck.speech.schedule import Schedule, Spoken, Utterance
from formcheck.speech.tts import Tts

DRAIN_STEP_S = 0.02  # after the last frame the clock goes on in steps this long
DRAIN_MAX_S = 60.0  # ... for at most this long (the pain advice takes ~10 s)
GAP_BETWEEN_SETS_S = 1.0  # live --voice-to: one set's speech after the last one's, this much later


@dataclass(frozen=True)
class Placed:
    """A phrase in the audio: from ``start_s`` to ``end_s`` (seconds from the audio's start),
    said at ``t_s`` on the set's own clock."""

    text: str
    kind: str
    t_s: float
    said_s: float  # when it was started, on the set's clock (t_s, or later when the voice was busy)
    start_s: float
    end_s: float


class Timeline:
    """A speaker (``narrator.Speaker``) that writes down what would be said, when. ``origin_s``:
    the frames' time at the audio's start (replay: 0, the video's clock); None: the first frame's,
    and each new set (``new_set``) follows the previous one's speech (live --voice-to)."""

    def __init__(self, tts: Tts, lang: str, origin_s: float | None = 0.0) -> None:
        self.tts, self.lang = tts, lang
        self.rate = tts.rate
        self.placed: list[Placed] = []
        self._ends: list[int] = []  # each phrase's last sample + 1, for ``samples``
        self._offset = None if origin_s is None else -origin_s  # audio time = frame time + offset
        self._rebase = origin_s is None
        self._schedule = self._fresh_schedule()
        self._now_s: float | None = None

    def _fresh_schedule(self) -> Schedule:
        return Schedule(lambda u: self.tts.seconds(u.text, self.lang))

    def prepare(self, texts: Iterable[str]) -> None:
        """(Nothing: off any real-time clock, each phrase is synthesised when first placed.)"""

    def new_set(self) -> None:
        """A new set begins (its clock may start again): what the last one still had is said first."""
        self.finish()
        if self._rebase:
            self._offset = None

    def offer(self, items: Iterable[Utterance], now_s: float, current: frozenset[str]) -> None:
        """The phrases a frame at ``now_s`` asks for, and the cues that still apply; the clock moves to ``now_s``."""
        if self._offset is None:
            last_end = self.placed[-1].end_s + GAP_BETWEEN_SETS_S if self.placed else 0.0
            self._offset = last_end - now_s
        self._schedule.offer(items, current)
        self._advance(now_s)

    def _advance(self, now_s: float) -> None:
        self._now_s = now_s
        spoken = self._schedule.poll(now_s)
        if spoken is not None:
            self._place(spoken)

    def _place(self, spoken: Spoken) -> None:
        assert self._offset is not None
        start = spoken.start_s + self._offset
        if self.placed and self.placed[-1].end_s > start:  # cut by this one
            last = self.placed[-1]
            self.placed[-1] = replace(last, end_s=start)
        u = spoken.utterance
        self.placed.append(Placed(u.text, u.kind.name.lower(), u.t_s, spoken.start_s, start, spoken.end_s + self._offset))

    def finish(self) -> None:
        """The set's frames are over: the clock goes on until what waits has been said (or dropped)."""
        if self._now_s is None:
            return
        now, stop = self._now_s, self._now_s + DRAIN_MAX_S
        while self._schedule.busy(now) and now < stop:
            now += DRAIN_STEP_S
            self._advance(now)
        self._schedule = self._fresh_schedule()
        self._now_s = None

    @property
    def end_s(self) -> float:
        """Where the last phrase ends (seconds of audio)."""
        return self.placed[-1].end_s if self.placed else 0.0

    def samples(self, start: int, stop: int) -> np.ndarray:
        """Audio samples ``start`` to ``stop`` (int16, mono, at ``rate``): silence between phrases."""
        out = np.zeros(max(stop - start, 0), np.int16)
        if len(self._ends) != len(self.placed):  # phrases never overlap, so their ends are in order too
            self._ends = [round(p.end_s * self.rate) for p in self.placed]
        for p in self.placed[bisect.bisect_right(self._ends, start):]:  # (an hour's track: no quadratic scan)
            a, b = round(p.start_s * self.rate), round(p.end_s * self.rate)
            if a >= stop:
                break
            pcm = self.tts.pcm(p.text, self.lang)[: b - a]
            lo, hi = max(a, start), min(a + len(pcm), stop)
            if hi > lo:
                out[lo - start: hi - start] = pcm[lo - a: hi - a]
        return out

    def chunks(self, total: int, size: int = 1 << 16) -> Iterator[np.ndarray]:
        for start in range(0, total, size):
            yield self.samples(start, min(start + size, total))

    def write_wav(self, path: Path, tail_s: float = 0.5) -> None:
        """The audio as a WAV file, and beside it ``PATH.json``: each phrase's text, kind, set time
        and place in the audio. Both written whole or not at all."""
        total = round((self.end_s + tail_s) * self.rate)
        tmp = path.with_name(f".{path.name}.partial")
        try:
            with wave.open(str(tmp), "wb") as w:
                w.setnchannels(1)
                w.setsampwidth(2)
                w.setframerate(self.rate)
                for chunk in self.chunks(total):
                    w.writeframes(chunk.tobytes())
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
        rows = [{"text": p.text, "kind": p.kind, "t_s": p.t_s, "said_s": p.said_s, "start_s": p.start_s,
                 "end_s": p.end_s} for p in self.placed]  # (unrounded: a phrase's first sample is round(start_s * rate))
        atomic_write_text(path.with_name(path.name + ".json"),
                          json.dumps({"lang": self.lang, "rate": self.rate, "phrases": rows}, indent=1, ensure_ascii=False))

    def close(self) -> None:
        self.finish()
