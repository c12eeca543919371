"""Passphrase encryption: every size round-trips, a wrong passphrase says so, and a file
that was cut, changed, reordered or extended is refused without leaving plaintext."""

from __future__ import annotations

import os
import stat
import tracemalloc
from pathlib import Path

import pytest

from finora.services.backups import encryption
from finora.services.backups.encryption import (
    CHUNK_SIZE,
    HEADER_SIZE,
    MAGIC,
    TAG_SIZE,
    decrypt_file,
    encrypt_file,
    is_encrypted,
)
from finora.services.backups.errors import (
    DamagedArchiveError,
    ForeignArchiveError,
    WrongPassphraseError,
)

SEALED = CHUNK_SIZE + TAG_SIZE
DEFAULT_LOG2_N = encryption.LOG2_N


@pytest.fixture(autouse=True)
def quick_scrypt(monkeypatch):
    """The header records the cost, so a cheaper one here is read back as it was written."""
    monkeypatch.setattr(encryption, "LOG2_N", 12)


def sealed(tmp_path: Path, data: bytes, passphrase: str = "uma frase longa") -> Path:
    source = tmp_path / "plain.zip"
    source.write_bytes(data)
    target = tmp_path / "plain.zip.enc"
    encrypt_file(source, target, passphrase)
    return target


def opened(path: Path, passphrase: str = "uma frase longa") -> bytes:
    target = path.with_suffix(".out")
    try:
        decrypt_file(path, target, passphrase)
    except BaseException:
        assert not target.exists()  # no unauthenticated plaintext left behind
        raise
    return target.read_bytes()


