"""A REAL window: `formcheck live` from a file under Xvfb, with screenshots of the X display.

Needs the Xvfb server (Debian: ``apt-get install -y xvfb``); skipped with that reason when it is
missing. Screenshots are read from the display with FFmpeg's x11grab through PyAV (no other X
tools needed). Set FORMCHECK_SCREENSHOTS=DIR to keep the cropped screenshots (docs/live/ was
made that way).
"""

from __future__ import annotations

import json
import os
import select
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

XVFB = shutil.which("Xvfb")
pytestmark = pytest.mark.skipif(XVFB is None, reason="Xvfb is not installed (Debian: apt-get install -y xvfb)")
SCREEN = (1600, 900)
TEAL = np.array([64, 200, 190])  # the overlay's skeleton colour


def _die_with_parent() -> None:
    """Linux: the X server gets SIGTERM if this test process dies (no orphaned servers)."""
    try:
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, int(signal.SIGTERM))  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


@pytest.fixture()
def xdisplay():
    """A private X server on a free display number (Xvfb picks it and reports it via -displayfd)."""
    r, w = os.pipe()
    proc = subprocess.Popen([XVFB, "-displayfd", str(w), "-screen", "0", f"{SCREEN[0]}x{SCREEN[1]}x24",
                             "-nolisten", "tcp"], pass_fds=(w,), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, preexec_fn=_die_with_parent)
    os.close(w)
    try:
        ready, _, _ = select.select([r], [], [], 20)
        number = os.read(r, 16).decode().strip() if ready else ""
        if not number:
            pytest.fail("Xvfb did not start within 20 s")
        yield f":{number}"
    finally:
        os.close(r)
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()


_GRAB = """
import sys, av
with av.open(sys.argv[1], format="x11grab", options={"video_size": sys.argv[2], "draw_mouse": "0"}) as c:
    for frame in c.decode(video=0):
        sys.stdout.buffer.write(frame.to_ndarray(format="rgb24").tobytes())
        break
"""


def grab(display: str) -> np.ndarray:
    """The whole X screen as RGB.

    In a fresh process: PyAV's x11grab and OpenCV's Qt each bring their own libxcb, and once
    one is loaded in a process the other crashes (this test process has loaded OpenCV).
    """
    res = subprocess.run([sys.executable, "-c", _GRAB, display, f"{SCREEN[0]}x{SCREEN[1]}"],
                         capture_output=True, timeout=30)
    assert res.returncode == 0 and len(res.stdout) == SCREEN[0] * SCREEN[1] * 3, res.stderr.decode()[-500:]
    return np.frombuffer(res.stdout, np.uint8).reshape(SCREEN[1], SCREEN[0], 3)


def window_box(img: np.ndarray) -> tuple[int, int, int, int]:
    """Bounding box (x0, y0, x1, y1) of what is not the black root window."""
    ys, xs = np.nonzero(img.max(axis=2) > 8)
    if len(xs) == 0:
        return (0, 0, 0, 0)
    return int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1


def teal_pixels(img: np.ndarray) -> int:
    return int(np.count_nonzero(np.abs(img.astype(int) - TEAL).max(axis=2) < 25))


def test_live_opens_a_real_window_and_draws_the_coach(xdisplay, tmp_path, sample_squat):
    out = tmp_path / "out"
    env = {**os.environ, "DISPLAY": xdisplay, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "formcheck.cli", "live", "--exercise", "squat", "--source",
                             str(sample_squat), "--lang", "da", "--keys", "6.0:q", "--out", str(out),
                             "--no-history"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines: list[tuple[float, str]] = []
    reader = threading.Thread(target=lambda: [lines.append((time.monotonic(), ln)) for ln in proc.stdout], daemon=True)
    reader.start()
    shots: dict[str, np.ndarray] = {}
    try:
        t0 = time.monotonic()
        while True:  # wait for the window to appear (model loading, Qt start-up)
            img = grab(xdisplay)
            x0, y0, x1, y1 = window_box(img)
            if (x1 - x0) * (y1 - y0) > 0.25 * 960 * 720:
                break
            assert proc.poll() is None, proc.stderr.read()
            assert time.monotonic() - t0 < 90, "no window appeared"
            time.sleep(0.2)
        shots["loading"] = grab(xdisplay)  # the first picture: "one moment" while the model loads, not black
        # then pictures until the set has ended (stdout says where it was saved); a grab takes 0.3-2 s
        # (a process each), so which screens are caught depends on the machine's load: each picture is
        # classed by when it was taken and what it shows
        taken: list[tuple[float, np.ndarray]] = []
        while not any("gemt i" in ln for _, ln in lines):  # a Danish session's "wrote DIR"
            if proc.poll() is not None:  # ended: its last lines may still be on their way to the reader
                reader.join(timeout=10)
                assert any("gemt i" in ln for _, ln in lines), ([ln for _, ln in lines], proc.stderr.read())
                break
            assert time.monotonic() - t0 < 120, "the set did not end"
            t_grab = time.monotonic()  # (the picture is taken after this: before the set ended if this is)
            taken.append((t_grab, grab(xdisplay)))
        t_end = min(t for t, ln in lines if "gemt i" in ln)
        during_set = [(t, img) for t, img in taken if t < t_end - 0.5]
        teal = [(t, img) for t, img in during_set if teal_pixels(img) > 2000]  # the countdown's ring, the skeleton
        assert len(teal) >= 2, f"{len(taken)} pictures, {len(teal)} with the countdown or the set"
        shots["countdown"] = teal[0][1]  # 3 s countdown on the frozen first frame (the first with teal)
        later = [img for t, img in teal if t >= teal[0][0] + 2.0] or [img for _, img in teal[1:]]
        shots["set"] = max(later, key=teal_pixels)  # the one with most of the skeleton
        time.sleep(1.5)
        shots["summary"] = grab(xdisplay)
        code = proc.wait(timeout=60)  # the summary stays ~10 s, then the window closes
    finally:
        if proc.poll() is None:
            proc.kill()
    err = proc.stderr.read()
    assert code == 0, err
    assert "Traceback" not in err

    report = json.loads((out / "report.json").read_text())
    assert report["mode"] == "live" and report["ended_by"] == "quit"
    assert not report["live"]["every_frame"]

    box = window_box(shots["set"])
    x0, y0, x1, y1 = box
    assert x1 - x0 >= 900 and y1 - y0 >= 680, f"window too small for reading from afar: {box}"
    crops = {k: v[y0:y1, x0:x1] for k, v in shots.items()}
    assert teal_pixels(crops["set"]) > 1500  # the skeleton is drawn on the person
    h, w = crops["set"].shape[:2]
    centre = (slice(h // 3, 2 * h // 3), slice(w // 3, 2 * w // 3))
    # the summary is a dark panel in the middle of the window
    assert crops["summary"][centre].mean() < crops["set"][centre].mean() - 20
    assert not np.array_equal(crops["countdown"], crops["set"])
    loading = crops["loading"][centre]
    assert loading.std() > 10  # the loading screen's text, not a black (or one-colour) window
    # (full screen, the default, needs a window manager: Xvfb alone keeps the window's own size)

    import cv2

    keep = os.environ.get("FORMCHECK_SCREENSHOTS")
    for name, img in crops.items():
        cv2.imwrite(str(tmp_path / f"live_{name}.png"), cv2.cvtColor(img, cv2.COLOR_RGB2BGR))
        if keep:
            Path(keep).mkdir(parents=True, exist_ok=True)
            shutil.copy(tmp_path / f"live_{name}.png", Path(keep) / f"live_{name}.png")
