"""Passphrase encryption of a whole backup file: scrypt, then AES-256-GCM in 64 KiB
chunks, streamed both ways in bounded memory.

Why our own framing: the file must be encrypted and decrypted as a stream (a backup can
be hundreds of megabytes) and authenticated, so that a wrong passphrase, a truncation, a
changed byte or reordered chunks are all detected. `cryptography` offers the primitives
(Scrypt, AESGCM) but no streaming file format; the maintained formats that have one (age,
libsodium's secretstream, Tink's streaming AEAD) would each add a dependency for a
hundred lines. So this is the STREAM construction (Hoang, Reyhanitabar, Rogaway and
Vizár, "Online Authenticated-Encryption and its Nonce-Reuse Misuse-Resistance", 2015),
as age and Tink use it: each chunk is sealed with the nonce `prefix(7) || counter(4) ||
last(1)`, so a chunk cannot move, a file cut at a chunk boundary lacks its "last" chunk,
and the header (parameters, salt, nonce prefix) is authenticated as every chunk's
associated data.

File layout (all integers big-endian):
    MAGIC (8) | version (1) | log2 N (1) | r (1) | p (1) | chunk size (4) | salt (16) |
    nonce prefix (7) | key check (16) | chunk 0 | chunk 1 | ... | last chunk
A chunk is `chunk size` bytes of plaintext plus a 16-byte tag; the last one is shorter
(possibly empty) and sealed with last=1. The key check is 16 more bytes of scrypt output:
a wrong passphrase is told apart from a damaged file without trying to decrypt anything.
"""

from __future__ import annotations

import hmac
import os
import struct
import unicodedata
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from finora.services.backups.errors import (
    DamagedArchiveError,
    ForeignArchiveError,
    WrongPassphraseError,
)

MAGIC = b"FINORAE\x00"
VERSION = 1
CHUNK_SIZE = 64 * 1024
TAG_SIZE = 16
# scrypt: N = 2**17, r = 8, p = 1 (128 MiB, a third of a second): OWASP's recommendation.
LOG2_N, SCRYPT_R, SCRYPT_P = 17, 8, 1
# What a file may ask of the reader: more would let a forged header exhaust memory.
MAX_LOG2_N, MAX_R, MAX_P, MAX_CHUNK = 20, 16, 4, 1 << 20

_HEADER = struct.Struct(">8sBBBBI16s7s16s")
HEADER_SIZE = _HEADER.size


def is_encrypted(path: Path) -> bool:
    try:
        with open(path, "rb") as reader:
            return reader.read(len(MAGIC)) == MAGIC
    except OSError:
        return False


def _derive(passphrase: str, salt: bytes, log2_n: int, r: int, p: int) -> tuple[bytes, bytes]:
    # NFC (as RFC 8265 prepares passwords): "ç" typed on one system and sent decomposed
    # by another is still the same passphrase.
    secret = unicodedata.normalize("NFC", passphrase).encode("utf-8")
    material = Scrypt(salt=salt, length=48, n=1 << log2_n, r=r, p=p).derive(secret)
    return material[:32], material[32:]


def _nonce(prefix: bytes, counter: int, last: bool) -> bytes:
    return prefix + counter.to_bytes(4, "big") + (b"\x01" if last else b"\x00")


def _private_writer(target: Path):
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    return os.fdopen(descriptor, "wb")


def encrypt_file(source: Path, target: Path, passphrase: str) -> None:
    """Encrypts `source` into `target` (mode 600); `target` is removed on failure."""
    if not passphrase:
        raise ValueError("backups: an empty passphrase encrypts nothing")
    salt, prefix = os.urandom(16), os.urandom(7)
    key, check = _derive(passphrase, salt, LOG2_N, SCRYPT_R, SCRYPT_P)
    header = _HEADER.pack(MAGIC, VERSION, LOG2_N, SCRYPT_R, SCRYPT_P, CHUNK_SIZE, salt, prefix, check)
    cipher = AESGCM(key)
    target = Path(target)
    try:
        with open(source, "rb") as reader, _private_writer(target) as writer:
            writer.write(header)
            counter = 0
            chunk = reader.read(CHUNK_SIZE)
            while True:
                following = reader.read(CHUNK_SIZE) if len(chunk) == CHUNK_SIZE else b""
                last = not following
                writer.write(cipher.encrypt(_nonce(prefix, counter, last), chunk, header))
                if last:
                    break
                counter += 1
                if counter >= 1 << 32:
                    raise ValueError("backups: file too large to encrypt")
                chunk = following
    except BaseException:
        target.unlink(missing_ok=True)
        raise


def decrypt_file(source: Path, target: Path, passphrase: str) -> None:
    """Decrypts `source` into `target` (mode 600). WrongPassphraseError for a wrong
    passphrase, DamagedArchiveError for a changed, cut or reordered file; `target` is
    removed on any failure, so no unauthenticated plaintext is left behind."""
    target = Path(target)
    try:
        with open(source, "rb") as reader:
            header = reader.read(HEADER_SIZE)
            if len(header) < len(MAGIC) or header[: len(MAGIC)] != MAGIC:
                raise ForeignArchiveError()
            if len(header) < HEADER_SIZE:
                raise DamagedArchiveError()
            _, version, log2_n, r, p, chunk_size, salt, prefix, check = _HEADER.unpack(header)
            if (
                version != VERSION
                or not 10 <= log2_n <= MAX_LOG2_N
                or not 1 <= r <= MAX_R
                or not 1 <= p <= MAX_P
                or not 1 <= chunk_size <= MAX_CHUNK
            ):
                raise DamagedArchiveError()
            key, expected = _derive(passphrase, salt, log2_n, r, p)
            if not hmac.compare_digest(check, expected):
                raise WrongPassphraseError()
            cipher = AESGCM(key)
            sealed_size = chunk_size + TAG_SIZE
            with _private_writer(target) as writer:
                counter = 0
                sealed = reader.read(sealed_size)
                while True:
                    following = reader.read(sealed_size) if len(sealed) == sealed_size else b""
                    last = not following
                    try:
                        plain = cipher.decrypt(_nonce(prefix, counter, last), sealed, header)
                    except (InvalidTag, ValueError) as error:
                        raise DamagedArchiveError() from error
                    writer.write(plain)
                    if last:
                        break
                    counter += 1
                    if counter >= 1 << 32:
                        raise DamagedArchiveError()
                    sealed = following
    except BaseException:
        target.unlink(missing_ok=True)
        raise
