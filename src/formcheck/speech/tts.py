"""Text to speech, offline: eSpeak NG, synthesised to 16-bit mono PCM in this process.

The engine is the ``espeakng-loader`` wheel's libespeak-ng with its own language data (Danish
included), called through ctypes; where that wheel is missing, Debian's ``espeak-ng`` program
(``--stdout``). Nothing is downloaded. The set of phrases a trainer says is small (numbers, the
exercise's cues, a few words), so each is synthesised once and kept (``Tts.pcm``).
"""

from __future__ import annotations

import ctypes
import io
import os
import shutil
import subprocess
import tempfile
import threading
import wave
from collections.abc import Callable
from pathlib import Path

import numpy as np

RATE_WPM = 150  # words a minute: a little slower than eSpeak's 175, for older listeners at 3 m
VOICES = {"da": "da", "en": "en"}  # eSpeak's voice for each of the patient's languages
_AUDIO_OUTPUT_SYNCHRONOUS = 2  # espeak_AUDIO_OUTPUT: synthesise into our callback, never to a device
_CHARS_UTF8 = 1
_RATE, _VOLUME = 1, 2  # espeak_PARAMETER
_DATA_PATH_MAX = 160  # eSpeak keeps its data path in a buffer this long and exits if it does not fit
_SYNTH_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p)


class TtsError(Exception):
    """No speech engine could be used (the message is one line)."""


Synth = Callable[[str, str], np.ndarray]  # (text, lang) -> int16 PCM at the engine's rate


class _Library:
    """libespeak-ng loaded with ctypes. The library keeps one voice and one callback for the whole
    process, so calls are serialised by a lock and there is one of these per process (``_shared``)."""

    def __init__(self, lib_path: str, data_path: str) -> None:
        if len(os.fsencode(data_path)) >= _DATA_PATH_MAX - 20:  # (it appends "/espeak-ng-data" to some)
            short = Path(tempfile.mkdtemp(prefix="fc-espeak-")) / "espeak-ng-data"
            shutil.copytree(data_path, short)
            data_path = str(short)
        self.lib = ctypes.CDLL(lib_path)
        self.lib.espeak_Initialize.restype = ctypes.c_int
        self.lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        self.lib.espeak_Synth.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int,
                                          ctypes.c_uint, ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p]
        self.lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        self.lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        # espeak-ng-data's parent folder is what the library is given
        self.rate = self.lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0, os.fsencode(str(Path(data_path).parent)), 0)
        if self.rate <= 0:
            raise TtsError(f"eSpeak NG could not start (data in {data_path})")
        self._chunks: list[np.ndarray] = []
        self._callback = _SYNTH_CALLBACK(self._collect)  # kept referenced: the library calls it
        self.lib.espeak_SetSynthCallback(self._callback)
        self.lib.espeak_SetParameter(_RATE, RATE_WPM, 0)
        self.lock = threading.Lock()
        self._voice: str | None = None

    def _collect(self, wav: ctypes._Pointer, n: int, events: ctypes.c_void_p) -> int:
        if wav and n > 0:
            self._chunks.append(np.ctypeslib.as_array(wav, shape=(n,)).copy())
        return 0  # go on

    def synth(self, text: str, lang: str) -> np.ndarray:
        with self.lock:
            voice = VOICES.get(lang, "en")
            if voice != self._voice:
                if self.lib.espeak_SetVoiceByName(voice.encode()) != 0:
                    raise TtsError(f"eSpeak NG has no voice for {voice!r}")
                self._voice = voice
            self._chunks = []
            data = text.encode("utf-8") + b"\0"
            err = self.lib.espeak_Synth(data, len(data), 0, 0, 0, _CHARS_UTF8, None, None)
            if err != 0:
                raise TtsError(f"eSpeak NG could not say {text!r} (error {err})")
            chunks, self._chunks = self._chunks, []
        return np.concatenate(chunks).astype(np.int16) if chunks else np.zeros(0, np.int16)


_shared: dict[str, _Library] = {}  # the one library per process (see _Library); filled on first use
_shared_lock = threading.Lock()


def _wheel_engine() -> tuple[Synth, int]:
    try:
        import espeakng_loader
    except ImportError as exc:
        raise TtsError("the espeakng-loader package is not installed") from exc
    with _shared_lock:
        if "lib" not in _shared:
            _shared["lib"] = _Library(espeakng_loader.get_library_path(), espeakng_loader.get_data_path())
        lib = _shared["lib"]
    return lib.synth, lib.rate


def _program_engine() -> tuple[Synth, int]:
    exe = shutil.which("espeak-ng")
    if exe is None:
        raise TtsError("no speech engine: neither the espeakng-loader package nor the espeak-ng program is installed")

    def synth(text: str, lang: str) -> np.ndarray:
        out = subprocess.run([exe, "-v", VOICES.get(lang, "en"), "-s", str(RATE_WPM), "--stdout", text],
                             capture_output=True, check=True, timeout=30).stdout
        with wave.open(io.BytesIO(out)) as w:
            return np.frombuffer(w.readframes(w.getnframes()), np.int16).copy()

    probe = subprocess.run([exe, "--stdout", "a"], capture_output=True, check=True, timeout=30).stdout
    with wave.open(io.BytesIO(probe)) as w:
        rate = w.getframerate()
    return synth, rate


class Tts:
    """Phrases as PCM (int16, mono, at ``rate``), each synthesised once. ``engine``: "wheel" (the
    espeakng-loader library), "program" (Debian's espeak-ng) or "auto" (the wheel, else the program)."""

    def __init__(self, engine: str = "auto") -> None:
        if engine == "wheel":
            self._synth, self.rate = _wheel_engine()
        elif engine == "program":
            self._synth, self.rate = _program_engine()
        else:
            try:
                self._synth, self.rate = _wheel_engine()
            except (TtsError, OSError):
                self._synth, self.rate = _program_engine()
        self._cache: dict[tuple[str, str], np.ndarray] = {}
        self._lock = threading.Lock()

    def pcm(self, text: str, lang: str) -> np.ndarray:
        """``text`` spoken in ``lang`` ("da" or "en"), trimmed of the engine's leading silence."""
        key = (lang, text)
        with self._lock:
            got = self._cache.get(key)
        if got is None:
            got = _trimmed(self._synth(text, lang))
            got.setflags(write=False)
            with self._lock:
                self._cache[key] = got
        return got

    def seconds(self, text: str, lang: str) -> float:
        return len(self.pcm(text, lang)) / self.rate


def _trimmed(pcm: np.ndarray, level: int = 64) -> np.ndarray:
    """Without the silence before the first sound and after the last, so a phrase starts when it
    is placed and its length is the time it takes to say."""
    loud = np.flatnonzero(np.abs(pcm.astype(np.int32)) > level)
    return pcm[loud[0]:loud[-1] + 1].copy() if len(loud) else pcm[:0].copy()
