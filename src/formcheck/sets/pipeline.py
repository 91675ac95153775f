"""The frame loop shared by replay and live: frames -> pose -> analyzer -> sinks.

``replay`` and ``live`` differ only in where frames come from and where results go.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Generator, Iterable, Iterator, Protocol

import numpy as np

from formcheck.core.pose import Pose
from formcheck.core.results import FrameResult, SessionSummary
from formcheck.engine.analyzer import Analyzer
from formcheck.media.track import Track, TrackRecorder
from formcheck.sets.background import BackgroundCalls, prefetch
from formcheck.sets.report import ReportBuilder

if TYPE_CHECKING:  # only annotations here: tuning a saved track does not load PyAV
    from formcheck.media.video import Frame, VideoReader
    from formcheck.media.video_writer import VideoWriter
    from formcheck.overlay import Overlay

END_CARD_S = 3.0  # an annotated video ends on the set's summary (what live shows after a set) this long
END_CARD_FPS = 30.0  # at most this many pictures a second of it (a 240 fps clip's would take 14 s to encode)


def end_card_frames(fps: float) -> int:
    """How many pictures the end card of a video at ``fps`` frames a second has."""
    return round(END_CARD_S * min(fps, END_CARD_FPS))


def write_end_card(writer: VideoWriter, overlay: Overlay, last: tuple[np.ndarray, float] | None,
                   summary: SessionSummary | None, fps: float) -> None:
    """Hold the video's last picture ``last`` (image without the overlay, t_ms) for END_CARD_S
    with the set's summary drawn over it, as live's screen after a set shows it, at the video's
    frame rate, up to END_CARD_FPS (nothing without a picture or a summary)."""
    if last is None or summary is None:
        return
    image, t_ms = last
    overlay.draw_summary(image, summary)
    step = 1000.0 / min(fps, END_CARD_FPS)
    for i in range(1, end_card_frames(fps) + 1):
        writer.write(image, t_ms + i * step)


class Sink(Protocol):
    def __call__(self, frame: Frame, result: FrameResult) -> None: ...


class Detector(Protocol):
    def detect(self, rgb: np.ndarray, t_ms: float) -> Pose | None: ...


def analyse_frames(
    frames: Iterable[Frame], detector: Detector, analyzer: Analyzer, *, overlap: bool = False
) -> Iterator[tuple[Frame, FrameResult]]:
    """Run pose estimation and analysis on each frame, in order, with its own timestamp.

    With ``overlap``, frame N+1's pose estimation (native code, GIL released) runs on a helper
    thread while frame N is analysed and handed to the sinks (Python), so the rules, report,
    track and video hand-off cost the pose model nothing (measured, replay, lite, 720p: ~1.3 ms
    a frame hidden). The caller still sees every frame in order, each with its own result;
    two frames are in flight instead of one.
    """
    if not overlap:
        for frame in frames:
            pose = detector.detect(frame.image, frame.t_ms)
            yield frame, analyzer.update(frame.t_ms, pose)
        return
    # leaving the block (also when the caller stops early) waits for an estimation still running
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="formcheck-pose") as pool:
        pending: tuple[Frame, Future[Pose | None]] | None = None
        for frame in frames:
            future = pool.submit(detector.detect, frame.image, frame.t_ms)
            if pending is not None:
                done, pose_future = pending
                yield done, analyzer.update(done.t_ms, pose_future.result())
            pending = (frame, future)
        if pending is not None:
            done, pose_future = pending
            yield done, analyzer.update(done.t_ms, pose_future.result())


def analyse_poses(
    poses: Iterable[tuple[float, Pose | None]], analyzer: Analyzer
) -> Iterator[FrameResult]:
    """The same analysis from saved poses (a track): no model, no video."""
    for t_ms, pose in poses:
        yield analyzer.update(t_ms, pose)


def run_track(track: Track, analyzer: Analyzer, builder: ReportBuilder) -> list[FrameResult]:
    """Fold a whole track through the analyzer into the builder; returns every result."""
    results = []
    for r in analyse_poses(track.poses(), analyzer):
        builder.add(r)
        results.append(r)
    end = float(track.t_ms[-1]) if len(track) else 0.0
    # a live set that ended at its target left the movement then in progress out: so does this
    builder.add(analyzer.finish(end, open_is_partial=track.meta.get("ended_by") != "target"), counted_frame=False)
    return results


class PrefetchedFrames:
    """A reader's frames decoded on a background thread: the in-process alternative to
    ``workers.DecoderProcess``, with the same small interface (iterate, release, close,
    ``truncated``/``error``)."""

    def __init__(self, reader: VideoReader) -> None:
        self.reader = reader
        self._frames: Generator[Frame, None, None] | None = None

    def __iter__(self) -> Iterator[Frame]:
        self._frames = prefetch(self.reader)
        return self._frames

    @property
    def truncated(self) -> bool:
        return self.reader.truncated

    @property
    def error(self) -> str | None:
        return self.reader.error

    @property
    def notes(self) -> list[str]:
        return self.reader.notes

    def release(self, frame: Frame) -> None:
        """Frames own their pixels here: nothing to give back."""

    def close(self) -> None:
        if self._frames is not None:  # stop the decoding thread before its container closes
            self._frames.close()
        self.reader.close()


class ReportSink:
    def __init__(self, builder: ReportBuilder) -> None:
        self.builder = builder

    def __call__(self, frame: Frame, result: FrameResult) -> None:
        self.builder.add(result)


class TrackSink:
    def __init__(self, recorder: TrackRecorder) -> None:
        self.recorder = recorder

    def __call__(self, frame: Frame, result: FrameResult) -> None:
        self.recorder.add(frame.t_ms, result.pose)


class AnnotatedVideoSink:
    """Draws the overlay on the frame and encodes it, both on one background thread.

    The in-process alternative to ``workers.EncoderProcess`` (same contract: ``close`` finishes
    the file, after the end card when given a summary; ``abort`` drops it). Frames are drawn and
    encoded in order, so the stateful overlay sees them as it would inline. The frame's image is
    drawn on in place (pose estimation has already read it, and nothing after this sink reads
    pixels); the last picture is kept (a copy, undrawn) for the end card.
    """

    def __init__(self, writer: VideoWriter, overlay: Overlay, fps: float) -> None:
        self.writer = writer
        self.overlay = overlay
        self.fps = fps
        self._last: tuple[np.ndarray, float] | None = None
        self._worker = BackgroundCalls(self._draw_and_encode)

    def _draw_and_encode(self, image: np.ndarray, result: FrameResult, t_ms: float) -> None:
        self._last = (image.copy(), t_ms)  # the picture, undrawn, for the end card
        self.overlay.annotate(image, result)
        self.writer.write(image, t_ms)

    def __call__(self, frame: Frame, result: FrameResult) -> None:
        image = frame.image if frame.image.flags.writeable else frame.image.copy()
        self._worker(image, result, frame.t_ms)

    def close(self, summary: SessionSummary | None = None) -> None:
        """Wait for the drawing/encoding thread, add the end card (with ``summary``), then
        finish the file (atomically)."""
        try:
            self._worker.close()
            write_end_card(self.writer, self.overlay, self._last, summary, self.fps)
        except BaseException:
            self.writer.abort()
            raise
        self.writer.close()

    def abort(self) -> None:
        """Drop the video: nothing is left at its path."""
        try:
            self._worker.close()
        except BaseException:  # noqa: BLE001 - the file is being dropped anyway
            pass
        self.writer.abort()
