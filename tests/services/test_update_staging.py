"""Unpacking a package into staging: a well-formed release unpacks; every hostile member
(`..`, an absolute path, links, devices), the caps and a package that is not a release are
refused, and nothing is left on disk (no staging folder, nothing outside it)."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest

from finora.services.updates.staging import (
    IncompletePackageError,
    UnsafePackageError,
    member_path,
    stage_package,
)

RELEASE = {"app.py": b"print('app')\n", "finora/__init__.py": b"", "finora/core.py": b"x = 1\n"}


def _file(name: str, data: bytes, mode: int = 0o644) -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.size, info.mode = len(data), mode
    return info, data


def _special(name: str, kind: bytes, linkname: str = "") -> tuple[tarfile.TarInfo, None]:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, linkname
    return info, None


def build(path: Path, members) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for info, data in members:
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    return path


def release_members(extra=()):
    return [_file(name, data) for name, data in RELEASE.items()] + list(extra)


def stage(tmp_path: Path, members, **caps):
    archive = build(tmp_path / "package.tar.gz", members)
    target = tmp_path / "work" / "staging"
    target.parent.mkdir(exist_ok=True)
    limits = {"max_files": 100, "max_bytes": 1_000_000, **caps}
    return target, lambda: stage_package(archive, target, **limits)


def _nothing_left(tmp_path: Path, target: Path) -> None:
    assert not target.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["package.tar.gz", "work"]
    assert list((tmp_path / "work").iterdir()) == []


def test_a_release_unpacks_with_its_files_and_modes(tmp_path):
    target, run = stage(tmp_path, release_members([_file("scripts/run.sh", b"#!/bin/sh\n", 0o755)]))
    root = run()
    assert root == target
    for name, data in RELEASE.items():
        assert (root / name).read_bytes() == data
    assert (root / "scripts/run.sh").stat().st_mode & 0o111
    assert not (root / "app.py").stat().st_mode & 0o111


def test_a_release_under_one_top_folder_unpacks_to_that_folder(tmp_path):
    members = [_file(f"finora-1.2.0/{name}", data) for name, data in RELEASE.items()]
    target, run = stage(tmp_path, members)
    assert run() == target / "finora-1.2.0"


@pytest.mark.parametrize(
    "members",
    [
        pytest.param(release_members([_file("../evil.py", b"boom")]), id="dot-dot"),
        pytest.param(release_members([_file("finora/../../evil.py", b"boom")]), id="dot-dot-inside"),
        pytest.param(release_members([_file("/tmp/finora-evil.py", b"boom")]), id="absolute"),  # noqa: S108 - a hostile path
        pytest.param(release_members([_special("finora/link.py", tarfile.SYMTYPE, "/etc/passwd")]),
                     id="symlink"),
        pytest.param(release_members([_special("finora/hard.py", tarfile.LNKTYPE, "app.py")]),
                     id="hardlink"),
        pytest.param(release_members([_special("finora/dev", tarfile.CHRTYPE)]), id="device"),
        pytest.param(release_members([_special("finora/fifo", tarfile.FIFOTYPE)]), id="fifo"),
        pytest.param(release_members([_file("app.py", b"second copy")]), id="member-twice"),
        # A link to a folder outside, then a file "through" it: the link alone is refused.
        pytest.param([_special("out", tarfile.SYMTYPE, "/tmp"), *release_members([_file("out/x", b"x")])],  # noqa: S108 - a hostile link
                     id="file-through-link"),
    ],
)
def test_hostile_members_refuse_the_whole_package_and_leave_nothing(tmp_path, members):
    target, run = stage(tmp_path, members)
    with pytest.raises(UnsafePackageError):
        run()
    _nothing_left(tmp_path, target)
    assert not Path("/tmp/finora-evil.py").exists()  # noqa: S108 - the hostile path above


def test_too_many_files_are_refused(tmp_path):
    members = release_members([_file(f"finora/m{i}.py", b"") for i in range(10)])
    target, run = stage(tmp_path, members, max_files=len(members) - 1)
    with pytest.raises(UnsafePackageError, match="more than"):
        run()
    _nothing_left(tmp_path, target)


def test_folders_count_toward_the_file_cap(tmp_path):
    folders = []
    for i in range(10):
        info = tarfile.TarInfo(f"empty{i}")
        info.type = tarfile.DIRTYPE
        folders.append((info, None))
    target, run = stage(tmp_path, release_members(folders), max_files=len(RELEASE) + 5)
    with pytest.raises(UnsafePackageError, match="more than"):
        run()
    _nothing_left(tmp_path, target)


def test_too_many_bytes_unpacked_are_refused(tmp_path):
    members = release_members([_file("finora/big.bin", b"\0" * 5000)])
    target, run = stage(tmp_path, members, max_bytes=4000)
    with pytest.raises(UnsafePackageError, match="4000 bytes"):
        run()
    _nothing_left(tmp_path, target)


def test_within_the_caps_it_unpacks(tmp_path):
    members = release_members([_file("finora/big.bin", b"\0" * 5000)])
    _target, run = stage(tmp_path, members, max_files=len(members), max_bytes=5000 + 20)
    assert (run() / "finora/big.bin").stat().st_size == 5000


@pytest.mark.parametrize("missing", ["app.py", "finora/__init__.py"])
def test_a_package_without_app_py_or_finora_is_not_a_release(tmp_path, missing):
    members = [_file(name, data) for name, data in RELEASE.items() if name != missing]
    target, run = stage(tmp_path, members)
    with pytest.raises(IncompletePackageError):
        run()
    _nothing_left(tmp_path, target)


def test_something_that_is_not_a_tar_gz_is_refused(tmp_path):
    archive = tmp_path / "package.tar.gz"
    archive.write_bytes(b"PK\x03\x04 not a tarball")
    target = tmp_path / "work" / "staging"
    target.parent.mkdir()
    with pytest.raises(UnsafePackageError):
        stage_package(archive, target, max_files=10, max_bytes=1000)
    _nothing_left(tmp_path, target)


def test_a_truncated_package_is_refused(tmp_path):
    members = release_members([_file("finora/big.bin", bytes(range(256)) * 400)])
    archive = build(tmp_path / "package.tar.gz", members)
    archive.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    target = tmp_path / "work" / "staging"
    target.parent.mkdir()
    with pytest.raises(UnsafePackageError, match="not a readable"):
        stage_package(archive, target, max_files=10, max_bytes=1_000_000)
    _nothing_left(tmp_path, target)


@pytest.mark.parametrize("name", ["C:/evil.py", "a\\..\\evil.py", "", "a\x00b"])
def test_names_other_systems_read_as_absolute_or_odd_are_refused(name):
    with pytest.raises(UnsafePackageError):
        member_path(name)
