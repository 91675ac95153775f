"""``formcheck setup``, ``formcheck install-launcher`` and ``formcheck`` alone: no options for a patient.

The physiotherapist runs ``formcheck setup`` once (with options, or answering a few questions in
plain words); ``formcheck`` with nothing after it, or the desktop launcher ``install-launcher``
writes, then starts today's session of the patient's program with that language and camera.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from pydantic import ValidationError

from formcheck.cli.common import CliError, UsageError, printable
from formcheck.spec.files import format_validation_error
from formcheck.spec.program import load_program, programs_dir
from formcheck.spec.setup import Setup, load_setup, save_setup, setup_path

LAUNCHER = "formcheck.desktop"
_FIELDS = ("lang", "camera", "program", "session", "patient")

WORDS = {
    "da": {"lang": "Sprog", "camera": "Kamera", "program": "Program", "session": "Del af programmet",
           "patient": "Patient-id", "all": "hele programmet", "none": "intet", "saved": "Gemt i {path}:",
           "start": "Start træningen med: formcheck (eller genvejen fra 'formcheck install-launcher')",
           "cameras": "Kameraer fundet: {found}", "ask_camera": "Hvilket kamera skal bruges (nummer)",
           "ask_program": "Hvilket program (tilgængelige: {names})", "ask_patient": "Patientens id (tom: intet)",
           "ask_session": "Hvilken del af programmet ({names}, eller 'alle')",
           "not_set_up": "formcheck er ikke sat op endnu: fysioterapeuten kører først 'formcheck setup' "
                         "(not set up yet: run 'formcheck setup' first)",
           "launcher": "Genvej skrevet: {path}", "launcher_name": "Formcheck - dagens træning",
           "launcher_comment": "Start dagens øvelser med kameraet"},
    "en": {"lang": "Language", "camera": "Camera", "program": "Program", "session": "Part of the program",
           "patient": "Patient id", "all": "the whole program", "none": "none", "saved": "Saved in {path}:",
           "start": "Start training with: formcheck (or the shortcut from 'formcheck install-launcher')",
           "cameras": "Cameras found: {found}", "ask_camera": "Which camera to use (number)",
           "ask_program": "Which program (available: {names})", "ask_patient": "The patient's id (empty: none)",
           "ask_session": "Which part of the program ({names}, or 'all')",
           "not_set_up": "formcheck is not set up yet: the physiotherapist runs 'formcheck setup' first",
           "launcher": "Shortcut written: {path}", "launcher_name": "Formcheck - today's exercises",
           "launcher_comment": "Start today's exercises with the camera"},
}
_ALL = ("all", "alle", "")


# ----- formcheck setup ---------------------------------------------------------------------------


def cmd_setup(args: argparse.Namespace) -> int:
    current = load_setup() or Setup()
    if args.show:
        _print_setup(current, setup_path())
        return 0
    given = {k: getattr(args, k) for k in _FIELDS if getattr(args, k) is not None}
    if not given and not args.defaults:
        if not sys.stdin.isatty():
            raise UsageError("give the settings as options (e.g. --program home_program --lang da --camera 0), "
                             "--defaults, or run 'formcheck setup' in a terminal to be asked", "setup")
        given = _ask(current)
    values = {**current.model_dump(), **given}
    if values.get("session") in _ALL:
        values["session"] = None  # --session all: the whole program
    try:
        setup = Setup.model_validate(values)
    except ValidationError as exc:
        raise UsageError(format_validation_error(Path("setup"), exc, Setup, values).replace("setup: ", "--", 1),
                         "setup") from None
    program = load_program(setup.program)  # an unknown program or session: one line, nothing saved
    if setup.session is not None:
        program.select(setup.session)
    _print_setup(setup, save_setup(setup))
    return 0


def _print_setup(setup: Setup, path: Path) -> None:
    w = WORDS[setup.lang]
    print(w["saved"].format(path=printable(str(path))) if path.exists() else printable(str(path)))
    print(f"  {w['lang']}: {setup.lang}")
    print(f"  {w['camera']}: {setup.camera}")
    print(f"  {w['program']}: {printable(setup.program)}")
    print(f"  {w['session']}: {printable(setup.session) if setup.session else w['all']}")
    print(f"  {w['patient']}: {printable(setup.patient) if setup.patient else w['none']}")
    print(w["start"])


def _answer(question: str, default: str) -> str:
    try:
        reply = input(f"{question} [{default}]: ").strip()
    except EOFError:
        raise CliError("setup: no answer (input ended); nothing was saved") from None
    return reply or default


def _ask(current: Setup) -> dict[str, object]:
    """The questions, in plain words; Enter keeps what is in brackets (the current setting)."""
    lang = ""
    while lang not in ("da", "en"):
        lang = _answer("Sprog / language: da (dansk) eller/or en (English)", current.lang).lower()
    w = WORDS[lang]
    from formcheck.live.cameras import (  # (OpenCV: only when asking)
        describe,
        probe_cameras,
    )

    print(w["cameras"].format(found=describe(probe_cameras(), lang)))
    camera = None
    while camera is None:
        reply = _answer(w["ask_camera"], str(current.camera))
        camera = int(reply) if reply.isdigit() and int(reply) <= 63 else None
    names = ", ".join(sorted(p.stem for p in programs_dir().glob("*.toml")))
    program = _answer(w["ask_program"].format(names=names), current.program)
    sessions = list(getattr(load_program(program), "sessions", None) or {})
    session = None
    if sessions:
        reply = _answer(w["ask_session"].format(names=", ".join(sessions)), current.session or "alle")
        session = None if reply.lower() in _ALL else reply
    patient = _answer(w["ask_patient"], current.patient or "").strip() or None
    return {"lang": lang, "camera": camera, "program": program, "session": session, "patient": patient}


# ----- formcheck alone ---------------------------------------------------------------------------


def live_argv(setup: Setup) -> list[str]:
    """The ``formcheck live`` command line a setup stands for."""
    argv = ["live", "--program", setup.program, "--lang", setup.lang, "--camera", str(setup.camera)]
    if setup.session:
        argv += ["--session", setup.session]
    if setup.patient:
        argv += ["--patient", setup.patient]
    return argv


def cmd_today(_: argparse.Namespace) -> int:
    """``formcheck`` with nothing after it: today's session of the setup's program."""
    from formcheck.cli.main import build_parser

    setup = load_setup()
    if setup is None:
        raise CliError(WORDS["da"]["not_set_up"])
    argv = live_argv(setup)
    parser = build_parser("live")
    args = parser.parse_args(argv)
    return int(args.func(args) or 0)


# ----- formcheck install-launcher ----------------------------------------------------------------


def launcher_command() -> list[str]:
    """How the launcher starts formcheck: this Python with this package, so it runs the same
    installation whatever the desktop's PATH is."""
    return [sys.executable, "-m", "formcheck.cli"]


