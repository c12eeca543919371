"""Writing a backup archive: rows as JSON lines streamed into the zip, hashed and counted
on the way, the manifest last; a failure leaves no partial file (container.py reads it)."""

from __future__ import annotations

import hashlib
import json
import os
import stat
import time
import zipfile
from pathlib import Path
from typing import IO, Any

from finora.services.backups.manifest import (
    DATABASE_MEMBER,
    FORMAT_VERSION,
    MANIFEST,
    SCOPES,
    STORAGES,
    TABLE_NAME,
    Manifest,
    MemberInfo,
    code_migration_head,
    data_member,
)

COMPRESS_LEVEL = 6
_WRITE_BUFFER = 1 << 16


class _HashingSink:
    """Writes to an open zip member, hashing and counting, in buffered chunks (one
    zipfile write per row would cost more than the JSON encoding)."""

    def __init__(self, stream) -> None:
        self.stream = stream
        self.digest = hashlib.sha256()
        self.size = 0
        self.pending: list[bytes] = []
        self.pending_size = 0

    def write(self, data: bytes) -> None:
        self.pending.append(data)
        self.pending_size += len(data)
        if self.pending_size >= _WRITE_BUFFER:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        chunk = b"".join(self.pending)
        self.pending, self.pending_size = [], 0
        self.digest.update(chunk)
        self.size += len(chunk)
        self.stream.write(chunk)


_encode_json = json.JSONEncoder(
    ensure_ascii=False, separators=(",", ":"), check_circular=False, allow_nan=False
).encode


def _member_info(name: str) -> zipfile.ZipInfo:
    """A deflated member that unzip tools list as a private regular file (-rw-------)."""
    info = zipfile.ZipInfo(name, date_time=time.localtime()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    # zipfile's own (private, untyped) field for a ZipInfo opened to write
    info._compresslevel = COMPRESS_LEVEL  # type: ignore[attr-defined]
    info.external_attr = (stat.S_IFREG | 0o600) << 16
    return info


class TableWriter:
    """Appends rows as JSON lines to data/<table>.jsonl (a context manager)."""

    def __init__(self, archive: ArchiveWriter, table: str) -> None:
        self.archive, self.table = archive, table
        self.member = data_member(table)
        self.rows = 0
        stream = archive._zip.open(_member_info(self.member), "w", force_zip64=True)
        self._stream: IO[bytes] | None = stream  # None once closed
        self._sink = _HashingSink(stream)

    def write(self, obj: dict[str, Any]) -> None:
        self._sink.write((_encode_json(obj) + "\n").encode("utf-8"))
        self.rows += 1

    def write_many(self, objs) -> None:
        for obj in objs:
            self.write(obj)

    def close(self) -> None:
        if self._stream is None:
            return
        self._sink.flush()
        self._stream.close()
        self._stream = None
        self.archive._finish_member(self.member, self._sink, rows=self.rows, table=self.table)

    def __enter__(self) -> TableWriter:
        return self

    def __exit__(self, kind, error, trace) -> None:
        if kind is None:
            self.close()
        elif self._stream is not None:
            self._stream.close()
            self._stream = None


class ArchiveWriter:
    """Writes a backup zip at `path` (mode 600 from creation). Use as a context manager:
    leaving the block normally writes the manifest (close()); an exception removes the
    partial file. `counts` may be filled by the caller for members that are not JSON
    Lines (an instance's database.sqlite)."""

    def __init__(
        self,
        path: Path,
        *,
        scope: str,
        storage: str = "portable",
        household: dict | None = None,
    ) -> None:
        if scope not in SCOPES or storage not in STORAGES:
            raise ValueError(f"backups: scope {scope!r} / storage {storage!r}")
        from finora.dates import now_utc
        from finora.version import __version__

        self.path = Path(path)
        self.scope, self.storage, self.household = scope, storage, household
        self.app_version = __version__
        self.created_at = now_utc().replace(microsecond=0)
        self.counts: dict[str, int] = {}
        self.members: dict[str, MemberInfo] = {}
        self.manifest: Manifest | None = None
        descriptor = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        self._file = os.fdopen(descriptor, "wb")
        try:
            self._zip = zipfile.ZipFile(
                self._file, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL
            )
        except BaseException:
            self._file.close()
            self.path.unlink(missing_ok=True)
            raise

    def table(self, name: str) -> TableWriter:
        if not TABLE_NAME.fullmatch(name):
            raise ValueError(f"backups: table name {name!r}")
        if data_member(name) in self.members:
            raise ValueError(f"backups: table {name!r} written twice")
        return TableWriter(self, name)

    def add_file(self, member: str, source: Path) -> None:
        """Copies `source` into the archive as `member`, streamed."""
        if member != DATABASE_MEMBER or member in self.members:
            raise ValueError(f"backups: member {member!r}")
        with open(source, "rb") as reader, self._zip.open(_member_info(member), "w", force_zip64=True) as out:
            sink = _HashingSink(out)
            while chunk := reader.read(1 << 20):
                sink.write(chunk)
            sink.flush()
        self._finish_member(member, sink, rows=None, table=None)

    def _finish_member(self, member: str, sink: _HashingSink, *, rows, table) -> None:
        self.members[member] = MemberInfo(sha256=sink.digest.hexdigest(), size=sink.size)
        if table is not None:
            self.counts[table] = rows

    def close(self) -> Manifest:
        if self.manifest is not None:
            return self.manifest
        manifest = Manifest(
            format_version=FORMAT_VERSION,
            scope=self.scope,
            storage=self.storage,
            app_version=self.app_version,
            migration_head=code_migration_head(),
            created_at=self.created_at,
            household=self.household,
            counts=dict(self.counts),
            members=dict(self.members),
        )
        text = json.dumps(manifest.as_json(), ensure_ascii=False, indent=1, sort_keys=False)
        self._zip.writestr(_member_info(MANIFEST), text.encode("utf-8"))
        self._zip.close()
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        self.manifest = manifest
        return manifest

    def abort(self) -> None:
        """Closes and removes the partial file."""
        try:
            self._zip.close()
        except Exception:  # noqa: BLE001, S110 - the file is removed anyway
            pass
        finally:
            self._file.close()
            self.path.unlink(missing_ok=True)

    def __enter__(self) -> ArchiveWriter:
        return self

    def __exit__(self, kind, error, trace) -> None:
        if kind is None:
            self.close()
        elif self.manifest is None:
            self.abort()
