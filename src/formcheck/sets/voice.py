"""The trainer's voice around the set loop: what a set's voice is told of its exercise, the sink
that narrates each frame, and replay's audio track (the same words at the moments live says them).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from formcheck.core.results import FrameResult
from formcheck.engine.cues import GUIDE
from formcheck.spec.exercise import ExerciseSpec
from formcheck.speech.narrator import Narrator, Speaker
from formcheck.speech.planner import SetLines

if TYPE_CHECKING:
    from formcheck.media.audio_track import EncodedSound
    from formcheck.media.video import Frame
    from formcheck.speech.timeline import Timeline


def set_lines(spec: ExerciseSpec, lang: str, target: int | None) -> SetLines:
    return SetLines(spec.name.get(lang), spec.kind, target, lang)


def narrator_for(speaker: Speaker, spec: ExerciseSpec, lang: str, target: int | None) -> Narrator:
    """A set's narrator, with the exercise file's cues and the trainer's guidance prepared ahead."""
    cues = [c.get(lang) for c in spec.fault_cues().values()] + [c.text(lang) for c in GUIDE.values()]
    return Narrator(speaker, set_lines(spec, lang, target), cues)


class ReplaySpeechSink:
    """Replay's sink: each frame's result to the narrator; the first frame says the exercise's
    name and "start" (live says them under its countdown)."""

    def __init__(self, narrator: Narrator) -> None:
        self.narrator = narrator
        self._started = False

    def __call__(self, frame: Frame, result: FrameResult | None) -> None:
        if result is None:
            return
        if not self._started:
            self.narrator.start(result.t_ms / 1000.0, named=True)
            self._started = True
        self.narrator.frame(result)


def encode_voice(narrator: Narrator, timeline: Timeline, end_card_s: float, seconds: float) -> EncodedSound:
    """Replay's ending: the set's end said as its end card starts (``end_card_s``), then the whole
    speech (``seconds`` long) encoded for the video's audio track (media.audio_track), which
    ``add_audio_track`` adds once the video is finished."""
    from formcheck.media.audio_track import encode_sound

    narrator.end(end_card_s)
    timeline.close()
    return encode_sound(timeline, seconds)
