"""``formcheck live``: coach a set (or a whole program) from the camera, or from a video file
played as if it were the camera.

Threads: the source captures in its own thread into a one-slot mailbox (``capture.py``); this
module's loop, on the main thread (HighGUI windows must live there), always takes the newest
frame, runs pose estimation and the analyzer on it with the frame's own timestamp, draws the
overlay and shows it; an optional writer thread encodes the annotated video. Lag never grows:
frames the loop cannot keep up with are dropped, as a real camera would. All counting time is
frame time, so ``--every-frame`` on a file gives exactly what ``formcheck replay`` gives.

Screens: before a set, guidance into position (camera) and a countdown during which nothing is
counted; "I can't see you" while tracking is lost; a summary at the end. Keys: space pause /
resume, r restart, q or Esc end, p pain (stop at once, advice shown), n next / s skip in a
program, f fullscreen. A window is optional (``--headless``); keys can be scripted by video time.
"""

from __future__ import annotations

import argparse
import os
import queue
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

# capture first: it loads OpenCV before PyAV, which an OpenCV window needs (see capture.py)
from .capture import (
    CameraError,  # noqa: F401 - re-exported
    CameraSource,
    Display,
    FileSource,
    HeadlessDisplay,
    KeySchedule,
    LiveError,
    LiveFrame,
    Source,
    WindowDisplay,
)
from .engine import GUIDE, Analyzer
from .overlay import Overlay, SessionSummary
from .replay import REPORT, TRACK, VIDEO, prepare_out_dir
from .report import ReportBuilder, write_report
from .results import FrameResult
from .spec import ExerciseSpec
from .track import TrackRecorder, save_track

MIN_CANVAS_H = 720  # draw at least at 720 lines so the text reads from 3 m; at most 1080
MAX_CANVAS_H = 1080
GUIDE_OK_S = 1.0  # camera: seen in a usable view this long before the countdown starts
TARGET_GRACE_S = 2.0  # after the target is reached the set ends this much later (the count shows)
SUMMARY_S = 10.0  # window: the summary stays this long unless a key is pressed
ADVICE_S = 30.0  # window: the pain advice stays this long unless a key is pressed

_T = {
    "da": {
        "get_ready": "Gør dig klar", "paused": "Pause", "resume": "Tryk mellemrum for at fortsætte",
        "target_reps": "Mål: {n} gentagelser", "target_holds": "Mål: {n} hold på {s:.0f} sekunder",
        "keys_start": "Mellemrum: start · s: spring over", "rest": "Hvil",
        "next": "næste øvelse: {name}", "keys_after_pain": "n: næste øvelse · q: afslut",
        "camera_lost": "Kameraet svarer ikke",
        "saved": "Det, du nåede, er gemt.", "lie_side": "Læg dig med siden til kameraet",
        "sit_side": "Sæt dig med siden til kameraet", "done": "Programmet er slut",
        "pain_title": "Stop denne øvelse",
        "pain": ("Du har meldt om smerter, så øvelsen er stoppet.",
                 "Lav den ikke mere i dag. Du kan prøve den igen om nogle dage.",
                 "Kontakt klinikken, hvis du har spørgsmål."),
    },
    "en": {
        "get_ready": "Get ready", "paused": "Paused", "resume": "Press space to continue",
        "target_reps": "Target: {n} repetitions", "target_holds": "Target: {n} holds of {s:.0f} seconds",
        "keys_start": "Space: start · s: skip", "rest": "Rest",
        "next": "next exercise: {name}", "keys_after_pain": "n: next exercise · q: end",
        "camera_lost": "The camera stopped",
        "saved": "What you did has been saved.", "lie_side": "Lie down with your side to the camera",
        "sit_side": "Sit with your side to the camera", "done": "The program is finished",
        "pain_title": "Stop this exercise",
        "pain": ("You reported pain, so the exercise has been stopped.",
                 "Do not do it again today. You can try it again in a few days.",
                 "Contact the clinic if you have any questions."),
    },
}
PAIN_NOTE = "patient reported pain (p key); exercise stopped at once"


# ----- drawing helpers ----------------------------------------------------------------------------


def canvas_size(size: tuple[int, int]) -> tuple[int, int]:
    """The size frames are drawn at: the source scaled to 720..1080 lines (even numbers)."""
    w, h = size
    target_h = min(max(h, MIN_CANVAS_H), MAX_CANVAS_H)
    s = target_h / h
    return int(round(w * s / 2) * 2), int(round(h * s / 2) * 2)


