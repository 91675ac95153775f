"""Test factories: build a ``Pose`` from a few joint angles, and scripted pose streams.

A small, documented API that any test may import:

``make_pose(knee=0, trunk=None, heel_lift=0, *, view="side", ...) -> Pose``
    A standing person drawn from joint angles, so a test can say "knees bent 90 degrees"
    instead of listing 33 landmarks. Side view: the camera sees the subject's left side and the
    subject faces right (+x). Front view: the subject faces the camera.

``script(keyframes, fps, *, noise_px=0, seed=0, dropouts=(), **fixed) -> list[(t_ms, Pose | None)]``
    Poses at ``fps`` from keyframes ``[(t_s, {"knee": 0}), (1.2, {"knee": 100}), ...]``, each
    pose parameter interpolated linearly between keyframes (held after the last one), with
    optional Gaussian landmark jitter (pixels) and dropouts (time windows with no pose).

``squat_keys(reps, depth=100, down_s=1.2, up_s=1.0, ...)`` and ``run(analyzer, frames)`` are
small conveniences for the common case.

Geometry (pixels, image 640x480 unless given): thigh and shin 100 px, torso 120 px, foot
55 px. The numbers the signals read back are exact for ``knee`` (2-D knee flexion in the side
view), ``trunk`` (lean from vertical) and ``heel_lift`` (heel above the toes in foot lengths).
"""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterable

import av
import numpy as np

from formcheck.core.pose import N_LANDMARKS, Pose
from formcheck.core.pose import Landmark as L
from formcheck.media.track import Track, load_track
from formcheck.sets.replay import ReplayOptions, replay
from formcheck.spec.exercise import load_exercise

THIGH = SHIN = 100.0
TORSO = 120.0
FOOT = 55.0
NEAR_VIS, FAR_VIS = 0.95, 0.8  # side view: the far side is seen less well

PARAMS = ("knee", "trunk", "heel_lift", "hip_forward", "knees_in", "head", "offset_px", "shin_share")


def _up(deg: float, length: float) -> np.ndarray:
    """A segment ``length`` long leaning ``deg`` degrees forward (+x) from straight up (y up)."""
    a = math.radians(deg)
    return np.array([math.sin(a), math.cos(a)]) * length


def _rot(v: np.ndarray, deg: float) -> np.ndarray:
    """``v`` turned ``deg`` degrees counter-clockwise (x forward, y up)."""
    a = math.radians(deg)
    return np.array([v[0] * math.cos(a) - v[1] * math.sin(a), v[0] * math.sin(a) + v[1] * math.cos(a)])


def _leg(knee: float, heel_lift: float, shin_share: float) -> dict[str, np.ndarray]:
    """One leg in the sagittal plane, y up, the toes' pivot at x=0 on the floor (y=0)."""
    theta = math.asin(max(-0.9, min(0.9, heel_lift)))
    along = np.array([math.cos(theta), -math.sin(theta)])  # heel -> toe
    normal = np.array([math.sin(theta), math.cos(theta)])  # up from the sole
    if theta >= 0:  # on the toes (or flat): the toe tip stays put
        toe = np.array([0.0, 0.0])
        heel = toe - FOOT * along
    else:  # on the heels: the heel stays put
        heel = np.array([-FOOT, 0.0])
        toe = heel + FOOT * along
    ankle = heel + 0.3 * FOOT * along + 0.35 * FOOT * normal
    shin_lean = shin_share * knee
    knee_p = ankle + _up(shin_lean, SHIN)
    hip = knee_p + _up(shin_lean - knee, THIGH)
    return {"toe": toe, "heel": heel, "ankle": ankle, "knee": knee_p, "hip": hip}


