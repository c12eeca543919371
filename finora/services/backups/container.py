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

The writer lives in archive_writer.py and the manifest and member names in manifest.py;
this module re-exports them, so the rest of Finora opens and writes archives from here.
"""

from __future__ import annotations

import copy
import hashlib
import io
import os
import re
import stat
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

from finora.services.backups.archive_writer import ArchiveWriter, TableWriter
from finora.services.backups.errors import (
    ArchiveRowError,
    DamagedArchiveError,
    ForeignArchiveError,
    PassphraseNeededError,
    UnsafeArchiveError,
)
from finora.services.backups.manifest import (
    DATA_PREFIX,
    DATA_SUFFIX,
    DATABASE_MEMBER,
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    SCOPES,
    STORAGES,
    Manifest,
    MemberInfo,
    code_migration_head,
    data_member,
    known_migration_heads,
    parse_manifest,
    strict_loads,
    table_of,
)
from finora.translation import gettext as _

__all__ = [
    "DATABASE_MEMBER", "DATA_PREFIX", "DATA_SUFFIX", "FORMAT", "FORMAT_VERSION", "MANIFEST", "SCOPES",
    "STORAGES", "ArchiveReader", "ArchiveWriter", "Manifest", "MemberInfo", "TableWriter",
    "code_migration_head", "data_member", "known_migration_heads", "open_archive",
]

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
_READ_CHUNK = 1 << 16
_DRIVE = re.compile(r"^[A-Za-z]:")


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
        self.manifest = parse_manifest(raw)
        in_zip = set(self._infos) - {MANIFEST}
        if in_zip != set(self.manifest.members):
            raise DamagedArchiveError()
        for name, member in self.manifest.members.items():
            if self._infos[name].file_size != member.size:
                raise _damaged(name)

    def _stream(self, member: str) -> io.BufferedReader:
        archive = cast(zipfile.ZipFile, self._zip)  # open from _open() until close()
        return io.BufferedReader(_MemberStream(archive, self._infos[member]), _READ_CHUNK)

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
            table = table_of(name)
            if table is not None and table in self.manifest.counts and self.manifest.counts[table] != lines:
                raise _damaged(name)

    def tables(self) -> list[str]:
        """The tables present, in the order they were written."""
        return [table for name in self.manifest.members if (table := table_of(name)) is not None]

    def rows(self, table: str) -> Iterator[tuple[int, Any]]:
        """(1-based line, decoded JSON value) for each line of data/<table>.jsonl."""
        member = data_member(table)
        if member not in self.manifest.members:
            return
        loads = strict_loads
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
