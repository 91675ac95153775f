"""``formcheck report``: the page's structure on generated histories of one day, one week and
three months (parsed: one bar per day, each day labelled once, target lines, pain marks, links,
escaping), the per-repetition review, and the page rendered in headless Chromium."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from datetime import date, timedelta
from fractions import Fraction
from html.parser import HTMLParser
from pathlib import Path

import av
import numpy as np
import pytest
from report_histories import (
    HOSTILE_NOTE,
    bracing,
    calf,
    local,
    make_history,
    record,
    squat,
)

from formcheck.cli import main as cli
from formcheck.records.day_chart import day_chart, days_between
from formcheck.records.rep_review import worst_first
from formcheck.records.report_texts import TEXTS
from formcheck.sets.set_report import SetReport

LAST = date(2026, 12, 7)
SPANS = {"1day": 1, "1week": 7, "3months": 91}


class Page(HTMLParser):
    """The parts of the page the tests read: each chart's bars, labels, target lines and pain
    marks, the links, the pictures and the tags."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.charts: list[dict] = []
        self.links: list[str] = []
        self.imgs: list[str] = []
        self._text: list[str] | None = None

    def handle_starttag(self, tag, attrs):  # noqa: ANN001
        a = dict(attrs)
        self.tags.append(tag)
        cls = a.get("class", "")
        if tag == "svg":
            self.charts.append({"label": a.get("aria-label"), "days": [], "xlabels": [], "targets": [], "pain": 0})
        elif self.charts and tag == "g" and cls == "bar":
            self.charts[-1]["days"].append(a["data-day"])
        elif self.charts and tag == "g" and cls == "painmark":
            self.charts[-1]["pain"] += 1
        elif self.charts and tag == "path" and cls == "target":
            self.charts[-1]["targets"].append(a["d"])
        elif tag == "text" and cls == "xlabel":
            self._text = self.charts[-1]["xlabels"]
        elif tag == "a":
            self.links.append(a["href"])
        elif tag == "img":
            self.imgs.append(a["src"])

    def handle_data(self, data):  # noqa: ANN001
        if self._text is not None:
            self._text.append(data)
            self._text = None


def render(data_dir: Path, out: Path, capsys, *more: str) -> str:
    rc = cli.main(["report", "--data-dir", str(data_dir), "--out", str(out), *more])
    err = capsys.readouterr().err
    assert rc == 0, err
    return out.read_text(encoding="utf-8")


@pytest.fixture(scope="module", params=list(SPANS))
def history(request, tmp_path_factory) -> tuple[str, Path, dict]:
    folder = tmp_path_factory.mktemp(request.param)
    return request.param, folder, make_history(folder, SPANS[request.param], LAST)


def test_charts_are_by_day_whatever_the_span(history, tmp_path: Path, capsys) -> None:
    _, folder, made = history
    page = Page()
    page.feed(render(folder, tmp_path / "r.html", capsys, "--lang", "en"))
    adherence, *exercises = page.charts
    assert [c["label"] for c in exercises] == ["Squat", "Core bracing", "Calf stretch"]
    days = sorted(d.isoformat() for d in made["days"])
    for chart in page.charts:
        assert chart["days"] == days  # one bar per day trained, in order: no hours, no day twice
        assert len(chart["targets"]) == 1 and chart["targets"][0].startswith("M")  # a target line on each
        labels = chart["xlabels"]
        assert labels and len(labels) == len(set(labels)) and len(labels) <= 14  # each day labelled once
        assert not any(":" in x for x in labels)  # no clock times
    assert adherence["pain"] == 1 and exercises[1]["pain"] == 1  # the pain stop's day, on core bracing
    assert exercises[0]["pain"] == 0 and exercises[2]["pain"] == 0


def test_a_day_s_target_line_is_at_its_target(tmp_path: Path) -> None:
    """The target line is drawn at the target's height on each day, and steps where it changes."""
    days = days_between(date(2026, 3, 2), date(2026, 3, 4))
    targets = {days[0]: 8.0, days[2]: 10.0}  # (day 2: no set, the target carries over)
    c = day_chart(days, {d: (8.0, 0.0) for d in days}, targets, {}, {}, {}, lambda d, wd: str(d))
    top_of_bar = c.bars[0].rects[0].y
    path = c.target_path
    assert path.startswith("M40.0 ") and f" {top_of_bar}H" in path  # day 1: at 8, the bars' height
    assert path.count("V") == 1 and path.count("H") == 3  # one step up, on day 3


