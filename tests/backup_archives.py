"""Backup archives for tests, good and hostile: a valid archive from plain JSON rows (so a
test can plant a wrong row behind correct checksums), a re-zip with a member changed, a
manifest edited, names and sizes patched in the zip's own headers (absolute paths, `..`,
symlinks, lying sizes), truncations and flipped bits.

Used by the format tests and by every test that needs an archive it could not get from
the writer (household restore, the CLI, the pages)."""

from __future__ import annotations

import hashlib
import json
import struct
import zipfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from finora.services.backups.container import (
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    code_migration_head,
    data_member,
)

CREATED_AT = "2026-12-05T22:04:01Z"
HOUSEHOLD = {"id": 7, "name": "Silva", "currency": "BRL"}


def jsonl(rows: Iterable[Any]) -> bytes:
    """JSON Lines as the writer makes them (any JSON value per line, not only objects)."""
    return b"".join(
        (json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
        for row in rows
    )


def manifest_for(
    members: Mapping[str, bytes],
    *,
    scope: str = "household",
    storage: str = "portable",
    household: dict | None = HOUSEHOLD,
    counts: Mapping[str, int] | None = None,
    **overrides: Any,
) -> dict[str, Any]:
    """A correct manifest for `members` (checksums, sizes, line counts); `overrides`
    replace top-level keys (format_version=99, migration_head="9999", ...)."""
    if counts is None:
        counts = {
            name[len("data/") : -len(".jsonl")]: data.count(b"\n")
            for name, data in members.items()
            if name.startswith("data/") and name.endswith(".jsonl")
        }
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "scope": scope,
        "storage": storage,
        "app_version": "0.1.0",
        "migration_head": code_migration_head(),
        "created_at": CREATED_AT,
        "household": household if scope == "household" else None,
        "counts": dict(counts),
        "members": {
            name: {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
            for name, data in members.items()
        },
    }
    manifest.update(overrides)
    return manifest


def write_zip(
    path: Path,
    members: Iterable[tuple[str | zipfile.ZipInfo, bytes]] | Mapping[str, bytes],
    *,
    compression: int = zipfile.ZIP_DEFLATED,
) -> Path:
    """A zip of exactly these members, in this order (duplicates allowed)."""
    items = members.items() if isinstance(members, Mapping) else members
    with zipfile.ZipFile(path, "w", compression=compression) as archive:
        for name, data in items:
            archive.writestr(name, data)
    return Path(path)


def write_archive(
    path: Path,
    tables: Mapping[str, Iterable[Any]] | None = None,
    *,
    extra: Mapping[str, bytes] | None = None,
    manifest: dict[str, Any] | None = None,
    **manifest_options: Any,
) -> Path:
    """A structurally valid archive holding these rows as they are (no codec): correct
    checksums and counts, so only the rows themselves are wrong when a test wants that.
    `extra` adds raw members (database.sqlite...); `manifest` replaces the computed one."""
    members = {data_member(table): jsonl(rows) for table, rows in (tables or {}).items()}
    members.update(extra or {})
    if manifest is None:
        manifest = manifest_for(members, **manifest_options)
    return write_zip(path, [*members.items(), (MANIFEST, json.dumps(manifest).encode("utf-8"))])


def read_members(path: Path) -> list[tuple[zipfile.ZipInfo, bytes]]:
    with zipfile.ZipFile(path) as archive:
        return [(info, archive.read(info)) for info in archive.infolist()]


def rezip(
    source: Path,
    target: Path,
    *,
    replace: Mapping[str, bytes] | None = None,
    drop: Iterable[str] = (),
    add: Mapping[str, bytes] | None = None,
    edit_manifest: Callable[[dict], Any] | None = None,
) -> Path:
    """A copy of an archive with members replaced, dropped or added and the manifest
    edited in place by `edit_manifest` (which may also return a whole new value) — the
    manifest is otherwise left as it was (not updated for the changes)."""
    replace, dropped = dict(replace or {}), set(drop)
    members = []
    for info, data in read_members(source):
        name = info.filename
        if name in dropped:
            continue
        if name == MANIFEST and edit_manifest is not None:
            manifest = json.loads(data)
            result = edit_manifest(manifest)
            data = json.dumps(manifest if result is None else result).encode("utf-8")
        members.append((name, replace.pop(name, data)))
    members.extend((add or {}).items())
    return write_zip(target, members)


def with_symlink(path: Path, name: str = "data/accounts.jsonl", target: str = "/etc/passwd") -> Path:
    """An otherwise valid archive whose member `name` is a symbolic link."""
    members = {name: target.encode("utf-8")}
    manifest = manifest_for(members)
    link = zipfile.ZipInfo(name)
    link.create_system = 3
    link.external_attr = 0o120777 << 16
    return write_zip(path, [(link, members[name]), (MANIFEST, json.dumps(manifest).encode("utf-8"))])


def with_name(path: Path, hostile: str) -> Path:
    """An archive with one member named `hostile` (absolute, `..`, backslashes, a drive
    letter...), listed in its manifest too. zipfile normalises some names on writing, so
    the name is patched into the local and central headers afterwards."""
    placeholder = "x" * len(hostile.encode("utf-8"))
    members = {placeholder: b"{}\n"}
    manifest = manifest_for(members)
    manifest["members"] = {hostile: manifest["members"][placeholder]}
    write_zip(path, [(placeholder, b"{}\n"), (MANIFEST, json.dumps(manifest).encode("utf-8"))])
    raw = Path(path).read_bytes()
    old, new = placeholder.encode("utf-8"), hostile.encode("utf-8")
    assert raw.count(old) == 2  # the local header and the central directory
    Path(path).write_bytes(raw.replace(old, new))
    return Path(path)


# (signature, offset of the uncompressed size, offset of the name length, offset of the name)
_HEADERS = ((b"PK\x03\x04", 22, 26, 30), (b"PK\x01\x02", 24, 28, 46))


def _patch_sizes(raw: bytearray, name: bytes, declared: int) -> None:
    """Sets the uncompressed size in the local header and the central directory entry of
    `name` to `declared`."""
    for signature, size_at, length_at, name_at in _HEADERS:
        start = 0
        while (found := raw.find(signature, start)) != -1:
            (length,) = struct.unpack_from("<H", raw, found + length_at)
            if raw[found + name_at : found + name_at + length] == name:
                struct.pack_into("<I", raw, found + size_at, declared)
            start = found + 4


def zip_bomb(path: Path, *, actual: int | None = None, declared: int | None = None) -> Path:
    """A member of `actual` newline bytes (deflate shrinks it ~1000x; by default just over
    the size from which the reader judges ratios). With `declared`, its headers and
    manifest claim that size instead (the lying-header bomb); without, the headers are
    honest and the ratio alone gives it away."""
    from finora.services.backups import container

    if actual is None:
        actual = container.RATIO_FLOOR + (16 << 20)
    name = data_member("entries")
    payload = b"\n" * actual
    honest = {name: payload}
    manifest = manifest_for(honest)
    if declared is not None:
        manifest["members"][name]["size"] = declared
    write_zip(path, [(name, payload), (MANIFEST, json.dumps(manifest).encode("utf-8"))])
    if declared is not None:
        raw = bytearray(Path(path).read_bytes())
        _patch_sizes(raw, name.encode("ascii"), declared)
        Path(path).write_bytes(bytes(raw))
    return Path(path)


def share_data(path: Path, member: str, other: str) -> Path:
    """Points `member`'s central directory entry at `other`'s local header (the same
    compressed bytes counted twice: an overlap bomb)."""
    with zipfile.ZipFile(path) as archive:
        offset = archive.getinfo(other).header_offset
    raw = bytearray(Path(path).read_bytes())
    wanted = member.encode("utf-8")
    start = 0
    while (found := raw.find(b"PK\x01\x02", start)) != -1:
        (length,) = struct.unpack_from("<H", raw, found + 28)
        if raw[found + 46 : found + 46 + length] == wanted:
            struct.pack_into("<I", raw, found + 42, offset)
        start = found + 4
    Path(path).write_bytes(bytes(raw))
    return Path(path)


def truncate(source: Path, target: Path, size: int) -> Path:
    Path(target).write_bytes(Path(source).read_bytes()[:size])
    return Path(target)


def flip_byte(source: Path, target: Path, offset: int) -> Path:
    raw = bytearray(Path(source).read_bytes())
    raw[offset] ^= 0xFF
    Path(target).write_bytes(bytes(raw))
    return Path(target)


def member_data_offset(path: Path, member: str) -> int:
    """Where `member`'s compressed bytes start in the file (to flip one of them)."""
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(member)
    raw = Path(path).read_bytes()
    name_length, extra_length = struct.unpack_from("<HH", raw, info.header_offset + 26)
    return info.header_offset + 30 + name_length + extra_length
