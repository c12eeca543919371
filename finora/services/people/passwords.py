"""Password policy and hashing (werkzeug scrypt)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from werkzeug.security import check_password_hash, generate_password_hash

from finora.translation import lazy_gettext as _l

MIN_LENGTH = 10
MAX_LENGTH = 256
_COMMON_FILE = Path(__file__).resolve().parents[2] / "data" / "common-passwords.txt"
# Checked against when the e-mail is unknown, so a miss costs as much as a hit. Made on the
# first such sign-in, not at import: one scrypt is ~0.2 s of CPU and 32 MB of scratch memory
# that every starting worker would pay.
_DUMMY_HASH: str | None = None


def _dummy_hash() -> str:
    global _DUMMY_HASH  # made once, on first use
    if _DUMMY_HASH is None:
        _DUMMY_HASH = generate_password_hash("finora-timing-equaliser", method="scrypt")
    return _DUMMY_HASH


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    lines = _COMMON_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def password_problem(password: str, *, email: str = "", name: str = ""):
    """The reason this password is refused, or None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return _l("Use at least %(count)d characters.", count=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return _l("Use at most %(count)d characters.", count=MAX_LENGTH)
    lowered = password.strip().lower()
    email = email.strip().lower()
    if email and (lowered == email or lowered == email.split("@")[0]):
        return _l("The password cannot be your e-mail address.")
    if name.strip() and lowered.replace(" ", "") == name.strip().lower().replace(" ", ""):
        return _l("The password cannot be your name.")
    if lowered in _common_passwords():
        return _l("This password is too common; choose one that is harder to guess.")
    return None


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


def verify_password(password_hash: str | None, password: str) -> bool:
    """Constant work whether or not there is a hash to check against."""
    if not password_hash:
        check_password_hash(_dummy_hash(), password)
        return False
    return check_password_hash(password_hash, password)
