"""Live on a slow machine (issue 19, item 4): the analysed frame rate against what the exercise
needs (live/pace.py), the notice on screen and the mark in the report."""

from __future__ import annotations

import numpy as np
import pytest
from factories import TrackDetector, replay_reference

from formcheck.live.pace import DEFAULT_NEEDED_FPS, WINDOW_S, Pace, needed_fps
from formcheck.media.capture import FileSource
from formcheck.overlay import Overlay
from formcheck.sets.texts import TEXTS


def feed(pace: Pace, fps: float, seconds: float, t0: float = 0.0) -> float:
    t = t0
    while t < t0 + seconds * 1000.0:
        pace.add(t)
        t += 1000.0 / fps
    return t


def test_a_rate_above_the_need_is_never_too_slow():
    pace = Pace(need=8.0)
    feed(pace, 10.0, 20.0)
    assert not pace.too_slow and pace.summary().too_slow_s == 0.0
    assert pace.summary().lowest_fps == pytest.approx(10.0, abs=0.6)


def test_below_the_need_for_a_whole_window_is_too_slow_and_the_time_is_counted():
    pace = Pace(need=8.0)
    t = feed(pace, 30.0, 5.0)
    assert not pace.too_slow
    t = feed(pace, 5.0, 10.0, t)
    assert pace.too_slow
    # slow from about a window after the drop, to the end
    assert 10.0 - WINDOW_S - 1.0 <= pace.summary().too_slow_s <= 10.0
    assert pace.summary().lowest_fps == pytest.approx(5.0, abs=0.6)
    feed(pace, 30.0, 5.0, t)  # fast again: the notice goes, the time stays counted
    assert not pace.too_slow and pace.summary().too_slow_s > 0


def test_a_short_stall_is_not_a_slow_machine():
    """One late frame (the pose model's first call, a busy moment) is under a window long."""
    pace = Pace(need=8.0)
    t = feed(pace, 30.0, 3.0)
    t = feed(pace, 30.0, 3.0, t + 400.0)
    assert not pace.too_slow and pace.summary().too_slow_s == 0.0


def test_a_pause_is_no_frame_rate():
    pace = Pace(need=8.0)
    t = feed(pace, 30.0, 3.0)
    pace.restart()
    feed(pace, 30.0, 3.0, t + 60_000.0)
    assert pace.summary().too_slow_s == 0.0


def test_each_counted_exercise_has_a_measured_need_and_holds_the_default():
    assert needed_fps("heel_raise") > needed_fps("squat")
    assert needed_fps("core_bracing") == DEFAULT_NEEDED_FPS


def test_the_notice_is_drawn_where_the_cue_is_not():
    from formcheck.core.results import FrameResult, Status

    overlay = Overlay("Squat", lang="da")
    image = np.zeros((720, 1280, 3), np.uint8)
    before = image.copy()
    overlay.annotate(image, FrameResult(t_ms=0.0, pose=None, status=Status.MOVING, reps=3, target=10, cue=None))
    annotated = image.copy()
    overlay.draw_notice(image, TEXTS["da"]["too_slow"])
    changed = np.abs(image.astype(int) - annotated.astype(int)).sum(axis=2) > 0
    assert changed[:360].sum() > 2000 and changed[360:].sum() == 0  # at the top, no cue shown
    assert (before != annotated).any()


@pytest.fixture(scope="module")
def reference(tmp_path_factory, sample_squat) -> dict:
    return replay_reference(tmp_path_factory, sample_squat)


def test_a_throttled_pipeline_marks_the_set_and_every_frame_does_not(reference, sample_squat, tmp_path):
    """The sample played as a camera (in real time) through a 'model' taking 0.2 s a frame: at
    about 5 frames/s, below the squat's 8, the report marks the set; played frame by frame
    (--every-frame) the same clip is analysed at its own 30 frames/s and is not marked."""
    from test_live import live_set

    slow, _ = live_set(FileSource(sample_squat, paced=True, preroll_s=0.0),
                       detector=TrackDetector(reference["track"], delay_s=0.2), out=tmp_path / "slow")
    live = slow["live"]
    assert live["needed_fps"] == needed_fps("squat")
    assert live["lowest_fps"] < needed_fps("squat")
    assert live["too_slow_s"] > 5.0
    assert any("frames a second" in n and "count may be wrong" in n for n in slow["notes"])

    every, _ = live_set(FileSource(sample_squat, paced=False, preroll_s=0.0),
                        detector=TrackDetector(reference["track"]), out=tmp_path / "every")
    assert every["live"]["too_slow_s"] == 0.0
    assert every["live"]["lowest_fps"] == pytest.approx(30.0, abs=2.0)
    assert not any("frames a second" in n for n in every["notes"])
