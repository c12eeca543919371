"""Ledger rows for tests (accounts, entries, transfers), built through the real services.

Every factory flushes through the service (so the service's checks run) and commits unless
told not to: a request that rolls back its own failed work must not take a test's
uncommitted rows with it.
"""

from __future__ import annotations

import html
import itertools
import re
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from finora.extensions import db
from finora.models import Account, Category, Entry, Household, Transfer, User
from finora.services.ledger.accounts import AccountData, create_account, set_account_archived
from finora.services.ledger.entries import EntryData, create_entry
from finora.services.ledger.transfers import TransferData, create_transfer

_counter = itertools.count(1)

DEFAULT_DATE = date(2026, 3, 10)
# The default category and subcategory of each kind (codes of the seeded tree).
DEFAULT_CATEGORY = {
    "expense": ("expense.food", "expense.food.groceries"),
    "income": ("income.work", "income.work.salary"),
}


def money(value) -> Decimal:
    """Decimal("12.30") from 12.3, "12.30" or a Decimal."""
    return Decimal(str(value)).quantize(Decimal("0.01"))


def household_of(user: User) -> Household:
    """The user's (first) household."""
    return db.session.get(Household, user.memberships[0].household_id)


def category(household: Household, code: str) -> Category:
    """A seeded category of this household by its stable code."""
    found = db.session.scalar(
        select(Category).where(Category.household_id == household.id, Category.code == code)
    )
    assert found is not None, f"no category {code!r} in household {household.id}"
    return found


def checking_account(household: Household) -> Account:
    """The "Checking account" every new household starts with."""
    return db.session.scalar(
        select(Account)
        .where(Account.household_id == household.id, Account.kind == "checking")
        .order_by(Account.id)
    )


def make_account(
    household: Household,
    *,
    name: str | None = None,
    kind: str = "checking",
    opening_balance=0,
    opening_date: date = date(2026, 1, 1),
    include_in_forecast: bool = True,
    archived: bool = False,
    commit: bool = True,
    closing_day: int | None = None,
    due_day: int | None = None,
    credit_limit=None,
    payment_account_id: int | None = None,
) -> Account:
    account = create_account(
        db.session,
        household,
        AccountData(
            name=name or f"Account {next(_counter)}",
            kind=kind,
            opening_balance=money(opening_balance),
            opening_date=opening_date,
            include_in_forecast=include_in_forecast,
            closing_day=closing_day,
            due_day=due_day,
            credit_limit=money(credit_limit) if credit_limit is not None else None,
            payment_account_id=payment_account_id,
        ),
    )
    if archived:
        set_account_archived(db.session, account, True)
    if commit:
        db.session.commit()
    return account


def _category(household: Household, value) -> Category | None:
    if value is None or isinstance(value, Category):
        return value
    return category(household, value)


def make_entry(
    household: Household,
    *,
    kind: str = "expense",
    amount=Decimal("10.00"),
    date: date = DEFAULT_DATE,
    description: str | None = None,
    account: Account | None = None,
    category: Category | str | None = None,
    subcategory: Category | str | None = "default",
    paid_on: date | None = None,
    notes: str | None = None,
    payment_method: str = "other",
    user: User | None = None,
    commit: bool = True,
) -> Entry:
    """An entry; category and subcategory take a Category or a seeded code, and default to
    the first seeded pair of the kind (pass subcategory=None for none)."""
    default_category, default_subcategory = DEFAULT_CATEGORY[kind]
    top = _category(household, category or default_category)
    if subcategory == "default":
        sub = _category(household, default_subcategory) if category is None else None
    else:
        sub = _category(household, subcategory)
    entry = create_entry(
        db.session,
        household,
        EntryData(
            kind=kind,
            amount=money(amount),
            date=date,
            description=description or f"Entry {next(_counter)}",
            account_id=(account or checking_account(household)).id,
            category_id=top.id,
            subcategory_id=sub.id if sub is not None else None,
            paid_on=paid_on,
            notes=notes,
            payment_method=payment_method,
        ),
        user=user,
    )
    if commit:
        db.session.commit()
    return entry


def make_transfer(
    household: Household,
    from_account: Account,
    to_account: Account,
    *,
    amount=Decimal("10.00"),
    date: date = DEFAULT_DATE,
    description: str | None = None,
    user: User | None = None,
    commit: bool = True,
) -> Transfer:
    transfer = create_transfer(
        db.session,
        household,
        TransferData(
            from_account_id=from_account.id,
            to_account_id=to_account.id,
            amount=money(amount),
            date=date,
            description=description,
        ),
        user=user,
    )
    if commit:
        db.session.commit()
    return transfer


def reload(model, object_id: int):
    """A fresh copy of a row from the database (None once deleted)."""
    db.session.expire_all()
    return db.session.get(model, object_id)


def snapshot(model, object_id: int) -> dict | None:
    """Every column of a row as stored now (None once deleted), for before/after checks."""
    fresh = reload(model, object_id)
    if fresh is None:
        return None
    return {column.key: getattr(fresh, column.key) for column in model.__mapper__.column_attrs}


# Reading pages: small helpers for the HTML the ledger templates render.


def field_tag(page: str, field_id: str) -> str:
    """The opening tag of the input, select or textarea with this id."""
    match = re.search(rf'<(?:input|select|textarea)\b[^>]*\bid="{re.escape(field_id)}"[^>]*>', page)
    assert match is not None, f"no field #{field_id} on the page"
    return match.group(0)


def field_error(page: str, field_id: str) -> str | None:
    """The error text shown beside a field (None when it has none)."""
    match = re.search(
        rf'<div id="{re.escape(field_id)}-error" class="invalid-feedback d-block">(.*?)</div>',
        page,
        re.S,
    )
    return html.unescape(match.group(1)).strip() if match else None


def select_options(page: str, field_id: str) -> list[tuple[str, str, bool]]:
    """(value, label, selected) of each option of a select."""
    start = page.index(field_tag(page, field_id))
    body = page[start : page.index("</select>", start)]
    return [
        (
            re.search(r'value="([^"]*)"', attrs).group(1),
            html.unescape(label).strip(),
            bool(re.search(r"\bselected\b", attrs)),
        )
        for attrs, label in re.findall(r"<option\b([^>]*)>(.*?)</option>", body, re.S)
    ]


def selected_value(page: str, field_id: str) -> str | None:
    chosen = [value for value, _label, selected in select_options(page, field_id) if selected]
    return chosen[0] if chosen else None


def input_value(page: str, field_id: str) -> str | None:
    match = re.search(r'\bvalue="([^"]*)"', field_tag(page, field_id))
    return html.unescape(match.group(1)) if match else None


def row_containing(page: str, text: str) -> str:
    """The first table row (<tr>...</tr>) that shows this text."""
    for row in re.findall(r"<tr\b.*?</tr>", page, re.S):
        if text in row:
            return row
    raise AssertionError(f"no table row shows {text!r}")


def entry_row(page: str, entry_id: int) -> str:
    """One row of the dashboard's entries table."""
    start = page.index(f'<tr class="entry-row" data-entry-id="{entry_id}">')
    return page[start : page.index("</tr>", start)]


def entry_ids(page: str) -> list[int]:
    """The ids of the entries in the dashboard's table, in the order shown."""
    return [int(found) for found in re.findall(r'data-entry-id="(\d+)"', page)]