def make_pose(
    knee: float = 0.0,
    trunk: float | None = None,
    heel_lift: float = 0.0,
    *,
    view: str = "side",
    hip_forward: float = 0.0,
    knees_in: float = 0.0,
    head: float = 0.0,
    offset_px: float = 0.0,
    shin_share: float = 0.45,
    t_ms: float = 0.0,
    visibility: float | None = None,
    hidden: Iterable[L] = (),
    image_size: tuple[int, int] = (640, 480),
) -> Pose:
    """A person standing or squatting, from joint angles.

    knee: knee flexion in degrees (0 straight); the shins lean forward ``shin_share`` of it.
    trunk: trunk lean forward from vertical in degrees; None keeps it parallel to the shins
        (a well-formed squat).
    heel_lift: heel above the toes' level in foot lengths (+ up on the toes, - on the heels
        with the toes lifted).
    view: "side" (subject's left side to the camera, facing +x) or "front".
    hip_forward: hips (and everything above) shifted forward, in leg lengths (side view).
    knees_in: front view, knees moved toward each other as a fraction of the hip half-width
        (0.3 makes the knee distance 70% of the ankle distance).
    head: the face (ear to nose) turned down toward the chest by this many degrees (- tipped
        back) from looking level ahead.
    offset_px: the whole body shifted right by this many pixels (walking across the image).
    visibility: one visibility for every landmark (default: near side 0.95, far side 0.8 in
        the side view, 0.95 from the front); ``hidden`` landmarks get visibility 0.
    """
    if view not in ("side", "front"):
        raise ValueError(f"view must be 'side' or 'front', got {view!r}")
    w, h = image_size
    ground_y, centre_x = h - 30.0, w / 2.0 + offset_px
    leg = _leg(knee, heel_lift, shin_share)
    shift = np.array([hip_forward * (THIGH + SHIN), 0.0])
    hip = leg["hip"] + shift
    lean = shin_share * knee if trunk is None else trunk
    shoulder = hip + _up(lean, TORSO)
    ear = shoulder + _up(lean, 0.3 * TORSO) + np.array([6.0, 0.0])
    nose = ear + _rot(np.array([14.0, -2.0]), -head)
    elbow = shoulder + np.array([4.0, -0.45 * TORSO])
    wrist = elbow + np.array([10.0, -0.4 * TORSO])

    xy = np.zeros((N_LANDMARKS, 2))
    vis = np.full(N_LANDMARKS, 0.95)

    if view == "front":
        # seen from the front the thighs shorten as they come forward, the shins (nearly
        # upright) keep about their length: redraw the heights with an upright shin
        dy = leg["ankle"][1] + SHIN - leg["knee"][1]
        for k in ("knee", "hip"):
            leg[k] = leg[k] + np.array([0.0, dy])
        hip, shoulder, ear, nose, elbow, wrist = (p + np.array([0.0, dy]) for p in (hip, shoulder, ear, nose, elbow, wrist))

    def put(lm: L, p: np.ndarray, lateral: float = 0.0) -> None:
        if view == "side":  # the two sides nearly overlap from the side
            x = centre_x + p[0] + (3.0 if lateral > 0 else -3.0 if lateral < 0 else 0.0)
        else:
            x = centre_x + lateral
        xy[lm] = (x / w, (ground_y - p[1]) / h)

    hw, sw = 0.25 * TORSO, 0.4 * TORSO  # hip and shoulder half-widths (front view)
    for side, sign in (("L", 1.0), ("R", -1.0)):  # subject's left is image right from the front
        S = {k: getattr(L, f"{'LEFT' if side == 'L' else 'RIGHT'}_{k}") for k in (
            "HIP", "KNEE", "ANKLE", "HEEL", "FOOT_INDEX", "SHOULDER", "ELBOW", "WRIST", "EAR",
            "EYE", "EYE_INNER", "EYE_OUTER", "PINKY", "INDEX", "THUMB")}
        S["MOUTH"] = L.MOUTH_LEFT if side == "L" else L.MOUTH_RIGHT
        knee_lat = sign * hw * (1.0 - knees_in)
        put(S["HIP"], hip, sign * hw)
        put(S["KNEE"], leg["knee"], knee_lat)
        put(S["ANKLE"], leg["ankle"], sign * hw)
        if view == "side":
            put(S["HEEL"], leg["heel"], sign * hw)
            put(S["FOOT_INDEX"], leg["toe"], sign * hw)
        else:  # from the front the foot points at the camera: toe just below the heel
            put(S["HEEL"], leg["heel"] * (0, 1), sign * hw)
            put(S["FOOT_INDEX"], leg["toe"] * (0, 1) + np.array([0.0, -8.0]), sign * (hw + 4))
        put(S["SHOULDER"], shoulder, sign * sw)
        put(S["ELBOW"], elbow, sign * (sw + 8))
        put(S["WRIST"], wrist, sign * (sw + 6))
        for k in ("PINKY", "INDEX", "THUMB"):
            put(S[k], wrist + np.array([6.0, -8.0]), sign * (sw + 6))
        put(S["EAR"], ear, sign * 12)
        for k, dx in (("EYE", 8.0), ("EYE_INNER", 10.0), ("EYE_OUTER", 6.0)):
            put(S[k], ear + np.array([dx, 4.0]), sign * 6)
        put(S["MOUTH"], nose + np.array([-2.0, -8.0]), sign * 4)
        if view == "side" and visibility is None and side == "R":
            for lm in S.values():
                vis[lm] = FAR_VIS
    put(L.NOSE, nose, 0.0)
    if visibility is not None:
        vis[:] = visibility
    for lm in hidden:
        vis[lm] = 0.0
    centre = (xy[L.LEFT_HIP] + xy[L.RIGHT_HIP]) / 2.0
    world = np.zeros((N_LANDMARKS, 3))
    world[:, :2] = (xy - centre) * (w, h) / 250.0  # metres, hip-centred, roughly to scale
    return Pose(xy=xy, visibility=vis, world=world, t_ms=t_ms, image_size=image_size)


