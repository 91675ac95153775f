"""``formcheck live --list-cameras`` and camera errors that name the cameras found (issue 19,
item 5). Fake captures stand in for OpenCV's; the probe's bound is checked with one that hangs."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

import formcheck.live.cameras as cameras
from formcheck.cli.live import cmd_live
from formcheck.cli.main import build_parser
from formcheck.live.cameras import (
    CameraInfo,
    candidate_indices,
    describe,
    probe_cameras,
)
from formcheck.media.capture import CameraError


class Fake:
    """A capture at ``index``: opens (or not), gives a picture (or not), or hangs in open."""

    def __init__(self, opens: bool = True, picture: bool = True, size=(640, 480)) -> None:
        self.opens, self.picture, self.size = opens, picture, size
        self.released = False

    def isOpened(self):  # noqa: N802 - OpenCV's name
        return self.opens

    def set(self, *a):
        return True

    def get(self, prop):
        return 30.0

    def read(self):
        if not self.picture:
            return False, None
        return True, np.zeros((self.size[1], self.size[0], 3), np.uint8)

    def release(self):
        self.released = True


def opener(table: dict[int, Fake], hang: set[int] = frozenset(), release: threading.Event | None = None):
    def open_capture(index: int):
        if index in hang:
            (release or threading.Event()).wait(30)  # a device that blocks VideoCapture
        return table.get(index, Fake(opens=False))
    return open_capture


def test_probe_lists_the_cameras_that_open_with_their_size():
    table = {0: Fake(size=(1280, 720)), 2: Fake(picture=False), 3: Fake(opens=False)}
    found = probe_cameras([0, 1, 2, 3], open_capture=opener(table))
    assert found == [CameraInfo(0, (1280, 720)), CameraInfo(2, None)]
    assert table[0].released and table[2].released
    assert describe(found) == "camera 0 (1280x720), camera 2"
    assert describe(found, "da") == "kamera 0 (1280x720), kamera 2"
    assert describe([], "da") == "ingen kameraer fundet"


def test_a_camera_that_hangs_is_given_up_within_the_bound():
    release = threading.Event()
    try:
        t0 = time.monotonic()
        found = probe_cameras([0, 1, 2], open_capture=opener({0: Fake(), 2: Fake()}, {1}, release),
                              open_timeout_s=0.3, total_timeout_s=5.0)
        took = time.monotonic() - t0
    finally:
        release.set()
    assert [c.index for c in found] == [0, 2]  # the hung one is left out, the others are still tried
    assert took < 3.0


def test_the_whole_probe_stops_at_its_deadline():
    release = threading.Event()
    try:
        t0 = time.monotonic()
        found = probe_cameras(list(range(10)), open_capture=opener({}, set(range(10)), release),
                              open_timeout_s=0.3, total_timeout_s=1.0)
        took = time.monotonic() - t0
    finally:
        release.set()
    assert found == [] and took < 2.5


def test_on_linux_only_the_video_device_nodes_are_tried(tmp_path, monkeypatch):
    monkeypatch.setattr(cameras.sys, "platform", "linux")
    for name in ("video0", "video2", "video10", "vbi0"):
        (tmp_path / name).touch()
    assert candidate_indices(str(tmp_path / "video*")) == [0, 2, 10]
    assert candidate_indices(str(tmp_path / "none*")) == []


def test_list_cameras_prints_one_a_line(monkeypatch, capsys):
    monkeypatch.setattr(cameras, "candidate_indices", lambda: [0, 1, 4])
    args = build_parser().parse_args(["live", "--list-cameras", "--lang", "en"])
    assert cmd_live(args, open_camera=opener({0: Fake(), 4: Fake(size=(1920, 1080))})) == 0
    assert capsys.readouterr().out.splitlines() == ["camera 0 (640x480)", "camera 4 (1920x1080)"]


def test_a_camera_error_names_the_cameras_that_exist(monkeypatch):
    """--camera 1 when only 0 and 4 exist: the error says so (before issue 19 it only said
    "try --camera 1", which was the one that failed)."""
    monkeypatch.setattr(cameras, "candidate_indices", lambda: [0, 1, 4])
    args = build_parser().parse_args(["live", "--exercise", "squat", "--camera", "1", "--headless", "--no-history",
                                      "--lang", "en"])
    with pytest.raises(CameraError, match=r"no camera found at index 1 .*; cameras found: camera 0 \(640x480\), "
                                          r"camera 4 \(640x480\)$"):
        cmd_live(args, open_camera=opener({0: Fake(), 4: Fake()}), detector_factory=lambda: None)
