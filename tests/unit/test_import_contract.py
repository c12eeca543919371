"""The import contract (.importlinter, run by `make lint`) holds for the tree, and a
wrong-way import fails it: a model importing a service, the forecast engine importing Flask,
the entry form importing the rules area."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(tree: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    return subprocess.run(
        [str(LINT_IMPORTS), str(ROOT / ".importlinter"), "--no-cache"],
        cwd=tree, env=env, capture_output=True, text=True, timeout=120,
    )


@pytest.fixture
def tree(tmp_path) -> Path:
    """A copy of the package to break on purpose."""
    shutil.copytree(ROOT / "finora", tmp_path / "finora", ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


def test_the_tree_keeps_the_contract():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        ("models/wrong_way.py", "import finora.services.ledger.accounts\n", "finora.models"),
        ("forecast/wrong_way.py", "import flask\n", "flask"),
        ("forecast/through_dates.py", "import finora.dates\n", "finora.forecast"),
        ("web/entries/wrong_way.py", "import finora.web.rules.forms\n", "rules"),
    ],
)
def test_a_wrong_way_import_breaks_the_contract(tree, module, line, broken):
    (tree / "finora" / module).write_text(line)
    result = lint_imports(tree)
    assert result.returncode == 1, result.stdout
    assert "BROKEN" in result.stdout and broken in result.stdout
