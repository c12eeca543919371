"""A household's members: list them, change a role, remove someone (owners decide)."""

from __future__ import annotations

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session, contains_eager

from finora.dates import now_utc
from finora.errors import FieldError, FinoraError
from finora.models import ApiToken, Household, Membership, Passkey, User
from finora.models.household import ROLES
from finora.services.people.user_sessions import revoke_user_sessions
from finora.services.system.audit import record
from finora.translation import lazy_gettext as _l

ROLE_ORDER = {"owner": 0, "editor": 1, "viewer": 2}


class LastOwnerError(FinoraError):
    message = _l("A household needs at least one owner. Make someone else an owner first.")
    status = 409


class NoLongerOwnerError(FinoraError):
    """Another owner changed this one's role, or removed them, a moment before."""

    message = _l("You are no longer an owner of this household, so nothing was changed.")
    status = 403


class MemberGoneError(FinoraError):
    """Removed by another owner (or another click) a moment before."""

    message = _l("This person is no longer a member of the household.")
    status = 409


def list_members(session: Session, household: Household) -> list[Membership]:
    rows = session.scalars(
        select(Membership).join(User).options(contains_eager(Membership.user))
        .where(Membership.household_id == household.id)
    )
    return sorted(rows, key=lambda m: (ROLE_ORDER[m.role], m.user.name.casefold(), m.id))


def _lock_memberships(session: Session, household_id: int) -> list[Membership]:
    """Lock every membership row of the household and read their current roles.

    Two owners stepping down (or demoting each other) at the same moment would otherwise
    both count two owners and both succeed. The rows are locked in id order (no deadlock
    between two such requests) by a locking read, which sees the latest committed rows
    even under MariaDB's repeatable read; a second request waits here until the first
    commits. SQLite ignores FOR UPDATE but runs one writer at a time. populate_existing
    refreshes the objects already loaded, so the caller's `membership.role` is current.
    """
    return list(session.scalars(
        select(Membership)
        .where(Membership.household_id == household_id)
        .order_by(Membership.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ))


def _check_owners(
    session: Session, membership: Membership, actor: User, *, demoting: bool
) -> Membership | None:
    """The actor is still an owner, and (when `membership` loses its owner role) another
    owner remains; both read under the lock, not from the start of the request. Returns
    the membership as it is now, None when it was removed meanwhile."""
    rows = _lock_memberships(session, membership.household_id)
    if not any(m.user_id == actor.id and m.role == "owner" for m in rows):
        raise NoLongerOwnerError()
    target = next((m for m in rows if m.id == membership.id), None)
    others = [m for m in rows if m.role == "owner" and m.id != membership.id]
    if demoting and target is not None and target.role == "owner" and not others:
        raise LastOwnerError()
    return target


def change_role(session: Session, membership: Membership, role: str, *, actor: User) -> None:
    if role not in ROLES:
        raise FieldError("role", _l("Choose owner, editor or viewer."))
    if _check_owners(session, membership, actor, demoting=role != "owner") is None:
        raise MemberGoneError()
    if role == membership.role:
        return
    previous, membership.role = membership.role, role
    session.flush()
    record(
        session, "member.role_changed", user=actor, household_id=membership.household_id,
        object_type="membership", object_id=membership.id,
        details={"email": membership.user.email, "from": previous, "to": role},
    )


def remove_member(session: Session, membership: Membership, *, actor: User) -> None:
    """Remove someone from the household, ending their sessions and this household's API
    tokens. Their passkeys are deleted too when this was their last household: a passkey
    belongs to the person, and one who still works in another household keeps it."""
    if _check_owners(session, membership, actor, demoting=True) is None:
        return  # already removed (a second click, or another owner): nothing left to do
    user, household_id = membership.user, membership.household_id
    details: dict[str, object] = {"email": user.email, "role": membership.role}
    membership_id = membership.id
    session.delete(membership)
    session.flush()
    now = now_utc()
    revoke_user_sessions(session, user)
    session.execute(
        update(ApiToken)
        .where(
            ApiToken.user_id == user.id,
            ApiToken.household_id == household_id,
            ApiToken.revoked_at.is_(None),
        )
        .values(revoked_at=now)
    )
    remaining = session.scalar(
        select(func.count()).select_from(Membership).where(Membership.user_id == user.id)
    )
    if remaining == 0:
        session.execute(delete(Passkey).where(Passkey.user_id == user.id))
        details["passkeys_deleted"] = True
    session.expire(user, ["memberships"])
    record(
        session, "member.removed", user=actor, household_id=household_id,
        object_type="membership", object_id=membership_id, details=details,
    )