def test_one_day_is_one_bar_not_the_whole_width() -> None:
    c = day_chart([LAST], {LAST: (3.0, 1.0)}, {LAST: 10.0}, {}, {}, {}, lambda d, wd: "x")
    (bar,) = c.bars
    assert all(r.w <= 60 for r in bar.rects) and len(c.x_labels) == 1


def test_three_months_are_labelled_by_mondays() -> None:
    days = days_between(LAST - timedelta(days=90), LAST)
    c = day_chart(days, {}, {}, {}, {}, {}, lambda d, wd: d.isoformat())
    labelled = [date.fromisoformat(t.text) for t in c.x_labels]
    assert labelled and all(d.weekday() == 0 for d in labelled) and len(labelled) == 13


def test_holds_read_as_holds_done_of_those_prescribed(tmp_path: Path, capsys) -> None:
    """Core bracing: 1 of 5 holds of 10 s, with the seconds of each, not "10/10 s"."""
    record(bracing(1, short=1), tmp_path, local(LAST, 9))
    record(calf(30.0, 14.5), tmp_path, local(LAST, 10))
    page = render(tmp_path, tmp_path / "r.html", capsys, "--lang", "en")
    assert "1 of 5 holds of 10 s (held 10, 6 s)" in page and "10/10 s" not in page
    assert "1 of 2 holds of 30 s (held L 30, R 14 s)" in page
    da = render(tmp_path, tmp_path / "da.html", capsys, "--lang", "da")
    assert "1 af 5 hold à 10 s (holdt 10, 6 s)" in da


def test_empty_and_abandoned_sets_are_shown_as_such(tmp_path: Path, capsys) -> None:
    rng = random.Random(3)
    record(squat(0, 10, rng=rng, started_s=None, ended_by="quit"), tmp_path, local(LAST, 9))
    record(squat(0, 10, rng=rng, frames_with_pose=0, ended_by="quit"), tmp_path, local(LAST, 9, 5))
    record(squat(4, 10, rng=rng, ended_by="quit"), tmp_path, local(LAST, 9, 10))
    record(squat(4, 10, rng=rng, ended_by="end_of_video", mode="replay"), tmp_path, local(LAST, 9, 15))
    page = render(tmp_path, tmp_path / "r.html", capsys, "--lang", "en", "--detail-days", "0")
    assert page.count("counting never started") == 1 and page.count("nothing counted") == 1
    assert page.count("stopped before the target") == 1  # the replay that ended with its video is not
    chart = Page()
    chart.feed(page)
    assert chart.charts[1]["days"] == [LAST.isoformat()]


def test_a_hostile_note_is_text_not_markup(tmp_path: Path, capsys) -> None:
    """A note or an (edited) exercise name with markup in it is shown as the text it is: the page
    has the same tags as with a plain note."""
    pages = {}
    for kind, note, name in (("hostile", HOSTILE_NOTE, "<img src=x onerror=alert(1)>"), ("plain", "ondt", "Ryg")):
        folder = tmp_path / kind
        record(bracing(1, pain_stop={"t_s": 3.0, "note": note}, ended_by="pain",
                       exercise_name={"da": name, "en": name}), folder, local(LAST, 9))
        for lang in ("en", "da"):
            text = render(folder, tmp_path / f"{kind}_{lang}.html", capsys, "--lang", lang)
            page = Page()
            page.feed(text)
            pages[kind, lang] = page.tags
            if kind == "hostile":
                assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &#34;smerter&#34;" in text
                assert "&lt;img src=x onerror=alert(1)&gt;" in text
    for lang in ("en", "da"):
        assert pages["hostile", lang] == pages["plain", lang]
        assert "script" not in pages["hostile", lang] and "img" not in pages["hostile", lang]


def test_the_two_languages_say_the_same_things() -> None:
    assert TEXTS["da"].keys() == TEXTS["en"].keys()
    for key in TEXTS["da"]:  # the same figures in both
        assert sorted(_fields(TEXTS["da"][key])) == sorted(_fields(TEXTS["en"][key])), key


def _fields(text: str) -> list[str]:
    import string

    return [f for _, f, _, _ in string.Formatter().parse(text) if f]


