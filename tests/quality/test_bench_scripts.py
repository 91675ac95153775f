"""The benchmark scripts run: they are how the README's figures are measured, and nothing else
would notice one left behind by a change (the move into folders broke four of them silently)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# each script may take up to its own 600 s (_run) on a cold track cache: more than the default timeout
pytestmark = [pytest.mark.slow, pytest.mark.shared_data, pytest.mark.timeout(1500)]


def _run(*args: str) -> str:
    res = subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-2000:]
    return res.stdout


def test_the_counting_benchmarks_run(shared_data):
    out = _run("bench/sets.py")
    assert "original real" in out and "added real" in out and "precision" in out
    out = _run("bench/filter_lag.py")
    assert "median over" in out


def test_the_tune_speed_benchmark_times_a_real_run(shared_data):
    """It times `formcheck tune` in a fresh process; a command that does nothing (as
    `python -m formcheck.cli.main` did for a while) would be timed as fast."""
    from clips import all_clips
    from extract_tracks import DEFAULT_CACHE, cached_track

    clip = next(c for c in all_clips() if c.name == "squat_good_default")
    cached_track(clip.path, "lite", DEFAULT_CACHE, clip.name)  # the track it times tune on
    out = _run("bench/tune_speed.py", "--runs", "1")
    assert "text + PNG" in out
