"""One live set: the set loop (``sets/loop.py``, replay's too) fed the newest frame each time,
with live's sinks (``sinks.py``: canvas, window, video, keys), then the set's outputs.

It runs on the main thread (HighGUI windows must live there) and always takes the newest frame
from the source, with the frame's own timestamp, so lag never grows and counting never depends
on how fast this machine is. What the set is doing (guidance, countdown, counting, paused) is
``session.py``'s; this module only drives it and writes the outputs.
"""

from __future__ import annotations

import contextlib
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from formcheck.core.faults import fault_point
from formcheck.core.interrupts import Terminated
from formcheck.core.lang import count_of
from formcheck.live.display import Display, canvas_size, to_canvas
from formcheck.live.pace import Pace, PaceSummary, needed_fps
from formcheck.live.session import END_KEYS, LiveOptions, SetPlan, SetSession
from formcheck.live.sinks import Canvas, Keys, PaceSink, SessionStep, VideoSink, Window
from formcheck.live.stats import LiveStats
from formcheck.live.voice import SpeechSink
from formcheck.live.writer import AsyncVideoWriter
from formcheck.media.capture import LiveFrame, Source
from formcheck.media.estimator import PoseEstimator, choose_model
from formcheck.media.video_writer import VideoWriter
from formcheck.overlay import Overlay
from formcheck.sets.end_card import write_end_card
from formcheck.sets.loop import Detector, Sink, run_frames
from formcheck.sets.outputs import (
    REPORT,
    TRACK,
    VIDEO,
    make_stage,
    put_in_place,
    sweep_stale_stages,
)
from formcheck.sets.report import write_report
from formcheck.sets.set_report import LiveInfo, MediaInfo, Outputs, SetEnd, SetReport
from formcheck.sets.texts import (
    TEXTS,
    overlay_setup,
    summary_from_report,
    view_hint,
)
from formcheck.sets.voice import narrator_for
from formcheck.sets.worker_proc import one_line
from formcheck.speech.narrator import Narrator


@dataclass
class SetOutcome:
    report: SetReport
    out_dir: Path
    ended_by: str  # end_of_video, quit, next, skip, pain, target, source_error, interrupted, terminated, failed
    stats: LiveStats
    counted: bool  # some frames were analysed after the countdown
    error: str | None = None  # the source's trouble, one line
    last_canvas: np.ndarray | None = None  # the last camera picture, undrawn (summary background)
    kept: bool = True  # its outputs were put in place (not: interrupted before anything was counted)
    row_id: int | None = None  # its row in the history, when it was recorded there


def _default_detector(model: str) -> Callable[[], Detector]:
    def make() -> Detector:
        return PoseEstimator(model)

    return make


def newest_frames(source: Source, session: SetSession, display: Display) -> Iterator[LiveFrame]:
    """The loop's frames in live: each time it asks, the newest frame from ``source`` (the ones it
    could not take meanwhile are dropped there), timed in the set, until the set has ended. While
    no frame comes, the end of the source and the q and p keys are watched.

    The source starts here, when the loop first asks: a video file played as the camera starts
    playing only once the set's loop is ready (it lost its first second on a loaded machine while
    the set was set up), as a camera (started long before) is simply there."""
    source.start()
    warm = True
    while session.ended_by is None:
        frame = source.get(timeout=0.05)
        if frame is None:
            if source.finished:
                session.end("source_error" if source.error else "end_of_video")
            elif (key := display.poll_key(None)) in ("q", "p"):
                session.end(END_KEYS[key])
            continue
        if warm and frame.preroll:  # a file's countdown: its frozen first picture, not analysed
            warm = False
            warm_up(session.detector, frame.image, frame.t_ms)
        yield replace(frame, t_ms=session.set_time_ms(frame))


def warm_up(detector: object, image: np.ndarray, t_ms: float) -> None:
    """The pose model's first calls with a person in view, made on a file's countdown picture so
    they do not cost the set's first frames: MediaPipe's two landmarkers each set themselves up on
    their first frame with a person (0.1-0.45 s each, measured on a loaded machine), and live
    analysed the clip's frames at 0, 0.46 and 0.88 s. A blank picture then makes both lose the
    person and ``reset_tracking`` forgets them, so the set's first frame is found afresh, exactly
    as replay finds it (the same landmarks to the bit on two clips). Only the real model
    (``PoseEstimator``); ``t_ms`` is the countdown frame's (negative: before the clip's 0)."""
    if not isinstance(detector, PoseEstimator) or t_ms > -3.0:
        return
    detector.detect(image, t_ms)  # the landmarker for several people (choosing whom to follow) ...
    detector.detect(image, t_ms + 1.0)  # ... and the one following that person
    detector.detect(np.zeros_like(image), t_ms + 2.0)
    detector.reset_tracking()


@dataclass
class LiveOutputs:
    """What the set's outputs are made from besides the session: the loop's stats, the video
    being written, the last camera picture (undrawn), and how to draw the video's end card."""

    stats: LiveStats
    overlay: Overlay
    lang: str
    pace: Pace
    writer: AsyncVideoWriter | None = None
    last_canvas: np.ndarray | None = None