def test_the_page_is_in_the_language_asked(history, tmp_path: Path, capsys) -> None:
    _, folder, _ = history
    da = render(folder, tmp_path / "da.html", capsys)  # Danish by default, as the trainer
    assert '<html lang="da">' in da and "Træningsdagbog" in da and "Home exercise record" not in da
    assert "@media print" in da


def _tiny_video(path: Path, seconds: float = 4.0, fps: int = 10) -> None:
    """An annotated.mp4 stand-in whose frames' brightness is their time (to check which was taken)."""
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for i in range(int(seconds * fps)):
            img = np.full((48, 64, 3), int(255 * i / (seconds * fps)), np.uint8)
            frame = av.VideoFrame.from_ndarray(img, format="rgb24")
            frame.pts, frame.time_base = i, Fraction(1, fps)
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))


def test_each_set_links_to_its_files_when_they_are_here(tmp_path: Path, capsys) -> None:
    rng = random.Random(5)
    here, gone = tmp_path / "here", tmp_path / "gone"
    for folder in (here, gone):
        folder.mkdir()
        _tiny_video(folder / "annotated.mp4")
        (folder / "report.json").write_text("{}")
    outputs = {"video": "annotated.mp4", "track": "track.npz"}
    a = record(squat(3, 10, rng=rng, outputs=outputs), tmp_path, local(LAST - timedelta(days=1), 9), here)
    b = record(squat(3, 10, rng=rng, outputs=outputs), tmp_path, local(LAST, 9), gone)
    shutil.rmtree(gone)
    c = record(squat(3, 10, rng=rng, outputs={"video": None, "track": "track.npz"}), tmp_path, local(LAST, 10), here)
    page = Page()
    page.feed(render(tmp_path, tmp_path / "r.html", capsys, "--lang", "en", "--detail-days", "2"))
    assert (here / "annotated.mp4").as_uri() in page.links and (here / "report.json").as_uri() in page.links
    assert page.links.count((here / "annotated.mp4").as_uri()) == 1  # set c has no video
    assert page.links.count((here / "report.json").as_uri()) == 2
    assert not any("gone" in link for link in page.links)
    assert {f"#set-{i}" for i in (a, b, c)} <= set(page.links)  # each set to its detail
    assert len(page.imgs) == 3 and all(src.startswith("data:image/jpeg;base64,") for src in page.imgs)


def test_the_still_is_the_frame_at_the_repetition_s_furthest_point(tmp_path: Path) -> None:
    from formcheck.media.still import stills

    video = tmp_path / "v.mp4"
    _tiny_video(video, seconds=4.0)
    got = stills(video, [0.5, 3.0])
    brightness = {}
    for t, jpeg in got.items():
        (tmp_path / "s.jpg").write_bytes(jpeg)
        with av.open(str(tmp_path / "s.jpg")) as c:
            brightness[t] = next(c.decode(video=0)).to_ndarray(format="gray").mean()
    assert abs(brightness[0.5] - 255 * 0.5 / 4) < 12 and abs(brightness[3.0] - 255 * 3 / 4) < 12
    assert stills(tmp_path / "missing.mp4", [1.0]) == {}
    (tmp_path / "garbage.mp4").write_bytes(b"not a video" * 100)
    assert stills(tmp_path / "garbage.mp4", [1.0]) == {}  # no picture, not a failed report


def test_repetitions_are_listed_worst_first() -> None:
    rng = random.Random(7)
    rep = squat(4, 10, rng=rng)
    for r, (lean, chin, descent) in zip(rep["reps_detail"], [(40, 10, 0.8), (58, 30, 0.8), (40, 27, 0.8),
                                                             (40, 20, 0.8)]):
        r["metrics"].update(trunk_lean=lean, chin_tuck=chin, descent_s=descent)
        r["faults"] = [f for f, bad in (("back_rounded", lean > 55), ("head_down", chin > 25)) if bad]
    order = [r.index for r in worst_first(SetReport.from_json(rep))]
    # both faults; then the one fault (severity 3); then nearest its limit (20 of 25); then furthest
    assert order == [2, 3, 4, 1]


