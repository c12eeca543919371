"""The password policy and hashing."""

from __future__ import annotations

import pytest

from finora.services.people.passwords import hash_password, password_problem, verify_password


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("short", "at least 10"),
        ("ana@example.com", "e-mail"),
        ("ANA@EXAMPLE.COM", "e-mail"),
        ("anamaria12", None),
        ("Ana Souza Lima", "name"),
        ("qwertyuiop", "too common"),
        ("Password123", "too common"),
        ("senha12345", "too common"),
        ("x" * 257, "at most"),
    ],
)
def test_password_policy(password, reason):
    problem = password_problem(password, email="ana@example.com", name="Ana Souza Lima")
    if reason is None:
        assert problem is None
    else:
        assert reason in str(problem)


def test_local_part_of_email_is_refused():
    assert "e-mail" in str(password_problem("joaosilva1", email="joaosilva1@example.com"))


def test_hash_is_scrypt_and_verifies():
    hashed = hash_password("a long passphrase")
    assert hashed.startswith("scrypt:")
    assert verify_password(hashed, "a long passphrase")
    assert not verify_password(hashed, "a long passphrasE")
    assert not verify_password(None, "anything at all")
