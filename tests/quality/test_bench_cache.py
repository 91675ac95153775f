"""The benchmarks' track cache: a track is reused only if made from the same video, model and code."""

from __future__ import annotations

import os
from pathlib import Path

from extract_tracks import cache_key, is_fresh

from formcheck.media.track import Track, save_track

ROOT = Path(__file__).resolve().parents[2]


def _track_for(video: Path, path: Path, key: str | None) -> Path:
    meta = {"video": str(video), "model": "lite"} | ({"cache_key": key} if key else {})
    save_track(Track.from_frames([(0.0, None)], (64, 48), meta), path)
    return path


def test_a_track_is_fresh_only_for_the_video_it_was_made_from(tmp_path):
    video = tmp_path / "clip.mp4"
    video.write_bytes(b"frames, version 1")
    track = _track_for(video, tmp_path / "clip.npz", cache_key(video, "lite"))
    assert is_fresh(track, video, "lite")
    assert not is_fresh(track, video, "full")  # another model: another track
    video.write_bytes(b"frames, version 2")  # re-rendered under the same name...
    os.utime(video, (0, 0))  # ... even with an older time than the track
    assert not is_fresh(track, video, "lite")


def test_tracks_without_a_key_or_unreadable_are_not_fresh(tmp_path):
    video = tmp_path / "clip.mp4"
    video.write_bytes(b"frames")
    assert not is_fresh(_track_for(video, tmp_path / "old.npz", None), video, "lite")
    broken = tmp_path / "broken.npz"
    broken.write_bytes(b"not a zip")
    assert not is_fresh(broken, video, "lite")
    assert not is_fresh(tmp_path / "missing.npz", video, "lite")


def test_a_track_whose_video_is_gone_is_all_there_is(tmp_path):
    video = tmp_path / "clip.mp4"
    video.write_bytes(b"frames")
    track = _track_for(video, tmp_path / "clip.npz", cache_key(video, "lite"))
    video.unlink()
    assert is_fresh(track, video, "lite")
