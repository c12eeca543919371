"""Rows in bulk for the query count tests, and the check they share: a page costs the same
number of SQL statements with 10 rows as with 1,000 (tests/web/test_query_counts_*.py)."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import insert, select

from finora.dates import now_utc
from finora.extensions import db
from finora.models import Account, Category, Household
from tests.query_counts import queries_during_get

FEW, MANY = 10, 1000
TODAY = date(2026, 3, 15)  # the household's today in these tests


def bulk(model, rows: Iterable[dict]) -> None:
    """One multi-row INSERT (not one ORM save per row), committed."""
    rows = list(rows)
    if rows:
        db.session.execute(insert(model), rows)
    db.session.commit()


def grower(model, make: Callable[[int], dict]) -> Callable[[int], None]:
    """`grow(n)`: insert n more `model` rows made by `make(serial)`, serials never repeated."""
    serials = itertools.count()

    def grow(count: int) -> None:
        bulk(model, (make(next(serials)) for _ in range(count)))

    return grow


def assert_flat(client, urls: list[str], grow: Callable[[int], None]) -> dict[str, int]:
    """GET each page with FEW rows and with MANY: the statement counts must be equal."""
    for url in urls:  # the first request of a sign-in also records its use: not counted
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    grow(FEW)
    few = {url: _counted(client, url) for url in urls}
    grow(MANY - FEW)
    many = {url: _counted(client, url) for url in urls}
    grown = {url: (few[url], many[url]) for url in urls if few[url] != many[url]}
    assert not grown, f"statements with {FEW} rows vs {MANY}: {grown}"
    return many


def _counted(client, url: str) -> int:
    """The statements of one GET that starts as a production request does: the test's
    requests share the test's session, so whatever an earlier request loaded is expired
    first (a row held in the session would otherwise cost no query, or one, depending on
    whether the garbage collector had dropped it)."""
    db.session.expire_all()
    return queries_during_get(client, url)


def account_of(household: Household, name: str | None = None) -> Account:
    query = select(Account).where(Account.household_id == household.id)
    if name:
        query = query.where(Account.name == name)
    return db.session.scalars(query.order_by(Account.id)).first()


def category_of(household: Household, code: str) -> Category:
    return db.session.scalar(
        select(Category).where(Category.household_id == household.id, Category.code == code)
    )


def entry_row(household: Household, accounts: list[Account],
              categories: dict[str, list[tuple[int, int | None]]], n: int, **extra) -> dict:
    """An entry: a mix of kinds, accounts, categories, paid and unpaid, this month and before."""
    kind = "income" if n % 7 == 0 else "expense"
    category_id, subcategory_id = categories[kind][n % len(categories[kind])]
    day = TODAY - timedelta(days=n % 40)
    now = now_utc()
    return {
        "household_id": household.id, "account_id": accounts[n % len(accounts)].id, "kind": kind,
        "amount": Decimal("10.00") + Decimal(n) / 100, "date": day,
        "paid_on": day if n % 3 else None, "description": f"Item {n}",
        "notes": "a note" if n % 5 == 0 else None,
        "category_id": category_id, "subcategory_id": subcategory_id,
        "payment_method": ("cash", "credit_card", "debit_card", "bank_transfer", "other")[n % 5],
        "created_at": now, "updated_at": now, **extra,
    }


def entry_categories(household: Household) -> dict[str, list[tuple[int, int | None]]]:
    """(category, subcategory) pairs of each kind from the seeded catalogue, with and
    without a subcategory."""
    codes = {
        "income": [("income.work", "income.work.salary"), ("income.other", None)],
        "expense": [("expense.food", "expense.food.groceries"), ("expense.housing", None),
                    ("expense.transport", "expense.transport.fuel")],
    }
    return {
        kind: [
            (category_of(household, parent).id, category_of(household, child).id if child else None)
            for parent, child in pairs
        ]
        for kind, pairs in codes.items()
    }