def to_canvas(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """A new RGB image at ``size`` (the overlay draws in place: never on the source frame)."""
    import cv2

    if (image.shape[1], image.shape[0]) == size:
        return image.copy()
    return cv2.resize(image, size, interpolation=cv2.INTER_LINEAR)


def blank_canvas(size: tuple[int, int]) -> np.ndarray:
    w, h = size
    img = np.empty((h, w, 3), np.uint8)
    img[:] = (30, 36, 44)
    return img


def view_hint(spec: ExerciseSpec, lang: str) -> str:
    """How to stand (or lie) toward the camera for this exercise's preferred view."""
    view = spec.views[0]
    if view == "front":
        return GUIDE["face_camera"].text(lang)
    if spec.posture == "lying":
        return _T[lang]["lie_side"]
    if spec.posture == "seated":
        return _T[lang]["sit_side"]
    return GUIDE["turn_sideways"].text(lang)


def exercise_name(spec: ExerciseSpec, lang: str) -> str:
    return spec.name.da if lang == "da" else spec.name.en


def summary_from_report(spec: ExerciseSpec, report: dict[str, Any], lang: str) -> SessionSummary:
    """The end screen's figures, with the most frequent fault as one tip in the patient's words."""
    cues: dict[str, str] = {r.id: (r.cue.da if lang == "da" else r.cue.en) for r in spec.rules}
    if spec.count is not None and spec.count.shallow_cue is not None:
        sc = spec.count.shallow_cue
        cues[spec.count.shallow_fault] = sc.da if lang == "da" else sc.en
    if "not_still" in GUIDE:
        cues.setdefault("not_still", GUIDE["not_still"].text(lang))
    tally: Counter[str] = Counter(f["id"] for f in report["faults"] if f["id"] in cues)
    tally.update(p["reason"] for p in report["partials"] if p["reason"] in cues)
    top = cues[tally.most_common(1)[0][0]] if tally else None
    holds = [(h["side"], float(h["held_s"]), float(h["target_s"])) for h in report["holds"]]
    return SessionSummary(exercise_name(spec, lang), int(report["reps"]), report["target"],
                          len(report["partials"]), holds, top, bool(report.get("pain_stop")))


# ----- statistics ------------------------------------------------------------------------------------


@dataclass
class LiveStats:
    """Throughput and latency of one set: grab time (capture) to annotated frame ready / shown."""

    processed: int = 0  # frames analysed and drawn
    first_grab_s: float | None = None
    last_grab_s: float | None = None
    ready_ms: list[float] = field(default_factory=list)
    shown_ms: list[float] = field(default_factory=list)
    wall_s: float = 0.0
    cpu_s: float = 0.0
    dropped: int = 0
    delivered: int = 0
    video_dropped: int = 0

    def add(self, frame: LiveFrame, ready_s: float, shown_s: float) -> None:
        self.processed += 1
        if self.first_grab_s is None:
            self.first_grab_s = frame.grab_s
        self.last_grab_s = frame.grab_s
        self.ready_ms.append((ready_s - frame.grab_s) * 1000.0)
        self.shown_ms.append((shown_s - frame.grab_s) * 1000.0)

    @property
    def fps(self) -> float:
        if self.processed < 2 or self.first_grab_s is None or self.last_grab_s is None:
            return 0.0
        span = self.last_grab_s - self.first_grab_s
        return (self.processed - 1) / span if span > 0 else 0.0

    def pct(self, which: str, q: float) -> float | None:
        vals = self.ready_ms if which == "ready" else self.shown_ms
        return float(np.percentile(vals, q)) if vals else None

    def as_dict(self) -> dict[str, Any]:
        r = lambda v: None if v is None else round(v, 1)  # noqa: E731
        return {
            "frames_processed": self.processed, "frames_dropped": self.dropped,
            "frames_delivered": self.delivered, "processed_fps": round(self.fps, 2),
            "latency_ms": {"p50": r(self.pct("shown", 50)), "p95": r(self.pct("shown", 95)),
                           "max": r(max(self.shown_ms) if self.shown_ms else None)},
            "cpu_cores": round(self.cpu_s / self.wall_s, 2) if self.wall_s > 0 else None,
            "video_frames_dropped": self.video_dropped,
        }

    def line(self) -> str:
        lat = self.as_dict()["latency_ms"]
        return (f"live: {self.processed} frames at {self.fps:.1f} fps, {self.dropped} dropped, latency "
                f"p50 {lat['p50']} ms / p95 {lat['p95']} ms, CPU {self.cpu_s / max(self.wall_s, 1e-9):.2f} cores")


class AsyncVideoWriter:
    """Encodes the annotated video in its own thread so encoding never delays the display.

    At camera pace, if the encoder falls a second behind, frames are left out of the video
    (counted), never queued without bound; with ``wait`` (``--every-frame``) nothing is left out
    and the loop waits for the encoder instead.
    """

    def __init__(self, path: Path, size: tuple[int, int], fps: float, *, wait: bool = False) -> None:
        from .video import VideoWriter

        self._writer = VideoWriter(path, size, fps)
        self._q: queue.Queue[tuple[np.ndarray, float] | None] = queue.Queue(maxsize=max(8, int(fps)))
        self.dropped = 0
        self.wait = wait
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="live-writer", daemon=True)
        self._thread.start()

    def write(self, image: np.ndarray, t_ms: float) -> None:
        try:
            self._q.put((image, t_ms), block=self.wait)
        except queue.Full:
            self.dropped += 1

    def _run(self) -> None:
        while True:
            item = self._q.get()
            if item is None:
                return
            if self.error is None:
                try:
                    self._writer.write(*item)
                except BaseException as exc:  # reported by close(); the set goes on
                    self.error = exc

    def close(self, keep: bool = True) -> None:
        self._q.put(None)
        self._thread.join()
        if keep and self.error is None:
            self._writer.close()
        else:
            self._writer.abort()
        if self.error is not None:
            raise self.error


