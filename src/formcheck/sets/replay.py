"""``formcheck replay``: a recorded video in, annotated video + report + landmark track out.

The outputs are written into a hidden staging folder and put in place at the end, the report
last (``sets/outputs.py``); a replay that fails or is interrupted leaves the output folder as it was.
"""

from __future__ import annotations

import contextlib
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

from formcheck.core.faults import fault_point
from formcheck.core.lang import count_of
from formcheck.core.results import OverlaySetup
from formcheck.engine.analyzer import Analyzer
from formcheck.media.audio_track import EncodedSound, add_audio_track
from formcheck.media.estimator import PoseEstimator, resolve_model
from formcheck.media.track import TrackRecorder
from formcheck.media.video import VideoError, VideoReader, scaled_size
from formcheck.media.video_writer import VIDEO_SHORT_SIDE, VideoWriter
from formcheck.sets.end_card import end_card_times
from formcheck.sets.loop import Analyse, Sink, run_frames
from formcheck.sets.outputs import (
    REPORT,
    TRACK,
    VIDEO,
    Recording,
    ReplayError,
    make_stage,
    prepare_out_dir,
    put_in_place,
    sweep_stale_stages,
)
from formcheck.sets.pipeline import (
    AnnotatedVideoSink,
    DecoderSource,
    PrefetchedFrames,
    ProgressSink,
    ReleaseSink,
    ReportSink,
    TrackSink,
)
from formcheck.sets.report import ReportBuilder, write_report
from formcheck.sets.set_report import MediaInfo, Outputs, SetEnd, SetReport
from formcheck.sets.texts import overlay_setup, summary_from_report
from formcheck.sets.voice import ReplaySpeechSink, encode_voice, narrator_for
from formcheck.sets.workers import DecoderProcess, EncoderProcess
from formcheck.sets.workers import available as workers_available
from formcheck.speech.narrator import Narrator
from formcheck.speech.timeline import Timeline
from formcheck.speech.tts import Tts, TtsError
from formcheck.spec.exercise import ExerciseSpec

# A video of one frame is a still picture: no movement, no set. Any longer clip with a person in
# it is replayed, however short (a 1 s clip can hold one brisk squat); the report notes when it is
# too short to be sure of (report_notes.too_short).
MIN_VIDEO_FRAMES = 2












@dataclass(frozen=True)
class ReplayOptions:
    """How to replay: the pose model, the target, the overlay's language, which outputs, how."""

    model: str = "lite"
    target: int | None = None
    lang: str = "da"
    write_video: bool = True
    voice: bool = True  # the trainer's voice as the annotated video's audio track (sets/voice.py)
    progress: Callable[[int | None], Any] | None = None  # total frames (None: unknown) -> a tqdm-like bar
    workers: bool = True  # decode and encode in worker processes (where available), else threads
    profile: dict[str, Any] | None = None  # the patient profile applied, for the report
    patient: str | None = None  # whose set, for the report and the history (None: the default patient)
    exercise_file: str | None = None  # the exercise file read, for the report
    # the history: writes the set's row (and its output folder), uncommitted
    # (records.history.begin_record, bound by the command line); put_in_place commits it together
    # with the report. None: not recorded
    record: Callable[[SetReport, Path], Recording] | None = None
    # annotated.mp4's short side at most (a 1080p clip's video is written at 720p: a third of the
    # pixels to draw and encode); None: the size the video is analysed at
    video_size: int | None = VIDEO_SHORT_SIDE


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
        with _named_as_the_output_folder(stage, out_dir):
            outcome = _replay_into(stage, video, spec, info, opts)
        fault_point("staged")
        record = opts.record
        put_in_place(stage, out_dir, None if record is None else lambda: record(outcome.report, out_dir))
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


@contextlib.contextmanager
def _named_as_the_output_folder(stage: Path, out_dir: Path) -> Iterator[None]:
    """An error writing an output (a full disk, a quota) names it where the user will look for
    it, in the output folder, not in the hidden staging folder it was being written to."""
    try:
        yield
    except OSError as exc:
        if not exc.filename or str(stage) not in str(exc.filename):
            raise  # (the input video, say)
        where = str(exc.filename).replace(str(stage), str(out_dir))
        raise ReplayError(f"cannot write {where}: {exc.strerror or exc}") from None
    except (ReplayError, VideoError) as exc:
        if str(stage) not in str(exc):
            raise
        raise type(exc)(str(exc).replace(str(stage), str(out_dir))) from None


def _frame_source(video: Path, size: tuple[int, int], workers: bool) -> DecoderSource:
    if workers and workers_available():
        return DecoderProcess(video, size)
    return PrefetchedFrames(VideoReader(video))


def video_size(size: tuple[int, int], short_side: int | None) -> tuple[int, int]:
    """(width, height) of the annotated video of frames of ``size``: at most ``short_side`` lines
    on the short side (even sides), never larger than the frames."""
    return size if short_side is None else scaled_size(*size, short_side)


