"""The recovery key: 160 random bits shown once, kept only as a keyed hash, good for one
password reset without e-mail. Using it also turns two-factor off (it is the way out for
someone who lost both the password and the phone) and gives a fresh key.
"""

from __future__ import annotations

import base64
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, delete, select, update
from sqlalchemy.orm import Session

from finora.crypto import (
    decrypt_secret,
    encrypt_secret,
    hash_token,
    keyed_hash,
    new_token,
    same_hash,
)
from finora.dates import now_utc
from finora.errors import FieldError, FinoraError
from finora.models import User
from finora.models.security import RecoveryKeyDisplay
from finora.services.people.auth import check_current_password
from finora.services.people.password_reset import set_new_password
from finora.services.people.passwords import password_problem
from finora.services.people.registration import normalise_email
from finora.services.people.totp import turn_off_two_factor
from finora.services.system import audit
from finora.translation import lazy_gettext as _l

KEY_BYTES = 20  # 160 bits: 32 base32 characters, shown as 8 groups of 4
GROUP = 4
# Characters people mistype for base32 ones (no 0, 1, 8 or 9 in the alphabet).
_LOOKALIKES = str.maketrans({"0": "O", "1": "I", "8": "B"})
_NOT_BASE32 = re.compile(r"[^A-Z2-7]")


class RecoveryFailedError(FinoraError):
    """One answer for an unknown e-mail, an unused account or a wrong key."""

    message = _l("That e-mail address and recovery key do not match. Check both and try again.")
    status = 422


def new_recovery_key() -> str:
    raw = base64.b32encode(secrets.token_bytes(KEY_BYTES)).decode("ascii")
    return format_key(raw)


def format_key(key: str) -> str:
    compact = normalise_key(key)
    return "-".join(compact[i : i + GROUP] for i in range(0, len(compact), GROUP))


def normalise_key(key: str) -> str:
    """Upper case, look-alike digits mapped, spaces and dashes dropped."""
    return _NOT_BASE32.sub("", (key or "").upper().translate(_LOOKALIKES))


def _hash(key: str) -> str:
    return keyed_hash("recovery-key:" + normalise_key(key))


def key_matches(user: User, key: str) -> bool:
    """Whether `key` is the user's key in force."""
    return bool(user.recovery_key_hash and same_hash(_hash(key), user.recovery_key_hash))


# A new key is shown on the next page only, and only this soon after it was made.
SHOW_WITHIN = timedelta(minutes=15)


@dataclass(frozen=True)
class DecoyAccount:
    """What a sign-up for an address that already has an account is shown instead of a new
    account: the address, waiting for approval like any later sign-up in approval mode."""

    email: str
    is_active: bool = False


def hold_for_display(session: Session, user: User, key: str | None = None) -> str:
    """Keep a new key, encrypted, for the next page to show once; returns the random
    reference the browser keeps (only its SHA-256 is stored). Nothing of the key itself
    goes to the client-side session, so a copied cookie cannot show it again.

    With no key, a decoy is held for `user`'s address: a random key that is never theirs
    (see registration.TakenAddressSignupError)."""
    reference = new_token()
    decoy = key is None
    if not decoy:
        # Only the newest key can be shown (a decoy, made by a stranger, never removes it).
        session.execute(
            delete(RecoveryKeyDisplay)
            .where(RecoveryKeyDisplay.user_id == user.id, RecoveryKeyDisplay.decoy.is_(False))
            .execution_options(synchronize_session=False)
        )
    session.add(RecoveryKeyDisplay(
        user_id=user.id,
        reference_hash=hash_token(reference),
        encrypted_key=encrypt_secret(new_recovery_key() if key is None else key),
        decoy=decoy,
        expires_at=now_utc() + SHOW_WITHIN,
    ))
    session.flush()
    return reference


def take_for_display(session: Session, reference) -> tuple[str, User | DecoyAccount] | None:
    """The key held under `reference` and its user, once: the record is deleted by one
    DELETE, so only one of two simultaneous views shows it. None when the reference is
    unknown, already shown, older than SHOW_WITHIN or its key no longer in force. Expired
    records of anyone are swept out here too. The caller commits."""
    now = now_utc()
    session.execute(
        delete(RecoveryKeyDisplay)
        .where(RecoveryKeyDisplay.expires_at <= now)
        .execution_options(synchronize_session=False)
    )
    if not isinstance(reference, str) or not reference:
        return None
    found = session.execute(
        select(
            RecoveryKeyDisplay.id, RecoveryKeyDisplay.user_id, RecoveryKeyDisplay.encrypted_key,
            RecoveryKeyDisplay.decoy,
        ).where(RecoveryKeyDisplay.reference_hash == hash_token(reference))
    ).first()
    if found is None:
        return None
    taken = session.execute(
        delete(RecoveryKeyDisplay)
        .where(RecoveryKeyDisplay.id == found.id)
        .execution_options(synchronize_session=False)
    )
    if cast("CursorResult[Any]", taken).rowcount != 1:
        return None
    try:
        key = decrypt_secret(found.encrypted_key)
    except FinoraError:  # APP_SECRET changed in between
        return None
    user = session.get(User, found.user_id)
    if user is not None and found.decoy:
        return key, DecoyAccount(email=user.email)
    if user is None or not key_matches(user, key):
        return None
    return key, user


def create_recovery_key(session: Session, user: User, *, reason: str = "signup") -> str:
    """Give the user a new key (the old one stops working); returns it to be shown once."""
    key = new_recovery_key()
    user.recovery_key_hash = _hash(key)
    user.recovery_key_created_at = now_utc()
    audit.record(session, "recovery_key.created", user=user, details={"reason": reason})
    session.flush()
    return key


def regenerate_recovery_key(session: Session, user: User, password: str, source: str) -> str:
    """A new key, confirmed by the current password (checked as at sign-in, counted against
    `source`: the caller commits WrongCurrentPasswordError)."""
    check_current_password(
        session, user, password, source, field="password", message=_l("The password is not correct.")
    )
    return create_recovery_key(session, user, reason="regenerated")


def recover_account(session: Session, email: str, key: str, password: str) -> tuple[User, str]:
    """Reset the password with the recovery key; returns the user and their new key.
    Every session and API token ends, two-factor is turned off, the lockout is lifted."""
    user = session.scalar(select(User).where(User.email == normalise_email(email or "")))
    candidate = _hash(key)  # computed whatever happens, so the answer takes as long
    stored = user.recovery_key_hash if user is not None else None
    if user is None or not user.is_active or not stored or not same_hash(candidate, stored):
        raise RecoveryFailedError()
    problem = password_problem(password or "", email=user.email, name=user.name)
    if problem:
        raise FieldError("password", problem)
    # Spend the key with one conditional UPDATE, so two simultaneous posts cannot both win.
    spent = session.execute(
        update(User)
        .where(User.id == user.id, User.recovery_key_hash == stored)
        .values(recovery_key_hash=None)
        .execution_options(synchronize_session=False)
    )
    if cast("CursorResult[Any]", spent).rowcount != 1:
        raise RecoveryFailedError()
    user.recovery_key_hash = None
    details = set_new_password(session, user, password)
    audit.record(session, "recovery_key.used", user=user)
    had_two_factor = user.totp_enabled
    turn_off_two_factor(session, user)
    if had_two_factor:
        audit.record(session, "totp.disabled", user=user, details={"reason": "recovery_key"})
    audit.record(
        session, "password.reset", user=user,
        details={"method": "recovery_key", **details, "two_factor_disabled": had_two_factor},
    )
    return user, create_recovery_key(session, user, reason="used")