# ----- one set -----------------------------------------------------------------------------------------


@dataclass
class LiveOptions:
    model: str = "lite"
    lang: str = "da"
    countdown_s: float = 3.0
    save_video: bool = False
    end_at_target: bool = True
    program_keys: bool = False  # n / s do something (program mode)


@dataclass
class SetPlan:
    spec: ExerciseSpec
    out_dir: Path
    target: int | None = None
    config: dict[str, Any] | None = None
    program: dict[str, Any] | None = None


@dataclass
class SetOutcome:
    report: dict[str, Any]
    out_dir: Path
    ended_by: str  # end_of_video, quit, next, skip, pain, target, source_error, interrupted
    stats: LiveStats
    counted: bool  # some frames were analysed after the countdown
    error: str | None = None  # the source's trouble, one line
    last_canvas: np.ndarray | None = None


def _default_detector(model: str) -> Callable[[], Any]:
    def make() -> Any:
        from .estimator import PoseEstimator

        return PoseEstimator(model)

    return make


class _SetRun:
    """The state of one set while it runs (kept apart from run_set for readability)."""

    def __init__(self, plan: SetPlan, source: Source, opts: LiveOptions, model_name: str) -> None:
        self.plan, self.source, self.opts = plan, source, opts
        self.spec = plan.spec
        self.analyzer = Analyzer(self.spec, plan.target)
        self.model_name = model_name
        self.notes: list[str] = []  # carried into each fresh report (e.g. a restart)
        self.builder, self.recorder = self.fresh()
        self.mode = "guide" if source.live else "active"
        self.countdown_end: float | None = None
        self.ok_since: float | None = None
        self.target_end: float | None = None
        self.t0: float | None = None  # camera: the set's time starts at its first frame
        self.last_t_ms = 0.0

    def fresh(self) -> tuple[ReportBuilder, TrackRecorder]:
        """A new report and track: counting (re)starts from here."""
        builder = ReportBuilder(self.spec, target=self.analyzer.target, source=self.source.name,
                                model=self.model_name, mode="live", config=self.plan.config)
        builder.notes.extend(self.notes)
        meta = {"video": self.source.name, "model": self.model_name, "fps": self.source.fps, "mode": "live"}
        return builder, TrackRecorder(self.source.size, meta)

    def start_countdown(self, t_s: float) -> None:
        self.mode = "countdown"
        self.countdown_end = t_s + self.opts.countdown_s

    def restart(self, t_s: float, detector: Any) -> None:
        """The r key: everything counted so far is dropped and the countdown runs again."""
        self.analyzer.restart()
        if hasattr(detector, "reset_tracking"):
            detector.reset_tracking()
        self.notes.append(f"restarted (r key) at {t_s:.1f} s: what was counted before is not in this report")
        self.builder, self.recorder = self.fresh()
        self.target_end = None
        self.start_countdown(t_s)

    def reached_target(self, r: FrameResult) -> bool:
        target = self.analyzer.target
        done = r.reps if self.spec.kind == "reps" else r.holds_done
        return bool(target) and done >= target


