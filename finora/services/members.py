"""A household's members: list them, change a role, remove someone (owners decide)."""

from __future__ import annotations

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from finora.dates import now_utc
from finora.errors import FieldError, FinoraError
from finora.models import ApiToken, Household, Membership, Passkey, User
from finora.models.household import ROLES
from finora.services.audit import record
from finora.services.user_sessions import revoke_user_sessions
from finora.translation import lazy_gettext as _l

ROLE_ORDER = {"owner": 0, "editor": 1, "viewer": 2}


class LastOwnerError(FinoraError):
    message = _l("A household needs at least one owner. Make someone else an owner first.")
    status = 409


def list_members(session: Session, household: Household) -> list[Membership]:
    rows = session.scalars(
        select(Membership).join(User).where(Membership.household_id == household.id)
    )
    return sorted(rows, key=lambda m: (ROLE_ORDER[m.role], m.user.name.casefold(), m.id))


def _owner_count(session: Session, household_id: int) -> int:
    return session.scalar(
        select(func.count()).select_from(Membership).where(
            Membership.household_id == household_id, Membership.role == "owner"
        )
    )


def _check_not_last_owner(session: Session, membership: Membership) -> None:
    if membership.role == "owner" and _owner_count(session, membership.household_id) <= 1:
        raise LastOwnerError()


def change_role(session: Session, membership: Membership, role: str, *, actor: User) -> None:
    if role not in ROLES:
        raise FieldError("role", _l("Choose owner, editor or viewer."))
    if role == membership.role:
        return
    if role != "owner":
        _check_not_last_owner(session, membership)
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
    _check_not_last_owner(session, membership)
    user, household_id = membership.user, membership.household_id
    details = {"email": user.email, "role": membership.role}
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
