"""The pose-estimation adapter: the only module that imports MediaPipe.

It runs PoseLandmarker in VIDEO mode on RGB frames with the video's own timestamps and turns
each result into a :class:`~formcheck.core.pose.Pose` (or ``None`` when nobody is seen). With several
people in view it follows one person: the most central and largest at the start, then the one
near where that person was and of about their size. When the followed person is hidden (behind
furniture, a barbell's plates, out of the frame) it returns ``None`` rather than jump to somebody
else in view, such as a family member walking past behind; after ``follow.FORGET_S`` without them it
chooses afresh.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys
import weakref
from pathlib import Path
from typing import Iterator

import numpy as np

from formcheck.core.interrupts import interrupts_held
from formcheck.core.pose import N_LANDMARKS, Landmark, Pose
from formcheck.media.follow import Follower, outline

# MediaPipe's PyPI wheels (seen in 1.2.3) carry a usage-telemetry client that POSTs to Google
# with libcurl from a background thread (upstream issue google-ai-edge/mediapipe#6291, no opt-out).
# Patients' sessions must never leave the machine, so before the native library loads we point
# libcurl's proxy variables at a scheme it refuses: the request fails before any socket opens.
# formcheck itself uses no network, so nothing else is affected. tests/sets/test_replay.py checks it
# with strace.
_NO_NETWORK_PROXY = "blocked://formcheck.invalid"


def _block_native_telemetry() -> None:
    for var in ("https_proxy", "HTTPS_PROXY", "http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"):
        os.environ[var] = _NO_NETWORK_PROXY
    for var in ("no_proxy", "NO_PROXY"):
        os.environ.pop(var, None)


_block_native_telemetry()


# Importing MediaPipe's vision tasks also imports its drawing helpers, and they import
# matplotlib.pyplot: about 0.6 s of every start (measured: 0.95 s to import the pose landmarker,
# 0.32 s without). formcheck draws with its own overlay, so those two modules are loaded lazily,
# by the standard library's LazyLoader: they run only if something uses them. Should MediaPipe
# rename them, the finder matches nothing and they load as before.
_DEFERRED = frozenset({"mediapipe.tasks.python.vision.drawing_utils", "mediapipe.tasks.python.vision.drawing_styles"})


class _DeferDrawingHelpers(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):  # noqa: ANN001, ANN201 (importlib's protocol)
        if name not in _DEFERRED:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None or spec.loader is None:
            return None
        spec.loader = importlib.util.LazyLoader(spec.loader)
        return spec


if not any(isinstance(f, _DeferDrawingHelpers) for f in sys.meta_path):
    sys.meta_path.insert(0, _DeferDrawingHelpers())

MODEL_NAMES = ("lite", "full")
DEFAULT_MODEL = "lite"


class ModelError(Exception):
    """The pose model cannot be found or loaded; the message is one line for the user."""


class UnknownModel(ModelError):
    """``--model`` names no model and no file: a mistake on the command line (exit 2)."""

    usage_mistake = True


def models_dir() -> Path:
    """Where the bundled ``.task`` models live: $FORMCHECK_MODELS or the repository's models/."""
    env = os.environ.get("FORMCHECK_MODELS")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[3] / "models"


def choose_model(requested: str | None, preferred: str | None) -> str:
    """The pose model for a run: the one asked for (``--model``), else the exercise's own
    (``ExerciseSpec.model``), else the default."""
    return requested or preferred or DEFAULT_MODEL


def resolve_model(model: str) -> Path:
    """Map ``lite``/``full`` to the bundled file, or accept a path to a ``.task`` file."""
    if model in MODEL_NAMES:
        path = models_dir() / f"pose_landmarker_{model}.task"
    else:
        path = Path(model)
    if not path.is_file():
        allowed = ", ".join(MODEL_NAMES)
        what = "is a folder, not a model file" if path.is_dir() else "not found"
        raise UnknownModel(f"pose model {what}: {path} (use --model {allowed} or a path to a .task file)")
    return path


