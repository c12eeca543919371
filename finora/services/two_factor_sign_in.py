"""The second step of signing in: a TOTP or backup code after the password.

A wrong code counts toward the same lockout as a wrong password (five in a row lock the
account for 15 minutes), so the code cannot be guessed at leisure once the password is known.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from finora.dates import now_utc
from finora.errors import FinoraError
from finora.models import User
from finora.services import audit
from finora.services.auth import LOCK_DURATION, MAX_FAILED_SIGN_INS, is_locked
from finora.services.totp import check_code_or_backup


class WrongSecondFactorError(FinoraError):
    message = _l(
        "That code is not correct or has already been used. After 5 failed attempts in a row "
        "the account is locked for 15 minutes."
    )
    status = 422


class SecondFactorLockedError(FinoraError):
    message = _l("Too many failed attempts: the account is locked for 15 minutes. Sign in again later.")
    status = 403


def _count_failure(session: Session, user: User) -> None:
    user.failed_sign_ins = (user.failed_sign_ins or 0) + 1
    audit.record(
        session, "auth.sign_in_failed", user=user,
        details={"reason": "code", "method": "totp", "attempt": user.failed_sign_ins},
    )
    if user.failed_sign_ins >= MAX_FAILED_SIGN_INS:
        user.locked_until = now_utc() + LOCK_DURATION
        user.failed_sign_ins = 0
        audit.record(
            session, "auth.locked", user=user,
            details={"until": user.locked_until.isoformat(), "minutes": 15},
        )


def verify_second_factor(session: Session, user: User, code: str) -> str:
    """"totp" or "backup_code" when the code is good (and now spent). A wrong code is counted
    and audited in `session` — the caller commits it even though the step failed."""
    if is_locked(user):
        audit.record(
            session, "auth.sign_in_failed", user=user, details={"reason": "locked", "method": "totp"}
        )
        session.flush()
        raise SecondFactorLockedError()
    method = check_code_or_backup(session, user, code)
    if method is None:
        _count_failure(session, user)
        session.flush()
        if is_locked(user):
            raise SecondFactorLockedError()
        raise WrongSecondFactorError()
    return method
