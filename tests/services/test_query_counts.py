"""The dashboard's number of queries does not grow with the number of entries shown."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import time_machine
from sqlalchemy import insert, select

from finora.extensions import db
from finora.models import Account, Category, Entry
from tests.factories import create_user
from tests.query_counts import queries_during_get


def _bulk(household, count: int) -> None:
    account = db.session.scalar(
        select(Account).where(Account.household_id == household.id).order_by(Account.id)
    )
    food = db.session.scalar(
        select(Category).where(Category.household_id == household.id, Category.code == "expense.food")
    )
    groceries = db.session.scalar(
        select(Category).where(Category.household_id == household.id, Category.code == "expense.food.groceries")
    )
    now = datetime.now(UTC)
    rows = [
        {
            "household_id": household.id, "account_id": account.id, "kind": "expense",
            "amount": Decimal("10.00") + n, "date": date(2026, 3, 1 + n % 28),
            "paid_on": date(2026, 3, 1) if n % 2 else None, "description": f"Item {n}",
            "category_id": food.id, "subcategory_id": groceries.id, "payment_method": "cash",
            "created_at": now, "updated_at": now,
        }
        for n in range(count)
    ]
    db.session.execute(insert(Entry), rows)
    db.session.commit()


@time_machine.travel(datetime(2026, 3, 20, 12, tzinfo=UTC), tick=False)
def test_dashboard_queries_do_not_grow_with_entries(client, auth):
    few = create_user()
    many = create_user()
    _bulk(few.memberships[0].household, 3)
    _bulk(many.memberships[0].household, 400)

    auth.login(few.email)
    small = queries_during_get(client, "/dashboard/2026/3")
    small_filtered = queries_during_get(client, "/dashboard/2026/3?kind=expense&page=1&sort=amount_desc")
    auth.logout()
    auth.login(many.email)
    large = queries_during_get(client, "/dashboard/2026/3")
    large_filtered = queries_during_get(client, "/dashboard/2026/3?kind=expense&page=2&sort=amount_desc")
    year = queries_during_get(client, "/dashboard/2026")
    accounts = queries_during_get(client, "/accounts")

    assert small == large, (small, large)
    assert small_filtered == large_filtered
    assert large <= 25, large
    assert year <= 15 and accounts <= 15, (year, accounts)
