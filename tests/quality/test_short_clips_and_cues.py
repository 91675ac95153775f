"""Issue 17 on real footage: a clip of one second holding one squat is replayed and counts it,
and a real close-up side-view squat with the heels on the floor is not cued for heels lifting."""

from __future__ import annotations

import json
import os
from pathlib import Path

import av
import pytest
from extract_tracks import cached_track

from formcheck.cli.main import main
from formcheck.engine.analyzer import Analyzer
from formcheck.media.track import load_track
from formcheck.sets.pipeline import run_track
from formcheck.sets.report import ReportBuilder
from formcheck.spec.exercise import load_exercise

pytestmark = [pytest.mark.slow, pytest.mark.shared_data, pytest.mark.timeout(600)]
CACHE = Path(os.environ.get("FORMCHECK_TRACK_CACHE", Path.home() / ".cache" / "formcheck" / "tracks"))
# One squat from standing to standing in 0.37-1.27 s (hips back at their standing height by 1.27 s)
ONE_SQUAT = "videos/squat_bodyweight_front_woman_BAD_kneesin_1rep.mp4"


def _cut(src: Path, dst: Path, first: int, n: int) -> None:
    """Frames first .. first + n - 1 of ``src`` as a 30 frames/s clip (cut at test time: no
    copy of the shared clips in the repository)."""
    with av.open(str(src)) as c, av.open(str(dst), "w") as o:
        s = c.streams.video[0]
        out = o.add_stream("libx264", rate=30)
        out.width, out.height, out.pix_fmt = s.codec_context.width, s.codec_context.height, "yuv420p"
        for i, f in enumerate(c.decode(video=0)):
            if first <= i < first + n:
                for p in out.encode(f.reformat(format="yuv420p")):
                    o.mux(p)
        for p in out.encode(None):
            o.mux(p)


@pytest.mark.parametrize("first,n", [(10, 29), (3, 36)])  # 0.97 s (was refused), 1.2 s (counted 0)
def test_a_second_of_video_holding_one_squat_counts_it(shared_data, tmp_path, capsys, first, n):
    clip = tmp_path / "short.mp4"
    _cut(shared_data / ONE_SQUAT, clip, first, n)
    code = main(["replay", str(clip), "-e", "squat", "--out", str(tmp_path / "o"), "--no-history", "--no-video"])
    assert code == 0, capsys.readouterr().err
    report = json.loads((tmp_path / "o" / "report.json").read_text())
    assert report["reps"] == 1, (report["partials"], report["notes"])
    assert any("too short to be sure" in note for note in report["notes"]), report["notes"]


def test_heels_on_the_floor_seen_up_close_are_not_cued(shared_data):
    """squat_bodyweight_side_man_portrait_2reps: the heels stay down (frames at 1.5 s and 6.0 s),
    but the heel points ride up the shoes: foot pitch reads 35-41 degrees past standing. The
    rendered squats with heels truly lifting are still caught (test_quality's
    test_rendered_faults_are_caught)."""
    name = "squat_bodyweight_side_man_portrait_2reps"
    spec = load_exercise("squat").for_model("lite")
    track = cached_track(shared_data / "videos" / f"{name}.mp4", "lite", CACHE, name)
    an = Analyzer(spec)
    b = ReportBuilder(spec, target=spec.target, source=name, model="lite", mode="test")
    run_track(load_track(track), an, b)
    report = b.finish(an.pauses)
    assert report.reps >= 1
    assert "heels_lifting" not in report.fault_counts