def run_set(plan: SetPlan, source: Source, display: Display, opts: LiveOptions,
            detector_factory: Callable[[], Any] | None = None) -> SetOutcome:
    """Run one set from ``source`` until the end of it, a key, pain or the target.

    Writes ``report.json`` (and ``track.npz``, and with ``save_video`` ``annotated.mp4``) into
    ``plan.out_dir``, and returns the outcome. Screens after the set are the caller's.
    """
    spec = plan.spec
    lang = opts.lang
    txt = _T[lang]
    make_detector = detector_factory or _default_detector(opts.model)
    detector = make_detector()  # load the model first: a file must not start playing meanwhile
    source.start()
    model_name = getattr(detector, "model_name", opts.model)
    run = _SetRun(plan, source, opts, model_name)
    overlay = Overlay(exercise_name(spec, lang), lang=lang, kind=spec.kind)
    size = canvas_size(source.size)
    writer = None
    if opts.save_video:
        every_frame = not source.live and not getattr(source, "paced", True)
        writer = AsyncVideoWriter(plan.out_dir / VIDEO, size, source.fps, wait=every_frame)
    stats = LiveStats()
    hint = view_hint(spec, lang)
    dropped0, delivered0 = source.dropped, getattr(source, "delivered", 0)
    wall0, cpu0 = time.monotonic(), time.process_time()
    ended_by, pain_t = "end_of_video", None
    last_image: np.ndarray | None = None  # the last camera picture, undrawn (summary background)
    frame: LiveFrame | None = None
    try:
        while True:
            frame = source.get(timeout=0.05)
            if frame is None:
                if source.finished:
                    ended_by = "source_error" if source.error else "end_of_video"
                    break
                key = display.poll_key(None)
                if key in ("q", "p"):
                    ended_by, pain_t = ("quit", None) if key == "q" else ("pain", run.last_t_ms)
                    break
                continue
            if run.t0 is None:
                run.t0 = frame.t_ms if source.live else 0.0
            t_ms = frame.t_ms - run.t0
            t_s = t_ms / 1000.0
            canvas = to_canvas(frame.image, size)
            if frame.preroll:  # a file's frozen first frame under the start countdown
                overlay.draw_countdown(canvas, -t_s, hint)
                result = None
            elif run.mode == "paused":
                result = run.analyzer.update(t_ms, None)  # as if unseen: a rep in progress is dropped
                run.builder.add(result)
                run.recorder.add(t_ms, None)
                overlay.draw_message(canvas, txt["paused"], [txt["resume"]])
            else:
                pose = detector.detect(frame.image, t_ms)
                result = run.analyzer.update(t_ms, pose)
                if run.mode == "active":
                    run.builder.add(result)
                    run.recorder.add(t_ms, pose)
                    overlay.annotate(canvas, result)
                    if opts.end_at_target and run.target_end is None and run.reached_target(result):
                        run.target_end = t_s + TARGET_GRACE_S
                else:
                    overlay.annotate(canvas, result)
                    if run.mode == "guide":
                        usable = (result.status.value != "no_person"
                                  and (result.view is None or result.view in spec.views))
                        run.ok_since = (run.ok_since if run.ok_since is not None else t_s) if usable else None
                        if run.ok_since is not None and t_s - run.ok_since >= GUIDE_OK_S:
                            run.start_countdown(t_s)
                    if run.mode == "countdown":
                        assert run.countdown_end is not None
                        left = run.countdown_end - t_s
                        if left > 0:
                            overlay.draw_countdown(canvas, left, hint)
                        else:  # counting starts now, from a clean slate
                            run.analyzer.restart()
                            run.builder, run.recorder = run.fresh()
                            run.mode = "active"
            ready_s = time.monotonic()
            display.show(canvas)
            key = display.poll_key(t_s)
            stats.add(frame, ready_s, time.monotonic())
            if writer is not None and t_ms >= 0:
                writer.write(canvas, t_ms)
            last_image = frame.image
            run.last_t_ms = max(t_ms, 0.0)
            if key == "space":
                if run.mode == "guide":
                    run.start_countdown(t_s)
                elif run.mode in ("active", "paused") and not frame.preroll:
                    run.mode = "paused" if run.mode == "active" else "active"
            elif key == "r" and not frame.preroll:
                run.restart(t_s, detector)
            elif key == "f":
                display.toggle_fullscreen()
            elif key in ("q", "p") or (key in ("n", "s") and opts.program_keys):
                ended_by = {"q": "quit", "p": "pain", "n": "next", "s": "skip"}[key]
                pain_t = run.last_t_ms if key == "p" else None
                break
            if run.target_end is not None and t_s >= run.target_end:
                ended_by = "target"
                break
    except KeyboardInterrupt:
        ended_by = "interrupted"
    finally:
        close = getattr(detector, "close", None)
        if close is not None:
            close()
    stats.wall_s, stats.cpu_s = time.monotonic() - wall0, time.process_time() - cpu0
    stats.dropped = source.dropped - dropped0
    stats.delivered = getattr(source, "delivered", 0) - delivered0
    last_canvas = to_canvas(last_image, size) if last_image is not None else None
    return _finish_set(run, ended_by, pain_t, stats, writer, last_canvas)


