"""Ids a body or a query names (an account to book on, a parent category): the caller's
household's object, else a 422 on that field. An id in the path names the resource itself
and is a 404 (tenancy.get_owned_or_404); an id inside a request is a value of the request,
refused like any other wrong value — another household's reads exactly like one that does
not exist, so nothing leaks (docs/api.md, "Ids")."""

from __future__ import annotations

from finora.api.access import caller
from finora.api.body import ApiValidationError
from finora.extensions import db
from finora.ids import parse_id
from finora.translation import lazy_gettext as _l

NOT_HERE = _l("Nothing with this id in your household.")


def owned_ref(model, value: object, field: str):
    """The caller's household's `model` row with id `value` (None when no value)."""
    if value is None:
        return None
    number = parse_id(value) if not isinstance(value, bool) else None
    row = db.session.get(model, number) if number is not None else None
    if row is None or row.household_id != caller().membership.household_id:
        raise ApiValidationError({field: NOT_HERE})
    return row
