"""``formcheck replay``: a recorded video in, annotated video + report + landmark track out.

Outputs are written into a hidden staging folder inside the output folder and put in place
only once all are complete: the video and track are renamed in, the report last (its presence
marks a finished replay). A replay that fails or is interrupted before that leaves the folder
as it was; one stopped during the renames leaves no report, so nothing passes for complete. A
folder already holding a report (an earlier run's) is refused. A staging folder left by a run
that was killed outright (no cleanup ran) is removed by the next replay into the same folder:
each run holds a lock on its own while it works, and one nobody holds is stale.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from formcheck.core.atomic import same_file
from formcheck.core.results import OverlaySetup
from formcheck.engine.analyzer import Analyzer
from formcheck.media.estimator import PoseEstimator, resolve_model
from formcheck.media.track import TrackRecorder, save_track
from formcheck.media.video import VideoReader
from formcheck.media.video_writer import VideoWriter
from formcheck.sets.loop import Analyse, Sink, run_frames
from formcheck.sets.pipeline import (
    AnnotatedVideoSink,
    DecoderSource,
    PrefetchedFrames,
    ProgressSink,
    ReleaseSink,
    ReportSink,
    TrackSink,
)
from formcheck.sets.report import (
    MediaInfo,
    Outputs,
    ReportBuilder,
    SetEnd,
    SetReport,
    write_report,
)
from formcheck.sets.texts import overlay_setup, summary_from_report
from formcheck.sets.workers import DecoderProcess, EncoderProcess
from formcheck.sets.workers import available as workers_available
from formcheck.spec.exercise import ExerciseSpec

try:
    import fcntl  # file locks on staging folders (POSIX)
except ImportError:  # pragma: no cover - not POSIX: killed runs' staging folders are not swept
    fcntl = None  # type: ignore[assignment]

REPORT = "report.json"
VIDEO = "annotated.mp4"
TRACK = "track.npz"
MIN_VIDEO_S = 1.0  # a shorter video cannot hold a repetition or a hold: it is not stored as a set


STAGE_PREFIX = ".formcheck-replay-"
NEW_STAGE_PREFIX = ".formcheck-new-"  # a staging folder until it is locked
STAGE_LOCK = ".in-use"


class ReplayError(Exception):
    """A replay that cannot produce a meaningful result; one line for the user."""


def claim_stage(stage: Path) -> Any:
    """Lock ``stage`` for this run (the lock goes when the process ends, however it ends). Returns
    the open lock file, to keep open while the run works; None where there are no file locks (not
    POSIX, or a file system without them: the run goes on, and no sweep can lock it either)."""
    if fcntl is None:  # pragma: no cover - not POSIX
        return None
    f = open(stage / STAGE_LOCK, "w")  # noqa: SIM115 - held open for the run
    try:
        fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        f.close()
        return None
    return f


def make_stage(out_dir: Path) -> tuple[Path, Any]:
    """A new staging folder in ``out_dir`` and its lock (see claim_stage). It is made and locked
    under another name, then renamed (the lock stays): a sweep never finds it unlocked."""
    new = Path(tempfile.mkdtemp(prefix=NEW_STAGE_PREFIX, dir=out_dir))
    lock = None
    try:
        lock = claim_stage(new)
        stage = new.with_name(STAGE_PREFIX + new.name.removeprefix(NEW_STAGE_PREFIX))
        os.rename(new, stage)
    except BaseException:
        if lock is not None:
            lock.close()
        shutil.rmtree(new, ignore_errors=True)
        raise
    return stage, lock


def sweep_stale_stages(out_dir: Path) -> None:
    """Remove staging folders in ``out_dir`` whose run is over without having cleaned up (killed):
    their lock is free. Folders in use, and ones without a lock file (one being made), stay."""
    if fcntl is None:  # pragma: no cover - not POSIX
        return
    for d in out_dir.glob(STAGE_PREFIX + "*"):
        try:
            with open(d / STAGE_LOCK, "r+") as f:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
                shutil.rmtree(d, ignore_errors=True)
        except OSError:  # in use (BlockingIOError), no lock file yet, or not ours to remove
            continue


@dataclass(frozen=True)
class ReplayOptions:
    """How to replay: the pose model, the target, the overlay's language, which outputs, how."""

    model: str = "lite"
    target: int | None = None
    lang: str = "da"
    write_video: bool = True
    progress: Callable[[int | None], Any] | None = None  # total frames (None: unknown) -> a tqdm-like bar
    workers: bool = True  # decode and encode in worker processes (where available), else threads
    profile: dict[str, Any] | None = None  # the patient profile applied, for the report


