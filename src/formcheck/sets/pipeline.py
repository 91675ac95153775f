"""Replay's parts around the set loop (``loop.py``): its frame source without worker processes,
its sinks (report, track, annotated video; its end card is in ``end_card.py``), and the same
analysis from a saved track (no model, no video).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Generator, Iterable, Iterator, Protocol

import numpy as np

from formcheck.core.pose import Pose
from formcheck.core.results import FrameResult, SessionSummary
from formcheck.engine.analyzer import Analyzer
from formcheck.media.track import Track, TrackRecorder
from formcheck.sets.background import BackgroundCalls, prefetch
from formcheck.sets.end_card import write_end_card
from formcheck.sets.report import ReportBuilder

if TYPE_CHECKING:  # only annotations here: tuning a saved track does not load PyAV
    from formcheck.media.video import Frame, VideoReader
    from formcheck.media.video_writer import VideoWriter
    from formcheck.overlay import Overlay

def analyse_poses(
    poses: Iterable[tuple[float, Pose | None]], analyzer: Analyzer
) -> Iterator[FrameResult]:
    """The same analysis from saved poses (a track): no model, no video."""
    for t_ms, pose in poses:
        yield analyzer.update(t_ms, pose)


def run_track(track: Track, analyzer: Analyzer, builder: ReportBuilder,
              each: Callable[[FrameResult], None] | None = None) -> list[FrameResult]:
    """Fold a whole track through the analyzer into the builder; returns every result (``each``
    sees every result too, the last one's with the analyzer as it made it: tune's traces)."""
    results = []
    for r in analyse_poses(track.poses(), analyzer):
        builder.add(r)
        results.append(r)
        if each is not None:
            each(r)
    end = float(track.t_ms[-1]) if len(track) else 0.0
    # a live set that ended at its target left the movement then in progress out: so does this
    ended_by = track.meta.get("ended_by")  # None: a replayed video's track, over when the video is
    last = analyzer.finish(end, open_is_partial=ended_by != "target", source_ended=ended_by in (None, "end_of_video"))
    builder.add(last, counted_frame=False)
    if each is not None:
        each(last)
    return results


class DecoderSource(Protocol):
    """Replay's frames: ``workers.DecoderProcess``, or ``PrefetchedFrames`` without worker processes."""

    @property
    def truncated(self) -> bool: ...
    @property
    def error(self) -> str | None: ...
    @property
    def notes(self) -> list[str]: ...

    def __iter__(self) -> Iterator[Frame]: ...
    def release(self, frame: Frame) -> None: ...
    def close(self) -> None: ...


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
        self._summary: SessionSummary | None = None
        self._worker = BackgroundCalls(self._draw_and_encode)

    def _draw_and_encode(self, image: np.ndarray, result: FrameResult, t_ms: float) -> None:
        from formcheck.media.video_writer import fit  # (PyAV only when a video is written)

        image = fit(image, self.writer.size)
        self._last = (image.copy(), t_ms)  # the picture, undrawn, for the end card
        self.overlay.annotate(image, result)
        self.writer.write(image, t_ms)

    def __call__(self, frame: Frame, result: FrameResult) -> None:
        image = frame.image if frame.image.flags.writeable else frame.image.copy()
        self._worker(image, result, frame.t_ms)

    def finish(self, summary: SessionSummary | None = None) -> None:
        """The set's ``summary`` for the end card that ``close`` adds."""
        self._summary = summary

    def close(self, summary: SessionSummary | None = None) -> None:
        """Wait for the drawing/encoding thread, add the end card (with ``summary``, or the one
        given to ``finish``), then finish the file (atomically)."""
        try:
            self._worker.close()
            write_end_card(self.writer, self.overlay, self._last, summary or self._summary, self.fps)
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


class ReleaseSink:
    """Gives each frame's pixels back to its source (a decoder's ring slot) once the sinks before
    it are done; only where no video sink takes the frame over (it gives them back when drawn)."""

    def __init__(self, source: DecoderSource) -> None:
        self.source = source

    def __call__(self, frame: Frame, result: FrameResult) -> None:
        self.source.release(frame)


class ProgressSink:
    """Moves a progress bar (tqdm-like) on by a frame."""

    def __init__(self, bar: Any) -> None:
        self.bar = bar

    def __call__(self, frame: Frame, result: FrameResult) -> None:
        self.bar.update(1)