@contextlib.contextmanager
def _quiet_native_logs() -> Iterator[None]:
    """Silence MediaPipe/LiteRT's native chatter on stderr (fd 2) around one call.

    The native library ignores GLOG/TF log-level variables (checked with mediapipe 1.2.3); it
    only prints when the landmarker is created, on its first frames and when it is closed.
    """
    sys.stderr.flush()
    try:
        saved = os.dup(2)
    except OSError:  # no real stderr (e.g. captured by a test runner): nothing to silence
        yield
        return
    try:
        with open(os.devnull, "wb") as devnull:
            os.dup2(devnull.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def _candidates(result) -> list[tuple[int, np.ndarray, np.ndarray]]:  # noqa: ANN001
    """(index, xy, visibility) of each complete pose in a landmarker result."""
    out = []
    for i, lms in enumerate(result.pose_landmarks or ()):
        if len(lms) != N_LANDMARKS:
            continue
        xy = np.array([(p.x, p.y) for p in lms], dtype=np.float64)
        vis = np.array([p.visibility if p.visibility is not None else 0.0 for p in lms])
        out.append((i, xy, vis))
    return out


def _pose(result, cand: tuple[int, np.ndarray, np.ndarray], t_ms: float, size: tuple[int, int]) -> Pose:  # noqa: ANN001
    i, xy, vis = cand
    world_lms = result.pose_world_landmarks[i] if result.pose_world_landmarks else None
    world = (
        np.array([(p.x, p.y, p.z) for p in world_lms], dtype=np.float64)
        if world_lms is not None and len(world_lms) == N_LANDMARKS
        else np.zeros((N_LANDMARKS, 3))
    )
    return Pose(xy=xy, visibility=vis, world=world, t_ms=t_ms, image_size=size)


def _direct_detect(landmarker):  # (a mediapipe PoseLandmarker) -> a function, or None
    """``landmarker.detect_for_video`` called from this thread, or None where this MediaPipe is not
    the one it was written for (1.2.x; then the public method is used).

    MediaPipe 1.2's Python API hands each native call to a thread of its own (its
    ``SerialDispatcher``, so that no two threads call the library at once) and waits for it: two
    calls a frame (the detection, then freeing its result), each a hand-off of the GIL to that
    thread and back. Replay's rules run on another thread meanwhile (sets.loop, ``overlap``) and
    hold the GIL in stretches of about a millisecond: a hand-off that falls in one waits for its
    end, and the pose model with it. Called here directly, the GIL is let go once, for the whole
    native call (ctypes releases it). The estimator is used by one thread at a time, as the
    dispatcher would have ensured, and its landmarkers are still created and closed through it.
    """
    try:
        import mediapipe

        if not str(getattr(mediapipe, "__version__", "")).startswith("1.2."):
            return None  # written against 1.2's internals: another release uses the public call
        from mediapipe.tasks.python.core import mediapipe_c_utils
        from mediapipe.tasks.python.vision import pose_landmarker

        raw = landmarker._lib._lib  # the ctypes library behind the dispatcher
        handle = landmarker._handle
        detect, close_result, free_error = (raw.MpPoseLandmarkerDetectForVideo, raw.MpPoseLandmarkerCloseResult,
                                            raw.MpErrorFree)
        result_c_type = pose_landmarker.MpPoseLandmarkerResultC
        from_ctypes = pose_landmarker.PoseLandmarkerResult.from_ctypes
        handle_status = mediapipe_c_utils.handle_status
    except (ImportError, AttributeError):
        return None
    # the signatures the dispatcher registered: (handle, image, options, ts, result*, error**) -> status
    if detect.argtypes is None or len(detect.argtypes) != 6 or detect.restype is not ctypes.c_int:
        return None

    def run(image, ts: int):  # (a mediapipe Image) -> a PoseLandmarkerResult
        result_c = result_c_type()
        error = ctypes.c_char_p()
        status = detect(handle, image._image_ptr, None, ts, ctypes.byref(result_c), ctypes.byref(error))
        try:
            handle_status(status, error)
        finally:
            if error.value is not None:
                free_error(error)
        try:
            return from_ctypes(result_c)
        finally:
            close_result(ctypes.byref(result_c))

    return run


# Estimators not closed yet. One left open (e.g. a Ctrl-C between its creation and the block that
# would close it) is closed at exit: MediaPipe's own __del__ ran during the interpreter's teardown,
# after the modules it needs were gone, and printed a traceback.
_OPEN: weakref.WeakSet[PoseEstimator] = weakref.WeakSet()


@atexit.register
def _close_left_open() -> None:
    for est in list(_OPEN):
        with contextlib.suppress(Exception):
            est.close()


QUIET_CALLS_MAX = 150  # a landmarker's first calls silenced while it has found nobody (5 s at 30 frames/s)


class PoseEstimator:
    """MediaPipe PoseLandmarker in VIDEO mode; use as a context manager so native resources close.

    ``detect(rgb, t_ms)`` must be called with increasing ``t_ms`` (video time, not wall clock).

    Two landmarkers share the work: one looking for up to ``num_poses`` people, used to choose
    the person at the start and to find them again, and a one-person landmarker that follows
    them frame to frame. MediaPipe runs its person detector on every frame while it tracks fewer
    people than ``num_poses``, so following with the one-person landmarker halves the cost
    (measured: 29 -> 55 frames/s, lite, 720p) in the usual case of one person in view.
    """

    def __init__(
        self,
        model: str = DEFAULT_MODEL,
        *,
        num_poses: int = 2,
        min_detection_confidence: float = 0.5,
        min_presence_confidence: float = 0.5,
        min_tracking_confidence: float = 0.5,
    ) -> None:
        self.model_path = resolve_model(model)
        self.model_name = model if model in MODEL_NAMES else str(self.model_path)
        self._confidences = (min_detection_confidence, min_presence_confidence, min_tracking_confidence)
        self._single = self._create(1)
        try:
            self._multi = self._create(num_poses) if num_poses > 1 else None
        except BaseException:  # (a Ctrl-C held through the load is raised as it returns)
            self.close()
            raise
        _OPEN.add(self)
        import mediapipe as mp  # after _create: its native library loads with telemetry blocked

        self._mp = mp
        self._last_ts: int | None = None
        self._calls: dict[int, int] = {}  # landmarker (id) -> calls so far
        self._found: set[int] = set()  # landmarkers that have found somebody
        self._settled: set[int] = set()  # ... and have run once more since: no more native warnings
        self._follower = Follower()
        self._direct = {id(lm): _direct_detect(lm) for lm in (self._single, self._multi) if lm is not None}

    def _create(self, num_poses: int):  # noqa: ANN202 (a mediapipe PoseLandmarker)
        det, pres, track = self._confidences
        # A Ctrl-C waits for MediaPipe's import and the model's load (well under a second) and is
        # raised then: inside the load it left a half-made landmarker whose __del__ printed a
        # traceback; inside the import (Python run from C), the process ended by SIGINT (-2)
        with _quiet_native_logs(), interrupts_held():  # the native library prints on load: loaded here, quietly
            from mediapipe.tasks.python.core.base_options import BaseOptions
            from mediapipe.tasks.python.vision import (
                PoseLandmarker,
                PoseLandmarkerOptions,
                RunningMode,
            )

            options = PoseLandmarkerOptions(
                base_options=BaseOptions(model_asset_path=str(self.model_path)),
                running_mode=RunningMode.VIDEO,
                num_poses=num_poses,
                min_pose_detection_confidence=det,
                min_pose_presence_confidence=pres,
                min_tracking_confidence=track,
            )
            try:
                return PoseLandmarker.create_from_options(options)
            except Exception as exc:  # mediapipe raises RuntimeError/ValueError with long text
                first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                raise ModelError(f"cannot load pose model {self.model_path}: {first}") from None

    def _run(self, landmarker, image, ts: int):  # noqa: ANN001, ANN202
        # MediaPipe prints native warnings on a landmarker's first frame and on the first frame
        # it finds somebody ("Using NORM_RECT without IMAGE_DIMENSIONS ..."), however late that
        # comes (1.3 s into the lower-body clip). Calls stay quiet until then and one call more,
        # but for QUIET_CALLS_MAX calls at most: silencing fd 2 hides every thread's messages, so
        # a long-empty room is not kept silent (the warning may then show once).
        key = id(landmarker)
        calls = self._calls.get(key, 0)
        self._calls[key] = calls + 1
        detect = self._direct.get(key) or landmarker.detect_for_video
        if key in self._settled or (key not in self._found and calls >= QUIET_CALLS_MAX):
            result = detect(image, ts)
        else:
            with _quiet_native_logs():
                result = detect(image, ts)
            if key in self._found:
                self._settled.add(key)
        if result.pose_landmarks:
            self._found.add(key)
        return result

    def prepare(self, rgb: np.ndarray):  # -> a mediapipe Image
        """The frame as MediaPipe's image (a copy, made without the GIL), for ``detect(..., image)``.

        Replay makes it on its main thread while the pose thread is still busy with the frame
        before (sets.loop, ``overlap``), so that thread goes from one detection straight to the
        next: made there, the copy (~0.3 ms at 720p) was on the pose model's path, and getting the
        GIL back after it collided with the rules starting on the main thread."""
        return self._mp.Image(image_format=self._mp.ImageFormat.SRGB, data=np.ascontiguousarray(rgb))

    def detect(self, rgb: np.ndarray, t_ms: float, image=None) -> Pose | None:  # (image: a mediapipe Image)
        """Landmarks of the coached person in this RGB frame, or None when nobody is seen
        (``image``: the frame already ``prepare``d)."""
        ts = int(round(t_ms))
        if self._last_ts is not None and ts <= self._last_ts:
            ts = self._last_ts + 1  # MediaPipe needs strictly increasing integer ms
        self._last_ts = ts
        if image is None:
            image = self.prepare(rgb)
        h, w = rgb.shape[:2]
        self._follower.expire(t_ms)
        if self._follower.following or self._multi is None:
            result = self._run(self._single, image, ts)
            cands = _candidates(result)
            if cands:
                box = outline(cands[0][1], cands[0][2])
                if self._multi is None or self._follower.matches(box):
                    self._follower.follow(box)
                    return _pose(result, cands[0], t_ms, (w, h))
            if self._multi is None:  # one-person mode: nobody in view
                return None
        # choose the person (start), or find the followed one again among everyone in view
        result = self._run(self._multi, image, ts)
        found = [(c, box) for c in _candidates(result) if self._follower.matches(box := outline(c[1], c[2]))]
        if not found:
            self._follower.missed(t_ms)
            return None
        best, box = found[self._follower.choose([b for _, b in found])]
        self._follower.follow(box)
        return _pose(result, best, t_ms, (w, h))

    def reset_tracking(self) -> None:
        """Forget the followed person (e.g. when a new set starts)."""
        self._follower.reset()

    def close(self) -> None:
        _OPEN.discard(self)
        self._direct = {}  # (their handles are freed below)
        for attr in ("_single", "_multi"):
            lm = getattr(self, attr, None)
            if lm is not None:
                setattr(self, attr, None)
                with _quiet_native_logs(), interrupts_held():  # a close cut short crashed at exit
                    lm.close()

    def __enter__(self) -> PoseEstimator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


__all__ = ["PoseEstimator", "ModelError", "choose_model", "resolve_model", "models_dir", "Landmark", "DEFAULT_MODEL"]
