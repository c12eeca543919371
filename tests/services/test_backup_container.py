"""The archive container: a written archive reads back exactly, and every damaged,
foreign, hostile or too-new file is refused with its own error before a row is read —
including every single flipped byte of a small archive."""

from __future__ import annotations

import json
import stat
import tracemalloc
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from finora.services.backups import container
from finora.services.backups.container import (
    DATABASE_MEMBER,
    FORMAT_VERSION,
    MANIFEST,
    ArchiveWriter,
    code_migration_head,
    open_archive,
)
from finora.services.backups.encryption import encrypt_file
from finora.services.backups.errors import (
    ArchiveRowError,
    ArchiveTooNewError,
    BackupArchiveError,
    DamagedArchiveError,
    ForeignArchiveError,
    PassphraseNeededError,
    UnsafeArchiveError,
    WrongPassphraseError,
)
from tests.backup_archives import (
    HOUSEHOLD,
    flip_byte,
    jsonl,
    manifest_for,
    member_data_offset,
    rezip,
    share_data,
    truncate,
    with_name,
    with_symlink,
    write_archive,
    write_zip,
    zip_bomb,
)

ACCOUNTS = [{"id": 1, "name": "Conta corrente", "opening_balance": "1500.00"}, {"id": 2, "name": "Poupança"}]
ENTRIES = [{"id": n, "amount": f"-{n}.50", "description": f"Mercado {n} ção"} for n in range(1, 51)]


def make(path: Path, tables=None, **options) -> Path:
    tables = {"accounts": ACCOUNTS, "entries": ENTRIES} if tables is None else tables
    with ArchiveWriter(path, scope="household", household=HOUSEHOLD, **options) as writer:
        for name, rows in tables.items():
            with writer.table(name) as table:
                for row in rows:
                    table.write(row)
    return path


def read_all(path: Path, work_dir: Path, **options) -> dict[str, list]:
    with open_archive(path, work_dir=work_dir, **options) as reader:
        reader.verify()
        return {table: [row for _line, row in reader.rows(table)] for table in reader.tables()}


@pytest.fixture
def archive(tmp_path) -> Path:
    return make(tmp_path / "backup.zip")


def refused(path: Path, work_dir: Path, **options) -> BackupArchiveError:
    with pytest.raises(BackupArchiveError) as caught:
        read_all(path, work_dir, **options)
    return caught.value


# -- round trip -------------------------------------------------------------------------


def test_round_trip_keeps_rows_order_and_manifest(archive, tmp_path):
    with open_archive(archive, work_dir=tmp_path) as reader:
        manifest = reader.manifest
        reader.verify()
        assert reader.tables() == ["accounts", "entries"]
        assert [row for _line, row in reader.rows("accounts")] == ACCOUNTS
        assert [line for line, _row in reader.rows("entries")] == list(range(1, 51))
        assert list(reader.rows("budgets")) == []
    assert manifest.format_version == FORMAT_VERSION
    assert (manifest.scope, manifest.storage) == ("household", "portable")
    assert manifest.migration_head == code_migration_head() == "0023"
    assert manifest.household == HOUSEHOLD
    assert manifest.counts == {"accounts": 2, "entries": 50}
    assert set(manifest.members) == {"data/accounts.jsonl", "data/entries.jsonl"}
    assert manifest.created_at.tzinfo is UTC
    with zipfile.ZipFile(archive) as raw:
        assert raw.namelist()[-1] == MANIFEST  # written last
        written = json.loads(raw.read(MANIFEST))
        assert raw.read("data/accounts.jsonl").decode("utf-8").splitlines()[1] == (
            '{"id":2,"name":"Poupança"}'
        )
        assert all(info.compress_type == zipfile.ZIP_DEFLATED for info in raw.infolist())
        assert {info.external_attr >> 16 for info in raw.infolist()} == {stat.S_IFREG | 0o600}
    assert written["format"] == "finora-backup"
    assert written["created_at"].endswith("Z")
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600


