"""Password reset by e-mailed link: one hour, single use, void once a newer link is sent or
the password changes. Only the link's SHA-256 is stored; the link is built from
APP_BASE_URL (passed in by the caller), never from the request's Host header.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any, cast

from flask_babel import force_locale
from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from finora.crypto import hash_token, new_token
from finora.dates import now_utc
from finora.errors import FieldError, FinoraError
from finora.models import User
from finora.models.security import PasswordResetToken
from finora.services.people.password_change import replace_password
from finora.services.people.passwords import password_problem
from finora.services.people.registration import normalise_email
from finora.services.system import audit
from finora.services.system.mail import MailDeliveryError, send_mail
from finora.translation import gettext as _
from finora.translation import lazy_gettext as _l

logger = logging.getLogger("finora.password_reset")

LINK_LIFETIME = timedelta(hours=1)
RESET_PATH = "/reset-password/"


class InvalidResetLinkError(FinoraError):
    message = _l(
        "This password reset link is not valid any more: it has expired, has been used, or a "
        "newer link was sent. Ask for a new one."
    )
    status = 404


def reset_link(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}{RESET_PATH}{token}"


def request_password_reset(session: Session, email: str, *, base_url: str) -> User | None:
    """E-mail a reset link to the account with this address, if there is an active one.
    The caller answers the same whatever happens here, so nothing tells whether the
    account exists; a delivery failure is logged, not raised, for the same reason."""
    address = normalise_email(email or "")
    user = session.scalar(select(User).where(User.email == address))
    if user is None or not user.is_active or user.demo_expires_at is not None:  # demos: no mail
        audit.record(
            session, "password.reset_requested", email=address[:254],
            details={"sent": False},
        )
        return None
    token = new_token()
    now = now_utc()
    session.add(
        PasswordResetToken(
            user_id=user.id, token_hash=hash_token(token), created_at=now,
            expires_at=now + LINK_LIFETIME,
        )
    )
    audit.record(session, "password.reset_requested", user=user, details={"sent": True})
    session.flush()
    link = reset_link(base_url, token)
    with force_locale(user.locale):
        subject = _("Reset your Finora password")
        text = _(
            "Hello %(name)s,\n\nSomeone (hopefully you) asked to reset the password of your "
            "Finora account. Open this link within one hour to choose a new password:\n\n"
            "%(link)s\n\nThe link works once. If you did not ask for it, ignore this e-mail: "
            "your password stays as it is.",
            name=user.name, link=link,
        )
    try:
        send_mail(user.email, subject, text, session=session)
    except MailDeliveryError:
        logger.warning("password reset e-mail for user %s could not be sent", user.id)
    return user


def _newest_token_id(session: Session, user_id: int) -> int | None:
    return session.scalar(
        select(PasswordResetToken.id)
        .where(PasswordResetToken.user_id == user_id)
        .order_by(PasswordResetToken.created_at.desc(), PasswordResetToken.id.desc())
        .limit(1)
    )


def valid_reset_token(session: Session, token: str) -> PasswordResetToken:
    """The live reset token for this link, else InvalidResetLinkError."""
    record = session.scalar(
        select(PasswordResetToken).where(PasswordResetToken.token_hash == hash_token(token or ""))
    )
    if record is None or record.used_at is not None or record.expires_at <= now_utc():
        raise InvalidResetLinkError()
    user = session.get(User, record.user_id)
    if user is None or not user.is_active:
        raise InvalidResetLinkError()
    if _newest_token_id(session, user.id) != record.id:
        raise InvalidResetLinkError()
    return record


def set_new_password(session: Session, user: User, password: str) -> dict[str, int]:
    """The password is replaced after a reset: every session, API token and other reset
    link ends, the lockout is lifted. Returns what ended; the caller audits and commits.
    The caller has checked the password with password_problem before spending its link
    or key."""
    details = replace_password(session, user, password)
    user.failed_sign_ins = 0
    user.locked_until = None
    return details


def complete_password_reset(session: Session, token: str, password: str) -> User:
    """Set the new password through a live link, which is then spent. Audited."""
    record = valid_reset_token(session, token)
    user = session.get_one(User, record.user_id)  # user_id: a non-null foreign key
    problem = password_problem(password or "", email=user.email, name=user.name)
    if problem:
        raise FieldError("password", problem)
    # Spend the link with one conditional UPDATE, so two simultaneous posts cannot both win.
    spent = session.execute(
        update(PasswordResetToken)
        .where(PasswordResetToken.id == record.id, PasswordResetToken.used_at.is_(None))
        .values(used_at=now_utc())
        .execution_options(synchronize_session=False)
    )
    if cast("CursorResult[Any]", spent).rowcount != 1:
        raise InvalidResetLinkError()
    details = set_new_password(session, user, password)
    audit.record(session, "password.reset", user=user, details={"method": "email", **details})
    session.flush()
    return user
