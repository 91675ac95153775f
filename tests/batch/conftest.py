"""Short clips for batch tests: the first seconds of the bundled samples (a replay of each takes a
few seconds with the real pose model), and a broken file."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from formcheck.media.video import VideoReader
from formcheck.media.video_writer import VideoWriter

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"


def cut(src: Path, dst: Path, n_frames: int) -> Path:
    """The first ``n_frames`` of ``src``, as a new video."""
    with VideoReader(src) as r, VideoWriter(dst, r.size, r.fps) as w:
        for i, frame in enumerate(r):
            if i >= n_frames:
                break
            w.write(frame.image, frame.t_ms)
    return dst


@pytest.fixture(scope="session")
def clip_store(tmp_path_factory) -> Path:
    """a_squat.mp4 and c_squat.mp4 (2.5 s each) around b_broken.mp4 (the start of a file)."""
    d = tmp_path_factory.mktemp("clips")
    cut(SAMPLES / "squat_side.mp4", d / "a_squat.mp4", 75)
    (d / "b_broken.mp4").write_bytes((SAMPLES / "squat_side.mp4").read_bytes()[:5000])
    cut(SAMPLES / "squat_side_fast.mp4", d / "c_squat.mp4", 75)
    return d


@pytest.fixture
def clips(clip_store, tmp_path) -> Path:
    """A fresh copy of the clips (outputs of one test never meet another's)."""
    return Path(shutil.copytree(clip_store, tmp_path / "clips"))


def run_cli(*args: str, env: dict[str, str] | None = None, timeout: float = 240) -> subprocess.CompletedProcess:
    env = dict(os.environ if env is None else env)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), env.get("PYTHONPATH")]))
    return subprocess.run([sys.executable, "-m", "formcheck.cli", *args], capture_output=True, text=True,
                          timeout=timeout, env=env, check=False)


def history_rows(data_dir: str | Path | None = None) -> list[tuple[str, str, int]]:
    """(out_dir, exercise, target) of every set in the history."""
    path = Path(data_dir or os.environ["FORMCHECK_DATA_DIR"]) / "history.sqlite3"
    if not path.exists():
        return []
    with sqlite3.connect(path) as conn:
        return sorted(conn.execute("SELECT out_dir, exercise, target FROM sets").fetchall())
