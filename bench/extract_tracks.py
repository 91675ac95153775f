"""Run the pose model once over every labelled clip and cache the landmark tracks, so the
accuracy benchmark and rule tuning can re-run the rules in seconds.

    python bench/extract_tracks.py [--model lite] [--out ~/.cache/formcheck/tracks]
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import sys
import time
import zipfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from clips import all_clips  # noqa: E402

from formcheck.media.estimator import PoseEstimator, resolve_model  # noqa: E402
from formcheck.media.track import TrackRecorder  # noqa: E402
from formcheck.media.video import VideoReader  # noqa: E402

DEFAULT_CACHE = Path.home() / ".cache" / "formcheck" / "tracks"


def track_path(cache: Path, model: str, clip_name: str) -> Path:
    return cache / model / f"{clip_name}.npz"


# the code a track depends on (under src/formcheck)
SOURCES = ("media/estimator.py", "media/follow.py", "media/video.py", "media/track.py", "core/pose.py")


class _NoImports(ast.NodeTransformer):
    def visit_Import(self, node: ast.AST) -> None:
        return None

    visit_ImportFrom = visit_Import


def code_fingerprint(path: Path) -> bytes:
    """A module's code without its imports: where a module lives (and so how it is imported) does
    not change a track, what it does does."""
    tree = _NoImports().visit(ast.parse(path.read_text()))
    return ast.dump(tree, include_attributes=False).encode()


def cache_key(video: Path, model: str) -> str:
    """What a track is made from: the video's bytes, the pose model's file, the MediaPipe
    version and the code that decodes frames and runs the model. Any change re-extracts."""
    import mediapipe

    h = hashlib.sha1()
    for f in (Path(video), resolve_model(model)):
        with open(f, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
    src = Path(__file__).resolve().parents[1] / "src" / "formcheck"
    for name in SOURCES:
        h.update(code_fingerprint(src / name))
    h.update(mediapipe.__version__.encode())
    return h.hexdigest()


def is_fresh(track: Path, video: Path, model: str) -> bool:
    """A cached track is used only if it was made from this video with this model and code (a
    re-rendered sample keeps its name, a change to the estimator changes every track)."""
    if not track.exists():
        return False
    if not Path(video).exists():  # the video is gone: the track is all there is
        return True
    try:
        with np.load(track, allow_pickle=False) as data:
            meta = json.loads(bytes(data["meta"]).decode())
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, json.JSONDecodeError):
        return False
    return meta.get("cache_key") == cache_key(video, model)


def cached_track(video: Path, model: str, cache: Path, clip_name: str) -> Path:
    """The clip's track in the cache, extracted first when missing or made from other inputs."""
    p = track_path(cache, model, clip_name)
    if not is_fresh(p, video, model):
        p.parent.mkdir(parents=True, exist_ok=True)
        extract(Path(video), model, p)
    return p


def extract(video: Path, model: str, out: Path) -> tuple[int, float]:
    t0 = time.perf_counter()
    with VideoReader(video) as reader, PoseEstimator(model) as est:
        rec = TrackRecorder(reader.size, {"video": str(video), "model": model, "cache_key": cache_key(video, model)},
                            spool_dir=out.parent)
        for fr in reader:
            rec.add(fr.t_ms, est.detect(fr.image, fr.t_ms))
    try:
        rec.save(out)
        return len(rec), time.perf_counter() - t0
    finally:
        rec.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="lite")
    ap.add_argument("--out", type=Path, default=DEFAULT_CACHE)
    ap.add_argument("--force", action="store_true")
    ap.add_argument("--only", default="", help="substring filter on clip names")
    ap.add_argument("--source", default="", help="only clips of this source (real, synthetic, stress)")
    args = ap.parse_args()
    for clip in all_clips():
        if args.only and args.only not in clip.name or args.source and clip.source != args.source:
            continue
        out = track_path(args.out, args.model, clip.name)
        if is_fresh(out, clip.path, args.model) and not args.force:
            continue
        out.parent.mkdir(parents=True, exist_ok=True)
        n, dt = extract(clip.path, args.model, out)
        print(f"{clip.name}: {n} frames in {dt:.1f} s ({n / dt:.1f} fps)", flush=True)


if __name__ == "__main__":
    main()