def desktop_entry(lang: str) -> str:
    """A freedesktop.org desktop entry that runs ``formcheck`` alone, named in both languages
    (``lang``: the setup's, noted in it). Terminal=true: its one-line messages (no camera, not
    set up) stay readable behind the full-screen trainer."""
    exec_line = " ".join(_desktop_quote(a) for a in launcher_command())
    return "\n".join([
        "[Desktop Entry]", "Type=Application", "Version=1.5",
        f"Name={WORDS['en']['launcher_name']}", f"Name[da]={WORDS['da']['launcher_name']}",
        f"Comment={WORDS['en']['launcher_comment']}", f"Comment[da]={WORDS['da']['launcher_comment']}",
        f"Exec={exec_line}", "Icon=camera-web", "Terminal=true", "Categories=Education;MedicalSoftware;",
        f"X-formcheck-lang={lang}", ""])


def _desktop_quote(arg: str) -> str:
    """An Exec argument, quoted as the desktop entry spec asks (reserved characters in "")."""
    if arg and not any(c in arg for c in ' \t\n"\'\\><~|&;$*?#()`='):
        return arg
    return '"' + arg.replace("\\", "\\\\").replace('"', '\\"').replace("`", "\\`").replace("$", "\\$") + '"'


def launcher_paths() -> list[Path]:
    """The user's applications folder (menus) and, when there is one, the desktop folder."""
    import platformdirs

    apps = Path(platformdirs.user_data_dir(appauthor=False)) / "applications"
    desktop = Path(platformdirs.user_desktop_dir())
    return [apps / LAUNCHER] + ([desktop / LAUNCHER] if desktop.is_dir() else [])


def cmd_install_launcher(args: argparse.Namespace) -> int:
    from formcheck.core.atomic import atomic_open

    setup = load_setup()
    lang = setup.lang if setup is not None else "da"
    text = desktop_entry(lang)
    for path in launcher_paths():
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_open(path) as fh:
            fh.write(text)
        os.chmod(path, 0o755)  # a desktop launcher must be executable to be trusted
        print(WORDS[lang]["launcher"].format(path=printable(str(path))))
    if setup is None:
        print(f"formcheck: warning: {WORDS['da']['not_set_up']}", file=sys.stderr)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("setup", help="the patient's setup: what 'formcheck' alone starts (program, language, camera)",
                       description="Run with options, or with none in a terminal to be asked. "
                                   "Saved in the user's config folder ($FORMCHECK_CONFIG_DIR to choose another).")
    p.add_argument("--lang", choices=("da", "en"), help="language of the screens and the terminal")
    p.add_argument("--camera", type=int, help="camera number (see 'formcheck live --list-cameras')")
    p.add_argument("--program", help="program name (in programs/) or a program .toml file")
    p.add_argument("--session", help="one part of the program (e.g. lying, upright); 'all' for the whole program")
    p.add_argument("--patient", help="the patient's id, stored with each set where live records it")
    p.add_argument("--defaults", action="store_true", help="save the defaults (home_program, Danish, camera 0)")
    p.add_argument("--show", action="store_true", help="print the setup and where it is kept")
    p.set_defaults(func=cmd_setup)
    q = sub.add_parser("install-launcher",
                       help="write a desktop launcher (menu and desktop) that starts today's session")
    q.set_defaults(func=cmd_install_launcher)

