"""The landmark track: recorded in constant memory (spooled to disk a chunk at a time), written
in the same ``.npz`` format as before (what ``formcheck tune`` and bench/extract_tracks.py read),
atomically, leaving nothing behind (issue 18: flat memory)."""

from __future__ import annotations

import json
import os
import tracemalloc

import numpy as np
import pytest
from factories import script, squat_keys

from formcheck.media import track as track_mod
from formcheck.media.track import Track, TrackRecorder, load_track, save_track


@pytest.fixture(scope="module")
def frames() -> list:
    keys, _ = squat_keys(3)
    cycle = script(keys, 30, noise_px=0.5, dropouts=[(2.0, 2.5)])
    n = 2 * 1024 + 77  # two chunks spooled (track.CHUNK_FRAMES) and a part-filled one
    return [(i * 1000.0 / 30, cycle[i % len(cycle)][1]) for i in range(n)]


def _old_format(track: Track, path) -> None:
    """How the track file was written before it was streamed (np.savez_compressed)."""
    meta = dict(track.meta, version=1, image_size=list(track.image_size))
    with open(path, "wb") as fh:
        np.savez_compressed(fh, t_ms=track.t_ms, has_pose=track.has_pose, xy=track.xy, visibility=track.visibility,
                            world=track.world, meta=np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8))


def test_a_streamed_track_is_the_file_it_always_was(tmp_path, frames):
    rec = TrackRecorder((640, 480), {"video": "v.mp4", "model": "lite"}, spool_dir=tmp_path)
    for t, pose in frames:
        rec.add(t, pose)
    assert len(rec) == len(frames)
    rec.save(tmp_path / "track.npz")
    _old_format(Track.from_frames(frames, (640, 480), {"video": "v.mp4", "model": "lite"}), tmp_path / "old.npz")
    with np.load(tmp_path / "track.npz") as new, np.load(tmp_path / "old.npz") as old:
        assert sorted(new.files) == sorted(old.files)
        for name in old.files:
            assert new[name].dtype == old[name].dtype and new[name].shape == old[name].shape, name
            assert np.array_equal(new[name], old[name], equal_nan=True), name
    a, b = load_track(tmp_path / "track.npz"), rec.track()
    assert a.meta["video"] == "v.mp4" and a.image_size == (640, 480) and len(a) == len(frames)
    assert np.array_equal(a.xy, b.xy, equal_nan=True) and list(a.has_pose) == list(b.has_pose)
    assert not a.has_pose[int(2.2 * 30)]  # a frame nobody was seen in
    rec.close()
    assert sorted(os.listdir(tmp_path)) == ["old.npz", "track.npz"]  # the spool file never had a name


def test_save_track_of_a_track_in_memory_still_works(tmp_path, frames):
    track = Track.from_frames(frames[:50], (64, 48), {"model": "x"})
    save_track(track, tmp_path / "t.npz")
    back = load_track(tmp_path / "t.npz")
    assert np.array_equal(back.world, track.world, equal_nan=True) and back.meta["model"] == "x"
    empty = TrackRecorder((64, 48))
    empty.save(tmp_path / "empty.npz")
    assert len(load_track(tmp_path / "empty.npz")) == 0


def test_recording_a_long_track_takes_no_memory(tmp_path, frames):
    """~4 KB a frame were kept before (the Pose objects): an hour of live was 460 MB."""
    rec = TrackRecorder((640, 480))
    poses = [p for _, p in frames]
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        for i in range(8_000):
            p = poses[i % len(poses)]
            rec.add(i * 33.3, None if p is None else type(p)(xy=p.xy.copy(), visibility=p.visibility.copy(),
                                                              world=p.world.copy(), t_ms=i * 33.3,
                                                              image_size=p.image_size))
        grown = tracemalloc.get_traced_memory()[0] - base
    finally:
        tracemalloc.stop()
    assert grown < 1_000_000, f"{grown / 1e6:.1f} MB kept for 8,000 frames"
    rec.save(tmp_path / "track.npz")
    assert len(load_track(tmp_path / "track.npz")) == 8_000


def test_a_failed_save_leaves_no_track_file(tmp_path, frames, monkeypatch):
    rec = TrackRecorder((640, 480), spool_dir=tmp_path)
    for t, pose in frames:
        rec.add(t, pose)
    real = track_mod.np.lib.format.write_array_header_1_0
    calls = []

    def fail_third(fh, header):  # dies writing the third column, half-way through the file
        calls.append(header)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        real(fh, header)

    monkeypatch.setattr(track_mod.np.lib.format, "write_array_header_1_0", fail_third)
    with pytest.raises(OSError):
        rec.save(tmp_path / "track.npz")
    assert os.listdir(tmp_path) == []  # neither the track nor a half-written one under another name