def _finish_set(run: _SetRun, ended_by: str, pain_t_ms: float | None, stats: LiveStats,
                writer: AsyncVideoWriter | None, last_canvas: np.ndarray | None) -> SetOutcome:
    """Close what is open, write the outputs (report last: its presence marks a finished set)."""
    plan, source, builder = run.plan, run.source, run.builder
    counted = run.mode in ("active", "paused") and builder.frames > 0
    end_ms = builder.last_t_ms if builder.last_t_ms is not None else run.last_t_ms
    if counted:
        builder.add(run.analyzer.finish(end_ms), counted_frame=False)
    error = source.error if ended_by in ("source_error", "end_of_video") else None
    if error:
        builder.notes.append(f"{error}; the set was saved up to {run.last_t_ms / 1000:.1f} s")
    if ended_by == "pain":
        builder.pain_stop = {"t_s": round((pain_t_ms or 0.0) / 1000.0, 3), "note": PAIN_NOTE}
    if not counted:
        builder.notes.append("the set ended before counting started")
    if ended_by == "interrupted":
        builder.notes.append("interrupted (Ctrl-C); saved what was done")
    video_ok = writer is not None
    if writer is not None:
        try:
            writer.close(keep=True)
        except Exception as exc:  # the report matters more than the video: keep going
            video_ok = False
            builder.notes.append(f"the annotated video could not be written: {exc}")
        stats.video_dropped = writer.dropped
        if writer.dropped:
            builder.notes.append(f"{writer.dropped} frames were left out of the annotated video (encoder too slow)")
    save_track(run.recorder.track(), plan.out_dir / TRACK)
    report = builder.build(run.analyzer.pauses if counted else [])
    report["truncated"] = bool(getattr(source, "truncated", False))
    report["fps"] = round(source.fps, 3)
    report["size"] = list(source.size)
    report["outputs"] = {"video": VIDEO if video_ok else None, "track": TRACK}
    report["ended_by"] = ended_by
    report["live"] = {"source": "camera" if source.live else "file",
                      "every_frame": not getattr(source, "paced", True), **stats.as_dict()}
    if plan.program is not None:
        report["program"] = plan.program
    write_report(report, plan.out_dir / REPORT)
    return SetOutcome(report, plan.out_dir, ended_by, stats, counted, error, last_canvas)


# ----- screens between sets -----------------------------------------------------------------------------


class Screens:
    """Full-window screens (instructions, summary, pain advice, rest) drawn on the camera picture
    when there is one, else on a plain background. Headless: skipped at once."""

    def __init__(self, display: Display, size: tuple[int, int], source: Source | None) -> None:
        self.display, self.size, self.source = display, size, source
        self.still: np.ndarray | None = None

    def background(self) -> np.ndarray:
        if self.source is not None and self.source.live:
            frame = self.source.get(timeout=0.03)
            if frame is not None:
                self.still = to_canvas(frame.image, self.size)
        return self.still.copy() if self.still is not None else blank_canvas(self.size)

    def show(self, draw: Callable[[np.ndarray, float], None], seconds: float, accept: Iterable[str]) -> str | None:
        """Show until ``seconds`` pass or an accepted key; returns the key (None on timeout)."""
        if self.display.headless or seconds <= 0:
            return None
        accept = set(accept) | {"q"}
        end = time.monotonic() + seconds
        while (left := end - time.monotonic()) > 0:
            img = self.background()
            draw(img, left)
            self.display.show(img)
            key = self.display.poll_key(None, wait_ms=30)
            if key == "f":
                self.display.toggle_fullscreen()
            elif key in accept:
                return key
        return None


def show_after_set(screens: Screens, outcome: SetOutcome, spec: ExerciseSpec, lang: str,
                   pain_advice: tuple[str, tuple[str, ...]] | None = None, program: bool = False) -> str | None:
    """The summary, or after a pain stop the advice (nothing there suggests carrying on; in a
    program only an explicit n goes on to the next exercise)."""
    txt = _T[lang]
    overlay = Overlay(exercise_name(spec, lang), lang=lang, kind=spec.kind)
    if outcome.last_canvas is not None:
        screens.still = outcome.last_canvas
    if outcome.ended_by == "pain":
        title, lines = pain_advice or (txt["pain_title"], txt["pain"])
        shown = [*lines, txt["keys_after_pain"]] if program else list(lines)
        return screens.show(lambda img, _: overlay.draw_message(img, title, shown), ADVICE_S, ("n",))
    summary = summary_from_report(spec, outcome.report, lang)
    if outcome.error:
        def draw(img: np.ndarray, _: float) -> None:
            overlay.draw_message(img, txt["camera_lost"], [outcome.error or "", txt["saved"]])
        return screens.show(draw, SUMMARY_S, ("space", "n", "s"))
    return screens.show(lambda img, _: overlay.draw_summary(img, summary), SUMMARY_S, ("space", "n", "s"))


