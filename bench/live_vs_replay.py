"""Live at camera pace against replay, on every labelled counted clip (issue 17: "Live at camera
pace gives the same counts as replay on the same clips").

    python bench/live_vs_replay.py [--jobs 1] [--source real] [--exercise squat] [--clip NAME] [-v]

For each counted clip with a count (real and rendered, bench/clips.py; exercises as
bench/accuracy.py maps them) it runs ``formcheck live --source CLIP --headless`` as a patient
would see it: frames delivered at the clip's own frame rate and dropped when the pose model is
busy, as a webcam does, after the default 3 s countdown. Replay's count is the same clip's every
frame (the cached landmark track replay sees, bench/extract_tracks.py). To say *why* a clip
differs, two more counts come from what live saw:

- ``thin``: replay's poses kept only at the frame times live analysed (the dropped frames alone);
- ``fold``: live's own saved landmarks (track.npz) folded through the analyzer (the pose model's
  view of a clip with gaps, counted as replay counts a track).

replay != thin: the frames live dropped change the count (the machine's speed; live.pace says
whether the analysed rate fell below the exercise's need); thin != fold: the pose model tracked
differently across the gaps; fold != live: the live loop itself counts differently (a design
difference, e.g. the set ended early or started late). A set ended early, a late first analysed
frame (the start lost) and the analysed rate against the need (live/pace.py, bench/frame_rate.py)
are printed per clip.

The machine's load average is printed with the figures: on a shared machine, camera pace drops
more frames when loaded. Use ``--jobs 1`` for figures (each live run is real time, ~17 min in all).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from accuracy import COUNTED, get_track
from clips import Clip, all_clips
from extract_tracks import DEFAULT_CACHE

from formcheck.engine.analyzer import Analyzer
from formcheck.live.pace import needed_fps
from formcheck.media.estimator import choose_model
from formcheck.media.track import Track, load_track
from formcheck.sets.pipeline import run_track
from formcheck.sets.report import ReportBuilder
from formcheck.spec.exercise import load_exercise

# live ends a set at its target (the patient is done): a clip with more repetitions than the
# exercise's target (10) would stop there, so each set is given this target, above any clip's
TARGET = 99
LATE_START_S = 0.5  # live's first analysed frame later than this into the clip: its start was lost


def count_track(track: Track, exercise: str) -> int:
    """A track's repetitions as replay counts them (sets.pipeline.run_track)."""
    spec = load_exercise(exercise)
    spec = spec.for_model(track.meta.get("model") or choose_model(None, spec.model))
    an = Analyzer(spec, TARGET)
    b = ReportBuilder(spec, target=an.target, source="bench", model=spec.model or "lite", mode="bench")
    run_track(track, an, b)
    return b.finish(an.pauses).reps


def thinned_to(track: Track, times_ms) -> Track:
    """``track`` keeping only the frames at ``times_ms`` (live's analysed frames, the same clock)."""
    import numpy as np

    keep = np.isin(np.round(track.t_ms, 1), np.round(np.asarray(times_ms, dtype=float), 1))
    return Track(track.t_ms[keep], track.has_pose[keep], track.xy[keep], track.visibility[keep], track.world[keep],
                 track.image_size, dict(track.meta))


@dataclass
class Row:
    clip: Clip
    exercise: str
    replay: int
    live: int | None = None
    thin: int | None = None
    fold: int | None = None
    fps: float | None = None  # frames analysed per second of the clip (live's saved frames)
    lowest: float | None = None  # live.pace's lowest rate over 2 s
    need: float = 0.0
    too_slow_s: float = 0.0
    first_s: float | None = None  # live's first analysed frame, clip time
    last_s: float | None = None
    clip_s: float = 0.0
    analysed: int = 0
    frames: int = 0  # the clip's frames (replay analyses every one)
    ended_by: str = ""
    error: str | None = None
    load: tuple[float, float] = (0.0, 0.0)  # 1-minute load average before and after
    why: list[str] = field(default_factory=list)


def run_live(clip: Clip, exercise: str, out: Path, countdown: float, model: str | None) -> tuple[dict | None, str | None]:
    cmd = [sys.executable, "-m", "formcheck.cli", "live", "--exercise", exercise, "--source", str(clip.path),
           "--headless", "--no-history", "--lang", "en", "--out", str(out), "--target", str(TARGET),
           "--countdown", f"{countdown:g}"]
    if model:
        cmd += ["--model", model]
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.run(cmd, check=False, capture_output=True, text=True, env=env, timeout=600)
    report = out / "report.json"
    if not report.is_file():
        return None, (proc.stderr.strip().splitlines() or [f"exit {proc.returncode}"])[-1]
    return json.loads(report.read_text()), None


