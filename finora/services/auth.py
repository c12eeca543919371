"""Signing in: check the password and the account's state."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from finora.dates import now_utc
from finora.errors import FinoraError
from finora.models import User
from finora.services.passwords import verify_password
from finora.services.registration import normalise_email


class InvalidCredentialsError(FinoraError):
    message = _l("Invalid e-mail or password.")
    status = 401


class PendingApprovalError(FinoraError):
    message = _l("Your account is waiting for the administrator’s approval.")
    status = 403


class AccountDisabledError(FinoraError):
    message = _l("This account is disabled. Contact the administrator of this Finora.")
    status = 403


def authenticate(session: Session, email: str, password: str) -> User:
    """The user for these credentials; the account state is told only after a good password."""
    user = session.scalar(select(User).where(User.email == normalise_email(email)))
    if not verify_password(user.password_hash if user else None, password) or user is None:
        raise InvalidCredentialsError()
    if user.status == "pending":
        raise PendingApprovalError()
    if user.status == "disabled":
        raise AccountDisabledError()
    user.last_login_at = now_utc()
    session.flush()
    return user
