"""The test suite itself: every test has a timeout, so a hang fails instead of stalling CI
(pytest-timeout, issue 18), and the tests can run in parallel (pytest-xdist)."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_test_has_a_timeout(request):
    assert request.config.pluginmanager.hasplugin("timeout"), "pytest-timeout is not installed (pip install -e .[test])"
    assert 0 < float(request.config.getini("timeout")) <= 600


def test_the_test_extra_installs_the_plugins_the_suite_relies_on():
    extra = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]["test"]
    names = {d.split(">")[0].split("=")[0].split("[")[0].strip() for d in extra}
    assert {"pytest", "pytest-xdist", "pytest-timeout"} <= names


def test_slow_end_to_end_tests_stay_in_ci():
    """The ``slow`` tests (the real pose model end to end, e.g. live at camera pace against replay)
    are registered and run by default and by CI: nothing deselects them (``-m "not slow"`` is
    for a quick loop by hand)."""
    ini = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["pytest"]["ini_options"]
    assert {m.split(":")[0] for m in ini["markers"]} >= {"slow", "shared_data"}
    assert "-m" not in ini.get("addopts", "").split()
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "pytest" in ci and "not slow" not in ci
