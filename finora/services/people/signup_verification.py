"""Confirming a sign-up's address (open mode with mail): the account stays pending until the
e-mailed link is followed, so a sign-up answers alike whether the address is new or taken.

The link is random, kept only as its SHA-256, good for 48 hours and spent by one conditional
UPDATE; it is built from APP_BASE_URL (passed in by the caller), never the Host header. A
sign-up never confirmed is deleted, with its household, a week after its last link expired.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, exists, func, select, update
from sqlalchemy.orm import Session

from finora.crypto import hash_token, new_token
from finora.dates import now_utc
from finora.errors import FinoraError
from finora.models import Membership, User
from finora.models.security import EmailVerification
from finora.services.people.signup_mail import queue_signup_notification, queue_verification_mail
from finora.services.system import audit
from finora.translation import lazy_gettext as _l

LINK_LIFETIME = timedelta(hours=48)
# How long after its newest link expired an unconfirmed sign-up is kept: the owner of the
# address can still sign up again meanwhile (that replaces it), the admin can still see it.
UNCONFIRMED_KEPT = timedelta(days=7)
CONFIRM_PATH = "/signup/confirm/"


class InvalidVerificationLinkError(FinoraError):
    message = _l(
        "This confirmation link is not valid any more: it has expired or has been used. "
        "Sign up again to get a new one, or sign in if your account is already confirmed."
    )
    status = 404


def verification_link(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}{CONFIRM_PATH}{token}"


def start_verification(session: Session, user: User, *, base_url: str) -> None:
    """Give the pending `user` a confirmation link, e-mailed once the session commits."""
    token = new_token()
    now = now_utc()
    session.add(
        EmailVerification(
            user_id=user.id, token_hash=hash_token(token), created_at=now,
            expires_at=now + LINK_LIFETIME,
        )
    )
    session.flush()
    queue_verification_mail(session, user, verification_link(base_url, token))


def awaiting_verification(session: Session, user: User) -> bool:
    """Whether `user` is a sign-up whose address is not confirmed yet (not one waiting for
    an administrator's approval)."""
    return user.status == "pending" and bool(
        session.scalar(
            select(
                exists().where(
                    EmailVerification.user_id == user.id, EmailVerification.used_at.is_(None)
                )
            )
        )
    )


def unconfirmed_address():
    """True for a user (in a query on User) holding a link not followed yet; with status
    "pending", a sign-up waiting for its address to be confirmed, not for an approval."""
    return exists().where(EmailVerification.user_id == User.id, EmailVerification.used_at.is_(None))


def awaiting_verification_ids(session: Session, user_ids: list[int]) -> set[int]:
    """Which of these users are sign-ups whose address is not confirmed yet (one query)."""
    if not user_ids:
        return set()
    return set(
        session.scalars(
            select(User.id).where(User.id.in_(user_ids), User.status == "pending", unconfirmed_address())
        )
    )


def purge_unconfirmed_sign_ups(session: Session, now: datetime | None = None) -> int:
    """Delete, with the household sign-up made for them, the pending accounts that are
    pending only because their address was never confirmed and whose newest link expired
    over UNCONFIRMED_KEPT ago; returns how many. Accounts waiting for an administrator's
    approval, active or disabled ones, the administrator and any account that belongs to a
    household shared with someone else are never touched. Each deletion is audited."""
    from finora.services.people.users import delete_unused_account  # users imports this module

    cutoff = (now or now_utc()) - UNCONFIRMED_KEPT
    newest_expiry = (
        select(func.max(EmailVerification.expires_at))
        .where(EmailVerification.user_id == User.id)
        .scalar_subquery()
    )
    candidates = session.scalars(
        select(User)
        .where(
            User.status == "pending", User.is_admin.is_(False), unconfirmed_address(),
            newest_expiry < cutoff,
        )
        .order_by(User.id)
        # A confirmation, approval or replacing sign-up of the same account waits for this
        # transaction (PostgreSQL, MariaDB) instead of acting on a row being deleted.
        .with_for_update()
    ).all()
    purged = 0
    for user in candidates:
        if not _only_own_household(session, user):
            continue
        audit.record(
            session, "user.unconfirmed_purged", user=None, object_type="user",
            object_id=user.id, details={"email": user.email},
        )
        delete_unused_account(session, user)
        purged += 1
    return purged


def _only_own_household(session: Session, user: User) -> bool:
    """Whether `user` belongs to at most one household and shares it with nobody: an account
    that joined someone else's household is not an abandoned sign-up to clean up."""
    households = [m.household_id for m in user.memberships]
    if len(households) > 1:
        return False
    return not households or session.scalar(
        select(func.count()).select_from(Membership).where(Membership.household_id == households[0])
    ) == 1


def valid_verification(session: Session, token: str) -> EmailVerification:
    """The live confirmation for this link, else InvalidVerificationLinkError."""
    record = session.scalar(
        select(EmailVerification).where(EmailVerification.token_hash == hash_token(token or ""))
    )
    if record is None or record.used_at is not None or record.expires_at <= now_utc():
        raise InvalidVerificationLinkError()
    user = session.get(User, record.user_id)
    if user is None or user.status != "pending":
        raise InvalidVerificationLinkError()
    return record


def confirm_email(session: Session, token: str) -> User:
    """Spend a live link and activate its account; the admins are told of the sign-up once
    the caller commits. Audited."""
    record = valid_verification(session, token)
    now = now_utc()
    # One conditional UPDATE each, so two simultaneous follows cannot both win.
    spent = session.execute(
        update(EmailVerification)
        .where(
            EmailVerification.id == record.id,
            EmailVerification.used_at.is_(None),
            EmailVerification.expires_at > now,
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if cast("CursorResult[Any]", spent).rowcount != 1:
        raise InvalidVerificationLinkError()
    activated = session.execute(
        update(User)
        .where(User.id == record.user_id, User.status == "pending")
        .values(status="active", approved_at=now)
        .execution_options(synchronize_session=False)
    )
    if cast("CursorResult[Any]", activated).rowcount != 1:
        raise InvalidVerificationLinkError()
    user = session.get_one(User, record.user_id)  # the UPDATE above just matched it
    session.refresh(user)
    audit.record(session, "user.email_confirmed", user=user)
    queue_signup_notification(session, user)
    session.flush()
    return user
