"""The voice of a live run: the loudspeaker, or (tests) a WAV file on the frames' clock; a set's
sink that tells the narrator what the set is doing; and how the run's voice is closed."""

from __future__ import annotations

import sys
from pathlib import Path

from formcheck.core.results import FrameResult
from formcheck.live.session import Mode, SetSession
from formcheck.media.capture import LiveFrame
from formcheck.speech.narrator import Narrator
from formcheck.speech.player import DevicePlayer, PlayerError
from formcheck.speech.timeline import Timeline
from formcheck.speech.tts import Tts, TtsError

SPEECH_WAIT_S = 20.0  # at the end of a run, what is still being said (the pain advice) may finish


class LiveVoice:
    """The run's speaker and where it ends: a device, or a WAV file (``--voice-to``)."""

    def __init__(self, speaker: DevicePlayer | Timeline, to_file: Path | None = None) -> None:
        self.speaker, self.to_file = speaker, to_file

    @classmethod
    def open(cls, lang: str, to_file: Path | None = None) -> LiveVoice | None:
        """The voice, or None after one line on stderr (no speech engine, no sound device): the
        session goes on silent."""
        try:
            tts = Tts()
            if to_file is not None:
                return cls(Timeline(tts, lang, origin_s=None), to_file)
            return cls(DevicePlayer(tts, lang))
        except (TtsError, PlayerError, OSError) as exc:
            print(f"formcheck: the voice is off: {exc}", file=sys.stderr)
            return None

    def close(self, interrupted: bool = False) -> None:
        """Let what is still being said finish (not after Ctrl-C); a file is written now."""
        if isinstance(self.speaker, DevicePlayer):
            self.speaker.close(0.0 if interrupted else SPEECH_WAIT_S)
        elif self.to_file is not None:
            self.speaker.close()
            self.speaker.write_wav(self.to_file)


class SpeechSink:
    """Sink: tells the set's narrator what happens. Under the countdown (a camera's, or a file's
    preroll) the exercise is named; "start" when counting starts; while getting into position
    only the guidance is said; while paused nothing."""

    def __init__(self, session: SetSession, narrator: Narrator) -> None:
        self.session, self.narrator = session, narrator
        self._mode: Mode | None = None
        self._named = False

    def __call__(self, frame: LiveFrame, result: FrameResult | None) -> None:
        t_s, mode, narrator = frame.t_ms / 1000.0, self.session.mode, self.narrator
        if frame.preroll or mode is Mode.COUNTDOWN:
            if self._mode is not Mode.COUNTDOWN:  # a countdown begins (again, after the r key)
                narrator.countdown(t_s, 0.0 if frame.preroll else (self.session.countdown_end or t_s))
                self._named = True
            self._mode = Mode.COUNTDOWN
            if result is None:
                narrator.tick(t_s)
            else:
                narrator.frame(result, counting=False)
            return
        if mode is Mode.ACTIVE and self._mode not in (Mode.ACTIVE, Mode.PAUSED):
            narrator.start(t_s, named=not self._named)
            self._named = True
        if result is None or mode is Mode.PAUSED:
            narrator.tick(t_s)
        else:
            narrator.frame(result, counting=mode is Mode.ACTIVE)
        self._mode = mode
