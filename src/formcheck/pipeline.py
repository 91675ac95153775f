"""The frame loop shared by replay and live: frames -> pose -> analyzer -> sinks.

``replay`` and ``live`` differ only in where frames come from and where results go.
"""

from __future__ import annotations

from typing import Callable, Iterable, Iterator, Protocol

import numpy as np

from .background import BackgroundCalls
from .engine import Analyzer
from .pose import Pose
from .report import ReportBuilder
from .results import FrameResult
from .track import Track, TrackRecorder
from .video import Frame, VideoWriter


class Sink(Protocol):
    def __call__(self, frame: Frame, result: FrameResult) -> None: ...


class Detector(Protocol):
    def detect(self, rgb: np.ndarray, t_ms: float) -> Pose | None: ...


def analyse_frames(
    frames: Iterable[Frame], detector: Detector, analyzer: Analyzer
) -> Iterator[tuple[Frame, FrameResult]]:
    """Run pose estimation and analysis on each frame, in order, with its own timestamp."""
    for frame in frames:
        pose = detector.detect(frame.image, frame.t_ms)
        yield frame, analyzer.update(frame.t_ms, pose)


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
    builder.add(analyzer.finish(end), counted_frame=False)
    return results


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
    """Draws the overlay on the frame and encodes it on a background thread.

    The frame's image is drawn on in place (after pose estimation has read it), so no copy.
    """

    def __init__(self, writer: VideoWriter, annotate: Callable[[np.ndarray, FrameResult], None]) -> None:
        self.writer = writer
        self.annotate = annotate
        self._encode = BackgroundCalls(writer.write)

    def __call__(self, frame: Frame, result: FrameResult) -> None:
        image = frame.image if frame.image.flags.writeable else frame.image.copy()
        self.annotate(image, result)
        self._encode(image, frame.t_ms)

    def close(self) -> None:
        """Wait for the encoder thread (then the writer can be closed or aborted)."""
        self._encode.close()
