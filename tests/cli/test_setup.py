"""No options for a patient (issue 19, item 6): ``formcheck setup`` saves the program, language,
camera and patient; ``formcheck`` alone starts today's session with them; ``formcheck
install-launcher`` writes a desktop launcher. Config, data and desktop folders are temporary."""

from __future__ import annotations

import configparser
import io
import os
import stat
import subprocess
import sys

import pytest

import formcheck.cli.live as live_cli
from formcheck.cli.main import main
from formcheck.cli.setup import desktop_entry, launcher_paths, live_argv
from formcheck.spec.setup import Setup, SetupError, load_setup, setup_path


@pytest.fixture()
def home(tmp_path, monkeypatch):
    """A fresh user: HOME and the XDG folders under tmp_path (a desktop folder named in user-dirs)."""
    monkeypatch.delenv("FORMCHECK_CONFIG_DIR", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    (tmp_path / "home").mkdir()
    return tmp_path


def test_setup_with_options_saves_a_valid_file(home, capsys):
    assert main(["setup", "--program", "home_program", "--session", "upright", "--lang", "en", "--camera", "2",
                 "--patient", "p-017"]) == 0
    path = home / "config" / "formcheck" / "setup.toml"
    assert setup_path() == path and path.is_file()
    assert load_setup() == Setup(lang="en", camera=2, program="home_program", session="upright", patient="p-017")
    out = capsys.readouterr().out
    assert str(path) in out and "upright" in out
    # a second run changes only what it names; --session all is the whole program again
    assert main(["setup", "--session", "all", "--lang", "da"]) == 0
    assert load_setup() == Setup(lang="da", camera=2, program="home_program", patient="p-017")
    assert "Sprog: da" in capsys.readouterr().out  # the setup's language


@pytest.mark.parametrize("argv,needle", [
    (["--program", "nope"], "unknown program 'nope'"),
    (["--session", "sideways"], "sideways"),
    (["--camera", "99"], "--camera"),
    (["--patient", "Jens Hansen"], "--patient"),
])
def test_a_bad_setting_is_one_line_and_nothing_is_saved(home, capsys, argv, needle):
    assert main(["setup", *argv]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and needle in err[0] and err[0].startswith("formcheck: error:")
    assert not setup_path().exists()


def test_setup_without_options_and_no_terminal_says_what_to_do(home, capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))  # not a terminal
    assert main(["setup"]) == 2
    assert "give the settings as options" in capsys.readouterr().err
    assert main(["setup", "--defaults"]) == 0
    assert load_setup() == Setup()


def test_setup_asks_in_plain_words_when_run_in_a_terminal(home, capsys, monkeypatch):
    import formcheck.live.cameras as cameras

    answers = iter(["en", "", "home_program", "lying", "p1"])  # "": keep camera 0
    asked: list[str] = []
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    monkeypatch.setattr("builtins.input", lambda q: asked.append(q) or next(answers))
    monkeypatch.setattr(cameras, "probe_cameras", lambda *a, **k: [])
    assert main(["setup"]) == 0
    assert load_setup() == Setup(lang="en", camera=0, program="home_program", session="lying", patient="p1")
    assert asked[0].startswith("Sprog / language")
    assert any("Which camera" in q for q in asked) and any("lying" in q for q in asked)
    assert "Cameras found: no cameras found" in capsys.readouterr().out


def test_a_broken_setup_file_is_named(home):
    path = setup_path()
    path.parent.mkdir(parents=True)
    path.write_text('lang = "fr"\ncolour = 3\n')
    with pytest.raises(SetupError) as exc:
        load_setup()
    lines = str(exc.value).splitlines()
    assert any(str(path) in ln and "lang" in ln for ln in lines)
    assert any("colour: unknown key" in ln for ln in lines)


def test_formcheck_alone_runs_todays_session_from_the_setup(home, monkeypatch):
    """No option typed: ``formcheck`` is ``formcheck live --program ... --lang ... --camera ...``."""
    main(["setup", "--program", "home_program", "--session", "lying", "--lang", "en", "--camera", "1",
          "--patient", "p9"])
    seen = []
    monkeypatch.setattr(live_cli, "cmd_live", lambda args: seen.append(args) or 0)
    assert main([]) == 0
    (args,) = seen
    assert (args.program, args.session, args.lang, args.camera) == ("home_program", "lying", "en", 1)
    assert args.exercise is None and not args.headless and args.fullscreen and args.hands_free
    assert getattr(args, "patient", "p9") == "p9"  # passed on where live knows --patient


def test_formcheck_alone_before_any_setup_is_one_line(home, capsys):
    assert main([]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "formcheck setup" in err[0]


def test_live_argv_of_a_setup():
    assert live_argv(Setup(lang="en", camera=3, program="p", session="s", patient="x")) == [
        "live", "--program", "p", "--lang", "en", "--camera", "3", "--session", "s", "--patient", "x"]
    assert live_argv(Setup()) == ["live", "--program", "home_program", "--lang", "da", "--camera", "0"]


def test_install_launcher_writes_a_desktop_entry_to_the_menu_and_the_desktop(home, capsys):
    desktop = home / "home" / "Skrivebord"
    desktop.mkdir()
    (home / "config").mkdir()
    (home / "config" / "user-dirs.dirs").write_text('XDG_DESKTOP_DIR="$HOME/Skrivebord"\n')
    main(["setup", "--defaults"])
    assert main(["install-launcher"]) == 0
    menu = home / "data" / "applications" / "formcheck.desktop"
    assert launcher_paths() == [menu, desktop / "formcheck.desktop"]
    for path in (menu, desktop / "formcheck.desktop"):
        entry = configparser.ConfigParser(interpolation=None)
        entry.optionxform = str  # keys are case-sensitive
        entry.read(path, encoding="utf-8")
        d = entry["Desktop Entry"]
        assert d["Type"] == "Application" and d["Name[da]"].startswith("Formcheck")
        assert d["Exec"].split()[-2:] == ["-m", "formcheck.cli"]  # formcheck alone: no options
        assert os.stat(path).st_mode & stat.S_IXUSR
    out = capsys.readouterr().out
    assert "Genvej skrevet" in out  # the setup's language (Danish)


def test_the_launchers_command_starts_formcheck_alone(home, tmp_path):
    """The Exec line, run as the desktop would (no arguments added): with no setup it says
    what to do, in one line, and does not start anything."""
    exec_line = next(ln for ln in desktop_entry("da").splitlines() if ln.startswith("Exec="))[5:]
    argv = [a.strip('"') for a in exec_line.split()]
    env = {**os.environ, "HOME": str(home / "home"), "XDG_CONFIG_HOME": str(home / "config"),
           "XDG_DATA_HOME": str(home / "data"), "PYTHONPATH": os.pathsep.join(sys.path)}
    env.pop("FORMCHECK_CONFIG_DIR", None)
    res = subprocess.run(argv, capture_output=True, text=True, timeout=120, env=env, check=False)
    assert res.returncode == 1 and "formcheck setup" in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1


def test_desktop_exec_quotes_a_path_with_spaces(monkeypatch):
    import formcheck.cli.setup as setup_cli

    monkeypatch.setattr(setup_cli.sys, "executable", "/opt/my apps/python3")
    exec_line = next(ln for ln in desktop_entry("en").splitlines() if ln.startswith("Exec="))
    assert exec_line == 'Exec="/opt/my apps/python3" -m formcheck.cli'