def test_the_detail_marks_the_metrics_past_their_limits(tmp_path: Path, capsys) -> None:
    rng = random.Random(11)
    record(squat(5, 10, rng=rng), tmp_path, local(LAST, 9))
    text = render(tmp_path, tmp_path / "r.html", capsys, "--lang", "en")
    rep = squat(5, 10, rng=random.Random(11))  # the same repetitions again
    over = sum((r["metrics"]["trunk_lean"] > 55) + (r["metrics"]["chin_tuck"] > 25) + (r["metrics"]["descent_s"] < 0.5)
               for r in rep["reps_detail"])
    assert text.count('class="n over"') == over


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium (Debian package chromium) is not installed")
@pytest.mark.timeout(200)
def test_the_page_renders_in_headless_chromium(history, tmp_path: Path, capsys) -> None:
    """Screen and print: the page loads in a real browser and prints to PDF (the physio files it).
    ``python bench/report_screenshots.py`` makes the screenshots in docs/report/ the same way."""
    from report_screenshots import screenshot

    name, folder, _ = history
    html = tmp_path / "r.html"
    render(folder, html, capsys, "--lang", "en")
    png = screenshot(html, tmp_path / f"{name}.png")
    from PIL import Image

    with Image.open(png) as im:
        low, high = im.convert("L").getextrema()
        assert im.size[0] == 1100 and high - low > 150  # drawn, not blank
    if name != "3months":
        return  # (print once: a browser start costs seconds)
    pdf = tmp_path / "r.pdf"
    subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                    f"--print-to-pdf={pdf}", html.as_uri()], capture_output=True, timeout=120, check=True)
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.read_bytes().count(b"/Type /Page") >= 2


@pytest.mark.slow
def test_a_replayed_set_in_detail_with_the_real_model(tmp_path: Path, capsys, sample_squat: Path) -> None:
    """End to end: replay a clip with the pose model, then the report: the set links to its video
    and report, and each counted repetition has its row and a still from the annotated video."""
    out = tmp_path / "out"
    assert cli.main(["replay", str(sample_squat), "-e", "squat", "--out", str(out), "--data-dir", str(tmp_path)]) == 0
    capsys.readouterr()
    report = json.loads((out / "report.json").read_text())
    assert report["reps"] >= 3
    page = Page()
    page.feed(render(tmp_path, tmp_path / "r.html", capsys, "--lang", "en"))
    assert (out / "annotated.mp4").resolve().as_uri() in page.links
    assert (out / "report.json").resolve().as_uri() in page.links
    assert len(page.imgs) == report["reps"] and all(s.startswith("data:image/jpeg;base64,") for s in page.imgs)


def test_the_patient_heads_the_page_when_given(tmp_path: Path) -> None:
    from formcheck.records import history as H
    from formcheck.records.html_report import render_html

    record(bracing(3), tmp_path, local(LAST, 9))
    assert "Patient &lt;p-0042&gt;" in render_html(H.load_sets(tmp_path), lang="da", patient="<p-0042>")
    assert "Patient" not in render_html(H.load_sets(tmp_path), lang="da")


@pytest.mark.parametrize("argv", [["--lang", "de"], ["--detail-days", "-1"], ["--detail-days", "a"]])
def test_a_bad_report_option_is_one_line(tmp_path: Path, capsys, argv: list[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        cli.main(["report", "--data-dir", str(tmp_path), "--out", str(tmp_path / "r.html"), *argv])
    err = capsys.readouterr().err.strip().splitlines()
    assert stop.value.code == 2 and len(err) == 1 and err[0].startswith("formcheck: error: argument --")
    assert not (tmp_path / "r.html").exists()


def test_a_day_is_measured_against_the_program_the_sets_came_from(tmp_path: Path, capsys) -> None:
    """The adherence chart's line: the program's exercises, also when a replay (no program) was
    done the same day; the exercises trained when the sets came from no program."""
    rng = random.Random(2)
    record(squat(8, 8, rng=rng, program=None, mode="replay"), tmp_path / "alone", local(LAST, 9))
    record(squat(8, 8, rng=rng), tmp_path / "mixed", local(LAST, 9))
    record(squat(8, 8, rng=rng, program=None, mode="replay"), tmp_path / "mixed", local(LAST, 10))
    alone = render(tmp_path / "alone", tmp_path / "a.html", capsys, "--lang", "en")
    mixed = render(tmp_path / "mixed", tmp_path / "m.html", capsys, "--lang", "en")
    assert "(1: the exercises trained in the period)" in alone
    assert "(10: the program home_program)" in mixed
