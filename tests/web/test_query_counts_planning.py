"""Planning pages and API lists cost the same number of SQL statements with 10 rows as with
1,000: budgets, goals and their contributions, recurring rules and scenarios, skips."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from sqlalchemy import insert

from finora.dates import now_utc
from finora.extensions import db
from finora.models import Budget, Category, Goal, GoalContribution, RecurringRule, Skip
from tests.factories import create_user
from tests.ledger_factories import household_of
from tests.web.query_count_rows import TODAY, account_of, assert_flat, entry_categories, grower

MONTH = f"year={TODAY.year}&month={TODAY.month}"
FREQUENCIES = ("monthly", "weekly", "biweekly", "quarterly", "yearly", "once", "daily")


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(datetime(2026, 3, 15, 12, tzinfo=UTC), tick=False):
        yield


@pytest.fixture
def home(client, auth):
    """A signed-in owner's household (pages by cookie, the API by a bearer token)."""
    user = create_user()
    auth.login(user.email)
    response = client.post("/api/v1/auth/login", json={"email": user.email, "password": "correct horse battery"})
    assert response.status_code == 200, response.get_data(as_text=True)
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {response.json['data']['token']}"
    return household_of(user)


def test_budget_pages(client, home):
    """A budget per category and period: the categories are made first, in bulk."""
    food = entry_categories(home)["expense"][0][0]
    now = now_utc()
    rows = [{"household_id": home.id, "kind": "expense", "parent_id": food, "name": f"Budgeted {n:04d}",
             "archived": False, "created_at": now} for n in range(500)]
    result = db.session.execute(insert(Category).returning(Category.id), rows)
    category_ids = list(result.scalars())
    db.session.commit()

    def budget(n: int) -> dict:
        return {"household_id": home.id, "category_id": category_ids[n // 2],
                "period": ("monthly", "yearly")[n % 2], "amount": Decimal(100 + n), "created_at": now}

    urls = ["/budgets", f"/reports/budget?period=month&{MONTH}", f"/dashboard/{TODAY.year}/{TODAY.month}",
            "/api/v1/budgets"]
    assert_flat(client, urls, grower(Budget, budget))


def test_goal_pages(client, home):
    checking = account_of(home).id

    def goal(n: int) -> dict:
        return {"household_id": home.id, "name": f"Goal {n:04d}", "target_amount": Decimal(1000 + n),
                "target_date": TODAY + timedelta(days=30 + n) if n % 2 else None,
                "account_id": checking if n % 3 else None, "created_at": now_utc()}

    assert_flat(client, ["/goals", "/api/v1/goals"], grower(Goal, goal))


def test_contribution_pages(client, home):
    trip = Goal(household_id=home.id, name="Trip", target_amount=Decimal("5000"))
    db.session.add(trip)
    db.session.commit()

    def contribution(n: int) -> dict:
        return {"household_id": home.id, "goal_id": trip.id, "date": TODAY - timedelta(days=n % 400),
                "amount": Decimal(-5 if n % 10 == 9 else 10 + n), "note": f"Saved {n}" if n % 2 else None,
                "created_at": now_utc()}

    urls = [f"/goals/{trip.id}", "/goals", f"/api/v1/goals/{trip.id}/contributions", "/api/v1/goals"]
    assert_flat(client, urls, grower(GoalContribution, contribution))


def _rule_rows(home):
    accounts = [account_of(home).id]
    categories = entry_categories(home)

    def rule(n: int) -> dict:
        kind = "income" if n % 5 == 0 else "expense"
        category_id, subcategory_id = categories[kind][n % len(categories[kind])]
        anchor = TODAY - timedelta(days=n % 200) + timedelta(days=n % 3 * 60)
        now = now_utc()
        return {"household_id": home.id, "name": f"Rule {n:04d}", "kind": kind,
                "amount": Decimal(20 + n % 500), "account_id": accounts[0], "category_id": category_id,
                "subcategory_id": subcategory_id, "payment_method": "other",
                "frequency": FREQUENCIES[n % len(FREQUENCIES)], "anchor_date": anchor,
                "end_date": anchor + timedelta(days=400) if n % 4 == 0 else None,
                "business_day_policy": ("none", "previous", "next")[n % 3],
                "hold_until": TODAY + timedelta(days=20) if n % 11 == 0 else None,
                "auto_post": False, "mark_paid": False, "is_scenario": n % 10 == 9,
                "posted_through": TODAY - timedelta(days=1), "created_at": now, "updated_at": now}

    return rule


RULE_URLS = ["/rules", "/forecast", "/forecast?days=90", "/forecast/scenarios",
             f"/dashboard/{TODAY.year}/{TODAY.month}", "/api/v1/schedules", "/api/v1/scenarios",
             "/api/v1/holds", "/api/v1/projections", "/api/v1/risk-score", "/api/v1/skips"]


def test_rule_pages(client, home):
    assert_flat(client, RULE_URLS, grower(RecurringRule, _rule_rows(home)))


def test_skip_pages(client, home):
    make = _rule_rows(home)
    rows = [make(n * 7) for n in range(20)]  # monthly rules, the skips spread over them
    rule_ids = list(db.session.execute(insert(RecurringRule).returning(RecurringRule.id), rows).scalars())
    db.session.commit()

    def skip(n: int) -> dict:
        return {"household_id": home.id, "rule_id": rule_ids[n % len(rule_ids)],
                "occurrence_date": TODAY + timedelta(days=n // len(rule_ids) + 1), "created_at": now_utc()}

    assert_flat(client, RULE_URLS, grower(Skip, skip))


def test_rollover_budget_pages(client, home):
    """Budgets with rollover, their chains starting months to years back: every past period
    of every budget is summed in one statement, with 10 budgets as with 1,000."""
    food = entry_categories(home)["expense"][0][0]
    now = now_utc()
    rows = [{"household_id": home.id, "kind": "expense", "parent_id": food, "name": f"Rolled {n:04d}",
             "archived": False, "created_at": now} for n in range(500)]
    category_ids = list(db.session.execute(insert(Category).returning(Category.id), rows).scalars())
    db.session.commit()

    def budget(n: int) -> dict:
        period = ("monthly", "yearly")[n % 2]
        since = date(2020 + n % 6, 1 + (n % 12 if period == "monthly" else 0), 1)
        return {"household_id": home.id, "category_id": category_ids[n // 2], "period": period,
                "amount": Decimal(100 + n), "rollover": True, "rollover_since": since,
                "rollover_opening": Decimal(n % 7 - 3), "created_at": now}

    urls = ["/budgets", f"/reports/budget?period=month&{MONTH}", f"/reports/budget?period=year&year={TODAY.year}",
            f"/dashboard/{TODAY.year}/{TODAY.month}", "/api/v1/budgets"]
    assert_flat(client, urls, grower(Budget, budget))
