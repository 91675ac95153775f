"""Regenerate the overlay screenshots in this folder (1280x720 PNGs).

    PYTHONPATH=src .venv/bin/python docs/overlay/make_screenshots.py

Backgrounds are frames of the rendered synthetic clips in /work/shared/data/synthetic (read in
place, never copied) with their exact projected joints as the pose; a plain gradient is used when
the clips are not there. The results are made by hand: this only shows what the overlay draws.
"""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np

from formcheck.overlay import Overlay, SessionSummary
from formcheck.core.pose import N_LANDMARKS, Landmark, Pose
from formcheck.core.results import Cue, FrameResult, OverlaySetup, Status

OUT = Path(__file__).resolve().parent
SYNTH = Path("/work/shared/data/synthetic")
W, H = 1280, 720

_JOINTS = {
    "nose": Landmark.NOSE, "ear_L": Landmark.LEFT_EAR, "ear_R": Landmark.RIGHT_EAR,
    "shoulder_L": Landmark.LEFT_SHOULDER, "shoulder_R": Landmark.RIGHT_SHOULDER,
    "elbow_L": Landmark.LEFT_ELBOW, "elbow_R": Landmark.RIGHT_ELBOW,
    "wrist_L": Landmark.LEFT_WRIST, "wrist_R": Landmark.RIGHT_WRIST,
    "hip_L": Landmark.LEFT_HIP, "hip_R": Landmark.RIGHT_HIP,
    "knee_L": Landmark.LEFT_KNEE, "knee_R": Landmark.RIGHT_KNEE,
    "ankle_L": Landmark.LEFT_ANKLE, "ankle_R": Landmark.RIGHT_ANKLE,
    "heel_L": Landmark.LEFT_HEEL, "heel_R": Landmark.RIGHT_HEEL,
    "toe_L": Landmark.LEFT_FOOT_INDEX, "toe_R": Landmark.RIGHT_FOOT_INDEX,
}


def gradient() -> np.ndarray:
    y = np.linspace(0.0, 1.0, H)[:, None, None]
    top, bottom = np.array([96, 104, 112.0]), np.array([168, 164, 156.0])
    return np.broadcast_to(top + (bottom - top) * y, (H, W, 3)).astype(np.uint8).copy()


def clip_frame(name: str, t_s: float) -> tuple[np.ndarray, Pose | None]:
    """Frame at ``t_s`` of a synthetic clip fitted into 1280x720 (RGB) and its true pose."""
    video, truth = SYNTH / f"{name}.mp4", SYNTH / f"{name}.json"
    if not video.is_file() or not truth.is_file():
        return gradient(), None
    meta = json.loads(truth.read_text())
    frame_i = min(round(t_s * meta["fps"]), meta["n_frames"] - 1)
    cap = cv2.VideoCapture(str(video))
    cap.set(cv2.CAP_PROP_POS_FRAMES, frame_i)
    ok, bgr = cap.read()
    cap.release()
    if not ok:
        return gradient(), None
    fh, fw = bgr.shape[:2]
    k = H / fh
    small = cv2.resize(bgr[:, :, ::-1], (round(fw * k), H), interpolation=cv2.INTER_AREA)
    img = gradient()
    ox = (W - small.shape[1]) // 2
    img[:, ox:ox + small.shape[1]] = small
    xy = np.full((N_LANDMARKS, 2), 0.5)
    vis = np.zeros(N_LANDMARKS)
    for key, lm in _JOINTS.items():
        x, y = meta["frames"][frame_i]["joints_px"][key]
        xy[lm] = ((x * k + ox) / W, y * k / H)
        vis[lm] = 1.0
    return img, Pose(xy, vis, np.zeros((N_LANDMARKS, 3)), t_s * 1000, (W, H))


def save(name: str, rgb: np.ndarray) -> None:
    cv2.imwrite(str(OUT / f"{name}.png"), cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_PNG_COMPRESSION, 9])


def main() -> None:
    squat = Overlay.from_setup(OverlaySetup("Squat", "da"))
    img, pose = clip_frame("squat_good_front_male_720p", 6.0)
    cue = Cue("knees_in", "Skub knæene ud over tæerne", "Push your knees out over your toes", 2,
              ((Landmark.LEFT_HIP, Landmark.LEFT_KNEE), (Landmark.LEFT_KNEE, Landmark.LEFT_ANKLE),
               (Landmark.RIGHT_HIP, Landmark.RIGHT_KNEE), (Landmark.RIGHT_KNEE, Landmark.RIGHT_ANKLE)))
    squat.annotate(img, FrameResult(6000, pose, Status.MOVING, 7, 15, cue, progress=0.8))
    save("rep_with_cue", img)

    img, _ = clip_frame("squat_good_front_male_720p", 0.2)
    img[:, :] = gradient()  # nobody in view
    squat.annotate(img, FrameResult(0, None, Status.NO_PERSON, 7, 15, None))
    save("no_person", img)

    stretch = Overlay.from_setup(OverlaySetup("Lægstræk", "da", "hold"))
    img, pose = clip_frame("calf_stretch_good_L_default", 8.0)
    stretch.annotate(img, FrameResult(8000, pose, Status.HOLDING, 0, None, None, side="L",
                                      hold_s=12.4, hold_target_s=20, holds_done=1))
    save("hold", img)

    img, pose = clip_frame("calf_stretch_good_L_default", 8.0)
    cue = Cue("knee_bent", "Hold bagerste knæ strakt", "Keep the back knee straight", 2,
              ((Landmark.RIGHT_HIP, Landmark.RIGHT_KNEE), (Landmark.RIGHT_KNEE, Landmark.RIGHT_ANKLE)))
    stretch.annotate(img, FrameResult(8000, pose, Status.HOLD_PAUSED, 0, None, cue, side="L",
                                      hold_s=12.4, hold_target_s=20, holds_done=1))
    save("hold_paused", img)

    img, _ = clip_frame("squat_good_front_male_720p", 16.0)
    squat.draw_summary(img, SessionSummary("Squat", 12, 15, 2, [], "Skub knæene ud over tæerne"))
    save("summary", img)

    img, _ = clip_frame("calf_stretch_good_L_default", 0.5)
    stretch.draw_summary(img, SessionSummary("Lægstræk", 0, None, 0, [("L", 20.0, 20.0), ("R", 14.2, 20.0)],
                                             None))
    save("summary_hold", img)

    img, _ = clip_frame("squat_good_front_male_720p", 0.5)
    squat.draw_countdown(img, 2.4, "Stil dig med fødderne i hoftebredde")
    save("countdown", img)

    img, _ = clip_frame("squat_good_front_male_720p", 0.5)
    squat.draw_message(img, "Stop øvelsen", ["Du har meldt om smerter.",
                                             "Hvil dig, og kontakt din fysioterapeut, hvis smerterne ikke går over."])
    save("message", img)


if __name__ == "__main__":
    main()