def test_manifest_times_come_from_the_clock(monkeypatch, tmp_path):
    import finora.dates

    monkeypatch.setattr(finora.dates, "now_utc", lambda: datetime(2026, 12, 5, 22, 4, 1, 987, tzinfo=UTC))
    manifest = make(tmp_path / "a.zip", {}) and open_archive(tmp_path / "a.zip", work_dir=tmp_path).manifest
    assert manifest.created_at == datetime(2026, 12, 5, 22, 4, 1, tzinfo=UTC)
    assert manifest.members == {} and manifest.counts == {}


def test_an_error_while_writing_leaves_no_file(tmp_path):
    path = tmp_path / "partial.zip"
    with pytest.raises(RuntimeError), ArchiveWriter(path, scope="household", household=HOUSEHOLD) as writer:
        with writer.table("entries") as table:
            table.write({"id": 1})
            raise RuntimeError("the database went away")
    assert not path.exists()


def test_writer_refuses_odd_member_names(tmp_path):
    with ArchiveWriter(tmp_path / "a.zip", scope="instance") as writer:
        for name in ("../x", "Entries", "a/b", ""):
            with pytest.raises(ValueError):
                writer.table(name)
        with pytest.raises(ValueError):
            writer.add_file("../database.sqlite", tmp_path / "a.zip")


def test_sqlite_member_round_trip_and_extract(tmp_path):
    source = tmp_path / "copy.sqlite"
    source.write_bytes(b"SQLite format 3\x00" + bytes(range(256)) * 4000)
    path = tmp_path / "instance.zip"
    with ArchiveWriter(path, scope="instance", storage="sqlite") as writer:
        writer.add_file(DATABASE_MEMBER, source)
        writer.counts["entries"] = 3
    with open_archive(path, work_dir=tmp_path) as reader:
        assert (reader.manifest.scope, reader.manifest.storage) == ("instance", "sqlite")
        assert reader.manifest.household is None and reader.manifest.counts == {"entries": 3}
        assert reader.tables() == []
        reader.verify()
        target = tmp_path / "out.sqlite"
        reader.extract(DATABASE_MEMBER, target)
    assert target.read_bytes() == source.read_bytes()
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_an_extract_that_does_not_match_leaves_nothing(tmp_path):
    good = tmp_path / "good.sqlite"
    good.write_bytes(b"A" * 1000)
    members = {DATABASE_MEMBER: b"B" * 1000}
    manifest = manifest_for({DATABASE_MEMBER: good.read_bytes()}, scope="instance", storage="sqlite")
    path = write_zip(tmp_path / "i.zip", [*members.items(), (MANIFEST, json.dumps(manifest).encode())])
    target = tmp_path / "out.sqlite"
    with open_archive(path, work_dir=tmp_path) as reader, pytest.raises(DamagedArchiveError):
        reader.extract(DATABASE_MEMBER, target)
    assert not target.exists()


def test_rows_are_streamed_in_bounded_memory(tmp_path):
    path = tmp_path / "big.zip"
    row = {"id": 0, "description": "x" * 300, "amount": "-12.34", "date": "2026-01-02"}
    tracemalloc.start()
    try:
        with ArchiveWriter(path, scope="household", household=HOUSEHOLD) as writer, writer.table("entries") as table:
            for number in range(50_000):
                row["id"] = number
                table.write(row)
        _current, writer_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        with open_archive(path, work_dir=tmp_path) as reader:
            reader.verify()
            assert sum(1 for _ in reader.rows("entries")) == 50_000
            size = reader.manifest.members["data/entries.jsonl"].size
        _current, reader_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert size > 16_000_000  # holding the JSON, or the rows, would show
    assert writer_peak < 4_000_000 and reader_peak < 4_000_000, (writer_peak, reader_peak)


# -- encrypted archives -----------------------------------------------------------------


@pytest.fixture
def quick_scrypt(monkeypatch):
    from finora.services.backups import encryption

    monkeypatch.setattr(encryption, "LOG2_N", 12)


