"""Typed results: one ``FrameResult`` per frame, ``Rep``/``Partial``/``Hold``/``Fault`` events, and
a set's ``SessionSummary`` for the end screen.

The analyzer produces them, the overlay only reads them, and the report is a fold over them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from formcheck.core.lang import in_lang
from formcheck.core.pose import Landmark, Pose


class Status(str, Enum):
    """What the trainer is doing at this frame (drives the overlay's main message)."""

    NO_PERSON = "no_person"  # nobody seen / key joints hidden: counting paused
    POSITIONING = "positioning"  # person seen, not yet still in the start position
    READY = "ready"  # in the start position, counting armed
    MOVING = "moving"  # inside a repetition
    HOLDING = "holding"  # hold timer running
    HOLD_PAUSED = "hold_paused"  # in a hold exercise but position wrong or not still


@dataclass(frozen=True)
class Cue:
    """One short instruction for the patient; ``id`` is stable (a fault id or a guidance id)."""

    id: str
    text_da: str
    text_en: str
    severity: int = 1  # higher is more important; the overlay shows the highest
    segments: tuple[tuple[Landmark, Landmark], ...] = ()  # body segments to highlight

    def text(self, lang: str) -> str:
        return in_lang(lang, self.text_da, self.text_en)


@dataclass(frozen=True)
class Fault:
    """A form fault seen at ``t_s`` (seconds of video time), with the value that triggered it."""

    id: str
    t_s: float
    message: str  # English, for reports
    value: float | None = None
    limit: float | None = None
    rep_index: int | None = None


@dataclass(frozen=True)
class Phase:
    """One movement phase inside a repetition (e.g. toe_heel's 'toes' and 'heels')."""

    name: str
    start_s: float
    end_s: float
    peak_s: float
    peak: float


@dataclass(frozen=True)
class Rep:
    index: int  # 1-based count of this rep
    start_s: float
    end_s: float
    bottom_s: float  # time of the deepest point (peak of the counted signal)
    side: str | None
    metrics: dict[str, float]
    faults: tuple[str, ...]
    phases: tuple[Phase, ...] = ()
    # the video cut this repetition (engine/edges.py): "start" it began before the video's first
    # frame, "end" the video ended on its way back, "both"; None: seen whole
    cut: str | None = None


@dataclass(frozen=True)
class Partial:
    """A movement that started like a rep but was not counted, with the reason (a fault id)."""

    start_s: float
    end_s: float
    reason: str
    side: str | None
    metrics: dict[str, float]
    phases: tuple[Phase, ...] = ()  # a two-phase repetition (toe_heel) that missed the range: both phases


@dataclass(frozen=True)
class Hold:
    side: str | None
    start_s: float
    end_s: float
    held_s: float
    target_s: float
    faults: tuple[str, ...]


USER_PAUSE_REASON = "paused by the user"  # a Pause the patient asked for (not the pose's doing)
LOST_REASON = "person or key joints not seen"  # a Pause while the camera did not see them well


@dataclass(frozen=True)
class Pause:
    """Counting paused: the person or the key joints not seen, the patient moving about or
    getting up, or the set paused by the patient (``reason`` says which)."""

    start_s: float
    end_s: float
    reason: str


@dataclass(frozen=True)
class Adaptation:
    """A count threshold placed inside the patient's own range (engine/adapt.py): ``threshold``
    (e.g. "full") of ``signal`` went from the exercise file's ``file_value`` to ``value`` at
    ``t_s``, never past the clinical bound ``bound`` (the file's full_min)."""

    threshold: str
    signal: str
    file_value: float
    value: float
    bound: float
    t_s: float
    peaks: int  # repetitions whose peaks it was placed from


@dataclass(frozen=True)
class CountCheck:
    """The periodicity check at the end of a set (engine/periodicity.py): how many movements the
    counted signal shows, read without the counter's thresholds, beside how many were counted."""

    seen: int
    counted: int
    signal: str
    prominence: float  # the smallest rise read as a movement, in the signal's unit

    @property
    def disagrees(self) -> bool:
        """Off by two or more and by more than a quarter: one movement more or less is a clip
        cut mid-repetition or a last one left unfinished, not a count to doubt."""
        gap = abs(self.seen - self.counted)
        return gap >= 2 and gap > 0.25 * max(self.seen, self.counted)


@dataclass(frozen=True)
class FrameResult:
    """Everything known after one frame; the overlay draws from this alone."""

    t_ms: float
    pose: Pose | None
    status: Status
    reps: int
    target: int | None
    cue: Cue | None
    view: str | None = None
    behind: bool = False  # the front view with the person's back to the camera
    side: str | None = None
    value: float | None = None  # the counted signal (smoothed), for plots
    progress: float | None = None  # 0 at the start position .. 1 at full range
    hold_s: float | None = None  # seconds held in the current hold
    hold_target_s: float | None = None
    holds_done: int = 0
    partials: int = 0
    new_rep: Rep | None = None
    new_partials: tuple[Partial, ...] = ()  # more than one when a set closes (finish)
    new_hold: Hold | None = None
    new_faults: tuple[Fault, ...] = ()
    new_pause: Pause | None = None
    new_adaptation: Adaptation | None = None
    count_check: CountCheck | None = None  # the set's last result only (Analyzer.finish)

    @property
    def new_partial(self) -> Partial | None:
        """The last partial this frame added, if any."""
        return self.new_partials[-1] if self.new_partials else None


@dataclass(frozen=True)
class OverlaySetup:
    """What an overlay is set up with: the exercise's name in the patient's language, the language
    of the overlay's own words, and whether it counts repetitions ("reps") or times holds ("hold").
    Plain data, so that a worker process builds the same overlay as the main one."""

    title: str
    lang: str = "da"
    kind: str = "reps"


@dataclass(frozen=True)
class SessionSummary:
    """What one exercise session achieved, for the end screen (texts already localised)."""

    exercise_name: str
    reps: int
    target: int | None
    partials: int
    holds: list[tuple[str | None, float, float]]  # (side, held_s, target_s)
    top_cue: str | None  # the most frequent fault's cue, already in the right language (never guidance)
    pain_stopped: bool = False
    done: int | None = None  # toward the target: holds that count toward it (None: ``reps``)
    note: str | None = None  # why the count may be off or missing (how to film, start in position)
