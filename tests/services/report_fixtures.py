"""One household's known ledger for the report tests, with its figures worked out by hand.

Checking (opening 1,000.00 on 2026-01-01) and Savings (opening 0.00 on 2026-01-01);
"today" is 2026-03-15.

March 2026 (count 9):
  income   5,000.00  Work › Salary     05 Mar, paid 05 Mar   checking  bank transfer
  income     800.50  Work (no sub)     20 Mar, pending        checking
  income     120.00  Other income      10 Mar, overdue        checking
  expense  1,500.00  Housing › Rent    10 Mar, paid 09 Mar    checking  bank transfer
  expense    200.10  Food › Groceries  01 Mar, overdue        checking
  expense     99.90  Food › Groceries  31 Mar, pending        checking  credit card
  expense      0.10  Food (no sub)     14 Mar, paid 14 Mar    checking  cash  "Coffee"
  expense      0.20  Food (no sub)     14 Mar, paid 14 Mar    checking  cash  "Beans" (notes: coffee)
  expense     45.00  Food › Restaurants 31 Mar, paid 02 Apr   savings
  income 5,920.50, expense 1,845.30, net 4,075.20, savings rate 0.688 (68.8 %)
Transfers: checking → savings 700.00 on 12 Mar; savings → checking 50.00 on 31 Mar.
Around it: expense 777.00 Housing 28 Feb 2026 paid 28 Feb; income 333.00 Work 01 Apr 2026
pending; expense 60.00 Food › Groceries 10 Mar 2025 paid (same month last year); and
another household's 9,999.00 expense in March.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from finora.extensions import db
from finora.models import Account, Entry, Household, Transfer
from tests.factories import create_user
from tests.ledger_factories import (
    checking_account,
    household_of,
    make_account,
    make_entry,
    make_transfer,
)

D = Decimal
TODAY = date(2026, 3, 15)


@dataclass
class March:
    household: Household
    checking: Account
    savings: Account
    entries: dict[str, Entry]
    transfers: list[Transfer]


def build_march(household: Household) -> March:
    checking = checking_account(household)
    checking.opening_date = date(2026, 1, 1)
    checking.opening_balance = D("1000.00")
    db.session.commit()
    savings = make_account(household, name="Savings", kind="savings", opening_date=date(2026, 1, 1))

    def add(key, kind, amount, day, category, sub=None, *, paid_on=None, account=None, **extra):
        return key, make_entry(
            household, kind=kind, amount=D(amount), date=day, category=category, subcategory=sub,
            paid_on=paid_on, account=account or checking, description=extra.pop("description", key),
            commit=False, **extra,
        )

    entries = dict(
        [
            add("salary", "income", "5000.00", date(2026, 3, 5), "income.work", "income.work.salary",
                paid_on=date(2026, 3, 5), payment_method="bank_transfer"),
            add("bonus", "income", "800.50", date(2026, 3, 20), "income.work"),
            add("refund", "income", "120.00", date(2026, 3, 10), "income.other"),
            add("rent", "expense", "1500.00", date(2026, 3, 10), "expense.housing", "expense.housing.rent",
                paid_on=date(2026, 3, 9), payment_method="bank_transfer"),
            add("market", "expense", "200.10", date(2026, 3, 1), "expense.food", "expense.food.groceries"),
            add("card", "expense", "99.90", date(2026, 3, 31), "expense.food", "expense.food.groceries",
                payment_method="credit_card"),
            add("coffee", "expense", "0.10", date(2026, 3, 14), "expense.food", paid_on=date(2026, 3, 14),
                payment_method="cash", description="Coffee"),
            add("beans", "expense", "0.20", date(2026, 3, 14), "expense.food", paid_on=date(2026, 3, 14),
                payment_method="cash", description="Beans", notes="for the coffee"),
            add("dinner", "expense", "45.00", date(2026, 3, 31), "expense.food", "expense.food.restaurants",
                paid_on=date(2026, 4, 2), account=savings),
            add("february", "expense", "777.00", date(2026, 2, 28), "expense.housing",
                paid_on=date(2026, 2, 28)),
            add("april", "income", "333.00", date(2026, 4, 1), "income.work"),
            add("last_year", "expense", "60.00", date(2025, 3, 10), "expense.food", "expense.food.groceries",
                paid_on=date(2025, 3, 10)),
        ]
    )
    transfers = [
        make_transfer(household, checking, savings, amount=D("700.00"), date=date(2026, 3, 12), commit=False),
        make_transfer(household, savings, checking, amount=D("50.00"), date=date(2026, 3, 31), commit=False),
    ]
    other = household_of(create_user())
    make_entry(other, amount=D("9999.00"), date=date(2026, 3, 10), paid_on=date(2026, 3, 10), commit=False)
    db.session.commit()
    return March(household, checking, savings, entries, transfers)


def queries_of(call) -> tuple[object, int]:
    """What `call()` returns and how many SQL statements it sent."""
    from sqlalchemy import event

    statements = []

    def count(*_args):
        statements.append(1)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        result = call()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return result, len(statements)


def bulk_entries(household: Household, count: int, year: int = 2026) -> None:
    """`count` entries spread over the year's days, both kinds, every top category and
    subcategory, paid and unpaid, inserted in one statement."""
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import insert, select

    from finora.models import Category

    categories = list(db.session.scalars(
        select(Category).where(Category.household_id == household.id).order_by(Category.id)
    ))
    pairs = {
        kind: [(c.parent_id or c.id, c.id if c.parent_id else None) for c in categories if c.kind == kind]
        for kind in ("income", "expense")
    }
    account = checking_account(household)
    now = datetime.now(UTC)
    rows = []
    for n in range(count):
        kind = "income" if n % 5 == 0 else "expense"
        top, sub = pairs[kind][n % len(pairs[kind])]
        day = date(year, 1, 1) + timedelta(days=n % 365)
        rows.append({
            "household_id": household.id, "account_id": account.id, "kind": kind,
            "amount": D("1.00") + n, "date": day, "paid_on": day if n % 2 else None,
            "description": f"Bulk {n}", "category_id": top, "subcategory_id": sub,
            "payment_method": "cash", "created_at": now, "updated_at": now,
        })
    db.session.execute(insert(Entry), rows)
    db.session.commit()