# ----- the CLI layer -------------------------------------------------------------------------------------


def data_dir(explicit: str | None) -> Path:
    try:
        from .history import data_dir as history_dir
    except ImportError:
        import platformdirs

        if explicit:
            return Path(explicit)
        env = os.environ.get("FORMCHECK_DATA_DIR")
        return Path(env) if env else Path(platformdirs.user_data_dir("formcheck", appauthor=False))
    return history_dir(explicit)


def new_session_dir(root: Path, name: str) -> Path:
    """A new timestamped folder under ``root`` (never an existing one)."""
    base = root / f"{datetime.now().strftime('%Y-%m-%d_%H%M%S')}_{name}"
    cand, n = base, 2
    while cand.exists():
        cand, n = base.with_name(f"{base.name}_{n}"), n + 1
    return cand


def print_outcome(spec: ExerciseSpec, outcome: SetOutcome) -> None:
    rep = outcome.report
    if outcome.ended_by == "pain":
        print(f"{spec.name.en}: stopped for pain at {rep['pain_stop']['t_s']:.1f} s after {rep['reps']} repetitions")
    elif spec.kind == "reps":
        print(f"{spec.name.en}: {rep['reps']} / {rep['target']} repetitions, {len(rep['partials'])} partial")
    else:
        held = ", ".join(f"{h['side'] or ''} {h['held_s']:.0f}/{h['target_s']:.0f} s".strip()
                         for h in rep["holds"]) or "none"
        print(f"{spec.name.en}: holds {held}")
    if rep["fault_counts"]:
        print("faults: " + ", ".join(f"{k} x{v}" for k, v in rep["fault_counts"].items()))
    print(f"wrote {outcome.out_dir}")


def record(outcome: SetOutcome, args: argparse.Namespace) -> None:
    """Store the set in the history (when the module exists): sets that counted, and every pain stop."""
    if getattr(args, "no_history", False) or not (outcome.counted or outcome.ended_by == "pain"):
        return
    try:
        from .history import record_report
    except ImportError:
        return
    try:
        record_report(outcome.report, data_dir=getattr(args, "data_dir", None))
    except Exception as exc:  # the report is already on disk: warn, do not lose the set
        print(f"formcheck: warning: the set was not added to the history: {exc}", file=sys.stderr)


class _Runner:
    """Opens the source and display for ``cmd_live`` and runs sets on them."""

    def __init__(self, args: argparse.Namespace, opts: LiveOptions, keys: KeySchedule,
                 open_camera: Callable[[int], Any] | None = None,
                 detector_factory: Callable[[], Any] | None = None) -> None:
        self.args, self.opts, self.keys = args, opts, keys
        self.detector_factory = detector_factory
        self.camera: CameraSource | None = None
        if args.source is None:
            self.camera = CameraSource(args.camera, open_capture=open_camera)
            self.camera.start()
            size, self.title = self.camera.size, f"formcheck - camera {args.camera}"
        else:
            probe = FileSource(args.source, paced=False)  # a bad file fails here, before any window
            size, self.title = probe.size, f"formcheck - {Path(args.source).name}"
            probe.stop()
        self.size = canvas_size(size)
        self.display: Display = (HeadlessDisplay(keys) if args.headless
                                 else WindowDisplay(self.title, self.size, fullscreen=args.fullscreen, keys=keys))
        self.screens = Screens(self.display, self.size, self.camera)

    def source(self) -> Source:
        if self.camera is not None:
            return self.camera
        return FileSource(self.args.source, paced=not self.args.every_frame, preroll_s=self.opts.countdown_s)

    def run(self, plan: SetPlan) -> SetOutcome:
        src = self.source()
        try:
            return run_set(plan, src, self.display, self.opts, self.detector_factory)
        finally:
            if src is not self.camera:
                src.stop()

    def close(self) -> None:
        if self.camera is not None:
            self.camera.stop()
        self.display.close()


