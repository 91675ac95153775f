"""What the trainer says, and when, from the per-frame results: a pure function of the frames.

Counts ("en, to, tre..."), the one current cue, a hold's timing ("hold... fem, fire, tre, to, en,
slap af"), positioning guidance, and the set's start and end. The cues' words are the exercise
file's (``Cue.text``), so a physiotherapist's edited cue is what is spoken. Each phrase carries
the frame time it belongs to; ``schedule.py`` decides what is actually said then.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from formcheck.core.results import FrameResult, Status
from formcheck.speech.phrases import number, phrase, set_end
from formcheck.speech.schedule import LATE_S, Kind, Utterance

CUE_REPEAT_S = 8.0  # a cue still shown (or shown again) is said again after this long, not sooner
HOLD_WORD_GAP_S = 2.0  # "hold" again only after this long (a hold paused and resumed at once)
FRESH_HOLD_S = 0.5  # a hold timed this little has just begun
HOLD_COUNTDOWN = (5, 4, 3, 2, 1)  # the last seconds of a hold are counted down
QUIET_CUES = frozenset({"hold_done"})  # said already in other words ("slap af" when a hold ends)


@dataclass(frozen=True)
class SetLines:
    """What the voice needs to know of the set: the exercise's name in the patient's language,
    whether it counts repetitions ("reps") or times holds ("hold"), the target, the language."""

    name: str
    kind: str = "reps"
    target: int | None = None
    lang: str = "da"


class SpeechPlanner:
    """Feed it every frame's result in order; it returns the phrases that frame calls for.
    ``current`` is the set of cue ids that still apply (a waiting cue not among them is dropped)."""

    def __init__(self, lines: SetLines) -> None:
        self.lines = lines
        self.current: frozenset[str] = frozenset()
        self._said: dict[str, float] = {}  # cue id -> when it was last said
        self._holding = False
        self._left_s: float | None = None  # seconds of the hold in progress still to go
        self._hold_word_s = -math.inf

    @staticmethod
    def _u(t_s: float, text: str, kind: Kind, key: str = "", late_s: float | None = None) -> Utterance:
        return Utterance(t_s, text, kind, key, LATE_S[kind] if late_s is None else late_s)

    # ----- the set's start and end --------------------------------------------------------------
    def countdown(self, t_s: float, end_s: float) -> list[Utterance]:
        """A countdown from ``t_s`` to ``end_s``: the exercise's name and "get ready" now."""
        return [self._u(t_s, phrase("ready", self.lines.lang, name=self.lines.name), Kind.EVENT,
                        late_s=max(end_s - t_s, 0.5))]

    def start(self, t_s: float, named: bool = False) -> list[Utterance]:
        """Counting starts ("start"; ``named``: with the exercise's name, when no countdown said it)."""
        if named:
            return [self._u(t_s, phrase("begin", self.lines.lang, name=self.lines.name), Kind.EVENT)]
        return [self._u(t_s, phrase("start", self.lines.lang), Kind.COUNT)]

    def end(self, t_s: float, done: int) -> list[Utterance]:
        """The set is over with ``done`` repetitions (or holds)."""
        self.current = frozenset()
        return [self._u(t_s, set_end(done, self.lines.target, self.lines.kind, self.lines.lang), Kind.EVENT)]

    def pain(self, t_s: float, advice: Iterable[str]) -> list[Utterance]:
        """The patient reported pain: the advice (the pain screen's words), never dropped."""
        self.current = frozenset()
        return [self._u(t_s, " ".join(advice), Kind.PAIN)]

    # ----- per frame ----------------------------------------------------------------------------
    def frame(self, r: FrameResult, counting: bool = True) -> list[Utterance]:
        """``counting`` False: only the cues (live, while the patient gets into position)."""
        t_s, lang = r.t_ms / 1000.0, self.lines.lang
        out: list[Utterance] = []
        if counting and r.new_rep is not None:
            out.append(self._u(t_s, number(r.reps, lang), Kind.COUNT))
        if counting:
            out.extend(self._hold(r, t_s))
        cue = r.cue
        self.current = frozenset({cue.id}) if cue is not None else frozenset()
        if cue is not None and cue.id not in QUIET_CUES and t_s - self._said.get(cue.id, -math.inf) >= CUE_REPEAT_S:
            self._said[cue.id] = t_s
            out.append(self._u(t_s, cue.text(lang), Kind.CUE, key=cue.id))
        return out

    def _hold(self, r: FrameResult, t_s: float) -> list[Utterance]:
        lang, out = self.lines.lang, []
        holding = r.status is Status.HOLDING
        fresh = (r.hold_s or 0.0) < FRESH_HOLD_S  # (not a hold resumed after a pause)
        if holding and not self._holding and fresh and t_s - self._hold_word_s >= HOLD_WORD_GAP_S:
            out.append(self._u(t_s, phrase("hold", lang), Kind.COUNT))
            self._hold_word_s = t_s
        if r.status in (Status.HOLDING, Status.HOLD_PAUSED) and r.hold_s is not None and r.hold_target_s:
            left = r.hold_target_s - r.hold_s
            if self._left_s is not None:
                crossed = [k for k in HOLD_COUNTDOWN if self._left_s > k >= left and r.hold_target_s >= k + 2]
                if crossed:  # (a frame that skipped a second: the newest only)
                    out.append(self._u(t_s, number(min(crossed), lang), Kind.COUNT))
            self._left_s = left
        else:
            self._left_s = None
        if r.new_hold is not None:
            out.append(self._u(t_s, phrase("rest", lang), Kind.COUNT))
            self._said["hold_done"] = t_s
            self._left_s = None
        self._holding = holding
        return out