def _video_sink(path: Path, info: VideoInfo, setup: OverlaySetup, source: DecoderSource,
                short_side: int | None) -> EncoderProcess | AnnotatedVideoSink:
    """The annotated video's sink: in a worker process drawing from the decoder's ring, or on a thread."""
    size = video_size(info.size, short_side)
    if isinstance(source, DecoderProcess):
        return EncoderProcess(path, size, info.fps, setup, source)
    # OpenCV (28 MB) loads only when this process draws (not when the encoder process does)
    from formcheck.overlay import Overlay

    return AnnotatedVideoSink(VideoWriter(path, size, info.fps), Overlay.from_setup(setup), info.fps)


def _voice(spec: ExerciseSpec, opts: ReplayOptions, target: int | None,
           builder: ReportBuilder) -> tuple[Narrator, Timeline] | None:
    """The set's narrator on a timeline of the video's clock, or None (no voice asked, or no
    speech engine: a note says so and the video is silent)."""
    if not opts.voice:
        return None
    try:
        timeline = Timeline(Tts(), opts.lang, origin_s=0.0)
    except (TtsError, OSError) as exc:
        builder.notes.append(f"the annotated video has no voice: {exc}")
        return None
    return narrator_for(timeline, spec, opts.lang, target), timeline


def _encoded_voice(voice: tuple[Narrator, Timeline], builder: ReportBuilder, fps: float) -> EncodedSound | None:
    """The speech, encoded for the video's audio track: the set's end said under the end card
    (None, with a note, if it cannot be encoded: the video stays silent)."""
    card = end_card_times(builder.last_t_ms or 0.0, fps)
    try:  # the end said from the card's first picture; the sound lasts until the video ends
        return encode_voice(*voice, card[0] / 1000.0, card[-1] / 1000.0 + 1.0 / fps)
    except VideoError as exc:
        builder.notes.append(str(exc))
        return None


def _add_voice(video: Path, sound: EncodedSound, builder: ReportBuilder) -> None:
    """The encoded speech as the finished video's audio track."""
    try:
        add_audio_track(video, sound)
    except VideoError as exc:  # the video stays as it was, silent
        builder.notes.append(str(exc))


def _replay_into(out_dir: Path, video: Path, spec: ExerciseSpec, info: VideoInfo,
                 opts: ReplayOptions) -> ReplayOutcome:
    size, fps = info.size, info.fps  # (the names the report's lines below read)
    model, lang, write_video, profile = opts.model, opts.lang, opts.write_video, opts.profile
    analyzer = Analyzer(spec, opts.target)
    builder = ReportBuilder(spec, target=analyzer.target, source=str(video), model=model,
                            mode="replay", profile=profile, patient=opts.patient,
                            exercise_file=opts.exercise_file)
    recorder = TrackRecorder(size, {"video": str(video), "model": model, "fps": fps}, spool_dir=out_dir)
    sinks: list[Sink] = [ReportSink(builder), TrackSink(recorder)]
    source = _frame_source(video, size, opts.workers)
    video_sink: EncoderProcess | AnnotatedVideoSink | None = None
    bar = None
    try:
        voice = _voice(spec, opts, analyzer.target, builder) if write_video else None
        if voice is not None:
            sinks.append(ReplaySpeechSink(voice[0]))
        if write_video:  # it gives each frame's pixels back to the decoder once drawn
            video_sink = _video_sink(out_dir / VIDEO, info, overlay_setup(spec, lang), source, opts.video_size)
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
            seen_in = "the one frame" if builder.frames == 1 else f"any of the {builder.frames} frames"
            raise ReplayError(f"nobody was seen in {seen_in} of {video}")
        # the first frame's start to the last frame's end: 30 frames at 30 frames/s last 1 s
        seconds = ((builder.last_t_ms or 0.0) - (builder.first_t_ms or 0.0)) / 1000.0 + 1.0 / fps
        if builder.frames < MIN_VIDEO_FRAMES:
            raise ReplayError(f"{video} is too short to hold an exercise set ({count_of(builder.frames, 'frame')}, {seconds:.2f} s; "
                              "a still picture, not a movement)")
        if video_sink is not None:  # it ends on the set's summary, as live does after a set
            video_sink.finish(summary_from_report(spec, builder.finish(analyzer.pauses), lang))
            # the voice is encoded while the encoder process writes the end card (~0.1 s each)
            sound = _encoded_voice(voice, builder, fps) if voice is not None else None
            video_sink.close()  # the video is complete and in place (atomically)
            if sound is not None:
                _add_voice(out_dir / VIDEO, sound, builder)
    except BaseException:
        if video_sink is not None:
            video_sink.abort()
        raise
    finally:
        source.close()
        if bar is not None:
            bar.close()
    try:
        recorder.save(out_dir / TRACK)
    finally:
        recorder.close()
    builder.notes.extend(source.notes)
    warning = None
    if source.truncated:
        warning = f"the video is truncated or damaged after {count_of(builder.frames, 'frame')} ({source.error}); replayed what could be read"
        builder.notes.append(warning)
    report = builder.finish(analyzer.pauses, SetEnd(MediaInfo(source.truncated, round(fps, 3), size),
                                                    Outputs(VIDEO if write_video else None, TRACK)))
    write_report(report, out_dir / REPORT)
    return ReplayOutcome(out_dir, report, source.truncated, warning)
