"""An audio track added to a finished mp4: the video's packets copied as they are (no
re-encoding), the sound encoded as AAC (FFmpeg's own encoder, in PyAV's wheel), and the file
replaced whole (a hidden partial file, then a rename), so the video is never half-changed."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Protocol

import av
import numpy as np

from formcheck.media.video import FFMPEG_ERRORS, VideoError, reason

AAC_BIT_RATE = 64_000  # mono speech: plenty
# FFmpeg's AAC encoder's "fast" coder, not its default "twoloop": on speech 4x less CPU (a 19 s
# track: 0.07 s against 0.25 s, paid at the end of every replay while the command waits), at a
# bit rate where a spoken cue sounds the same
AAC_CODER = "fast"
LEAD_S = 0.5  # the sound is muxed up to this far ahead of the video, so the two stay interleaved


class Sound(Protocol):
    """Int16 mono samples at ``rate``, made on demand (a long set's audio is never all in memory)."""

    rate: int

    def samples(self, start: int, stop: int) -> np.ndarray: ...


@dataclass(frozen=True)
class EncodedSound:
    """A sound already encoded as AAC (``encode_sound``), to add to a video that is not finished
    yet when the sound is: replay encodes its voice while its encoder process still writes the end
    card. Each AAC frame's packets with the samples sent before that frame, so the track is muxed
    at the same points as when encoded while muxing; about 8 kB a second."""

    rate: int
    total: int  # samples
    chunks: list[tuple[int, list[av.Packet]]]  # (samples before the frame, its packets), then the flush's


def _aac_stream(container: av.container.OutputContainer, rate: int) -> av.audio.stream.AudioStream:
    stream = container.add_stream("aac", rate=rate, layout="mono")
    stream.bit_rate = AAC_BIT_RATE
    stream.codec_context.options = {"aac_coder": AAC_CODER}
    return stream


def encode_sound(sound: Sound, seconds: float) -> EncodedSound:
    """``seconds`` of ``sound`` as AAC packets, by the same encoder settings as ``add_audio_track``
    (an encoder of a container that is never written: the same code path, the same packets)."""
    total = round(seconds * sound.rate)
    try:
        with av.open(io.BytesIO(), "w", format="mp4") as scratch:
            aout = _aac_stream(scratch, sound.rate)
            chunks: list[tuple[int, list[av.Packet]]] = []
            sent = 0
            for frame in _frames(sound, total):
                chunks.append((sent, aout.encode(frame)))
                sent += frame.samples
            chunks.append((total, aout.encode(None)))
    except FFMPEG_ERRORS as exc:
        raise VideoError(f"cannot encode the voice: {reason(exc)}") from exc
    return EncodedSound(sound.rate, total, chunks)


def add_audio_track(video: Path, sound: Sound | EncodedSound, seconds: float | None = None) -> None:
    """Give ``video`` (an mp4 with one video stream) ``seconds`` of ``sound`` as an AAC track (an
    ``EncodedSound`` has its own length)."""
    if not isinstance(sound, EncodedSound):
        assert seconds is not None
        sound = encode_sound(sound, seconds)
    tmp = video.with_name(f".{video.name}.audio.partial")
    try:
        _remux(video, tmp, sound)
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


def _remux(src_path: Path, dst_path: Path, sound: EncodedSound) -> None:
    with av.open(str(src_path)) as src, av.open(str(dst_path), "w", format="mp4",
                                                 options={"movflags": "+faststart"}) as dst:
        vin = src.streams.video[0]
        vout = dst.add_stream_from_template(vin)
        aout = _aac_stream(dst, sound.rate)  # opened as encode_sound's was: the same header
        chunks = iter(sound.chunks)
        pending = next(chunks, None)

        def audio_until(t_s: float, flush: bool = False) -> None:  # the AAC frames that start before t_s
            nonlocal pending
            while pending is not None and (flush or pending[0] < sound.total and pending[0] / sound.rate < t_s):
                for packet in pending[1]:
                    packet.stream = aout
                dst.mux(pending[1])
                pending = next(chunks, None)

        for packet in src.demux(vin):
            if packet.dts is None:  # the demuxer's flush packet
                continue
            audio_until(float(packet.dts * packet.time_base) + LEAD_S)
            packet.stream = vout
            dst.mux(packet)
        audio_until(float("inf"), flush=True)  # and the encoder's last packets