def measure(clip: Clip, exercise: str, countdown: float, model: str | None) -> Row:
    spec = load_exercise(exercise)
    replay_track = get_track(clip, choose_model(model, spec.model), DEFAULT_CACHE)
    row = Row(clip, exercise, count_track(replay_track, exercise), need=needed_fps(exercise))
    row.frames = len(replay_track.t_ms)
    row.clip_s = float(replay_track.t_ms[-1]) / 1000.0 if row.frames else 0.0
    load0 = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="live_vs_replay_") as tmp:
        report, row.error = run_live(clip, exercise, Path(tmp) / "out", countdown, model)
        row.load = (load0, os.getloadavg()[0])
        if report is None:
            return row
        row.live, row.ended_by = report["reps"], report.get("ended_by", "")
        live = report.get("live") or {}
        row.lowest, row.too_slow_s = live.get("lowest_fps"), live.get("too_slow_s", 0.0)
        track_file = Path(tmp) / "out" / "track.npz"
        if track_file.is_file():
            seen = load_track(track_file)
            t = seen.t_ms
            row.analysed = len(t)
            if len(t):
                row.first_s, row.last_s = float(t[0]) / 1000.0, float(t[-1]) / 1000.0
            if row.clip_s > 0:  # over the whole clip: a stretch not analysed at all lowers it
                row.fps = len(t) / (row.clip_s * row.frames / max(row.frames - 1, 1))
            row.fold = count_track(seen, exercise)
            row.thin = count_track(thinned_to(replay_track, t), exercise)
    row.why = diagnose(row)
    return row


def diagnose(row: Row) -> list[str]:
    """What may explain a difference (and what a same count hides): one short phrase each."""
    why = []
    if row.error:
        return [f"live failed: {row.error}"]
    if row.ended_by not in ("end_of_video", ""):
        why.append(f"ended by {row.ended_by} at {row.last_s or 0:.1f}/{row.clip_s:.1f} s")
    if row.analysed < 2:
        why.append(f"{row.analysed} frame(s) analysed")
    elif row.last_s is not None and row.clip_s - row.last_s > LATE_START_S and row.ended_by == "end_of_video":
        why.append(f"end lost: last analysed frame at {row.last_s:.2f}/{row.clip_s:.2f} s")
    if row.first_s is not None and row.first_s > LATE_START_S:
        why.append(f"start lost: first analysed frame at {row.first_s:.2f} s")
    if row.lowest is not None and row.lowest < row.need:
        why.append(f"below need: {row.lowest:g}/s < {row.need:g}/s for {row.too_slow_s:g} s")
    elif row.fps is not None and row.fps < row.need:
        why.append(f"below need: {row.fps:.1f}/s < {row.need:g}/s")
    if row.live is None or row.live == row.replay:
        return why
    if row.thin != row.replay:
        why.append(f"dropped frames: replay on live's frames counts {row.thin}")
    if row.fold != row.thin:
        why.append(f"pose model across the gaps: live's landmarks count {row.fold}")
    if row.live != row.fold:
        why.append(f"live loop: its own landmarks count {row.fold}, live said {row.live}")
    return why


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jobs", type=int, default=1, help="live runs at once (default 1: figures; 2 cores drop frames)")
    ap.add_argument("--source", help="only clips of this source (real, synthetic, stress)")
    ap.add_argument("--exercise", help="only clips of this exercise")
    ap.add_argument("--clip", help="only clips whose name contains this")
    ap.add_argument("--countdown", type=float, default=3.0, help="live's countdown before the clip plays (default 3)")
    ap.add_argument("--model", help="pose model (default: each exercise's)")
    ap.add_argument("--json", type=Path, help="also write the rows here")
    ap.add_argument("--verbose", "-v", action="store_true")
    args = ap.parse_args()
    clips = [c for c in all_clips() if c.exercise in COUNTED and c.reps is not None
             and (not args.source or c.source == args.source) and (not args.exercise or c.exercise == args.exercise)
             and (not args.clip or args.clip in c.name)]
    if not clips:
        print("live_vs_replay: no labelled counted clips (../shared/data or $FORMCHECK_DATA)", file=sys.stderr)
        return 1
    load0 = os.getloadavg()
    t0 = time.monotonic()
    print(f"{len(clips)} clips, {os.cpu_count()} cores, --jobs {args.jobs}, load average {load0[0]:.2f} {load0[1]:.2f} "
          f"{load0[2]:.2f} at the start", flush=True)
    head = (f"{'src':<5} {'clip':<48} {'exercise':<15} {'replay':>6} {'live':>4} {'thin':>4} {'fold':>4} "
            f"{'frames':>9} {'fps':>5} {'low':>5} {'need':>4} {'first':>5} {'load':>9}  why")
    print(head, flush=True)
    rows: list[Row] = []

    def one(c: Clip) -> Row:
        row = measure(c, c.exercise, args.countdown, args.model)
        print(line(row), flush=True)
        return row

    with ThreadPoolExecutor(max(1, args.jobs)) as pool:
        rows = list(pool.map(one, clips))
    load1 = os.getloadavg()
    print()
    summary(rows, args.jobs, load0, load1, time.monotonic() - t0)
    if args.json:
        args.json.write_text(json.dumps([{"clip": r.clip.name, "source": r.clip.source, "exercise": r.exercise,
                                          "replay": r.replay, "live": r.live, "thin": r.thin, "fold": r.fold,
                                          "fps": r.fps, "lowest_fps": r.lowest, "needed_fps": r.need,
                                          "first_s": r.first_s, "ended_by": r.ended_by, "load": r.load,
                                          "why": r.why} for r in rows], indent=1))
    return 0


