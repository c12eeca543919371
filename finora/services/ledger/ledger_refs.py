"""Checks shared by entries and recurring rules: the account, category and subcategory
belong to the household, fit together, and are not archived (unless already in use)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from finora.errors import FieldError
from finora.models import Account, Category, Household
from finora.translation import lazy_gettext as _l


def validate_ledger_refs(
    session: Session,
    household: Household,
    *,
    kind: str,
    account_id: int | None,
    category_id: int | None,
    subcategory_id: int | None,
    current=None,
) -> None:
    """The account, category and subcategory belong to the household and fit together.

    `current` is the row being edited: what it already has stays allowed once archived.
    """
    account = session.get(Account, account_id) if account_id is not None else None
    if account is None or account.household_id != household.id:
        raise FieldError("account_id", _l("Choose an account."))
    if account.archived and not (current is not None and current.account_id == account.id):
        raise FieldError("account_id", _l("This account is archived; choose another one."))

    kept = set() if current is None else {current.category_id, current.subcategory_id}
    validate_category_refs(
        session,
        household,
        kind=kind,
        category_id=category_id,
        subcategory_id=subcategory_id,
        allowed_archived=kept,
    )


def validate_category_refs(
    session: Session,
    household: Household,
    *,
    kind: str,
    category_id: int | None,
    subcategory_id: int | None,
    allowed_archived=frozenset(),
) -> None:
    """The category (top level, of `kind`) and the subcategory (a child of it) belong to
    the household; archived ones only when their id is in `allowed_archived` (in use)."""
    category = session.get(Category, category_id) if category_id is not None else None
    if (
        category is None
        or category.household_id != household.id
        or category.parent_id is not None
        or category.kind != kind
    ):
        raise FieldError("category_id", _l("Choose a category."))
    if category.archived and category.id not in allowed_archived:
        raise FieldError("category_id", _l("This category is archived; choose another one."))

    if subcategory_id is not None:
        sub = session.get(Category, subcategory_id)
        if sub is None or sub.household_id != household.id or sub.parent_id != category.id:
            raise FieldError("subcategory_id", _l("Choose a subcategory of the chosen category."))
        if sub.archived and sub.id not in allowed_archived:
            raise FieldError(
                "subcategory_id", _l("This subcategory is archived; choose another one.")
            )