def test_encrypted_archive_opens_with_its_passphrase_only(archive, tmp_path, quick_scrypt):
    sealed = tmp_path / "backup.zip.enc"
    encrypt_file(archive, sealed, "correct horse")
    work = tmp_path / "work"
    with pytest.raises(PassphraseNeededError):
        open_archive(sealed, work_dir=work)
    with pytest.raises(WrongPassphraseError):
        open_archive(sealed, passphrase="wrong horse", work_dir=work)
    assert not work.exists() or list(work.iterdir()) == []
    with open_archive(sealed, passphrase="correct horse", work_dir=work) as reader:
        (plain,) = list(work.iterdir())
        assert stat.S_IMODE(plain.stat().st_mode) == 0o600
        reader.verify()
        assert [row for _line, row in reader.rows("accounts")] == ACCOUNTS
    assert list(work.iterdir()) == []  # the decrypted copy is gone


def test_a_damaged_encrypted_archive_leaves_no_plaintext(archive, tmp_path, quick_scrypt):
    sealed = tmp_path / "backup.zip.enc"
    encrypt_file(archive, sealed, "pw")
    cut = truncate(sealed, tmp_path / "cut.enc", sealed.stat().st_size - 5)
    work = tmp_path / "work"
    with pytest.raises(DamagedArchiveError):
        open_archive(cut, passphrase="pw", work_dir=work)
    assert list(work.iterdir()) == []


# -- damaged ----------------------------------------------------------------------------


@pytest.mark.parametrize("fraction", [0.0, 0.1, 0.5, 0.9, 0.99])
def test_truncated_archives_are_damaged(archive, tmp_path, fraction):
    size = archive.stat().st_size
    cut = truncate(archive, tmp_path / "cut.zip", max(4, int(size * fraction)))
    assert isinstance(refused(cut, tmp_path), DamagedArchiveError)


def test_one_byte_short_is_damaged(archive, tmp_path):
    cut = truncate(archive, tmp_path / "cut.zip", archive.stat().st_size - 1)
    assert isinstance(refused(cut, tmp_path), DamagedArchiveError)


def test_a_flipped_byte_in_a_member_is_damaged(archive, tmp_path):
    offset = member_data_offset(archive, "data/entries.jsonl") + 40
    flipped = flip_byte(archive, tmp_path / "flipped.zip", offset)
    with open_archive(flipped, work_dir=tmp_path) as reader:  # the manifest is intact
        with pytest.raises(DamagedArchiveError):
            reader.verify()


def test_every_flipped_byte_is_refused_or_harmless(tmp_path):
    """Flip each byte of a small archive in turn: the reader either refuses the file with
    a BackupArchiveError or reads exactly the original rows (a flip in a header field
    nobody reads, such as a timestamp) — never another exception, never other rows."""
    original = make(tmp_path / "small.zip", {"accounts": ACCOUNTS, "entries": ENTRIES[:3]})
    expected = read_all(original, tmp_path)
    raw = original.read_bytes()
    target = tmp_path / "flipped.zip"
    refusals = 0
    for offset in range(len(raw)):
        changed = bytearray(raw)
        changed[offset] ^= 0x55
        target.write_bytes(bytes(changed))
        try:
            assert read_all(target, tmp_path) == expected, offset
        except BackupArchiveError:
            refusals += 1
    assert refusals > len(raw) // 2


def test_a_rezipped_member_with_the_old_manifest_is_damaged(archive, tmp_path):
    lines = jsonl(ENTRIES).replace(b'"-7.50"', b'"-9.50"')  # same size, other content
    same_size = rezip(archive, tmp_path / "same.zip", replace={"data/entries.jsonl": lines})
    with open_archive(same_size, work_dir=tmp_path) as reader, pytest.raises(DamagedArchiveError) as caught:
        reader.verify()
    assert "data/entries.jsonl" in str(caught.value)
    other_size = rezip(archive, tmp_path / "other.zip", replace={"data/entries.jsonl": jsonl(ENTRIES[:5])})
    assert isinstance(refused(other_size, tmp_path), DamagedArchiveError)


