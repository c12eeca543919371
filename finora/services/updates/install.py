"""Copying a staged release over the code, with a rollback folder that can put it back.

Before a single code file changes, the whole plan is checked (every destination inside
the code folder and outside the protected paths) and every file about to be replaced is
copied into the rollback folder, whose journal (rollback.json) lists the replaced files,
the new files and the new folders. Each file is then written beside its destination and
renamed over it, so a crash leaves either the old file or the new one, never half of one.
rollback() reads the journal and puts everything back.

Protected, never touched: the data directory and the backups' folder (wherever they are,
even inside the code folder), `.env`, `.venv` and `.git`. A package holding any of them is
refused before anything is copied (a release is built without them: a package that has
one was built wrongly or tampered with)."""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from finora.services.updates.errors import UpdateError
from finora.translation import gettext as _
from finora.translation import lazy_gettext as _l

PROTECTED_NAMES = (".env", ".venv", ".git")
JOURNAL = "rollback.json"
FILES = "files"


class ProtectedPathError(UpdateError):
    message = _l("The package would overwrite a protected path: it was refused.")
    reason = "protected_path"


class InstallError(UpdateError):
    message = _l("The new files could not be copied over the code.")
    reason = "install"


@dataclass
class InstallResult:
    rollback_dir: Path
    replaced: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    new_dirs: list[str] = field(default_factory=list)


def protected_paths(code_dir: Path, extra: list[Path]) -> list[Path]:
    """The resolved protected paths: .env/.venv/.git of the code folder, plus `extra` (the
    data directory, the backups' folder)."""
    code_dir = code_dir.resolve()
    return [code_dir / name for name in PROTECTED_NAMES] + [Path(path).resolve() for path in extra]


def _relative_files(staging: Path) -> list[str]:
    found = []
    for folder, dirs, names in os.walk(staging):
        dirs.sort()
        for name in sorted(names):
            found.append((Path(folder) / name).relative_to(staging).as_posix())
    return found


def plan(staging: Path, code_dir: Path, protected: list[Path]) -> list[str]:
    """The staged files, relative; ProtectedPathError naming the members that would land on a
    protected path, InstallError for a file whose place is a folder in the code."""
    code_dir = code_dir.resolve()
    files = _relative_files(staging)
    refused = []
    for relative in files:
        destination = code_dir / relative
        resolved = destination.resolve()
        if not resolved.is_relative_to(code_dir) or any(
            _touches(path, destination, resolved) for path in protected
        ):
            refused.append(relative)
        elif destination.is_dir() and not destination.is_symlink():
            raise InstallError(_("The package has a file where the code has a folder: %(name)s",
                                 name=relative))
    if refused:
        shown = ", ".join(refused[:5]) + (" …" if len(refused) > 5 else "")
        raise ProtectedPathError(
            _("The package would overwrite protected paths (%(names)s): it was refused.",
              names=shown)
        )
    return files


def _touches(protected: Path, destination: Path, resolved: Path) -> bool:
    return (
        destination == protected or destination.is_relative_to(protected)
        or resolved == protected or resolved.is_relative_to(protected)
    )


def install(staging: Path, code_dir: Path, rollback_dir: Path, protected: list[Path]) -> InstallResult:
    """Copy the staged release over `code_dir`. Refusals (plan) change nothing; a failure
    while copying puts back what was already copied and raises InstallError."""
    files = plan(staging, code_dir, protected)
    code_dir = code_dir.resolve()
    rollback_dir.mkdir(mode=0o700)
    result = InstallResult(rollback_dir=rollback_dir)
    saved = rollback_dir / FILES
    saved.mkdir(mode=0o700)
    try:
        for relative in files:
            destination = code_dir / relative
            if destination.exists() or destination.is_symlink():
                copy = saved / relative
                copy.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(destination, copy, follow_symlinks=False)
                result.replaced.append(relative)
            else:
                result.added.append(relative)
        for relative in files:
            for parent in reversed(Path(relative).parents[:-1]):  # top folder first
                if not (code_dir / parent).exists() and parent.as_posix() not in result.new_dirs:
                    result.new_dirs.append(parent.as_posix())
        _write_journal(result)
        for relative in files:
            _replace(staging / relative, code_dir / relative)
    except BaseException as error:
        rollback(rollback_dir, code_dir)
        if isinstance(error, OSError):
            raise InstallError(
                _("The new files could not be copied over the code (%(reason)s).",
                  reason=error.strerror or str(error))
            ) from error
        raise
    return result


def _write_journal(result: InstallResult) -> None:
    journal = result.rollback_dir / JOURNAL
    journal.write_text(json.dumps(
        {"replaced": result.replaced, "added": result.added, "new_dirs": result.new_dirs}
    ), encoding="utf-8")


def _replace(source: Path, destination: Path) -> None:
    destination.parent.mkdir(parents=True, exist_ok=True, mode=0o755)
    temporary = destination.with_name(f".{destination.name}.finora-update")
    shutil.copy2(source, temporary)
    os.replace(temporary, destination)


def rollback(rollback_dir: Path, code_dir: Path) -> None:
    """Put back every replaced file, remove the new files and new folders (a journal that
    was never written means no code file changed)."""
    journal = rollback_dir / JOURNAL
    if not journal.is_file():
        return
    code_dir = code_dir.resolve()
    entries = json.loads(journal.read_text(encoding="utf-8"))
    for relative in entries["added"]:
        (code_dir / relative).unlink(missing_ok=True)
        (code_dir / relative).with_name(f".{Path(relative).name}.finora-update").unlink(missing_ok=True)
    for relative in entries["replaced"]:
        destination = code_dir / relative
        destination.with_name(f".{destination.name}.finora-update").unlink(missing_ok=True)
        temporary = destination.with_name(f".{destination.name}.finora-rollback")
        shutil.copy2(rollback_dir / FILES / relative, temporary, follow_symlinks=False)
        os.replace(temporary, destination)
    for relative in sorted(entries["new_dirs"], key=lambda name: -name.count("/")):
        folder = code_dir / relative
        shutil.rmtree(folder / "__pycache__", ignore_errors=True)
        try:
            folder.rmdir()
        except OSError:
            pass  # something else was put there meanwhile: left as it is
