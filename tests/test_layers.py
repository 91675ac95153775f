"""The folders are layers (pyproject.toml, [tool.importlinter]): lint-imports keeps them so, and
would notice a change that breaks them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _lint_imports(src: Path) -> subprocess.CompletedProcess[str]:
    """lint-imports with the project's contracts on the package found in ``src``."""
    code = ("import sys\nfrom importlinter.cli import lint_imports\n"
            f"sys.exit(lint_imports(config_filename={str(ROOT / 'pyproject.toml')!r}, no_cache=True))")
    env = {**os.environ, "PYTHONPATH": str(src)}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=src, timeout=120)


def test_the_layers_hold():
    res = _lint_imports(ROOT / "src")
    assert res.returncode == 0, res.stdout + res.stderr
    assert "0 broken" in res.stdout


def test_an_import_against_the_layers_is_caught(tmp_path):
    """The contracts can fail: the engine reaching up into the command line, and a cycle between
    two engine modules, are each reported."""
    shutil.copytree(ROOT / "src" / "formcheck", tmp_path / "formcheck", ignore=shutil.ignore_patterns("__pycache__"))
    counter = tmp_path / "formcheck" / "engine" / "counter.py"
    counter.write_text(counter.read_text() + "\nimport formcheck.cli.common  # noqa\nimport formcheck.engine.reps  # noqa\n")
    res = _lint_imports(tmp_path)
    assert res.returncode != 0
    assert "formcheck.engine.counter -> formcheck.cli.common" in res.stdout
    assert "No import cycles" in res.stdout and "BROKEN" in res.stdout