def cmd_live(args: argparse.Namespace, *, open_camera: Callable[[int], Any] | None = None,
             detector_factory: Callable[[], Any] | None = None) -> int:
    _check_args(args)
    keys = KeySchedule.parse(args.keys)
    if detector_factory is None:
        from .estimator import resolve_model

        resolve_model(args.model)  # a missing model fails before the camera opens
    opts = LiveOptions(model=args.model, lang=args.lang, save_video=args.save_video,
                       countdown_s=args.countdown if args.countdown is not None else 3.0,
                       program_keys=bool(args.program))
    runner = _Runner(args, opts, keys, open_camera, detector_factory)  # CameraError: one line, exit 1
    try:
        if args.program:
            return _run_program(args, runner)
        return _run_single(args, runner)
    finally:
        runner.close()


def _check_args(args: argparse.Namespace) -> None:
    if bool(args.program) == bool(args.exercise):
        raise LiveError("give either --exercise ID or --program NAME")
    if args.every_frame and args.source is None:
        raise LiveError("--every-frame needs --source VIDEO (a camera cannot wait for the analysis)")
    if args.program and args.target is not None:
        raise LiveError("--target is for one exercise; a program sets its targets from the history")
    if not args.program and (args.session or args.only):
        raise LiveError("--session and --only need --program")
    if args.source is not None and not Path(args.source).exists():
        raise LiveError(f"video not found: {args.source}")


def _exit_code(outcome: SetOutcome) -> int:
    """Non-zero only when nothing could be done at all because of the source."""
    if outcome.error and not outcome.counted:
        return 1
    return 0


def _report_trouble(outcome: SetOutcome) -> None:
    if outcome.error:
        done = "saved what was done" if outcome.counted else "nothing was counted"
        print(f"formcheck: {'error' if not outcome.counted else 'warning'}: {outcome.error} "
              f"after {outcome.report['duration_s']:.1f} s; {done} ({outcome.out_dir})", file=sys.stderr)


def _run_single(args: argparse.Namespace, runner: _Runner) -> int:
    from .cli import _load_spec

    spec, config, target = _load_spec(args)
    out = Path(args.out) if args.out else new_session_dir(data_dir(args.data_dir) / "sessions", spec.id)
    out = prepare_out_dir(out, Path(args.source) if args.source else Path(os.devnull))
    outcome = runner.run(SetPlan(spec, out, target, config))
    _report_trouble(outcome)
    record(outcome, args)
    print_outcome(spec, outcome)
    if args.stats:
        print(outcome.stats.line())
    if outcome.ended_by != "interrupted":
        show_after_set(runner.screens, outcome, spec, args.lang)
    if outcome.ended_by == "interrupted":
        raise KeyboardInterrupt
    return _exit_code(outcome)


def _run_program(args: argparse.Namespace, runner: _Runner) -> int:
    from .program import load_history, load_program, session_targets
    from .spec import SpecError, load_exercise

    program = load_program(args.program)
    only = [s.strip() for s in args.only.split(",") if s.strip()] if args.only else None
    entries = program.select(args.session, only)
    specs, missing = {}, []
    for e in entries:
        try:
            specs[e.id] = load_exercise(e.id)
        except SpecError as exc:
            missing.append(str(exc).splitlines()[0])
    if missing:
        raise SpecError("cannot run the program: " + "; ".join(missing))
    profile = None
    if args.profile:
        from .profile import apply_profile, load_profile

        profile = load_profile(Path(args.profile))
    try:
        history = load_history(args.data_dir)
    except Exception as exc:  # no history: start from the program's starting targets
        print(f"formcheck: warning: history not read ({exc}); using the starting targets", file=sys.stderr)
        history = []
    targets = session_targets(program, entries, history)
    lang = args.lang
    txt = _T[lang]
    advice = (program.advice.pain_title.da if lang == "da" else program.advice.pain_title.en,
              program.advice.pain.get(lang))
    runner.opts.countdown_s = args.countdown if args.countdown is not None else program.countdown_s
    session_id = datetime.now().strftime("%Y-%m-%d_%H%M%S")
    root = Path(args.out) if args.out else new_session_dir(data_dir(args.data_dir) / "sessions", program.name)
    code = 0
    for i, entry in enumerate(entries):
        spec = specs[entry.id]
        config = None
        if profile is not None:
            spec, _ = apply_profile(spec, profile)  # the program decides the target
            config = spec.model_dump(mode="json")
        target = targets[entry.id]
        key = _instructions(runner.screens, spec, target, lang, f"{i + 1}/{len(entries)}", program.instructions_s)
        if key == "q":
            break
        if key == "s":
            print(f"{spec.name.en}: skipped")
            continue
        out = prepare_out_dir(root / f"{i + 1:02d}_{spec.id}", Path(args.source) if args.source else Path(os.devnull))
        info = {"name": program.name, "session": args.session or "all", "session_id": session_id,
                "index": i + 1, "of": len(entries), "step": entry.step}
        outcome = runner.run(SetPlan(spec, out, target, config, info))
        _report_trouble(outcome)
        if outcome.ended_by == "skip" and not (outcome.report["reps"] or outcome.report["holds"]):
            print(f"{spec.name.en}: skipped")
        else:
            record(outcome, args)
            print_outcome(spec, outcome)
        if args.stats:
            print(outcome.stats.line())
        if outcome.ended_by == "interrupted":
            raise KeyboardInterrupt
        after = show_after_set(runner.screens, outcome, spec, lang, advice, program=True)
        if outcome.error and runner.camera is not None:
            code = _exit_code(outcome)
            break
        if outcome.ended_by == "quit" or after == "q":
            break
        if outcome.ended_by == "pain" and after != "n":  # the session goes on only if the patient says so
            print("session ended after the pain stop")
            break
        if i + 1 < len(entries):
            nxt = specs[entries[i + 1].id]
            rest = entry.rest_s if entry.rest_s is not None else program.rest_s
            if _rest(runner.screens, nxt, lang, rest) == "q":
                break
    else:
        runner.screens.show(lambda img, _: Overlay(program.title.en, lang=lang).draw_message(
            img, txt["done"], [program.title.da if lang == "da" else program.title.en]), 5.0, ("space",))
    if root.exists():
        print(f"wrote {root}")
    return code