def _interp(keyframes: list[tuple[float, dict[str, float]]], t_s: float) -> dict[str, float]:
    out: dict[str, float] = {}
    names = {k for _, kv in keyframes for k in kv}
    for name in names:
        pts = [(t, kv[name]) for t, kv in keyframes if name in kv]
        if t_s <= pts[0][0]:
            out[name] = pts[0][1]
            continue
        for (t0, v0), (t1, v1) in zip(pts, pts[1:]):
            if t0 <= t_s <= t1:
                out[name] = v0 if t1 == t0 else v0 + (v1 - v0) * (t_s - t0) / (t1 - t0)
                break
        else:
            out[name] = pts[-1][1]
    return out


def script(
    keyframes: list[tuple[float, dict[str, float]]],
    fps: float,
    *,
    noise_px: float = 0.0,
    seed: int = 0,
    dropouts: Iterable[tuple[float, float]] = (),
    **fixed,
) -> list[tuple[float, Pose | None]]:
    """Poses at ``fps`` following ``keyframes`` (see the module docstring); ``fixed`` are more
    ``make_pose`` keywords (e.g. ``view="front"``) that hold throughout."""
    for _, kv in keyframes:
        unknown = set(kv) - set(PARAMS)
        if unknown:
            raise ValueError(f"unknown pose parameters {sorted(unknown)}; allowed: {', '.join(PARAMS)}")
    rng = np.random.default_rng(seed)
    drops = list(dropouts)
    end = keyframes[-1][0]
    out: list[tuple[float, Pose | None]] = []
    n = int(math.floor(end * fps + 1e-9)) + 1
    for i in range(n):
        t_s = i / fps
        t_ms = 1000.0 * t_s
        if any(a <= t_s < b for a, b in drops):
            out.append((t_ms, None))
            continue
        pose = make_pose(t_ms=t_ms, **(fixed | _interp(keyframes, t_s)))
        if noise_px > 0:
            w, h = pose.image_size
            xy = pose.xy + rng.normal(0.0, noise_px, pose.xy.shape) / (w, h)
            pose = Pose(xy=xy, visibility=pose.visibility, world=pose.world, t_ms=t_ms, image_size=pose.image_size)
        out.append((t_ms, pose))
    return out


def squat_keys(reps: int, depth: float = 100.0, *, lead_s: float = 1.0, down_s: float = 1.2,
               bottom_s: float = 0.2, up_s: float = 1.0, rest_s: float = 0.8,
               extra: dict[str, float] | None = None) -> tuple[list[tuple[float, dict[str, float]]], list[float]]:
    """Keyframes for ``reps`` squats to ``depth`` degrees, and the times each one is back up.

    ``extra`` parameters (e.g. ``{"knees_in": 0.3}``) apply at the bottom of every squat.
    """
    extra = extra or {}
    base = {k: 0.0 for k in extra}
    keys: list[tuple[float, dict[str, float]]] = [(0.0, {"knee": 0.0, **base}), (lead_s, {"knee": 0.0, **base})]
    t, ends = lead_s, []
    for _ in range(reps):
        t += down_s
        keys.append((t, {"knee": depth, **extra}))
        t += bottom_s
        keys.append((t, {"knee": depth, **extra}))
        t += up_s
        keys.append((t, {"knee": 0.0, **base}))
        ends.append(t)
        t += rest_s
        keys.append((t, {"knee": 0.0, **base}))
    return keys, ends


