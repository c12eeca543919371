"""The backup archive as a file: a zip of JSON Lines members and a manifest, written and
read as streams, and every check that makes a hostile zip harmless before a row is read.

Format version 1 (docs/backups.md): `manifest.json` (written last) names the format, its
version, the scope and storage, the app version and migration head that made it, the
household, rows per table and the sha256 and size of every other member; `data/<table>.jsonl`
holds one JSON object per row (values from codec.py); `database.sqlite` is an instance
backup's SQLite copy. Nothing is ever extracted under a member's own name: members are
read by name as streams, so a path in the zip can never choose where bytes land.

The limits below (members, declared sizes, compression ratio) refuse a zip bomb before a
byte is inflated; a member that inflates to more than its header declares is refused
while it is read (zipfile alone would silently cut it at the declared size and report a
CRC error, indistinguishable from a flipped bit).
"""

from __future__ import annotations

import copy
import hashlib
import io
import json
import math
import os
import re
import stat
import tempfile
import time
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from finora.services.backups.errors import (
    ArchiveRowError,
    ArchiveTooNewError,
    DamagedArchiveError,
    ForeignArchiveError,
    PassphraseNeededError,
    UnsafeArchiveError,
)
from finora.translation import gettext as _

FORMAT = "finora-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATABASE_MEMBER = "database.sqlite"
DATA_PREFIX = "data/"
DATA_SUFFIX = ".jsonl"
SCOPES = ("household", "instance")
STORAGES = ("portable", "sqlite")

# -- limits for reading untrusted archives --------------------------------------------
MAX_MEMBERS = 200
MAX_MANIFEST_BYTES = 1 << 20
# Declared uncompressed bytes of the whole archive: never more than this...
MAX_TOTAL_BYTES = 16 << 30
# ...nor more than MAX_RATIO times the file's size plus a floor for small archives.
# A household's JSON Lines compress 8-15x; 100,000 rows identical but for their ids stay
# near 120x, and 50,000 rows repeating the same 5,000-character note reach ~500x, while
# deflate's bombs sit at its ceiling of ~1,030x. A member above RATIO_FLOOR bytes (reading
# less costs nothing worth guarding) that claims more than MAX_RATIO is a bomb, not data.
MAX_RATIO = 600
RATIO_FLOOR = 64 << 20
TOTAL_FLOOR = 64 << 20
# One JSON line (one row) at most: a row is a few hundred bytes.
MAX_LINE_BYTES = 16 << 20

COMPRESS_LEVEL = 6
_WRITE_BUFFER = 1 << 16
_READ_CHUNK = 1 << 16

_TABLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
_DRIVE = re.compile(r"^[A-Za-z]:")


@dataclass(frozen=True)
class MemberInfo:
    sha256: str
    size: int


@dataclass(frozen=True)
class Manifest:
    format_version: int
    scope: str
    storage: str
    app_version: str
    migration_head: str
    created_at: datetime
    household: dict | None
    counts: dict[str, int]
    members: dict[str, MemberInfo]

    def as_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "format_version": self.format_version,
            "scope": self.scope,
            "storage": self.storage,
            "app_version": self.app_version,
            "migration_head": self.migration_head,
            "created_at": _format_time(self.created_at),
            "household": self.household,
            "counts": dict(self.counts),
            "members": {
                name: {"sha256": info.sha256, "size": info.size}
                for name, info in self.members.items()
            },
        }


def data_member(table: str) -> str:
    return f"{DATA_PREFIX}{table}{DATA_SUFFIX}"


def _format_time(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# -- migration heads -------------------------------------------------------------------


def _migrations_folder() -> str:
    """The app's migrations folder (Flask-Migrate's setting), else the one beside this
    package in the source tree."""
    from flask import current_app

    try:
        return current_app.extensions["migrate"].directory
    except (RuntimeError, KeyError, AttributeError):  # no app: a script or a pure test
        return str(Path(__file__).resolve().parents[3] / "migrations")


def _script_directory():
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", _migrations_folder())
    return ScriptDirectory.from_config(config)


@lru_cache(maxsize=1)
def code_migration_head() -> str:
    """The alembic head of this code: an archive records it, a reader compares with it."""
    heads = _script_directory().get_heads()
    if len(heads) != 1:
        raise RuntimeError(f"backups: expected one migration head, found {heads}")
    return heads[0]


@lru_cache(maxsize=1)
def known_migration_heads() -> frozenset[str]:
    """Every revision in this code's history: an archive naming another one was made by
    a newer Finora."""
    return frozenset(script.revision for script in _script_directory().walk_revisions())


# -- writing -----------------------------------------------------------------------------


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


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _finite_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):  # 1e999
        raise ValueError(f"{text} is out of range")
    return number


