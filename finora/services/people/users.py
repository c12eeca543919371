"""Instance administration of user accounts: approve or deny sign-ups, (de)activate."""

from __future__ import annotations

from sqlalchemy import Select, delete, func, or_, select
from sqlalchemy.orm import Session

from finora.dates import now_utc
from finora.errors import FinoraError
from finora.models import Account, Category, Household, Membership, User
from finora.services.people.password_change import revoke_api_tokens
from finora.services.people.signup_verification import awaiting_verification, unconfirmed_address
from finora.services.people.user_sessions import revoke_user_sessions
from finora.services.system import audit
from finora.translation import lazy_gettext as _l


class CannotDisableAdminError(FinoraError):
    message = _l("The administrator of this Finora cannot be disabled.")
    status = 409


class NotPendingError(FinoraError):
    message = _l("This account is not waiting for approval.")
    status = 409


class UnconfirmedAddressError(FinoraError):
    message = _l(
        "This sign-up's e-mail address is not confirmed yet, so it cannot be approved: the "
        "address may belong to someone else. Deny it, or let it be deleted a week after its "
        "link expires."
    )
    status = 409


def users_query(search: str = "", status: str = "") -> Select:
    """Sign-ups waiting for approval first, then those waiting for their address to be
    confirmed, then newest; `search` matches part of the name or e-mail. `status` is a
    user status, with "pending" split into "pending" (approval) and "unconfirmed"."""
    unconfirmed = unconfirmed_address()
    stmt = select(User).where(User.demo_expires_at.is_(None)).order_by(  # demos: never listed
        User.status != "pending", unconfirmed, User.created_at.desc(), User.id.desc()
    )
    words = search.strip().lower()
    if words:
        # Escaped, so "%" or "_" typed in the box match themselves.
        pattern = "%" + words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(
            or_(
                func.lower(User.email).like(pattern, escape="\\"),
                func.lower(User.name).like(pattern, escape="\\"),
            )
        )
    if status == "unconfirmed":
        stmt = stmt.where(User.status == "pending", unconfirmed)
    elif status == "pending":
        stmt = stmt.where(User.status == "pending", ~unconfirmed)
    elif status:
        stmt = stmt.where(User.status == status)
    return stmt


def _audit(session: Session, action: str, user: User, by: User | None, **details) -> None:
    audit.record(
        session, action, user=by, object_type="user", object_id=user.id,
        details={"email": user.email, **details},
    )


def approve_user(session: Session, user: User, *, by: User | None = None) -> None:
    """A pending sign-up may now sign in (the caller e-mails them after committing)."""
    if user.status != "pending":
        raise NotPendingError()
    _refuse_unconfirmed(session, user)
    user.status = "active"
    user.approved_at = user.approved_at or now_utc()
    _audit(session, "user.approved", user, by)
    session.flush()


def deny_user(session: Session, user: User, *, by: User | None = None) -> str:
    """Refuse a pending sign-up: the account and the household it created are deleted.

    Deleting (rather than keeping a "denied" account) frees the e-mail address and keeps
    no personal data of someone who never got in; the audit event keeps the address. A
    pending user never signed in, so their household holds only what sign-up made (the
    default categories and one account). Households they share with others are kept.
    Returns the address. Nothing is e-mailed.
    """
    if user.status != "pending" or user.is_admin:
        raise NotPendingError()
    email = user.email
    _audit(session, "user.denied", user, by)
    delete_unused_account(session, user)
    return email


def delete_unused_account(session: Session, user: User) -> None:
    """Delete an account that never signed in, and the households only it belongs to (they
    hold only what sign-up made). Also used when a sign-up replaces an unconfirmed one."""
    alone = [
        m.household_id
        for m in user.memberships
        if session.scalar(
            select(func.count()).select_from(Membership).where(Membership.household_id == m.household_id)
        ) == 1
    ]
    session.delete(user)
    session.flush()
    for household_id in alone:
        # Explicit order (subcategories before their parents) instead of relying on every
        # engine cascading a self-referencing table the same way.
        session.execute(delete(Account).where(Account.household_id == household_id))
        session.execute(
            delete(Category).where(Category.household_id == household_id, Category.parent_id.is_not(None))
        )
        session.execute(delete(Category).where(Category.household_id == household_id))
        session.execute(delete(Household).where(Household.id == household_id))
    session.flush()
    session.expire_all()


def disable_user(session: Session, user: User, *, by: User | None = None) -> int:
    """Deactivate an account and end its sessions and API tokens; the admin cannot be
    deactivated. Returns how many sessions ended."""
    if user.is_admin:
        raise CannotDisableAdminError()
    user.status = "disabled"
    ended = revoke_user_sessions(session, user)
    tokens = revoke_api_tokens(session, user)
    _audit(session, "user.deactivated", user, by, sessions_ended=ended, api_tokens_revoked=tokens)
    session.flush()
    return ended


def _refuse_unconfirmed(session: Session, user: User) -> None:
    # Only the link in the e-mail proves the address is the sign-up's: an admin approving
    # would hand someone else's address to whoever typed it.
    if awaiting_verification(session, user):
        raise UnconfirmedAddressError()


def enable_user(session: Session, user: User, *, by: User | None = None) -> None:
    _refuse_unconfirmed(session, user)
    was_pending = user.status == "pending"
    user.status = "active"
    user.approved_at = user.approved_at or now_utc()
    _audit(session, "user.approved" if was_pending else "user.activated", user, by)
    session.flush()