@dataclass(frozen=True)
class VideoInfo:
    """What replay needs to know of the input video before it starts."""

    size: tuple[int, int]
    fps: float
    n_frames: int | None


@dataclass
class ReplayOutcome:
    out_dir: Path
    report: SetReport
    truncated: bool
    warning: str | None


def default_out_dir(video: Path) -> Path:
    """A new folder beside the video, never the video itself: <stem>_formcheck[_N]."""
    base = video.parent / f"{video.stem}_formcheck"
    cand, n = base, 2
    while cand.exists():
        cand, n = base.with_name(f"{base.name}_{n}"), n + 1
    return cand


def prepare_out_dir(out: Path, video: Path) -> Path:
    if out.exists() and not out.is_dir():
        raise ReplayError(f"output path exists and is not a folder: {out}")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ReplayError(f"cannot create output folder {out}: {exc.strerror} (choose another with --out)") from None
    if not os.access(out, os.W_OK | os.X_OK):
        raise ReplayError(f"output folder is not writable: {out} (choose another with --out)")
    for name in (VIDEO, REPORT, TRACK):  # the outputs' names in the input's own folder
        if same_file(out / name, video):
            raise ReplayError(f"refusing to overwrite the input video with the {name} written there (choose another --out)")
    if (out / REPORT).exists():  # an earlier replay or set: its results are not replaced unasked
        raise ReplayError(f"{out} already holds the results of an earlier run ({REPORT}); "
                          "choose another folder with --out, or remove them first")
    return out


def drop_earlier_video(out_dir: Path) -> str | None:
    """After a live set that wrote no annotated video (its report, saying so, already in place):
    remove one a failed earlier run left in the same folder, which would pass for this set's.
    Returns a warning when it cannot."""
    try:
        (out_dir / VIDEO).unlink(missing_ok=True)
    except OSError as exc:
        return f"{VIDEO} in {out_dir} is from an earlier run and could not be removed ({exc.strerror})"
    return None


def put_in_place(stage: Path, out_dir: Path) -> None:
    """Move a finished replay's outputs from ``stage`` into ``out_dir``, the report last. An
    output this run did not write (no video) left by an unfinished earlier run goes, or it would
    pass for this run's. A report that appeared meanwhile (another run into the same folder) is
    not replaced."""
    if (out_dir / REPORT).exists():
        raise ReplayError(f"{out_dir} received another run's results while this replay ran; "
                          "this replay's were not put there (choose another folder with --out)")
    try:
        for name in (VIDEO, TRACK):
            if (stage / name).exists():
                os.replace(stage / name, out_dir / name)
            else:
                (out_dir / name).unlink(missing_ok=True)
        os.replace(stage / REPORT, out_dir / REPORT)
    except OSError as exc:
        raise ReplayError(f"cannot put the outputs in place in {out_dir}: {exc.strerror}") from None


def replay(video: Path, spec: ExerciseSpec, out_dir: Path, opts: ReplayOptions | None = None) -> ReplayOutcome:
    """Replay one video; raises VideoError/ModelError/ReplayError with one-line messages.

    With ``opts.workers`` (the default, on POSIX) decoding and the annotated video run in worker
    processes (``workers.py``: on threads they slow the pose model through the GIL); without,
    on threads of this process.
    """
    opts = opts or ReplayOptions()
    model = opts.model
    resolve_model(model)  # an unknown model fails before anything is created
    spec = spec.for_model(model)  # checks measured on another pose model are left out
    with VideoReader(video) as reader:  # open first: a bad video fails before anything is created
        info = VideoInfo(reader.size, reader.fps, reader.n_frames)
        made = [d for d in (out_dir, *out_dir.parents) if not d.exists()]  # folders this replay makes
        out_dir = prepare_out_dir(out_dir, video)
    stage: Path | None = None
    lock = None
    try:
        try:
            stage, lock = make_stage(out_dir)
        except OSError as exc:
            raise ReplayError(f"cannot write in the output folder {out_dir}: {exc.strerror} "
                              "(choose another with --out)") from None
        outcome = _replay_into(stage, video, spec, info, opts)
        put_in_place(stage, out_dir)
    except BaseException:
        if stage is not None:
            shutil.rmtree(stage, ignore_errors=True)
        if lock is not None:
            lock.close()
        if made:  # nobody seen, Ctrl-C...: the folders it made go again
            with contextlib.suppress(OSError):
                for d in made:
                    d.rmdir()
        raise
    shutil.rmtree(stage, ignore_errors=True)
    if lock is not None:
        lock.close()
    sweep_stale_stages(out_dir)  # an earlier run's, killed before it could clean up
    outcome.out_dir = out_dir
    return outcome


