"""Secrets at rest: Fernet keyed from APP_SECRET, token hashes and keyed hashes."""

from __future__ import annotations

import base64
import hashlib

import pytest
from cryptography.fernet import Fernet
from flask import Flask
from flask_babel import Babel

from finora.crypto import (
    SecretUnreadableError,
    decrypt_secret,
    encrypt_secret,
    hash_token,
    keyed_hash,
    new_token,
    same_hash,
)


@pytest.fixture
def app_with_secret():
    def build(secret: str) -> Flask:
        application = Flask(__name__)
        application.config["APP_SECRET"] = secret
        Babel(application)  # the error's message is translated
        return application

    return build


def test_round_trip_with_the_apps_secret(app_with_secret):
    with app_with_secret("one secret").app_context():
        token = encrypt_secret("smtp pässword ✓")
        assert "smtp" not in token and "p\u00e4ss" not in token
        assert decrypt_secret(token) == "smtp pässword ✓"
        # A fresh IV each time: the same secret never gives the same token twice.
        assert encrypt_secret("smtp pässword ✓") != token


def test_the_key_comes_from_app_secret(app_with_secret):
    with app_with_secret("one secret").app_context():
        token = encrypt_secret("hunter2")
    assert decrypt_secret(token, app_secret="one secret") == "hunter2"
    with app_with_secret("another secret").app_context():
        with pytest.raises(SecretUnreadableError):
            decrypt_secret(token)


def test_the_key_is_not_the_raw_secret_padded():
    # The Fernet key is derived (HKDF), not the APP_SECRET bytes themselves.
    raw = base64.urlsafe_b64encode(b"k" * 32)
    token = encrypt_secret("x", app_secret="k" * 32)
    with pytest.raises(Exception):  # noqa: B017 - any failure shows the keys differ
        Fernet(raw).decrypt(token.encode())


def test_a_tampered_token_is_refused():
    token = encrypt_secret("secret", app_secret="s")
    tampered = token[:-6] + ("A" if token[-6] != "A" else "B") + token[-5:]
    with pytest.raises(SecretUnreadableError):
        decrypt_secret(tampered, app_secret="s")
    with pytest.raises(SecretUnreadableError):
        decrypt_secret("not a token", app_secret="s")


def test_an_empty_app_secret_is_refused():
    with pytest.raises(RuntimeError):
        encrypt_secret("x", app_secret="")


def test_hash_token_is_sha256_hex():
    assert hash_token("abc") == hashlib.sha256(b"abc").hexdigest()
    assert len(hash_token(new_token())) == 64


def test_new_tokens_are_long_and_unique():
    tokens = {new_token() for _ in range(200)}
    assert len(tokens) == 200
    assert all(len(base64.urlsafe_b64decode(t + "=" * (-len(t) % 4))) == 32 for t in tokens)


def test_keyed_hash_depends_on_app_secret(app_with_secret):
    with app_with_secret("a").app_context():
        first = keyed_hash("ABCD-EFGH")
        assert keyed_hash("ABCD-EFGH") == first
    assert keyed_hash("ABCD-EFGH", app_secret="b") != first
    assert first != hash_token("ABCD-EFGH") and len(first) == 64


def test_same_hash():
    assert same_hash(hash_token("a"), hash_token("a"))
    assert not same_hash(hash_token("a"), hash_token("b"))