def run_set(plan: SetPlan, source: Source, display: Display, opts: LiveOptions,
            detector_factory: Callable[[], Detector] | None = None) -> SetOutcome:
    """Run one set from ``source`` until the end of it, a key, pain or the target.

    Writes ``report.json`` (and ``track.npz``, and with ``save_video`` ``annotated.mp4``) into
    ``plan.out_dir`` with the set's history row (``plan.record``), and returns the outcome; an
    interrupt before anything was counted writes nothing (``kept`` False). Screens after the
    set are the caller's.
    """
    spec = plan.spec
    model = choose_model(opts.model, spec.model)
    detector = (detector_factory or _default_detector(model))()  # load first: a file must not play meanwhile
    try:  # the outputs are written in a staging folder and put in place at the end (as replay's)
        stage, lock = make_stage(plan.out_dir)
    except BaseException:
        _close(detector)
        raise
    try:
        return _run_staged(plan, source, display, opts, (detector, model), stage)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
        if lock is not None:
            lock.close()


def _close(detector: Detector) -> None:
    close = getattr(detector, "close", None)
    if close is not None:
        close()


def _run_staged(plan: SetPlan, source: Source, display: Display, opts: LiveOptions,
                loaded: tuple[Detector, str], stage: Path) -> SetOutcome:
    """run_set's set, its outputs written into ``stage``."""
    spec, lang = plan.spec, opts.lang
    detector, model = loaded
    session = SetSession(plan, source, opts, getattr(detector, "model_name", model), detector)
    size = canvas_size(source.size)
    outs = LiveOutputs(LiveStats(), Overlay.from_setup(overlay_setup(spec, lang), TEXTS[lang]["keys_set"]), lang,
                       Pace(needed_fps(spec.id)))
    canvas = Canvas(session, outs.overlay, size, TEXTS[lang], view_hint(spec, lang), outs.pace)
    window = Window(display, canvas, outs.stats)
    dropped0, delivered0 = source.dropped, getattr(source, "delivered", 0)
    wall0, cpu0 = time.monotonic(), time.process_time()
    failure: str | None = None
    narrator: Narrator | None = None
    try:
        sinks: list[Sink] = [PaceSink(session, outs.pace), canvas, window]
        if opts.save_video:
            every_frame = not source.live and not getattr(source, "paced", True)
            outs.writer = AsyncVideoWriter(stage / VIDEO, size, source.fps, wait=every_frame)
            sinks.append(VideoSink(outs.writer, canvas))
        sinks.append(Keys(session, window))
        narrator = _narrator(session, opts)
        if narrator is not None:
            sinks.insert(0, SpeechSink(session, narrator))
        run_frames(newest_frames(source, session, display), detector, SessionStep(session), sinks)
    except KeyboardInterrupt as exc:  # Ctrl-C, or SIGTERM (core.interrupts.Terminated)
        session.end("terminated" if isinstance(exc, Terminated) else "interrupted")
    except Exception as exc:  # noqa: BLE001 - what was counted before it is still saved, and the report says why it stopped
        session.end("failed")
        failure = f"the set stopped on an error: {one_line(exc)}"
    finally:
        _close(detector)
    if narrator is not None:
        _last_words(narrator, session.ended_by, lang)
    stats = outs.stats
    stats.wall_s, stats.cpu_s = time.monotonic() - wall0, time.process_time() - cpu0
    stats.dropped = source.dropped - dropped0
    stats.delivered = getattr(source, "delivered", 0) - delivered0
    outs.last_canvas = to_canvas(window.last_image, size) if window.last_image is not None else None
    return _write_outputs(session, outs, stage, failure)


def _narrator(session: SetSession, opts: LiveOptions) -> Narrator | None:
    if opts.voice is None:
        return None
    return narrator_for(opts.voice.speaker, session.spec, opts.lang, session.analyzer.target)


def _last_words(narrator: Narrator, ended_by: str | None, lang: str) -> None:
    """The set's end said (the pain advice after pain; nothing when the command is ending)."""
    if ended_by == "pain":
        narrator.pain(TEXTS[lang]["pain"])
    elif ended_by in ("interrupted", "terminated"):
        narrator.speaker.finish()
    else:
        narrator.end()


# sets whose video gets no end card: the screen after them is no summary (pain advice, an
# error), or there is none (Ctrl-C, SIGTERM: the command is ending)
NO_SUMMARY = ("pain", "failed", "interrupted", "terminated")


