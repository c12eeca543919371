"""Instance administration of user accounts."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from finora.dates import now_utc
from finora.errors import FinoraError
from finora.models import User


class CannotDisableAdminError(FinoraError):
    message = _l("The administrator of this Finora cannot be disabled.")
    status = 409


def users_query(search: str = "", status: str = "") -> Select:
    stmt = select(User).order_by(User.status != "pending", User.created_at.desc(), User.id.desc())
    if search.strip():
        pattern = f"%{search.strip().lower()}%"
        stmt = stmt.where(or_(User.email.like(pattern), User.name.ilike(pattern)))
    if status:
        stmt = stmt.where(User.status == status)
    return stmt


def approve_user(session: Session, user: User) -> None:
    user.status = "active"
    user.approved_at = user.approved_at or now_utc()
    session.flush()


def disable_user(session: Session, user: User) -> None:
    if user.is_admin:
        raise CannotDisableAdminError()
    user.status = "disabled"
    session.flush()


def enable_user(session: Session, user: User) -> None:
    user.status = "active"
    user.approved_at = user.approved_at or now_utc()
    session.flush()