# Strict JSON for reading: NaN and Infinity are not JSON (json.loads accepts them, and
# reads 1e999 as infinity), and the text must be UTF-8 (json.loads on bytes lets lone
# surrogates and UTF-16 through).
_decoder = json.JSONDecoder(parse_constant=_refuse_constant, parse_float=_finite_float)


def _loads(raw: bytes) -> Any:
    return _decoder.decode(raw.decode("utf-8"))


_encode_json = json.JSONEncoder(
    ensure_ascii=False, separators=(",", ":"), check_circular=False, allow_nan=False
).encode


def _member_info(name: str) -> zipfile.ZipInfo:
    """A deflated member that unzip tools list as a private regular file (-rw-------)."""
    info = zipfile.ZipInfo(name, date_time=time.localtime()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    info._compresslevel = COMPRESS_LEVEL  # zipfile's own field for a ZipInfo opened to write
    info.external_attr = (stat.S_IFREG | 0o600) << 16
    return info


class TableWriter:
    """Appends rows as JSON lines to data/<table>.jsonl (a context manager)."""

    def __init__(self, archive: ArchiveWriter, table: str) -> None:
        self.archive, self.table = archive, table
        self.member = data_member(table)
        self.rows = 0
        self._stream = archive._zip.open(_member_info(self.member), "w", force_zip64=True)
        self._sink = _HashingSink(self._stream)

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
        if not _TABLE_NAME.fullmatch(name):
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
        except Exception:  # noqa: BLE001 - the file is removed anyway
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


# -- reading -----------------------------------------------------------------------------


class _MemberStream(io.RawIOBase):
    """A member's bytes, refused the moment they exceed the size its header declares,
    and checked against that size at the end."""

    def __init__(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
        super().__init__()
        # zipfile cuts a member at its declared size and then fails its CRC: with no limit
        # of its own, the bytes beyond the declared size reach readinto() and are refused
        # as what they are (inflation is still bounded: each read asks for one buffer).
        widened = copy.copy(info)
        widened.file_size = 1 << 62
        self.name, self.declared = info.filename, info.file_size
        self.read_so_far = 0
        try:
            self._inner = archive.open(widened)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as error:
            raise _damaged(info.filename) from error
        except (NotImplementedError, RuntimeError) as error:  # other compression, zip crypto
            raise ForeignArchiveError() from error

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        try:
            data = self._inner.read(len(buffer))
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as error:
            raise _damaged(self.name) from error
        count = len(data)
        self.read_so_far += count
        if self.read_so_far > self.declared:
            raise UnsafeArchiveError()
        if count == 0 and self.read_so_far != self.declared:
            raise _damaged(self.name)
        buffer[:count] = data
        return count

    def close(self) -> None:
        inner = getattr(self, "_inner", None)
        if inner is not None:
            inner.close()
        super().close()


def _damaged(member: str | None = None) -> DamagedArchiveError:
    if member is None:
        return DamagedArchiveError()
    return DamagedArchiveError(
        _(
            "This backup file is damaged (%(member)s does not match what was saved): it "
            "cannot be restored.",
            member=member,
        )
    )


def _unsafe_name(name: str) -> bool:
    if not name or name.startswith("/") or "\\" in name or _DRIVE.match(name):
        return True
    if any(ord(char) < 32 or ord(char) == 127 for char in name):
        return True
    return any(part == ".." for part in name.split("/"))


def _unsafe_mode(info: zipfile.ZipInfo) -> bool:
    # Unix mode bits, whatever system the zip claims to come from: a link or a device is
    # refused even in a zip that says it was made on DOS.
    kind = stat.S_IFMT(info.external_attr >> 16)
    return kind not in (0, stat.S_IFREG, stat.S_IFDIR)


def _stored_name_length(info: zipfile.ZipInfo) -> int:
    """The name's length in bytes as the header stores it (UTF-8 when flagged, else cp437)."""
    encoding = "utf-8" if info.flag_bits & 0x800 else "cp437"
    try:
        return len(info.orig_filename.encode(encoding))
    except UnicodeEncodeError:
        return len(info.orig_filename.encode("utf-8"))


def _check_entries(infos: list[zipfile.ZipInfo], file_size: int) -> None:
    """Everything that can be refused from the central directory alone."""
    if len(infos) > MAX_MEMBERS:
        raise UnsafeArchiveError()
    names: set[str] = set()
    total = 0
    for info in infos:
        if _unsafe_name(info.filename) or _unsafe_mode(info):
            raise UnsafeArchiveError()
        if info.filename in names:
            raise UnsafeArchiveError()
        names.add(info.filename)
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise UnsafeArchiveError()
        total += info.file_size
    if total > MAX_TOTAL_BYTES or total > MAX_RATIO * file_size + TOTAL_FLOOR:
        raise UnsafeArchiveError()
    # Members sharing or overlapping their compressed bytes (a "quoted overlap" bomb).
    ordered = sorted(infos, key=lambda info: info.header_offset)
    for before, after in zip(ordered, ordered[1:], strict=False):
        end = before.header_offset + 30 + _stored_name_length(before) + before.compress_size
        if end > after.header_offset:
            raise UnsafeArchiveError()
    for info in infos:
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) or info.flag_bits & 0x1:
            raise ForeignArchiveError()


def _parse_manifest(raw: bytes) -> Manifest:
    try:
        data = _loads(raw)
    except (ValueError, RecursionError) as error:
        raise ForeignArchiveError() from error
    if type(data) is not dict or data.get("format") != FORMAT:
        raise ForeignArchiveError()
    version = data.get("format_version")
    if type(version) is not int or version < 1:
        raise DamagedArchiveError()
    if version > FORMAT_VERSION:
        raise ArchiveTooNewError()
    head = data.get("migration_head")
    if type(head) is not str:
        raise DamagedArchiveError()
    if head not in known_migration_heads():
        raise ArchiveTooNewError()
    scope, storage = data.get("scope"), data.get("storage")
    if scope not in SCOPES or storage not in STORAGES or (scope == "household" and storage != "portable"):
        raise DamagedArchiveError()
    app_version = data.get("app_version")
    household = data.get("household")
    counts = data.get("counts")
    members = data.get("members")
    if (
        type(app_version) is not str
        or not (household is None or type(household) is dict)
        or type(counts) is not dict
        or type(members) is not dict
    ):
        raise DamagedArchiveError()
    try:
        created_at = datetime.strptime(data.get("created_at"), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except (TypeError, ValueError) as error:
        raise DamagedArchiveError() from error
    for table, count in counts.items():
        if type(table) is not str or type(count) is not int or count < 0:
            raise DamagedArchiveError()
    parsed: dict[str, MemberInfo] = {}
    for name, info in members.items():
        if type(info) is not dict:
            raise DamagedArchiveError()
        digest, size = info.get("sha256"), info.get("size")
        if (
            type(digest) is not str
            or not re.fullmatch(r"[0-9a-f]{64}", digest)
            or type(size) is not int
            or size < 0
        ):
            raise DamagedArchiveError()
        if name != DATABASE_MEMBER and not (
            name.startswith(DATA_PREFIX)
            and name.endswith(DATA_SUFFIX)
            and _TABLE_NAME.fullmatch(name[len(DATA_PREFIX) : -len(DATA_SUFFIX)])
        ):
            raise ForeignArchiveError()
        parsed[name] = MemberInfo(sha256=digest, size=size)
    if (storage == "sqlite") != (DATABASE_MEMBER in parsed):
        raise DamagedArchiveError()
    if storage == "portable" and set(counts) != {_table_of(name) for name in parsed}:
        raise DamagedArchiveError()
    return Manifest(
        format_version=version,
        scope=scope,
        storage=storage,
        app_version=app_version,
        migration_head=head,
        created_at=created_at,
        household=household,
        counts=counts,
        members=parsed,
    )


class ArchiveReader:
    """An archive that passed every structural check (a context manager). Rows are read
    only after the caller has verify()-ed the checksums (or while validating, which reads
    every row anyway)."""

    def __init__(self, path: Path, *, temporary: Path | None = None) -> None:
        self.path = Path(path)
        self._temporary = temporary
        self._zip: zipfile.ZipFile | None = None
        try:
            self._open()
        except BaseException:
            self.close()
            raise

    def _open(self) -> None:
        try:
            file_size = self.path.stat().st_size
            with open(self.path, "rb") as probe:
                head = probe.read(4)
        except OSError as error:
            raise DamagedArchiveError() from error
        try:
            self._zip = zipfile.ZipFile(self.path)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError) as error:
            # A zip whose end was cut off still starts like one; anything else (a photo or
            # a text file renamed .zip) is simply not a backup.
            if head in (b"PK\x03\x04", b"PK\x05\x06"):
                raise DamagedArchiveError() from error
            raise ForeignArchiveError() from error
        infos = self._zip.infolist()
        _check_entries(infos, file_size)
        self._infos = {info.filename: info for info in infos}
        manifest_info = self._infos.get(MANIFEST)
        if manifest_info is None:
            raise ForeignArchiveError()
        if manifest_info.file_size > MAX_MANIFEST_BYTES:
            raise UnsafeArchiveError()
        with self._stream(MANIFEST) as stream:
            raw = stream.read()
        self.manifest = _parse_manifest(raw)
        in_zip = set(self._infos) - {MANIFEST}
        if in_zip != set(self.manifest.members):
            raise DamagedArchiveError()
        for name, member in self.manifest.members.items():
            if self._infos[name].file_size != member.size:
                raise _damaged(name)

    def _stream(self, member: str) -> io.BufferedReader:
        return io.BufferedReader(_MemberStream(self._zip, self._infos[member]), _READ_CHUNK)

    def verify(self) -> None:
        """Reads every member: its sha256 and size must match the manifest, and a data
        member must hold as many lines as the manifest counts."""
        for name, member in self.manifest.members.items():
            digest = hashlib.sha256()
            size = lines = 0
            with self._stream(name) as stream:
                while chunk := stream.read(_READ_CHUNK * 4):
                    digest.update(chunk)
                    size += len(chunk)
                    lines += chunk.count(b"\n")
            if size != member.size or digest.hexdigest() != member.sha256:
                raise _damaged(name)
            table = _table_of(name)
            if table is not None and table in self.manifest.counts and self.manifest.counts[table] != lines:
                raise _damaged(name)

    def tables(self) -> list[str]:
        """The tables present, in the order they were written."""
        return [table for name in self.manifest.members if (table := _table_of(name)) is not None]

    def rows(self, table: str) -> Iterator[tuple[int, Any]]:
        """(1-based line, decoded JSON value) for each line of data/<table>.jsonl."""
        member = data_member(table)
        if member not in self.manifest.members:
            return
        loads = _loads
        with self._stream(member) as stream:
            line = 0
            while True:
                raw = stream.readline(MAX_LINE_BYTES)
                if not raw:
                    return
                line += 1
                if len(raw) >= MAX_LINE_BYTES and not raw.endswith(b"\n"):
                    raise ArchiveRowError(table, line, _("the line is too long"))
                try:
                    value = loads(raw)
                except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
                    raise ArchiveRowError(table, line, _("the line is not valid JSON")) from None
                yield line, value

    def extract(self, member: str, target: Path) -> None:
        """Copies a member to `target` (mode 600), checking size and sha256 on the way."""
        if member not in self.manifest.members:
            raise DamagedArchiveError()
        expected = self.manifest.members[member]
        target = Path(target)
        descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            digest = hashlib.sha256()
            with os.fdopen(descriptor, "wb") as out, self._stream(member) as stream:
                while chunk := stream.read(_READ_CHUNK * 4):
                    digest.update(chunk)
                    out.write(chunk)
            if digest.hexdigest() != expected.sha256:
                raise _damaged(member)
        except BaseException:
            target.unlink(missing_ok=True)
            raise

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()
            self._zip = None
        if self._temporary is not None:
            self._temporary.unlink(missing_ok=True)
            self._temporary = None

    def __enter__(self) -> ArchiveReader:
        return self

    def __exit__(self, kind, error, trace) -> None:
        self.close()


def _table_of(member: str) -> str | None:
    if member.startswith(DATA_PREFIX) and member.endswith(DATA_SUFFIX):
        return member[len(DATA_PREFIX) : -len(DATA_SUFFIX)]
    return None


def open_archive(path: Path, *, passphrase: str | None = None, work_dir: Path) -> ArchiveReader:
    """Opens and checks an archive (decrypting it first into a private file in `work_dir`
    when it is encrypted). Raises a BackupArchiveError subclass for anything wrong that
    the structure shows; rows are checked by their reader."""
    from finora.services.backups.encryption import decrypt_file, is_encrypted

    path = Path(path)
    if not is_encrypted(path):
        return ArchiveReader(path)
    if not passphrase:
        raise PassphraseNeededError()
    work_dir = Path(work_dir)
    work_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    descriptor, name = tempfile.mkstemp(prefix="restore-", suffix=".zip", dir=work_dir)
    os.close(descriptor)  # mkstemp creates it 600
    temporary = Path(name)
    try:
        decrypt_file(path, temporary, passphrase)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return ArchiveReader(temporary, temporary=temporary)