def run(analyzer, frames: list[tuple[float, Pose | None]]):
    """Feed frames to an Analyzer and close the set; returns the analyzer."""
    t_ms = 0.0
    for t_ms, pose in frames:
        analyzer.update(t_ms, pose)
    analyzer.finish(t_ms)
    return analyzer


def report_of(spec, frames: list[tuple[float, Pose | None]], target: int = 10):
    """Poses through a fresh Analyzer into a report, folded as replay folds a track
    (pipeline.run_track); returns the report and the analyzer."""
    from formcheck.engine.analyzer import Analyzer
    from formcheck.sets.pipeline import analyse_poses
    from formcheck.sets.report import ReportBuilder

    an = Analyzer(spec)
    b = ReportBuilder(spec, target=target, source="script", model="none", mode="test")
    for r in analyse_poses(frames, an):
        b.add(r)
    b.add(an.finish(frames[-1][0]), counted_frame=False)
    return b.finish(an.pauses), an


def exercise_folder(tmp_path, monkeypatch, files: dict[str, str]):
    """A private exercises/ folder holding ``{id: toml_text}``, used in place of the real one
    (via $FORMCHECK_EXERCISES), so CLI tests do not move when the real files are tuned."""
    folder = tmp_path / "exercises"
    folder.mkdir()
    for exercise_id, text in files.items():
        (folder / f"{exercise_id}.toml").write_text(text, encoding="utf-8")
    monkeypatch.setenv("FORMCHECK_EXERCISES", str(folder))
    return folder


