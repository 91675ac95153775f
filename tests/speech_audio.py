"""Test helpers: is this audio that phrase, said by the Danish (or English) voice?

eSpeak NG's output differs by a few samples from one synthesis to the next (noise for the
fricatives, its buffers), so phrases are compared by their spectrograms (log magnitudes in
23 ms frames), not sample by sample: the same text by the same voice scores ~0.97-0.99, the same
text by the other language's voice 0.2-0.8 (measured on the trainer's phrases)."""

from __future__ import annotations

import numpy as np

SAME_VOICE = 0.93


def _spectrogram(x: np.ndarray, n: int = 512, hop: int = 256) -> np.ndarray:
    x = x.astype(float)
    w = np.hanning(n)
    frames = [np.abs(np.fft.rfft(x[i:i + n] * w))[: n // 4] for i in range(0, max(len(x) - n, 1), hop)]
    return np.log1p(np.array(frames))


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """How alike two sounds are (1: the same), over the shorter one's length."""
    sa, sb = _spectrogram(a), _spectrogram(b)
    m = min(len(sa), len(sb))
    x, y = sa[:m].ravel(), sb[:m].ravel()
    x, y = x - x.mean(), y - y.mean()
    return float(x @ y / np.sqrt((x @ x) * (y @ y)))