def _instructions(screens: Screens, spec: ExerciseSpec, target: int, lang: str, where: str,
                  seconds: float) -> str | None:
    txt = _T[lang]
    overlay = Overlay(exercise_name(spec, lang), lang=lang, kind=spec.kind)
    if spec.kind == "hold" and spec.hold is not None:
        goal = txt["target_holds"].format(n=target, s=spec.hold.target_s)
    else:
        goal = txt["target_reps"].format(n=target)
    lines = [*spec.instructions[lang], view_hint(spec, lang), goal, txt["keys_start"]]
    title = f"{where}  {exercise_name(spec, lang)}"
    return screens.show(lambda img, _: overlay.draw_message(img, title, lines), seconds, ("space", "n", "s"))


def _rest(screens: Screens, nxt: ExerciseSpec, lang: str, seconds: float) -> str | None:
    txt = _T[lang]
    overlay = Overlay(exercise_name(nxt, lang), lang=lang, kind=nxt.kind)
    hint = f"{txt['rest']} · " + txt["next"].format(name=exercise_name(nxt, lang))
    return screens.show(lambda img, left: overlay.draw_countdown(img, left, hint), seconds, ("space", "n", "s"))


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("live", help="coach a set (or a program) live from the camera or a video file")
    what = p.add_mutually_exclusive_group()
    what.add_argument("--exercise", "-e", help="exercise id, e.g. squat")
    what.add_argument("--program", help="run a program exercise by exercise, e.g. home_program")
    p.add_argument("--session", help="program: one named session of the program (e.g. lying, upright)")
    p.add_argument("--only", help="program: only these exercise ids, comma separated")
    p.add_argument("--target", type=int, help="target repetitions (default: the exercise's)")
    src = p.add_mutually_exclusive_group()
    src.add_argument("--camera", type=int, default=0, help="camera index (default 0)")
    src.add_argument("--source", help="play a video file as if it were the camera")
    p.add_argument("--lang", choices=("da", "en"), default="da", help="language of the screen (default da)")
    p.add_argument("--model", default="lite", help="pose model: lite (default), full, or a .task file")
    p.add_argument("--headless", action="store_true", help="no window (tests, CI)")
    p.add_argument("--every-frame", action="store_true",
                   help="with --source: analyse every frame (no drops, no pacing)")
    p.add_argument("--out", "-o", help="output folder (default: a new folder under the data folder's sessions/)")
    p.add_argument("--save-video", action="store_true", help="also write the annotated video")
    p.add_argument("--profile", help="patient profile TOML overriding thresholds and targets")
    p.add_argument("--data-dir",
                   help="history and sessions folder (default: the user data folder, or $FORMCHECK_DATA_DIR)")
    p.add_argument("--no-history", action="store_true", help="do not store the sets in the history")
    p.add_argument("--countdown", type=float, help="seconds of countdown before a set (default 3)")
    p.add_argument("--fullscreen", action="store_true", help="start the window full screen (f toggles)")
    p.add_argument("--stats", action="store_true", help="print frames per second, drops, latency and CPU use")
    p.add_argument("--keys", help=argparse.SUPPRESS)  # testing: scripted keys by video time, "5.0:p,7:r"
    p.set_defaults(func=cmd_live)
