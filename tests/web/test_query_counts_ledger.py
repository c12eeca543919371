"""Ledger pages and API lists cost the same number of SQL statements with 10 rows as with
1,000: entries, transfers, accounts, balance snapshots, categories."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine

from finora.dates import now_utc
from finora.models import Account, BalanceSnapshot, Category, Entry, Transfer
from tests.factories import create_user
from tests.ledger_factories import household_of, make_account
from tests.web.query_count_rows import (
    TODAY,
    account_of,
    assert_flat,
    entry_categories,
    entry_row,
    grower,
)

MONTH = f"year={TODAY.year}&month={TODAY.month}"


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(datetime(2026, 3, 15, 12, tzinfo=UTC), tick=False):
        yield


@pytest.fixture
def owner(client, auth):
    """A signed-in owner (pages by cookie, the API by a bearer token on the same client)."""
    user = create_user()
    auth.login(user.email)
    response = client.post("/api/v1/auth/login", json={"email": user.email, "password": "correct horse battery"})
    assert response.status_code == 200, response.get_data(as_text=True)
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {response.json['data']['token']}"
    return user


@pytest.fixture
def home(owner):
    household = household_of(owner)
    make_account(household, name="Savings", kind="savings", opening_balance="100")
    return household


def test_entry_pages(client, home):
    accounts = [account_of(home, "Savings"), account_of(home)]
    categories = entry_categories(home)
    checking = account_of(home).id
    urls = [
        "/transactions", "/transactions?sort=amount_desc", "/transactions?status=overdue",
        f"/dashboard/{TODAY.year}/{TODAY.month}", f"/dashboard/{TODAY.year}/{TODAY.month}?kind=expense&page=2",
        f"/dashboard/{TODAY.year}", "/accounts", f"/accounts/{checking}", "/categories", "/budgets",
        f"/reports/month?{MONTH}", f"/reports/year?year={TODAY.year}",
        f"/reports/accounts?period=month&{MONTH}", "/reports/accounts?period=range&start=2025-01-01&end=2026-03-15",
        f"/reports/budget?period=month&{MONTH}", "/forecast", "/exports/",
        "/api/v1/entries", "/api/v1/transactions", "/api/v1/dashboard", "/api/v1/balance",
        "/api/v1/balance/history", f"/api/v1/reports/monthly?{MONTH}",
        f"/api/v1/reports/yearly?year={TODAY.year}", "/api/v1/accounts",
    ]
    assert_flat(client, urls, grower(Entry, lambda n: entry_row(home, accounts, categories, n)))


def test_transfer_pages(client, home):
    savings, checking = account_of(home, "Savings"), account_of(home)

    def transfer(n: int) -> dict:
        source, target = (savings, checking) if n % 2 else (checking, savings)
        return {"household_id": home.id, "from_account_id": source.id, "to_account_id": target.id,
                "amount": Decimal("5.00") + n, "date": TODAY - timedelta(days=n % 30),
                "description": f"Move {n}" if n % 3 else None, "created_at": now_utc()}

    urls = ["/transactions", f"/dashboard/{TODAY.year}/{TODAY.month}", "/accounts",
            f"/accounts/{checking.id}", f"/reports/accounts?period=month&{MONTH}",
            "/api/v1/transfers", "/api/v1/transactions", "/api/v1/accounts"]
    assert_flat(client, urls, grower(Transfer, transfer))


def test_account_pages(client, home):
    def account(n: int) -> dict:
        return {"household_id": home.id, "name": f"Bank {n:04d}",
                "kind": ("checking", "savings", "credit_card", "cash", "investment", "other")[n % 6],
                "opening_balance": Decimal(n), "opening_date": TODAY - timedelta(days=n % 90),
                "archived": n % 10 == 9, "created_at": now_utc()}

    urls = ["/accounts", "/transactions", f"/dashboard/{TODAY.year}/{TODAY.month}", "/forecast",
            f"/reports/accounts?period=month&{MONTH}", "/entries/new", "/api/v1/accounts",
            "/api/v1/balance", "/api/v1/dashboard"]
    assert_flat(client, urls, grower(Account, account))


def test_snapshot_pages(client, home):
    checking = account_of(home)

    def snapshot(n: int) -> dict:
        return {"household_id": home.id, "account_id": checking.id, "date": TODAY - timedelta(days=n),
                "amount": Decimal(1000 + n), "source": "manual", "created_at": now_utc()}

    urls = [f"/accounts/{checking.id}", "/accounts", "/api/v1/balance/history", "/api/v1/balance"]
    assert_flat(client, urls, grower(BalanceSnapshot, snapshot))


def test_category_pages(client, home):
    food = entry_categories(home)["expense"][0][0]

    def category(n: int) -> dict:
        top = n % 4 == 0
        return {"household_id": home.id, "kind": "expense", "parent_id": None if top else food,
                "name": f"Own {n:04d}", "archived": n % 9 == 8, "created_at": now_utc()}

    urls = ["/categories", "/transactions", f"/dashboard/{TODAY.year}/{TODAY.month}", "/entries/new",
            "/budgets/new", "/api/v1/categories"]
    assert_flat(client, urls, grower(Category, category))
