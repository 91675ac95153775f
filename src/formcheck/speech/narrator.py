"""One set's voice: the planner's phrases handed to a speaker, frame by frame.

A speaker is a loudspeaker (``player.DevicePlayer``, live) or a timeline on the frames' clock
(``timeline.Timeline``: replay's audio track, live's ``--voice-to`` file); the narrator is the same
for both, so both say the same things at the same moments."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from formcheck.core.results import FrameResult
from formcheck.speech.phrases import NUMBERS, PHRASES
from formcheck.speech.planner import SetLines, SpeechPlanner
from formcheck.speech.schedule import Utterance


class Speaker(Protocol):
    def prepare(self, texts: Iterable[str]) -> None:
        """Synthesise these ahead (the speaker's own time, never the frame loop's)."""
        ...

    def new_set(self) -> None: ...

    def offer(self, items: Iterable[Utterance], now_s: float, current: frozenset[str]) -> None:
        """A frame at ``now_s`` (set time): its phrases and the cue ids that still apply. Never blocks."""
        ...

    def finish(self) -> None:
        """The set's frames are over; what waits is still said."""
        ...


class Narrator:
    """Speaks one set: call ``countdown``/``start`` as the set starts, ``frame`` with each frame's
    result, then ``end`` or ``pain``. ``cues``: the exercise's cue texts, prepared ahead."""

    def __init__(self, speaker: Speaker, lines: SetLines, cues: Iterable[str] = ()) -> None:
        self.speaker, self.lines = speaker, lines
        self.planner = SpeechPlanner(lines)
        self.done = 0  # repetitions (or holds) counted so far
        self.now_s: float | None = None
        speaker.new_set()
        phrases = PHRASES[lines.lang]
        speaker.prepare([*NUMBERS[lines.lang][: max(lines.target or 0, 10) + 5], phrases["start"],
                         phrases["hold"], phrases["rest"], *cues])

    def _say(self, items: list[Utterance], t_s: float) -> None:
        self.now_s = t_s
        self.speaker.offer(items, t_s, self.planner.current)

    def countdown(self, t_s: float, end_s: float) -> None:
        self._say(self.planner.countdown(t_s, end_s), t_s)

    def start(self, t_s: float, named: bool = False) -> None:
        self._say(self.planner.start(t_s, named), t_s)

    def frame(self, result: FrameResult, counting: bool = True) -> None:
        """A frame's result; ``counting`` False: only its cue is said (getting into position)."""
        if counting:
            self.done = result.reps if self.lines.kind == "reps" else result.holds_done
        self._say(self.planner.frame(result, counting), result.t_ms / 1000.0)

    def tick(self, t_s: float) -> None:
        """A frame with no result (live's countdown preroll): only the clock moves."""
        self._say([], t_s)

    def end(self, t_s: float | None = None, done: int | None = None) -> None:
        t = self.now_s if t_s is None else t_s
        if t is not None:
            self._say(self.planner.end(t, self.done if done is None else done), t)
        self.speaker.finish()

    def pain(self, advice: Iterable[str], t_s: float | None = None) -> None:
        t = self.now_s if t_s is None else t_s
        if t is not None:
            self._say(self.planner.pain(t, advice), t)
        self.speaker.finish()
