"""Copying a staged release over the code: replaced files are kept for the rollback, the
protected paths (data directory wherever it is, .env, .venv, .git) are never written —
a package holding one is refused with nothing changed — and rollback() puts back exactly
what was there."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from finora.services.updates.install import (
    InstallError,
    ProtectedPathError,
    install,
    protected_paths,
    rollback,
)


def snapshot(folder: Path) -> dict[str, str]:
    """Every file and link under `folder`, with its content's hash (links: their target)."""
    found = {}
    for path in sorted(folder.rglob("*")):
        key = path.relative_to(folder).as_posix()
        if path.is_symlink():
            found[key] = "link:" + os.readlink(path)
        elif path.is_file():
            found[key] = hashlib.sha256(path.read_bytes()).hexdigest()
        else:
            found[key] = "dir"
    return found


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


@pytest.fixture
def code(tmp_path):
    return write(tmp_path / "code", {
        "app.py": "old app", "finora/__init__.py": "old init", "finora/kept.py": "kept",
        ".env": "SECRET_KEY=mine", ".venv/bin/python": "venv", ".git/HEAD": "ref",
        "data/finora.db": "db",
    })


def test_install_replaces_and_adds_files_and_rollback_puts_everything_back(tmp_path, code):
    before = snapshot(code)
    staged = write(tmp_path / "staged", {
        "app.py": "new app", "finora/__init__.py": "new init", "finora/new/mod.py": "new",
    })
    result = install(staged, code, tmp_path / "rollback", protected_paths(code, [code / "data"]))
    assert sorted(result.replaced) == ["app.py", "finora/__init__.py"]
    assert result.added == ["finora/new/mod.py"]
    assert result.new_dirs == ["finora/new"]
    assert (code / "app.py").read_text() == "new app"
    assert (code / "finora/new/mod.py").read_text() == "new"
    assert (code / "finora/kept.py").read_text() == "kept"
    assert (code / ".env").read_text() == "SECRET_KEY=mine"
    assert (tmp_path / "rollback/files/app.py").read_text() == "old app"

    rollback(tmp_path / "rollback", code)
    assert snapshot(code) == before


@pytest.mark.parametrize(
    "member", [".env", ".venv/bin/python", ".git/HEAD", ".git/hooks/post-checkout", "data/finora.db",
               "data/new-file"],
)
def test_a_package_holding_a_protected_path_is_refused_with_nothing_changed(tmp_path, code, member):
    before = snapshot(code)
    staged = write(tmp_path / "staged", {"app.py": "new app", member: "overwritten"})
    with pytest.raises(ProtectedPathError) as caught:
        install(staged, code, tmp_path / "rollback", protected_paths(code, [code / "data"]))
    assert member in str(caught.value)
    assert snapshot(code) == before
    assert not (tmp_path / "rollback").exists()


def test_a_data_directory_elsewhere_is_protected_through_a_link_in_the_code(tmp_path, code):
    """The data directory is protected wherever it is, even reached through a symlink."""
    data = write(tmp_path / "elsewhere", {"finora.db": "db"})
    (code / "storage").symlink_to(data)
    before, outside = snapshot(code), snapshot(data)
    staged = write(tmp_path / "staged", {"app.py": "new", "storage/finora.db": "overwritten"})
    with pytest.raises(ProtectedPathError):
        install(staged, code, tmp_path / "rollback", protected_paths(code, [data]))
    assert snapshot(code) == before and snapshot(data) == outside


def test_a_destination_outside_the_code_through_a_link_is_refused(tmp_path, code):
    outside = write(tmp_path / "outside", {"x.py": "mine"})
    (code / "finora/plugins").symlink_to(outside)
    staged = write(tmp_path / "staged", {"app.py": "new", "finora/plugins/x.py": "overwritten"})
    with pytest.raises(ProtectedPathError):
        install(staged, code, tmp_path / "rollback", protected_paths(code, []))
    assert (outside / "x.py").read_text() == "mine"


def test_a_file_where_the_code_has_a_folder_is_refused_before_copying(tmp_path, code):
    before = snapshot(code)
    staged = write(tmp_path / "staged", {"app.py": "new", "finora": "a file"})
    with pytest.raises(InstallError):
        install(staged, code, tmp_path / "rollback", protected_paths(code, []))
    assert snapshot(code) == before


def test_a_failure_half_way_puts_back_what_was_copied(tmp_path, code, monkeypatch):
    import finora.services.updates.install as module

    before = snapshot(code)
    staged = write(tmp_path / "staged", {
        "app.py": "new app", "finora/__init__.py": "new init", "finora/zz/late.py": "late",
    })
    real, calls = module._replace, []

    def fail_on_third(source, destination):
        calls.append(destination)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        real(source, destination)

    monkeypatch.setattr(module, "_replace", fail_on_third)
    with pytest.raises(InstallError, match="No space left"):
        install(staged, code, tmp_path / "rollback", protected_paths(code, []))
    assert snapshot(code) == before
