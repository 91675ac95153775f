"""An audio track added to a finished mp4: the video's packets copied as they are (no
re-encoding), the sound encoded as AAC (FFmpeg's own encoder, in PyAV's wheel), and the file
replaced whole (a hidden partial file, then a rename), so the video is never half-changed."""

from __future__ import annotations

import os
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path
from typing import Protocol

import av
import numpy as np

from formcheck.media.video import FFMPEG_ERRORS, VideoError, reason

AAC_BIT_RATE = 64_000  # mono speech: plenty
LEAD_S = 0.5  # the sound is muxed up to this far ahead of the video, so the two stay interleaved


class Sound(Protocol):
    """Int16 mono samples at ``rate``, made on demand (a long set's audio is never all in memory)."""

    rate: int

    def samples(self, start: int, stop: int) -> np.ndarray: ...


def add_audio_track(video: Path, sound: Sound, seconds: float) -> None:
    """Give ``video`` (an mp4 with one video stream) ``seconds`` of ``sound`` as an AAC track."""
    tmp = video.with_name(f".{video.name}.audio.partial")
    try:
        _remux(video, tmp, sound, round(seconds * sound.rate))
        os.replace(tmp, video)
    except FFMPEG_ERRORS as exc:
        raise VideoError(f"cannot add the voice to {video}: {reason(exc)}") from exc
    finally:
        tmp.unlink(missing_ok=True)


def _frames(sound: Sound, total: int, size: int = 1024) -> Iterator[av.AudioFrame]:
    for start in range(0, total, size):
        pcm = sound.samples(start, min(start + size, total))
        frame = av.AudioFrame.from_ndarray(pcm.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate, frame.pts, frame.time_base = sound.rate, start, Fraction(1, sound.rate)
        yield frame


def _remux(src_path: Path, dst_path: Path, sound: Sound, total: int) -> None:
    with av.open(str(src_path)) as src, av.open(str(dst_path), "w", format="mp4",
                                                 options={"movflags": "+faststart"}) as dst:
        vin = src.streams.video[0]
        vout = dst.add_stream_from_template(vin)
        aout = dst.add_stream("aac", rate=sound.rate, layout="mono")
        aout.bit_rate = AAC_BIT_RATE
        frames = _frames(sound, total)
        sent = 0  # samples handed to the encoder

        def audio_until(t_s: float) -> None:
            nonlocal sent
            while sent < total and sent / sound.rate < t_s:
                frame = next(frames)
                sent += frame.samples
                dst.mux(aout.encode(frame))

        for packet in src.demux(vin):
            if packet.dts is None:  # the demuxer's flush packet
                continue
            audio_until(float(packet.dts * packet.time_base) + LEAD_S)
            packet.stream = vout
            dst.mux(packet)
        audio_until(float("inf"))
        dst.mux(aout.encode(None))