def test_a_row_count_that_does_not_match_is_damaged(tmp_path):
    path = write_archive(tmp_path / "a.zip", {"entries": ENTRIES}, counts={"entries": 49})
    assert isinstance(refused(path, tmp_path), DamagedArchiveError)


@pytest.mark.parametrize(
    "change",
    [
        {"drop": ["data/accounts.jsonl"]},
        {"add": {"data/budgets.jsonl": b"{}\n"}},
        {"add": {"notes.txt": b"hello"}},
    ],
    ids=["missing member", "extra data member", "extra file"],
)
def test_members_must_match_the_manifest(archive, tmp_path, change):
    path = rezip(archive, tmp_path / "changed.zip", **change)
    assert isinstance(refused(path, tmp_path), DamagedArchiveError)


@pytest.mark.parametrize(
    "edit",
    [
        lambda manifest: manifest.update(format_version=0),
        lambda manifest: manifest.update(format_version="1"),
        lambda manifest: manifest.update(scope="everything"),
        lambda manifest: manifest.update(storage="sqlite"),
        lambda manifest: manifest.update(created_at="yesterday"),
        lambda manifest: manifest.update(counts={"entries": -1}),
        lambda manifest: manifest.update(counts=[]),
        lambda manifest: manifest.update(household="Silva"),
        lambda manifest: manifest["members"]["data/entries.jsonl"].update(sha256="abc"),
        lambda manifest: manifest["members"]["data/entries.jsonl"].update(size=True),
        lambda manifest: manifest.update(migration_head=14),
        lambda manifest: manifest.pop("scope") and None,
        lambda manifest: manifest.update(counts={"accounts": 2}),
        lambda manifest: manifest["counts"].update(budgets=0),
    ],
)
def test_a_manifest_with_wrong_fields_is_damaged(archive, tmp_path, edit):
    path = rezip(archive, tmp_path / "edited.zip", edit_manifest=edit)
    assert isinstance(refused(path, tmp_path), DamagedArchiveError)


# -- foreign ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [b"", b"date;amount\n2026-01-02;12,34\n", b"\x89PNG\r\n\x1a\n" + bytes(200)],
    ids=["empty", "csv", "png"],
)
def test_a_renamed_file_is_not_a_backup(tmp_path, content):
    path = tmp_path / "backup.zip"
    path.write_bytes(content)
    assert isinstance(refused(path, tmp_path), ForeignArchiveError)


@pytest.mark.parametrize(
    "manifest",
    [None, b"not json", b"[]", b'{"format": "other-app", "format_version": 1}', b"\xff\xfe"],
    ids=["no manifest", "not json", "a list", "other format", "not utf-8"],
)
def test_a_foreign_zip_is_not_a_backup(tmp_path, manifest):
    members = [("photos/cat.jpg", b"\xff\xd8" + bytes(100))]
    if manifest is not None:
        members.append((MANIFEST, manifest))
    path = write_zip(tmp_path / "other.zip", members)
    assert isinstance(refused(path, tmp_path), ForeignArchiveError)


def test_other_compression_or_zip_encryption_is_foreign(tmp_path):
    members = {"data/entries.jsonl": jsonl(ENTRIES)}
    manifest = json.dumps(manifest_for(members)).encode()
    path = write_zip(tmp_path / "bz.zip", [*members.items(), (MANIFEST, manifest)], compression=zipfile.ZIP_BZIP2)
    assert isinstance(refused(path, tmp_path), ForeignArchiveError)


