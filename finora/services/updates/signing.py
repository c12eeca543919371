"""The release key and the Ed25519 checks every manifest and package must pass.

A manifest is signed as the exact bytes served (a detached `<manifest>.sig` holding the
base64 signature): no JSON canonicalisation to get wrong. A package is signed through a
statement binding its version, sha256 and size, so a valid package cannot be passed off as
another version, and the check needs no second read of the file.
"""

from __future__ import annotations

import base64
import binascii
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from finora.services.updates.errors import PublicKeyError, SignatureError

# The public half of the maintainers' release key, shipped with the code.
SHIPPED_KEY_FILE = Path(__file__).resolve().parents[3] / "updates" / "release-key.pub"
SIGNATURE_BYTES = 64


def package_statement(version: str, sha256: str, size: int) -> bytes:
    """What a package's signature signs."""
    return f"finora-release-package\nversion={version}\nsha256={sha256.lower()}\nsize={int(size)}\n".encode()


def parse_public_key(text: str) -> Ed25519PublicKey:
    """A key written as base64 of its 32 raw bytes, or as a PEM "PUBLIC KEY" block."""
    text = text.strip()
    try:
        if text.startswith("-----BEGIN"):
            key = serialization.load_pem_public_key(text.encode())
            if not isinstance(key, Ed25519PublicKey):
                raise PublicKeyError()
            return key
        raw = base64.b64decode(text, validate=True)
        return Ed25519PublicKey.from_public_bytes(raw)
    except (ValueError, binascii.Error, TypeError) as error:
        raise PublicKeyError() from error


def load_public_key(configured: str | None) -> Ed25519PublicKey:
    """UPDATE_PUBLIC_KEY (the key itself, or the path of a file holding it) when set, else
    the shipped updates/release-key.pub."""
    configured = (configured or "").strip()
    if configured and not configured.startswith("-----BEGIN") and Path(configured).is_file():
        configured = Path(configured).read_text(encoding="ascii", errors="replace")
    if not configured:
        try:
            configured = SHIPPED_KEY_FILE.read_text(encoding="ascii")
        except OSError as error:
            raise PublicKeyError() from error
    return parse_public_key(configured)


def public_key_text(key: Ed25519PublicKey) -> str:
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def verify(key: Ed25519PublicKey, message: bytes, signature: str | bytes | None) -> None:
    """SignatureError unless `signature` (base64) is the key's signature of `message`."""
    if not signature:
        raise SignatureError()
    try:
        raw = base64.b64decode(signature.strip(), validate=True)
    except (binascii.Error, ValueError, TypeError) as error:
        raise SignatureError() from error
    if len(raw) != SIGNATURE_BYTES:
        raise SignatureError()
    try:
        key.verify(raw, message)
    except InvalidSignature as error:
        raise SignatureError() from error


def sign(private_key: Ed25519PrivateKey, message: bytes) -> str:
    """Base64 signature (the build script and the tests sign with this)."""
    return base64.b64encode(private_key.sign(message)).decode()


def load_private_key(path: Path) -> Ed25519PrivateKey:
    """A maintainer's PEM private key (the build script)."""
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise PublicKeyError("Not an Ed25519 private key.")
    return key