@pytest.mark.parametrize("size", [0, 1, CHUNK_SIZE - 1, CHUNK_SIZE, CHUNK_SIZE + 1, 3 * CHUNK_SIZE + 17])
def test_every_size_round_trips(tmp_path, size):
    data = os.urandom(size)
    path = sealed(tmp_path, data)
    assert is_encrypted(path) and path.read_bytes().startswith(MAGIC)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    chunks = max(1, -(-size // CHUNK_SIZE))
    assert path.stat().st_size == HEADER_SIZE + size + chunks * TAG_SIZE
    assert opened(path) == data
    assert stat.S_IMODE(path.with_suffix(".out").stat().st_mode) == 0o600


def test_the_same_file_encrypts_differently_each_time(tmp_path):
    first = sealed(tmp_path, b"same").read_bytes()
    second = sealed(tmp_path, b"same").read_bytes()
    assert first != second  # fresh salt and nonce prefix
    assert b"same" not in first


def test_a_wrong_passphrase_says_so(tmp_path):
    path = sealed(tmp_path, os.urandom(3 * CHUNK_SIZE))
    with pytest.raises(WrongPassphraseError):
        opened(path, "Uma frase longa")
    with pytest.raises(WrongPassphraseError):
        opened(path, "")


def test_unicode_passphrases_work(tmp_path):
    import unicodedata

    path = sealed(tmp_path, b"data", "coração 🔐")
    assert opened(path, "coração 🔐") == b"data"
    decomposed = unicodedata.normalize("NFD", "coração 🔐")  # as another system may send it
    assert decomposed != "coração 🔐" and opened(path, decomposed) == b"data"


def test_an_empty_passphrase_is_refused(tmp_path):
    (tmp_path / "a").write_bytes(b"x")
    with pytest.raises(ValueError):
        encrypt_file(tmp_path / "a", tmp_path / "b", "")
    assert not (tmp_path / "b").exists()


@pytest.mark.parametrize(
    "cut",
    [
        lambda size: HEADER_SIZE + SEALED,  # at a chunk boundary: the "last" chunk is missing
        lambda size: HEADER_SIZE + 2 * SEALED,
        lambda size: HEADER_SIZE + SEALED + 100,  # inside a chunk
        lambda size: size - 1,
        lambda size: HEADER_SIZE,  # the header alone
        lambda size: HEADER_SIZE - 10,  # inside the header
    ],
    ids=["boundary 1", "boundary 2", "mid chunk", "last byte", "header only", "short header"],
)
def test_a_truncated_file_is_damaged(tmp_path, cut):
    path = sealed(tmp_path, os.urandom(3 * CHUNK_SIZE + 500))
    raw = path.read_bytes()
    path.write_bytes(raw[: cut(len(raw))])
    with pytest.raises(DamagedArchiveError):
        opened(path)


@pytest.mark.parametrize(
    "offset",
    [
        lambda size: HEADER_SIZE + 5,  # chunk 0
        lambda size: HEADER_SIZE + SEALED + 5,  # chunk 1
        lambda size: HEADER_SIZE + SEALED - 1,  # chunk 0's tag
        lambda size: size - 1,  # the last chunk's tag
    ],
    ids=["first chunk", "middle chunk", "a tag", "last tag"],
)
def test_a_changed_byte_is_damaged(tmp_path, offset):
    path = sealed(tmp_path, os.urandom(3 * CHUNK_SIZE + 500))
    raw = bytearray(path.read_bytes())
    raw[offset(len(raw))] ^= 0x01
    path.write_bytes(bytes(raw))
    with pytest.raises(DamagedArchiveError):
        opened(path)


def test_a_changed_header_is_refused(tmp_path):
    """The salt and the key check decide the key (wrong passphrase, as far as the file can
    tell); the nonce prefix and chunk size are authenticated with every chunk."""
    path = sealed(tmp_path, os.urandom(CHUNK_SIZE + 10))
    raw = path.read_bytes()
    salt_at = len(MAGIC) + 8
    prefix_at = salt_at + 16
    for offset, error in ((salt_at, WrongPassphraseError), (prefix_at, DamagedArchiveError)):
        changed = bytearray(raw)
        changed[offset] ^= 0x01
        path.write_bytes(bytes(changed))
        with pytest.raises(error):
            opened(path)


def test_reordered_or_repeated_chunks_are_damaged(tmp_path):
    path = sealed(tmp_path, os.urandom(3 * CHUNK_SIZE + 500))
    raw = path.read_bytes()
    header, body = raw[:HEADER_SIZE], raw[HEADER_SIZE:]
    chunks = [body[i : i + SEALED] for i in range(0, len(body), SEALED)]
    assert len(chunks) == 4
    for order in ([1, 0, 2, 3], [0, 1, 1, 2, 3], [0, 2, 3]):
        path.write_bytes(header + b"".join(chunks[i] for i in order))
        with pytest.raises(DamagedArchiveError):
            opened(path)


def test_bytes_appended_after_the_last_chunk_are_damaged(tmp_path):
    path = sealed(tmp_path, os.urandom(CHUNK_SIZE + 10))
    path.write_bytes(path.read_bytes() + b"\x00" * 40)
    with pytest.raises(DamagedArchiveError):
        opened(path)


@pytest.mark.parametrize(
    "field, value",
    [(8, 2), (9, 30), (10, 0), (11, 200)],
    ids=["unknown version", "huge scrypt cost", "zero r", "huge p"],
)
def test_a_header_asking_too_much_is_refused_before_deriving(tmp_path, monkeypatch, field, value):
    path = sealed(tmp_path, b"data")
    raw = bytearray(path.read_bytes())
    raw[field] = value
    path.write_bytes(bytes(raw))
    monkeypatch.setattr(encryption, "Scrypt", None)  # deriving would fail loudly
    with pytest.raises(DamagedArchiveError):
        opened(path)


def test_a_file_without_the_magic_is_not_encrypted(tmp_path):
    plain = tmp_path / "plain.zip"
    plain.write_bytes(b"PK\x03\x04" + bytes(100))
    assert not is_encrypted(plain)
    assert not is_encrypted(tmp_path / "missing")
    with pytest.raises(ForeignArchiveError):
        decrypt_file(plain, tmp_path / "out", "pw")


def test_memory_stays_bounded(tmp_path):
    source = tmp_path / "big"
    with open(source, "wb") as writer:
        for _ in range(64):
            writer.write(os.urandom(1 << 18))  # 16 MiB
    tracemalloc.start()
    try:
        encrypt_file(source, tmp_path / "big.enc", "pw")
        decrypt_file(tmp_path / "big.enc", tmp_path / "big.out", "pw")
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 2_000_000
    assert (tmp_path / "big.out").read_bytes() == source.read_bytes()


def test_the_default_cost_is_the_recommended_one(tmp_path, monkeypatch):
    """scrypt N = 2**17, r = 8, p = 1 (OWASP), recorded in the header."""
    monkeypatch.setattr(encryption, "LOG2_N", DEFAULT_LOG2_N)
    path = sealed(tmp_path, b"data")
    assert tuple(path.read_bytes()[9:12]) == (17, 8, 1)
    assert opened(path) == b"data"


def test_every_changed_byte_is_refused(tmp_path, monkeypatch):
    """Each byte of a small two-chunk file changed in turn: never plaintext, never an
    error other than a wrong passphrase (salt, key check) or a damaged file."""
    monkeypatch.setattr(encryption, "CHUNK_SIZE", 64)  # recorded in the header
    path = sealed(tmp_path, os.urandom(100))
    raw = path.read_bytes()
    assert len(raw) == HEADER_SIZE + 100 + 2 * TAG_SIZE
    for offset in range(len(raw)):
        changed = bytearray(raw)
        changed[offset] ^= 0x80
        path.write_bytes(bytes(changed))
        with pytest.raises((WrongPassphraseError, DamagedArchiveError, ForeignArchiveError)):
            opened(path)