# -- unsafe -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["/etc/cron.d/x", "data/../../etc/passwd", "../data/entries.jsonl", "data\\entries.jsonl", "C:/x.jsonl",
     "data/\x01.jsonl"],
    ids=["absolute", "dot-dot inside", "dot-dot first", "backslash", "drive letter", "control character"],
)
def test_hostile_member_names_are_unsafe(tmp_path, name):
    path = with_name(tmp_path / "hostile.zip", name)
    with zipfile.ZipFile(path) as raw:
        assert name in raw.namelist()
    assert isinstance(refused(path, tmp_path), UnsafeArchiveError)


def test_a_symlink_entry_is_unsafe(tmp_path):
    assert isinstance(refused(with_symlink(tmp_path / "link.zip"), tmp_path), UnsafeArchiveError)


def test_duplicate_names_are_unsafe(archive, tmp_path):
    with pytest.warns(UserWarning, match="Duplicate name"):
        path = rezip(archive, tmp_path / "dup.zip", add={"data/entries.jsonl": jsonl(ENTRIES)})
    assert isinstance(refused(path, tmp_path), UnsafeArchiveError)


def test_too_many_members_are_unsafe(tmp_path):
    tables = {f"t{number}": [{"id": number}] for number in range(container.MAX_MEMBERS)}
    path = write_archive(tmp_path / "many.zip", tables)
    assert isinstance(refused(path, tmp_path), UnsafeArchiveError)


@pytest.fixture
def small_floors(monkeypatch):
    """Ratios are judged from 1 MiB up here (64 MiB in production), so the files stay small."""
    monkeypatch.setattr(container, "RATIO_FLOOR", 1 << 20)
    monkeypatch.setattr(container, "TOTAL_FLOOR", 1 << 20)


def test_a_zip_bomb_with_honest_headers_is_unsafe(tmp_path, small_floors):
    path = zip_bomb(tmp_path / "bomb.zip", actual=32 << 20)
    assert path.stat().st_size < 200_000
    assert isinstance(refused(path, tmp_path), UnsafeArchiveError)


def test_a_repetitive_honest_archive_still_opens(tmp_path, small_floors):
    """Rows repeating the same long note compress ~270x: plausible data, not a bomb."""
    note = "Parcela do financiamento, ver contrato. " * 125
    rows = ({"id": number, "notes": note, "amount": "-1200.00"} for number in range(5000))
    path = make(tmp_path / "repetitive.zip", {"entries": rows})
    with zipfile.ZipFile(path) as raw:
        info = raw.getinfo("data/entries.jsonl")
    assert info.file_size > 200 * info.compress_size
    assert len(read_all(path, tmp_path)["entries"]) == 5000


def test_a_zip_bomb_with_lying_headers_is_unsafe_while_read(tmp_path):
    path = zip_bomb(tmp_path / "liar.zip", actual=8 << 20, declared=1000)
    with open_archive(path, work_dir=tmp_path) as reader:  # the headers look harmless
        assert reader.manifest.members["data/entries.jsonl"].size == 1000
        with pytest.raises(UnsafeArchiveError):
            reader.verify()
        with pytest.raises(UnsafeArchiveError):
            for _row in reader.rows("entries"):
                pass


def test_a_declared_total_over_the_cap_is_unsafe(archive, tmp_path, monkeypatch):
    monkeypatch.setattr(container, "MAX_TOTAL_BYTES", 100)
    assert isinstance(refused(archive, tmp_path), UnsafeArchiveError)


def test_members_sharing_their_bytes_are_unsafe(tmp_path):
    """Two directory entries pointing at the same compressed data (an overlap bomb)."""
    members = {"data/a.jsonl": b"{}\n" * 100, "data/b.jsonl": b"{}\n" * 100}
    path = share_data(write_archive(tmp_path / "overlap.zip", {}, extra=members), "data/b.jsonl", "data/a.jsonl")
    assert isinstance(refused(path, tmp_path), UnsafeArchiveError)


# -- too new ----------------------------------------------------------------------------


def test_a_newer_format_version_is_too_new(archive, tmp_path):
    path = rezip(archive, tmp_path / "new.zip", edit_manifest=lambda m: m.update(format_version=FORMAT_VERSION + 1))
    assert isinstance(refused(path, tmp_path), ArchiveTooNewError)


