"""`make run` installs the runtime requirements only; the test, lint and bench targets add
the development ones on top. Read from `make -n` (nothing is installed) on a scratch
virtualenv path whose stamps the test lays out."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RUNTIME = "-r requirements.txt"
DEV = "-r requirements-dev.txt"

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def _cksum(name: str) -> str:
    data = (ROOT / name).read_bytes()
    return subprocess.run(["cksum"], input=data, capture_output=True, check=True).stdout.split()[0].decode()


def _stamps(venv: Path) -> tuple[Path, Path]:
    return (
        venv / f".installed-runtime-{_cksum('requirements.txt')}",
        venv / f".installed-dev-{_cksum('requirements-dev.txt')}",
    )


def _dry_run(venv: Path, target: str) -> str:
    result = subprocess.run(
        ["make", "-n", "--no-print-directory", target, f"VENV={venv}"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )
    return result.stdout


def _install_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if "pip install" in line and " -r " in line]


def test_the_runtime_set_holds_no_test_tools():
    runtime = (ROOT / "requirements.txt").read_text().lower()
    dev = (ROOT / "requirements-dev.txt").read_text().lower()
    for tool in ("pytest", "playwright", "ruff", "hypothesis"):
        assert tool not in runtime and tool in dev


def test_a_fresh_clone_runs_with_the_runtime_requirements_only(tmp_path):
    lines = _install_lines(_dry_run(tmp_path / "venv", "run"))
    assert len(lines) == 1 and lines[0].endswith(RUNTIME)


@pytest.mark.parametrize("target", ["lint", "test-sqlite", "test-postgres", "test-e2e", "bench"])
def test_development_targets_install_both_sets_on_a_fresh_clone(tmp_path, target):
    lines = _install_lines(_dry_run(tmp_path / "venv", target))
    assert [line.rsplit(" -r ", 1)[1] for line in lines] == ["requirements.txt", "requirements-dev.txt"]


def test_after_make_run_the_tests_add_only_the_development_set(tmp_path):
    venv = tmp_path / "venv"
    venv.mkdir()
    runtime, _dev = _stamps(venv)
    runtime.touch()
    lines = _install_lines(_dry_run(venv, "test-sqlite"))
    assert len(lines) == 1 and lines[0].endswith(DEV)
    assert _install_lines(_dry_run(venv, "run")) == []


def test_nothing_is_installed_again_once_both_sets_are(tmp_path):
    venv = tmp_path / "venv"
    venv.mkdir()
    runtime, dev = _stamps(venv)
    runtime.touch()
    dev.touch()
    for target in ("run", "lint", "test-sqlite", "bench"):
        assert _install_lines(_dry_run(venv, target)) == [], target


def test_a_changed_runtime_set_reinstalls_both_for_the_tests(tmp_path):
    venv = tmp_path / "venv"
    venv.mkdir()
    runtime, dev = _stamps(venv)
    runtime.touch()
    dev.touch()
    # The runtime stamp is older than requirements.txt, as after editing it.
    os.utime(runtime, (0, 0))
    os.utime(dev, (0, 0))
    lines = _install_lines(_dry_run(venv, "lint"))
    assert [line.rsplit(" -r ", 1)[1] for line in lines] == ["requirements.txt", "requirements-dev.txt"]
    assert len(_install_lines(_dry_run(venv, "run"))) == 1
