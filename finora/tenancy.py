"""The one helper that scopes queries to the current household (other ids are 404)."""

from __future__ import annotations

from flask import abort, g, session
from flask_login import current_user
from sqlalchemy import Select, select

from finora.extensions import db
from finora.ids import parse_id
from finora.models import Household, Membership


def current_membership() -> Membership | None:
    """The signed-in user's membership in the household they are working in."""
    if "membership" not in g:
        g.membership = None
        if current_user.is_authenticated:
            memberships = current_user.memberships
            wanted = session.get("household_id")
            g.membership = next(
                (m for m in memberships if m.household_id == wanted),
                memberships[0] if memberships else None,
            )
    return g.membership


def current_household() -> Household | None:
    membership = current_membership()
    return membership.household if membership else None


def require_household() -> Household:
    household = current_household()
    if household is None:
        abort(404)
    return household


def get_all_owned_or_404(model, ids: list[int]) -> list:
    """The current household's rows with these ids, in id order; any id that names no row
    of the household (another household's, or none) is a 404 for all of them."""
    if not ids:
        return []
    wanted = set(ids)
    rows = list(db.session.scalars(
        scoped(select(model).where(model.id.in_(wanted)), model).order_by(model.id)
    ).unique())
    if len(rows) != len(wanted):
        abort(404)
    return rows


def scoped(stmt: Select, model) -> Select:
    """Restrict a select over a household-owned model to the current household."""
    return stmt.where(model.household_id == require_household().id)


def get_owned_or_404(model, object_id: int):
    """The current household's row with this id, else 404 (never 403: ids do not leak).

    An id the database's integer cannot hold names no row: 404 without asking (an overflow).
    """
    if parse_id(object_id) is None:
        abort(404)
    row = db.session.get(model, object_id)
    if row is None or row.household_id != require_household().id:
        abort(404)
    return row
