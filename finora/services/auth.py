"""Signing in: check the password and the account's state, and lock out password guessing.

Five failed sign-ins in a row lock the account for 15 minutes. Every failure, whether
the e-mail is unknown, the password wrong or the account locked, gets the same message
and the same password-hashing work, so the answer never tells whether an account exists.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from finora.dates import now_utc
from finora.errors import FinoraError
from finora.models import User
from finora.services import audit
from finora.services.passwords import verify_password
from finora.services.registration import normalise_email
from finora.translation import lazy_gettext as _l

MAX_FAILED_SIGN_INS = 5
LOCK_DURATION = timedelta(minutes=15)


class InvalidCredentialsError(FinoraError):
    message = _l(
        "Invalid e-mail or password. After 5 failed attempts in a row an account is "
        "locked for 15 minutes."
    )
    status = 401


class PendingApprovalError(FinoraError):
    message = _l("Your account is waiting for the administrator’s approval.")
    status = 403


class AccountDisabledError(FinoraError):
    message = _l("This account is disabled. Contact the administrator of this Finora.")
    status = 403


def is_locked(user: User, now=None) -> bool:
    return user.locked_until is not None and user.locked_until > (now or now_utc())


def record_failed_sign_in(
    session: Session, user: User, *, reason: str = "password", method: str | None = None
) -> None:
    """Count one failed sign-in step (wrong password or wrong second-factor code) and lock
    the account at the fifth in a row; audited. The caller commits even though the step
    failed (it must not roll this back)."""
    user.failed_sign_ins = (user.failed_sign_ins or 0) + 1
    details = {"reason": reason, "attempt": user.failed_sign_ins}
    if method:
        details["method"] = method
    audit.record(session, "auth.sign_in_failed", user=user, details=details)
    if user.failed_sign_ins >= MAX_FAILED_SIGN_INS:
        user.locked_until = now_utc() + LOCK_DURATION
        user.failed_sign_ins = 0  # a fresh count once the lock ends
        audit.record(
            session, "auth.locked", user=user,
            details={"until": user.locked_until.isoformat(), "minutes": 15},
        )


def _record_failure(session: Session, user: User | None, email: str, *, locked: bool) -> None:
    if user is None:
        audit.record(session, "auth.sign_in_failed", email=email, details={"reason": "unknown"})
    elif locked:
        audit.record(session, "auth.sign_in_failed", user=user, details={"reason": "locked"})
    else:
        record_failed_sign_in(session, user)


def authenticate(session: Session, email: str, password: str) -> User:
    """The user for these credentials; the account state is told only after a good password
    of an unlocked account. On InvalidCredentialsError the failure is in `session`: commit it."""
    address = normalise_email(email)
    user = session.scalar(select(User).where(User.email == address))
    locked = user is not None and is_locked(user)
    # Always one scrypt check, even for an unknown e-mail or a locked account.
    good = verify_password(user.password_hash if user else None, password)
    if user is None or locked or not good:
        _record_failure(session, user, address, locked=locked)
        session.flush()
        raise InvalidCredentialsError()
    if user.status == "pending":
        raise PendingApprovalError()
    if user.status == "disabled":
        raise AccountDisabledError()
    return user