def formcheck_killed(argv: list[str], out: Path, after_s: float) -> tuple[int, str]:
    """Run ``formcheck ARGV`` in a fresh process, send it SIGTERM ``after_s`` seconds after its
    output folder ``out`` appears (the work has begun), and return (exit status, stderr)."""
    import signal
    import subprocess
    import sys
    import time

    proc = subprocess.Popen([sys.executable, "-m", "formcheck.cli", *argv],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not out.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(after_s)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    return proc.returncode, err


class TrackDetector:
    """Poses from a saved track, by nearest time: the live loop without the model.

    ``delay_s`` makes each call that slow, like a model on a slow machine (forces drops).
    """

    model_name = "track"

    def __init__(self, track: Track, delay_s: float = 0.0) -> None:
        self.t = np.asarray(track.t_ms)
        self.poses = [p for _, p in track.poses()]
        self.delay_s = delay_s
        self.calls = 0

    def detect(self, rgb: np.ndarray, t_ms: float) -> Pose | None:
        self.calls += 1
        if self.delay_s:
            time.sleep(self.delay_s)
        i = int(np.clip(np.searchsorted(self.t, t_ms), 1, len(self.t) - 1))
        i = i - 1 if abs(self.t[i - 1] - t_ms) <= abs(self.t[i] - t_ms) else i
        p = self.poses[i]
        if p is None:
            return None
        return Pose(xy=p.xy, visibility=p.visibility, world=p.world, t_ms=t_ms, image_size=p.image_size)

    def close(self) -> None:
        pass


def replay_reference(tmp_path_factory, clip: Path) -> dict:
    """`formcheck replay` of ``clip`` as squat: its report and the landmark track it saved
    (made once per test session, kept in pytest's session folder)."""
    out = tmp_path_factory.getbasetemp() / f"replay_{clip.stem}"
    if not (out / "report.json").is_file():
        replay(clip, load_exercise("squat"), out, ReplayOptions(model="lite", write_video=False))
    return {"report": json.loads((out / "report.json").read_text()), "track": load_track(out / "track.npz"),
            "dir": out}


def write_restarting_clock(folder: Path) -> Path:
    """Two 1 s MPEG-TS recordings joined, each starting at time 0 (dark, then bright)."""
    parts = []
    for i, val in enumerate((60, 200)):
        part = folder / f"part{i}.ts"
        with av.open(str(part), "w", format="mpegts") as c:
            s = c.add_stream("libx264", rate=30)
            s.width, s.height, s.pix_fmt = 160, 120, "yuv420p"
            for j in range(30):
                f = av.VideoFrame.from_ndarray(np.full((120, 160, 3), val, np.uint8), format="rgb24")
                f.pts = j
                c.mux(s.encode(f))
            c.mux(s.encode())
        parts.append(part.read_bytes())
    joined = folder / "joined.ts"
    joined.write_bytes(b"".join(parts))
    return joined


# Test exercises of our own, so the tests do not move when the real files are tuned.
SQUAT = """
id = "squat"
kind = "reps"
posture = "standing"
views = ["side", "front", "oblique"]
target = 10
[name]
da = "Knæbøjning"
en = "Squat"
[instructions]
da = ["Bøj knæene."]
en = ["Bend your knees."]
[count]
signal = "knee_flexion"
rest = 25
enter = 35
full = 75
[count_views.oblique]
rest = 20
full = 70
[count_views.front]
signal = "hip_height"
rest = 0.05
enter = 0.1
full = 0.2
[[rules]]
id = "back_rounded"
kind = "max"
signal = "trunk_lean"
limit = 55
views = ["side", "oblique"]
cue = { da = "Ret ryg", en = "Straight back" }
[[rules]]
id = "back_rounded"
kind = "max"
signal = "back_vs_shin"
limit = 35
views = ["side"]
cue = { da = "Ret ryg", en = "Straight back" }
[[rules]]
id = "heels_lifting"
kind = "max"
signal = "foot_pitch"
relative = true
limit = 33
cue = { da = "Hæle ned", en = "Heels down" }
[[rules]]
id = "too_fast"
kind = "min_duration"
phase = "descent"
limit = 0.5
cue = { da = "Langsomt", en = "Slowly" }
"""


CORE = """
id = "core_bracing"
kind = "hold"
posture = "lying"
views = ["side"]
[name]
da = "Rygstabilisering"
en = "Core bracing"
[instructions]
da = ["Spænd maven."]
en = ["Brace your belly."]
[hold]
target_s = 10
[[hold.position]]
signal = "knee_flexion"
min = 60
"""


def toe_heel_keys(reps: int, toes: float = 0.35, heels: float = -0.25, lead_s: float = 1.0):
    """Key frames of toe-heel rocking: up on the toes, down, back on the heels, down (heel_lift)."""
    keys = [(0.0, {"heel_lift": 0.0}), (lead_s, {"heel_lift": 0.0})]
    t = lead_s
    for _ in range(reps):
        for dt, lift in ((0.7, toes), (0.5, toes), (0.6, 0.0), (0.3, 0.0), (0.6, heels), (0.5, heels), (0.6, 0.0), (0.5, 0.0)):
            t += dt
            keys.append((t, {"heel_lift": lift}))
    return keys


SRC = Path(__file__).resolve().parents[1] / "src"


def start_formcheck(args: list[str], cwd: Path | None = None) -> subprocess.Popen:
    """``formcheck ARGS`` in a process group of its own (as a terminal starts a job, so that
    Ctrl-C reaches its worker processes too), this checkout's sources first; stderr piped."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(SRC), os.environ.get("PYTHONPATH")])))
    return subprocess.Popen([sys.executable, "-m", "formcheck.cli", *args], env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=cwd)


def press_ctrl_c(p: subprocess.Popen, presses: int, gap_s: float, timeout_s: float) -> tuple[int, str]:
    """Ctrl-C ``presses`` times, ``gap_s`` apart, to ``p``'s whole group (as a terminal sends it),
    then wait: (exit code, stderr). Killed outright if still running after ``timeout_s``."""
    try:
        for _ in range(presses):
            if p.poll() is not None:
                break
            os.killpg(p.pid, signal.SIGINT)
            time.sleep(gap_s)
        _, err = p.communicate(timeout=timeout_s)
    finally:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
    return p.returncode, err