def _frame_source(video: Path, size: tuple[int, int], workers: bool) -> DecoderSource:
    if workers and workers_available():
        return DecoderProcess(video, size)
    return PrefetchedFrames(VideoReader(video))


def _video_sink(path: Path, info: VideoInfo, setup: OverlaySetup,
                source: DecoderSource) -> EncoderProcess | AnnotatedVideoSink:
    """The annotated video's sink: in a worker process drawing from the decoder's ring, or on a thread."""
    if isinstance(source, DecoderProcess):
        return EncoderProcess(path, info.size, info.fps, setup, source)
    # OpenCV (28 MB) loads only when this process draws (not when the encoder process does)
    from formcheck.overlay import Overlay

    return AnnotatedVideoSink(VideoWriter(path, info.size, info.fps), Overlay.from_setup(setup), info.fps)


def _replay_into(out_dir: Path, video: Path, spec: ExerciseSpec, info: VideoInfo,
                 opts: ReplayOptions) -> ReplayOutcome:
    size, fps = info.size, info.fps  # (the names the report's lines below read)
    model, lang, write_video, profile = opts.model, opts.lang, opts.write_video, opts.profile
    analyzer = Analyzer(spec, opts.target)
    builder = ReportBuilder(spec, target=analyzer.target, source=str(video), model=model,
                            mode="replay", profile=profile)
    recorder = TrackRecorder(size, {"video": str(video), "model": model, "fps": fps})
    sinks: list[Sink] = [ReportSink(builder), TrackSink(recorder)]
    source = _frame_source(video, size, opts.workers)
    video_sink: EncoderProcess | AnnotatedVideoSink | None = None
    bar = None
    try:
        if write_video:  # it gives each frame's pixels back to the decoder once drawn
            video_sink = _video_sink(out_dir / VIDEO, info, overlay_setup(spec, lang), source)
            sinks.append(video_sink)
        else:
            sinks.append(ReleaseSink(source))
        bar = opts.progress(info.n_frames) if opts.progress else None
        if bar is not None:
            sinks.append(ProgressSink(bar))
        with PoseEstimator(model) as est:
            run_frames(source, est, Analyse(analyzer), sinks, overlap=True)
        last = builder.last_t_ms or 0.0
        builder.add(analyzer.finish(last), counted_frame=False)
        if builder.frames == 0:
            raise ReplayError(f"no frames could be decoded from {video}" + (f" ({source.error})" if source.error else ""))
        if builder.frames_with_pose == 0:
            raise ReplayError(f"nobody was seen in any of the {builder.frames} frames of {video}")
        # the first frame's start to the last frame's end: 30 frames at 30 frames/s last 1 s
        seconds = ((builder.last_t_ms or 0.0) - (builder.first_t_ms or 0.0)) / 1000.0 + 1.0 / fps
        if seconds < MIN_VIDEO_S - 1e-6:
            raise ReplayError(f"{video} is too short to hold an exercise set ({builder.frames} frames, {seconds:.2f} s; "
                              f"at least {MIN_VIDEO_S:g} s needed)")
        if video_sink is not None:  # it ends on the set's summary, as live does after a set
            video_sink.close(summary_from_report(spec, builder.finish(analyzer.pauses), lang))
            # the video is complete and in place (atomically)
    except BaseException:
        if video_sink is not None:
            video_sink.abort()
        raise
    finally:
        source.close()
        if bar is not None:
            bar.close()
    save_track(recorder.track(), out_dir / TRACK)
    builder.notes.extend(source.notes)
    warning = None
    if source.truncated:
        warning = f"the video is truncated or damaged after {builder.frames} frames ({source.error}); replayed what could be read"
        builder.notes.append(warning)
    report = builder.finish(analyzer.pauses, SetEnd(MediaInfo(source.truncated, round(fps, 3), size),
                                                    Outputs(VIDEO if write_video else None, TRACK)))
    write_report(report, out_dir / REPORT)
    return ReplayOutcome(out_dir, report, source.truncated, warning)
