"""Secrets at rest: Fernet encryption keyed from APP_SECRET, and hashes of tokens and codes."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

from finora.errors import FinoraError
from finora.translation import lazy_gettext as _l

# Distinct HKDF "info" labels give independent keys from the one APP_SECRET.
_ENCRYPTION_INFO = b"finora/fernet/v1"
_KEYED_HASH_INFO = b"finora/keyed-hash/v1"


class SecretUnreadableError(FinoraError):
    message = _l(
        "A stored secret can no longer be read (APP_SECRET has changed). Enter it again."
    )
    status = 500


def _derive(app_secret: str, info: bytes) -> bytes:
    if not app_secret:
        raise RuntimeError("APP_SECRET is not set")
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(
        app_secret.encode("utf-8")
    )


@lru_cache(maxsize=8)
def _fernet(app_secret: str) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(_derive(app_secret, _ENCRYPTION_INFO)))


@lru_cache(maxsize=8)
def _hash_key(app_secret: str) -> bytes:
    return _derive(app_secret, _KEYED_HASH_INFO)


def _app_secret(app_secret: str | None) -> str:
    return app_secret if app_secret is not None else current_app.config["APP_SECRET"]


def encrypt_secret(text: str, *, app_secret: str | None = None) -> str:
    """A Fernet token (ASCII text) for `text`; APP_SECRET of the current app by default."""
    return _fernet(_app_secret(app_secret)).encrypt(text.encode("utf-8")).decode("ascii")


def decrypt_secret(token: str, *, app_secret: str | None = None) -> str:
    """The text back; SecretUnreadableError if it was made with another key or altered."""
    try:
        return _fernet(_app_secret(app_secret)).decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeError) as exc:
        raise SecretUnreadableError() from exc


def new_token(nbytes: int = 32) -> str:
    """A random URL-safe token (256 bits by default) for links, sessions and API tokens."""
    return secrets.token_urlsafe(nbytes)


def hash_token(token: str) -> str:
    """SHA-256 hex of a random high-entropy token: what the database keeps (64 chars)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def keyed_hash(value: str, *, app_secret: str | None = None) -> str:
    """HMAC-SHA256 hex keyed from APP_SECRET (64 chars), for short secrets such as backup
    codes: a stolen database alone cannot be brute-forced against it."""
    key = _hash_key(_app_secret(app_secret))
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()


def same_hash(a: str, b: str) -> bool:
    """Constant-time comparison of two hashes."""
    return hmac.compare_digest(a.encode("ascii"), b.encode("ascii"))
