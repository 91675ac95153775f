"""Command-line mistakes and hostile files (issue 18, item 10): every subcommand treats an
unknown name the way argparse treats its own mistakes (exit 2); a file's problems are at most a
screenful; a file too large or nested too deeply is one line; nothing a file or an option holds
reaches the terminal as an escape sequence; counts read "1 frame"."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from formcheck.cli import main as cli

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "samples" / "squat_side.mp4"


def run(argv: list[str], capsys) -> tuple[int, str, str]:
    rc = cli.main(argv)
    out, err = capsys.readouterr()
    return rc, out, err


@pytest.mark.parametrize("argv", [
    ["replay", str(SAMPLE), "-e", "bogus"],
    ["replay", str(SAMPLE), "-e", "squat", "--model", "bogus"],
    ["live", "-e", "bogus", "--headless"],
    ["live", "-e", "squat", "--model", "bogus", "--headless"],
    ["live", "--program", "bogus", "--headless"],
    ["live", "--program", "home_program", "--session", "bogus", "--headless", "--source", str(SAMPLE)],
    ["live", "--program", "home_program", "--only", "bogus", "--headless", "--source", str(SAMPLE)],
    ["exercises", "show", "bogus"],
    ["history", "-e", "bogus"],
    ["tune", str(SAMPLE), "-e", "bogus"],
    ["tune", str(SAMPLE), "-e", "squat", "--model", "bogus"],
], ids=lambda a: " ".join(a[:1] + [x for x in a[1:] if not x.startswith("/")])[:60])
def test_an_unknown_exercise_model_program_or_session_exits_2_like_other_command_line_mistakes(
        argv, capsys, tmp_path):
    rc, _, err = run([*argv, *(["--data-dir", str(tmp_path)] if argv[0] in ("replay", "live", "history") else [])],
                     capsys)
    assert rc == 2, err
    assert len(err.strip().splitlines()) == 1 and "bogus" in err and "Traceback" not in err


def test_a_profile_with_thousands_of_problems_prints_a_screenful(tmp_path, capsys):
    profile = tmp_path / "p.toml"
    profile.write_text("[exercises.squat]\n" + "".join(f"b{i} = 1\n" for i in range(50_000)), encoding="utf-8")
    rc, _, err = run(["exercises", "show", "squat", "--profile", str(profile)], capsys)
    lines = err.strip().splitlines()
    assert rc == 1 and len(lines) == 21, len(lines)
    assert lines[0].startswith(f"formcheck: error: {profile}: exercises.squat.b0: unknown key")
    assert lines[-1] == "formcheck: error: ... and 49980 more problems"


@pytest.mark.parametrize("text", [
    "a = " + "[" * 5000 + "]" * 5000,  # the reader ran out of recursion: "internal error: RecursionError"
    "a = " + "{b = " * 400 + "1" + "}" * 400,
    "[" + ".".join(["x"] * 3000) + "]",  # read fine, then the checks ran out of it
], ids=["arrays", "inline tables", "dotted tables"])
def test_deeply_nested_toml_is_one_line(tmp_path, capsys, text):
    profile = tmp_path / "deep.toml"
    profile.write_text(text + "\n", encoding="utf-8")
    rc, _, err = run(["exercises", "show", "squat", "--profile", str(profile)], capsys)
    assert rc == 1 and err.strip().splitlines() == [
        f"formcheck: error: {profile}: tables or lists nested too deeply (at most 16)"]


def test_files_are_read_with_a_size_limit(tmp_path, capsys):
    """``--profile /dev/zero`` read until memory ran out (3.8 GB); a file past 1 MB is no settings file."""
    t0 = time.monotonic()
    rc, _, err = run(["exercises", "show", "squat", "--profile", "/dev/zero"], capsys)
    assert rc == 1 and err.strip() == "formcheck: error: /dev/zero: too large for a settings file (more than 1 MB)"
    assert time.monotonic() - t0 < 5
    big = tmp_path / "big.toml"
    big.write_text("# " + "x" * 1_100_000 + "\n", encoding="utf-8")
    rc, _, err = run(["live", "--program", str(big), "--headless", "--data-dir", str(tmp_path)], capsys)
    assert rc == 1 and err.strip() == f"formcheck: error: {big}: too large for a settings file (more than 1 MB)"


def test_escape_sequences_in_files_do_not_reach_the_terminal(tmp_path, capsys):
    profile = tmp_path / "ansi.toml"
    profile.write_text('[exercises."\\u001b[2J\\u001b]0;pwned\\u0007squat\\u009b"]\ntarget = 3\n', encoding="utf-8")
    rc, _, err = run(["exercises", "show", "squat", "--profile", str(profile)], capsys)
    assert rc == 1 and "exercises.squat: unknown exercise" in err
    assert not any(ord(c) < 32 and c != "\n" or 0x7f <= ord(c) <= 0x9f for c in err), repr(err)


def test_an_exercise_name_with_control_characters_is_refused(tmp_path, capsys):
    """A name is printed after each set and drawn on the screen: an escape sequence in it would
    recolour or clear the terminal."""
    text = (ROOT / "exercises" / "squat.toml").read_text(encoding="utf-8")
    folder = tmp_path / "ex"
    folder.mkdir()
    assert 'en = "Squat"' in text
    (folder / "squat.toml").write_text(text.replace('en = "Squat"', 'en = "\\u001b[31mSquat"', 1), encoding="utf-8")
    rc, _, err = run(["exercises", "validate", str(folder / "squat.toml")], capsys)
    assert rc == 1 and "name.en: must be one line of text, without control characters" in err, err
    assert "\x1b" not in err


def test_one_frame_is_one_frame(capsys, tmp_path):
    import av

    from formcheck.live.screens import show_instructions
    from formcheck.spec.exercise import load_exercise

    # a one-frame video: "(1 frame, 0.03 s; ...)"
    clip = tmp_path / "one.mp4"
    with av.open(str(SAMPLE)) as src, av.open(str(clip), "w") as dst:
        s = src.streams.video[0]
        out = dst.add_stream("libx264", rate=s.average_rate)
        out.width, out.height, out.pix_fmt = s.codec_context.width, s.codec_context.height, "yuv420p"
        frame = next(src.decode(video=0))
        for packet in out.encode(frame.reformat(format="yuv420p")):
            dst.mux(packet)
        for packet in out.encode(None):
            dst.mux(packet)
    rc, _, err = run(["replay", str(clip), "-e", "squat", "--out", str(tmp_path / "o"), "--no-history"], capsys)
    assert rc == 1 and "too short to hold an exercise set (1 frame, " in err, err

    class Screens:  # what show_instructions puts on the screen (its lines, as drawn)
        def show(self, draw, seconds, accept):
            import numpy as np

            from formcheck.overlay import Overlay

            def record(overlay, img, title, lines=(), keys=None):
                self.lines = lines

            real, Overlay.draw_message = Overlay.draw_message, record
            try:
                draw(np.zeros((720, 1280, 3), np.uint8), 5.0)
            finally:
                Overlay.draw_message = real

    screens = Screens()
    for lang, goal in (("en", "Target: 1 repetition"), ("da", "Mål: 1 gentagelse")):
        show_instructions(screens, load_exercise("squat"), 1, lang, "1/1", 0)  # type: ignore[arg-type]
        assert goal in screens.lines
    from formcheck.core.lang import count_of

    assert (count_of(1, "frame"), count_of(2, "frame"), count_of(0, "frame")) == ("1 frame", "2 frames", "0 frames")
