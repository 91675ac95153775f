"""When each planned phrase is actually said: one voice, so one phrase at a time, and never stale.

The planner (``planner.py``) says what should be said and when; this decides, as time goes on,
what starts now. The same rules run against the frames' clock (replay's audio track, a rendered
file) and against the wall clock (the loudspeaker, ``player.py``), so what a patient hears live is
what the replay's audio track holds:

- a phrase that could not start within its ``late_s`` is dropped, never said late (a count is at
  most ``COUNT_LATE_S`` late);
- a cue that no longer applies (its key is not among the current ones) is dropped before it starts;
- of two counts waiting, only the newer is said ("four" after "five" would mislead);
- a more urgent phrase that would otherwise miss its moment cuts the one being said (counts cut
  cues and announcements; a count cuts an older count; nothing cuts the pain advice).
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import IntEnum


class Kind(IntEnum):
    """What a phrase is; the larger, the more urgent (it may cut the one being said)."""

    CUE = 1  # the current form cue or positioning guidance: only while it still applies
    EVENT = 2  # the set's start and end
    COUNT = 3  # a repetition's count, the hold's timing ("hold", "five".."one", "relax"), "start"
    PAIN = 4  # the pain advice: never dropped, never cut


KEPT = 100  # phrases kept in ``dropped`` (the latest)
COUNT_LATE_S = 0.5  # a count said later than this is no help: dropped
CUE_LATE_S = 1.5  # a cue may wait this long for the voice (after a count, say) while it applies
EVENT_LATE_S = 3.0
LATE_S = {Kind.CUE: CUE_LATE_S, Kind.EVENT: EVENT_LATE_S, Kind.COUNT: COUNT_LATE_S, Kind.PAIN: math.inf}


@dataclass(frozen=True)
class Utterance:
    """One phrase to say at ``t_s`` (the frames' clock), in the set's language."""

    t_s: float
    text: str
    kind: Kind
    key: str = ""  # a cue's id: dropped once it is no longer a current cue
    late_s: float = COUNT_LATE_S  # how long after t_s it may still start

    @property
    def deadline_s(self) -> float:
        return self.t_s + self.late_s


@dataclass(frozen=True)
class Spoken:
    """A phrase started at ``start_s``; it ends at ``end_s`` unless a later one cuts it."""

    utterance: Utterance
    start_s: float
    end_s: float


class Schedule:
    """The waiting phrases and the one being said. ``seconds(u)`` is how long ``u`` takes to say."""

    def __init__(self, seconds: Callable[[Utterance], float]) -> None:
        self.seconds = seconds
        self.pending: list[Utterance] = []
        self.playing: Spoken | None = None
        self.current: frozenset[str] = frozenset()
        # the latest phrases never said (stale), for tests; bounded, as a session can last an hour
        self.dropped: deque[Utterance] = deque(maxlen=KEPT)

    def offer(self, items: Iterable[Utterance], current: frozenset[str] | None = None) -> None:
        """New phrases; ``current``: the keys of the cues that still apply (None: unchanged)."""
        self.pending.extend(items)
        if current is not None:
            self.current = current

    def busy(self, now_s: float) -> bool:
        """Something is being said or waits to be."""
        return bool(self.pending) or (self.playing is not None and self.playing.end_s > now_s)

    def poll(self, now_s: float) -> Spoken | None:
        """What starts at ``now_s`` (it cuts the phrase being said, if any is), or None."""
        self._drop_stale(now_s)
        ready = [u for u in self.pending if u.t_s <= now_s]
        if not ready:
            return None
        best = max(ready, key=lambda u: (u.kind, -u.t_s))
        playing = self.playing
        if playing is not None and playing.end_s > now_s:
            cuts = best.kind >= playing.utterance.kind and best.kind > Kind.CUE and playing.utterance.kind < Kind.PAIN
            if not (cuts and playing.end_s > best.deadline_s):
                return None  # it waits for the voice (and may yet go stale)
        self.pending.remove(best)
        self.playing = Spoken(best, now_s, now_s + self.seconds(best))
        return self.playing

    def _drop_stale(self, now_s: float) -> None:
        newest_count = max((u.t_s for u in self.pending if u.kind is Kind.COUNT and u.t_s <= now_s), default=-math.inf)
        keep = []
        for u in self.pending:
            stale = (now_s > u.deadline_s
                     or (u.kind is Kind.CUE and u.key not in self.current)
                     or (u.kind is Kind.COUNT and u.t_s < newest_count))
            (self.dropped if stale else keep).append(u)
        self.pending = keep