def _write_outputs(session: SetSession, outs: LiveOutputs, stage: Path, failure: str | None = None) -> SetOutcome:
    """Close what is open, write the outputs into ``stage`` and put them in place with the
    history row (sets.outputs.put_in_place, as replay does: both or neither). A set interrupted
    before anything was counted keeps nothing (no 0-repetition set in the history, no report
    blocking the folder). The annotated video ends on the set's summary over the last picture,
    as the screen after the set shows it (not after pain, an error or an interrupt: NO_SUMMARY).

    Before counting started, by how the set ended: Ctrl-C or SIGTERM keeps nothing (a promise);
    q (or n) after the patient was in front of the camera is an abandoned set, kept and recorded
    (``SetSession.attempted``); q with nobody seen keeps nothing either (there was no attempt,
    and a report without its row would pass for an unrecorded set); skip (s) and the source's
    end or failure keep the report (and a failure says so) without a row, as before."""
    plan, source = session.plan, session.source
    stats, writer, last_canvas, overlay, lang = outs.stats, outs.writer, outs.last_canvas, outs.overlay, outs.lang
    ended_by = session.ended_by or "end_of_video"
    counted = session.counted
    error = failure or (source.error if ended_by in ("source_error", "end_of_video") else None)
    nothing_done = not counted and session.pain_t_ms is None and (
        ended_by in ("interrupted", "terminated") or (ended_by in ("quit", "next") and not session.attempted))
    if nothing_done:
        if writer is not None:
            with contextlib.suppress(Exception):
                writer.close(keep=False)
        report = session.builder.finish([])
        return SetOutcome(report, plan.out_dir, ended_by, stats, counted, error, last_canvas, kept=False)
    try:
        builder = session.conclude(error)
    except BaseException:  # (after a failure the analyzer may fail again): the video is not left open
        if writer is not None:
            with contextlib.suppress(Exception):
                writer.close(keep=False)
        raise
    video_ok = writer is not None
    if writer is not None:
        end: Callable[[VideoWriter, float], None] | None = None
        if last_canvas is not None and error is None and ended_by not in NO_SUMMARY:
            summary = summary_from_report(plan.spec, builder.finish(session.analyzer.pauses if counted else []), lang)
            picture, paint = last_canvas.copy(), overlay
            end = lambda w, t_ms: write_end_card(w, paint, (picture, t_ms), summary, source.fps)
        try:
            writer.close(keep=True, end=end)
        except KeyboardInterrupt as exc:  # Ctrl-C or SIGTERM while it was finished: the set is still saved
            video_ok = False
            ended_by = "terminated" if isinstance(exc, Terminated) else "interrupted"
            builder.notes.append("the annotated video was not finished: interrupted while it was written")
        except Exception as exc:  # noqa: BLE001 - the report matters more than the video: keep going
            video_ok = False
            builder.notes.append(f"the annotated video could not be written: {exc}")
        stats.video_dropped = writer.dropped
        if writer.dropped:
            builder.notes.append(f"{count_of(writer.dropped, 'frame')} {'was' if writer.dropped == 1 else 'were'} left out of "
                                 "the annotated video (encoder too slow)")
    session.recorder.meta["ended_by"] = ended_by  # tune re-runs the set as it ended (pipeline.run_track)
    try:
        session.recorder.save(stage / TRACK)
    finally:
        session.recorder.close()
    builder.notes.extend(getattr(source, "notes", []))  # a video file's timing notes (a camera has none)
    pace = outs.pace.summary()
    if pace.too_slow_s > 0:
        builder.notes.append(too_slow_note(pace))
    live = LiveInfo.from_json({"source": "camera" if source.live else "file",
                               "every_frame": not getattr(source, "paced", True), **stats.as_dict(),
                               "needed_fps": pace.needed_fps, "lowest_fps": pace.lowest_fps,
                               "too_slow_s": pace.too_slow_s})
    set_end = SetEnd(MediaInfo(bool(getattr(source, "truncated", False)), round(source.fps, 3), tuple(source.size)),
                     Outputs(VIDEO if video_ok else None, TRACK), ended_by, live, plan.program)
    report = builder.finish(session.analyzer.pauses if counted else [], set_end)
    write_report(report, stage / REPORT)
    fault_point("staged")
    record = plan.record if is_a_set(report, counted or session.attempted) else None
    # (a video this set did not write, an earlier run's, goes: it would pass for this set's)
    row = put_in_place(stage, plan.out_dir, None if record is None else lambda: record(report, plan.out_dir))
    sweep_stale_stages(plan.out_dir)  # an earlier run's, killed before it could clean up
    row_id = getattr(row, "row_id", None)  # (p on the screens after it marks it)
    return SetOutcome(report, plan.out_dir, ended_by, stats, counted, error, last_canvas, row_id=row_id)


def too_slow_note(pace: PaceSummary) -> str:
    """The report's note on a set this computer analysed too slowly for the exercise."""
    return (f"this computer analysed as few as {pace.lowest_fps:g} frames a second, below the {pace.needed_fps:g} "
            f"this exercise needs, for {pace.too_slow_s:g} s of the set: the count may be wrong")


def is_a_set(report: SetReport, counted: bool) -> bool:
    """A set for the history: something was counted (or the patient ended it before counting
    started, after being in front of the camera: ``counted`` then too), or it was stopped for
    pain; not one skipped (s key) before anything was done."""
    if report.end.ended_by == "skip" and not (report.reps or report.holds):
        return False
    return counted or report.pain_stop is not None
