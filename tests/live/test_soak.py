"""Flat memory in live (issue 18): a long set, headless, every frame through live's own loop
(session, analyzer, report, track, overlay, window, stats, outputs) with a scripted person in
place of the pose model, keeps its memory flat once warmed up. Before, the landmark track was
kept in memory: ~4 KB a frame, 7.7 MB a minute, 460 MB an hour.

The measure is the process's anonymous resident memory (``bench/live_soak.py``): the mapped
libraries' pages come and go as a busy machine evicts them, which says nothing of the program.
An hour (108,000 frames) is measured by ``bench/live_soak.py`` itself (the README's figure).
"""

from __future__ import annotations

import numpy as np
import pytest
from live_soak import soak

from formcheck.media.track import load_track

FRAMES = 16_000  # ~9 minutes at 30 frames/s
WARM = 8_000  # the overlay's caches of rendered text fill up to their bound by about here
MAX_GROWTH_MB = 6.0  # the track alone kept 28 MB over the 8,000 frames after the warm-up


@pytest.mark.slow
def test_a_long_live_set_keeps_memory_flat(tmp_path):
    s = soak(FRAMES, tmp_path / "set", every=1000)
    growth = s.growth(after=WARM)
    trace = ", ".join(f"{i}: {anon:.1f}" for i, (_, anon) in s.rss)
    assert growth < MAX_GROWTH_MB, f"anonymous memory grew {growth:.1f} MB after frame {WARM} (MB by frame: {trace})"
    # and the set was whole: every frame analysed, counted and in the track
    report = s.report
    assert report.frames == FRAMES and report.reps > 100
    track = load_track(tmp_path / "set" / "track.npz")
    assert len(track) == FRAMES and np.all(np.diff(track.t_ms) > 0)


def test_live_latencies_are_counted_in_constant_memory_and_read_back_closely():
    """Two floats a frame were kept for the latency percentiles (216,000 numbers an hour)."""
    import tracemalloc

    from formcheck.live.stats import Latencies

    rng = np.random.default_rng(1)
    values = rng.lognormal(np.log(40.0), 0.5, 50_000)
    lat = Latencies()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        for v in values:
            lat.add(float(v))
        grown = tracemalloc.get_traced_memory()[0] - base
    finally:
        tracemalloc.stop()
    assert grown < 10_000
    for q in (50, 95, 99):
        assert lat.percentile(q) == pytest.approx(np.percentile(values, q), rel=0.01)
    assert lat.max == values.max() and lat.n == 50_000
    assert Latencies().percentile(50) is None


def test_the_overlays_rendered_lines_are_bounded_by_bytes():
    """Each new count ("17", "18"...) is a new 164 KB line at 720p; 160 of them were 26 MB."""
    from formcheck.overlay.text import INK_CACHE_BYTES, TextRenderer

    text = TextRenderer()
    for n in range(300):
        text.ink(str(n), 122, True, (255, 255, 255))
    assert 0 < text._inks.nbytes <= INK_CACHE_BYTES <= 8 * 1024 * 1024
