"""Unpacking a verified package into a staging folder, member by member, with real checks.

Each member's name must be relative, free of `..`, and resolve inside the folder (checked
with Path.resolve().is_relative_to, never by string prefix); only regular files and
directories are written (links, devices and FIFOs refuse the whole package); the number
of files and the bytes written are counted while extracting, so a member that lies about
its size is still stopped at the cap. A refusal removes the staging folder: nothing of a
refused package stays on disk. The package must carry app.py and the finora package."""

from __future__ import annotations

import os
import shutil
import stat
import tarfile
import zlib
from pathlib import Path, PurePosixPath

from finora.services.updates.errors import UpdateError
from finora.translation import gettext as _
from finora.translation import lazy_gettext as _l

_CHUNK = 1024 * 1024
REQUIRED_FILES = ("app.py", "finora/__init__.py")


class UnsafePackageError(UpdateError):
    """A member that would escape the folder, a link or a device, or a package over the caps."""

    message = _l("The package holds something unsafe or too big: it was refused.")
    reason = "unsafe_package"


class IncompletePackageError(UpdateError):
    message = _l("The package is not a Finora release (app.py or the finora package is missing).")
    reason = "incomplete_package"


class StagingDiskError(UpdateError):
    message = _l("The package could not be unpacked.")
    reason = "disk"


def _unsafe(detail: str) -> UnsafePackageError:
    return UnsafePackageError(
        _("The package holds something unsafe or too big (%(detail)s): it was refused.",
          detail=detail)
    )


def member_path(name: str) -> PurePosixPath:
    """The member's relative path; UnsafePackageError for an absolute one or one with `..`."""
    if not name or "\x00" in name or "\\" in name:
        raise _unsafe(_("a member with an unusable name"))
    path = PurePosixPath(name)
    if path.is_absolute() or name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        raise _unsafe(_("an absolute path: %(name)s", name=name[:200]))
    parts = [part for part in path.parts if part not in ("", ".")]
    if any(part == ".." for part in parts):
        raise _unsafe(_("a path with '..': %(name)s", name=name[:200]))
    if not parts:
        return PurePosixPath(".")
    return PurePosixPath(*parts)


def _inside(root: Path, relative: PurePosixPath) -> Path:
    target = (root / relative).resolve()
    if not target.is_relative_to(root):
        raise _unsafe(_("a path outside the package: %(name)s", name=str(relative)[:200]))
    return target


def stage_package(archive: Path, target: Path, *, max_files: int, max_bytes: int) -> Path:
    """Extract the .tar.gz `archive` into the new folder `target` (which must not exist);
    returns the folder holding app.py (the archive's root, or its single top folder)."""
    target.mkdir(mode=0o700)
    try:
        _extract(archive, target.resolve(), max_files=max_files, max_bytes=max_bytes)
        return _release_root(target)
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)
        raise


def _extract(archive: Path, root: Path, *, max_files: int, max_bytes: int) -> None:
    files = written = 0
    try:
        with tarfile.open(archive, mode="r:gz") as tar:
            for member in tar:  # streamed: members are checked as they come
                relative = member_path(member.name)
                files += 1  # folders count too: a million empty ones is no release either
                if files > max_files:
                    raise _unsafe(_("more than %(count)s files", count=max_files))
                if member.isdir():
                    if relative != PurePosixPath("."):
                        _inside(root, relative).mkdir(parents=True, exist_ok=True, mode=0o755)
                    continue
                if not member.isreg():
                    raise _unsafe(_("a link or special file: %(name)s", name=member.name[:200]))
                if member.size > max_bytes - written:
                    raise _unsafe(_("more than %(size)s bytes unpacked", size=max_bytes))
                destination = _inside(root, relative)
                destination.parent.mkdir(parents=True, exist_ok=True, mode=0o755)
                written += _write_member(tar, member, destination, max_bytes - written)
    except OSError as error:
        if error.errno is None:  # gzip's own complaint (BadGzipFile): not a disk error
            raise _unsafe(_("not a readable .tar.gz archive")) from error
        raise StagingDiskError(
            _("The package could not be unpacked (%(reason)s).",
              reason=error.strerror or str(error))
        ) from error
    except (tarfile.TarError, EOFError, ValueError, zlib.error) as error:
        raise _unsafe(_("not a readable .tar.gz archive")) from error


def _write_member(tar: tarfile.TarFile, member: tarfile.TarInfo, destination: Path, room: int) -> int:
    """Copy one member, counting the bytes actually written; a second member with the same
    name is refused (it would silently replace the first)."""
    source = tar.extractfile(member)
    if source is None:
        raise _unsafe(_("an unreadable member: %(name)s", name=member.name[:200]))
    mode = 0o755 if member.mode & stat.S_IXUSR else 0o644
    try:
        fd = os.open(destination, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), mode)
    except FileExistsError as error:
        raise _unsafe(_("a member given twice: %(name)s", name=member.name[:200])) from error
    count = 0
    with source, os.fdopen(fd, "wb") as handle:
        while chunk := source.read(_CHUNK):
            count += len(chunk)
            if count > room:
                raise _unsafe(_("more bytes than it declares"))
            handle.write(chunk)
    return count


def _release_root(target: Path) -> Path:
    if not all((target / name).is_file() for name in REQUIRED_FILES):
        entries = list(target.iterdir())
        if len(entries) == 1 and entries[0].is_dir() and not entries[0].is_symlink():
            nested = entries[0]
            if all((nested / name).is_file() for name in REQUIRED_FILES):
                return nested
        raise IncompletePackageError()
    return target