def test_an_unknown_migration_head_is_too_new(archive, tmp_path):
    path = rezip(archive, tmp_path / "new.zip", edit_manifest=lambda m: m.update(migration_head="0099"))
    assert isinstance(refused(path, tmp_path), ArchiveTooNewError)


def test_an_older_migration_head_opens(tmp_path):
    path = write_archive(tmp_path / "old.zip", {"accounts": ACCOUNTS}, migration_head="0012")
    assert read_all(path, tmp_path) == {"accounts": ACCOUNTS}


# -- rows -------------------------------------------------------------------------------


def test_a_line_that_is_not_json_names_table_and_line(tmp_path):
    members = {"data/entries.jsonl": b'{"id": 1}\n{"id": 2}\n{"id": \n'}
    path = write_archive(tmp_path / "bad.zip", extra=members)
    with open_archive(path, work_dir=tmp_path) as reader:
        reader.verify()
        rows = reader.rows("entries")
        assert [next(rows), next(rows)] == [(1, {"id": 1}), (2, {"id": 2})]
        with pytest.raises(ArchiveRowError) as caught:
            next(rows)
    assert (caught.value.table, caught.value.line) == ("entries", 3)
    assert "line 3" in str(caught.value) and "not valid JSON" in str(caught.value)


def test_an_overlong_line_is_a_row_error(tmp_path, monkeypatch):
    monkeypatch.setattr(container, "MAX_LINE_BYTES", 64)
    path = write_archive(tmp_path / "long.zip", {"entries": [{"id": 1}, {"id": 2, "notes": "x" * 100}]})
    with open_archive(path, work_dir=tmp_path) as reader, pytest.raises(ArchiveRowError) as caught:
        list(reader.rows("entries"))
    assert caught.value.line == 2


def test_invalid_utf8_is_a_row_error(tmp_path):
    path = write_archive(tmp_path / "latin.zip", extra={"data/entries.jsonl": b'{"d": "caf\xe9"}\n'})
    with open_archive(path, work_dir=tmp_path) as reader, pytest.raises(ArchiveRowError):
        list(reader.rows("entries"))


def test_the_default_bomb_is_refused_with_the_real_limits(tmp_path):
    path = zip_bomb(tmp_path / "bomb.zip")
    assert isinstance(refused(path, tmp_path), UnsafeArchiveError)


def test_a_zip_with_non_ascii_names_and_no_manifest_is_foreign(tmp_path):
    path = write_zip(tmp_path / "fotos.zip", {"férias/praia ção.jpg": bytes(300), "férias/b.jpg": bytes(300)})
    assert isinstance(refused(path, tmp_path), ForeignArchiveError)


@pytest.mark.parametrize(
    "line",
    [b'{"id": NaN}', b'{"x": Infinity}', b'{"x": 1e999}', b"[" * 100_000 + b"]" * 100_000,
     b'{"d": "\xed\xa0\x80"}', b'\xff\xfe{\x00}\x00', b'{"id": 1} {"id": 2}', b"", b'{"id": 1'],
    ids=["NaN", "Infinity", "overflowing float", "deep nesting", "encoded surrogate", "UTF-16", "two objects",
         "blank line", "cut object"],
)
def test_lines_that_are_not_strict_json_are_row_errors(tmp_path, line):
    path = write_archive(tmp_path / "odd.zip", extra={"data/entries.jsonl": b'{"id": 1}\n' + line + b"\n"})
    with open_archive(path, work_dir=tmp_path) as reader, pytest.raises(ArchiveRowError) as caught:
        list(reader.rows("entries"))
    assert caught.value.line == 2


def test_a_deeply_nested_manifest_is_foreign(tmp_path):
    path = write_zip(tmp_path / "deep.zip", {MANIFEST: b"[" * 100_000 + b"]" * 100_000})
    assert isinstance(refused(path, tmp_path), ForeignArchiveError)
