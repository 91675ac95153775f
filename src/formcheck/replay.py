"""``formcheck replay``: a recorded video in, annotated video + report + landmark track out.

Outputs are only put in place once complete: the video and track via temporary files renamed
at the end, the report last (its presence marks a finished replay).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from .background import prefetch
from .engine import Analyzer
from .estimator import PoseEstimator
from .pipeline import AnnotatedVideoSink, ReportSink, Sink, TrackSink, analyse_frames
from .report import ReportBuilder, write_report
from .spec import ExerciseSpec
from .track import TrackRecorder, save_track
from .video import VideoReader, VideoWriter

REPORT = "report.json"
VIDEO = "annotated.mp4"
TRACK = "track.npz"


class ReplayError(Exception):
    """A replay that cannot produce a meaningful result; one line for the user."""


@dataclass
class ReplayOutcome:
    out_dir: Path
    report: dict[str, Any]
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
    if out.resolve() == video.resolve().parent and (out / VIDEO).resolve() == video.resolve():
        raise ReplayError("refusing to overwrite the input video")
    return out


def replay(
    video: Path,
    spec: ExerciseSpec,
    out_dir: Path,
    *,
    model: str = "lite",
    target: int | None = None,
    lang: str = "da",
    write_video: bool = True,
    config: dict[str, Any] | None = None,
    progress: Callable[[int | None], Any] | None = None,
) -> ReplayOutcome:
    """Replay one video; raises VideoError/ModelError/ReplayError with one-line messages."""
    reader = VideoReader(video)  # open first: a bad video fails before anything is created
    with reader:
        out_dir = prepare_out_dir(out_dir, video)
        analyzer = Analyzer(spec, target)
        builder = ReportBuilder(spec, target=analyzer.target, source=str(video), model=model,
                                mode="replay", config=config)
        recorder = TrackRecorder(reader.size, {"video": str(video), "model": model, "fps": reader.fps})
        sinks: list[Sink] = [ReportSink(builder), TrackSink(recorder)]
        writer: VideoWriter | None = None
        video_sink: AnnotatedVideoSink | None = None
        if write_video:
            from .overlay import Overlay

            overlay = Overlay(spec.name.da if lang == "da" else spec.name.en, lang=lang, kind=spec.kind)
            writer = VideoWriter(out_dir / VIDEO, reader.size, reader.fps)
            video_sink = AnnotatedVideoSink(writer, overlay.annotate)
            sinks.append(video_sink)
        bar = progress(reader.n_frames) if progress else None
        try:
            with PoseEstimator(model) as est:
                for frame, result in analyse_frames(prefetch(reader), est, analyzer):
                    for sink in sinks:
                        sink(frame, result)
                    if bar is not None:
                        bar.update(1)
            if video_sink is not None:
                video_sink.close()
            last = builder.last_t_ms or 0.0
            builder.add(analyzer.finish(last), counted_frame=False)
            if builder.frames == 0:
                raise ReplayError(f"no frames could be decoded from {video}" + (f" ({reader.error})" if reader.error else ""))
            if builder.frames_with_pose == 0:
                raise ReplayError(f"nobody was seen in any of the {builder.frames} frames of {video}")
        except BaseException:
            if video_sink is not None:
                try:
                    video_sink.close()
                except BaseException:
                    pass
            if writer is not None:
                writer.abort()
            raise
        finally:
            if bar is not None:
                bar.close()
        if writer is not None:
            writer.close()
        save_track(recorder.track(), out_dir / TRACK)
        warning = None
        if reader.truncated:
            warning = f"the video is truncated or damaged after {builder.frames} frames ({reader.error}); replayed what could be read"
            builder.notes.append(warning)
        report = builder.build(analyzer.pauses)
        report["truncated"] = reader.truncated
        report["fps"] = round(reader.fps, 3)
        report["size"] = list(reader.size)
        report["outputs"] = {"video": VIDEO if write_video else None, "track": TRACK}
        write_report(report, out_dir / REPORT)
    return ReplayOutcome(out_dir, report, reader.truncated, warning)
