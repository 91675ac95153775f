"""The one set loop, for replay and live: frames from a source -> pose -> analysis -> each sink.

Replay and live differ only in what they pass in. Replay: the decoder's frames (every one, in a
worker process or thread), the Analyzer (``Analyse``), and sinks for the report, the track, the
annotated video and the progress bar; its pose estimation overlaps the analysis (``overlap``).
Live (``live/set_loop.py``): the newest frame from the capture each time the loop asks (the
frames a slow machine could not take are dropped there, so lag never grows), the set's session
(countdown, pause, restart) as the step, and sinks that draw the canvas, show it in the window,
act on keys and write the video. Frames carry their own time, the only clock either uses.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Protocol

import numpy as np

from formcheck.core.pose import Pose
from formcheck.core.results import FrameResult
from formcheck.engine.analyzer import Analyzer

if TYPE_CHECKING:  # only annotations here: tuning a saved track does not load PyAV
    from formcheck.media.video import Frame


class Detector(Protocol):
    def detect(self, rgb: np.ndarray, t_ms: float) -> Pose | None: ...


class Step(Protocol):
    """What the loop does with a frame between the pose model and the sinks."""

    def wants_pose(self, frame: Frame) -> bool:
        """Whether the pose model should look at ``frame`` (live: not while paused or counting down a file)."""
        ...

    def __call__(self, frame: Frame, pose: Pose | None) -> FrameResult | None:
        """The frame's result (None: a frame shown but not analysed, live's countdown preroll)."""
        ...


class Sink(Protocol):
    def __call__(self, frame: Frame, result: FrameResult | None) -> None: ...


class Analyse:
    """Replay's step: every frame's pose, analysed at the frame's own time."""

    def __init__(self, analyzer: Analyzer) -> None:
        self.analyzer = analyzer

    def wants_pose(self, frame: Frame) -> bool:
        return True

    def __call__(self, frame: Frame, pose: Pose | None) -> FrameResult:
        return self.analyzer.update(frame.t_ms, pose)


def _pose(detector: Detector, step: Step, frame: Frame, prepared: object = None) -> Pose | None:
    if not step.wants_pose(frame):
        return None
    if prepared is not None:  # (a PoseEstimator's, made beforehand: see analyse_frames)
        return detector.detect(frame.image, frame.t_ms, prepared)  # type: ignore[call-arg]
    return detector.detect(frame.image, frame.t_ms)


def analyse_frames(
    frames: Iterable[Frame], detector: Detector, step: Step, *, overlap: bool = False
) -> Iterator[tuple[Frame, FrameResult | None]]:
    """Run pose estimation and ``step`` on each frame, in order, with its own timestamp.

    With ``overlap``, frame N+1's pose estimation (native code, GIL released) runs on a helper
    thread while frame N is analysed and handed to the sinks (Python), so the rules, report,
    track and video hand-off cost the pose model nothing (measured, replay, lite, 720p: ~1.3 ms
    a frame hidden). The caller still sees every frame in order, each with its own result;
    two frames are in flight instead of one, so ``step.wants_pose`` is asked for N+1 before
    N's sinks have run (replay's is always True; live, whose keys change it, does not overlap).
    A detector with a ``prepare(image)`` (PoseEstimator: the frame copied into MediaPipe's image)
    has it done here, on this thread, while frame N is still estimated: the pose thread then
    goes from N straight to N+1 without waiting for the GIL in between.
    """
    if not overlap:
        for frame in frames:
            yield frame, step(frame, _pose(detector, step, frame))
        return
    # leaving the block (also when the caller stops early) waits for an estimation still running
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="formcheck-pose") as pool:
        pending: tuple[Frame, Future[Pose | None]] | None = None
        prepare = getattr(detector, "prepare", None)
        for frame in frames:
            prepared = prepare(frame.image) if prepare is not None and step.wants_pose(frame) else None
            future = pool.submit(_pose, detector, step, frame, prepared)
            if pending is not None:
                done, pose_future = pending
                yield done, step(done, pose_future.result())
            pending = (frame, future)
        if pending is not None:
            done, pose_future = pending
            yield done, step(done, pose_future.result())


def run_frames(frames: Iterable[Frame], detector: Detector, step: Step, sinks: Sequence[Sink], *,
               overlap: bool = False) -> None:
    """The set loop: each frame's pose and result, handed to every sink in order."""
    for frame, result in analyse_frames(frames, detector, step, overlap=overlap):
        for sink in sinks:
            sink(frame, result)
