"""The second step of signing in: a TOTP or backup code after the password.

A wrong code counts toward the same lockout as a wrong password (five in a row lock the
source out of the account for 15 minutes) and, as only someone with the password gets here,
five wrong codes in a row lock the whole account: the code cannot be guessed at leisure
from many addresses once the password is known.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from finora.errors import FinoraError
from finora.models import User
from finora.services.people.auth import is_locked, record_failed_sign_in, source_locked
from finora.services.people.totp import check_code_or_backup
from finora.services.system import audit
from finora.translation import lazy_gettext as _l


class WrongSecondFactorError(FinoraError):
    message = _l(
        "That code is not correct or has already been used. After 5 failed attempts in a row "
        "the account is locked for 15 minutes."
    )
    status = 422


class SecondFactorLockedError(FinoraError):
    message = _l("Too many failed attempts: the account is locked for 15 minutes. Sign in again later.")
    status = 403


def verify_second_factor(session: Session, user: User, code: str, source: str) -> str:
    """"totp" or "backup_code" when the code is good (and now spent). A wrong code from
    `source` is counted and audited in `session` — the caller commits it even though the
    step failed."""
    if is_locked(user) or source_locked(session, user, source):
        audit.record(
            session, "auth.sign_in_failed", user=user, details={"reason": "locked", "method": "totp"}
        )
        session.flush()
        raise SecondFactorLockedError()
    method = check_code_or_backup(session, user, code)
    if method is None:
        if record_failed_sign_in(session, user, source, reason="code", method="totp"):
            raise SecondFactorLockedError()
        raise WrongSecondFactorError()
    return method