def line(r: Row) -> str:
    f = lambda v, fmt: "-" if v is None else format(v, fmt)
    mark = "" if r.live == r.replay else "  <-- differs"
    return (f"{r.clip.source[:5]:<5} {r.clip.name[:48]:<48} {r.exercise:<15} {r.replay:>6} {f(r.live, 'd'):>4} "
            f"{f(r.thin, 'd'):>4} {f(r.fold, 'd'):>4} {f'{r.analysed}/{r.frames}':>9} {f(r.fps, '.1f'):>5} {f(r.lowest, 'g'):>5} {r.need:>4g} "
            f"{f(r.first_s, '.2f'):>5} {r.load[0]:>4.1f}-{r.load[1]:<4.1f} {'; '.join(r.why)}{mark}")


def summary(rows: list[Row], jobs: int, load0, load1, wall_s: float) -> None:
    done = [r for r in rows if r.live is not None]
    same = [r for r in done if r.live == r.replay]
    diff = [r for r in done if r.live != r.replay]
    slow = [r for r in done if (r.lowest is not None and r.lowest < r.need) or (r.fps is not None and r.fps < r.need)]
    print(f"live at camera pace vs replay: {len(same)}/{len(done)} clips the same count, {len(diff)} differ"
          + (f", {len(rows) - len(done)} failed" if len(done) < len(rows) else ""))
    fast = [r for r in done if r not in slow]
    print(f"  analysed at or above the exercise's need throughout: {sum(r.live == r.replay for r in fast)}/{len(fast)} the same; "
          f"below it somewhere: {sum(r.live == r.replay for r in slow)}/{len(slow)} the same")
    by_cause = {"dropped frames (replay on live's frames differs)": [r for r in diff if r.thin != r.replay],
                "pose model across the gaps (live's landmarks differ)": [r for r in diff if r.thin == r.replay and r.fold != r.thin],
                "live loop (live's own landmarks count as replay)": [r for r in diff if r.fold == r.thin == r.replay]}
    for cause, rs in by_cause.items():
        if rs:
            print(f"  {cause}: {len(rs)} - " + ", ".join(f"{r.clip.name} {r.replay}->{r.live}" for r in rs))
    fps = [r.fps for r in done if r.fps]
    if fps:
        print(f"  analysed frames/s: median {sorted(fps)[len(fps) // 2]:.1f}, lowest {min(fps):.1f} (clip average)")
    errs = [abs(r.live - r.replay) for r in done]
    print(f"  |live - replay|: total {sum(errs)}, worst {max(errs) if errs else 0}")
    print(f"machine: {os.cpu_count()} cores, --jobs {jobs}, load average {load0[0]:.2f} at the start, {load1[0]:.2f} at the "
          f"end ({load1[1]:.2f} over 5 min); {wall_s / 60:.1f} min")


if __name__ == "__main__":
    sys.exit(main())
