"""Dates at the calendar's edges through the web: forms and the rules CSV import refuse a
date outside 1900..2199 with the range named (the typed text kept), and rules or scenarios
already saved with such dates (before the window existed) still render their pages."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine
from flask_babel import force_locale
from sqlalchemy import func, select

from finora.extensions import db
from finora.models import Entry, RecurringRule
from finora.services.planning.rules_csv import RulesCsvError, import_rules_csv
from tests.ledger_factories import (
    category,
    checking_account,
    field_error,
    household_of,
    input_value,
    make_account,
)
from tests.planning_factories import make_rule
from tests.rules_csv_factories import WORDS
from tests.web.test_rules import rule_form

NOW = datetime(2026, 1, 15, 15, tzinfo=UTC)
RANGE = ("1900-01-01", "2199-12-31")


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def names_the_range(message: str | None) -> bool:
    return message is not None and all(day[:4] in message for day in RANGE) and "years" in message


@pytest.mark.parametrize(
    "overrides",
    [
        {"anchor_date": date(1, 1, 1)},
        {"anchor_date": date(2026, 1, 10), "end_date": date(9999, 12, 31)},
        {"anchor_date": date(9999, 12, 31), "frequency": "once"},
        {"anchor_date": date(1, 1, 1), "end_date": date(9999, 12, 31), "business_day_policy": "next"},
        {"anchor_date": date(1990, 1, 1), "frequency": "daily", "end_date": date(9999, 12, 31),
         "business_day_policy": "previous"},
    ],
)
def test_rules_and_scenarios_at_the_calendar_edges_still_render(signed_in, household, overrides):
    rule = make_rule(household, name="Edge rule", **overrides)
    scenario = make_rule(household, name="Edge scenario", is_scenario=True, auto_post=False, **overrides)
    paths = (
        "/rules", "/forecast/scenarios", "/forecast", "/forecast?horizon=730", "/dashboard",
        "/budgets", "/rules/export.csv", f"/rules/{rule.id}/edit",
        f"/forecast/scenarios/{scenario.id}/edit", "/dashboard/2199/12", "/dashboard/2199",
    )
    for path in paths:
        response = signed_in.get(path, follow_redirects=True)
        assert response.status_code == 200, path


def rule_count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(RecurringRule))


@pytest.mark.parametrize(
    ("field", "typed"),
    [("anchor_date", "0001-01-01"), ("end_date", "9999-12-31"), ("anchor_date", "1899-12-31"),
     ("end_date", "2200-01-01")],
)
def test_the_rule_form_refuses_a_date_outside_the_window(signed_in, household, field, typed):
    response = signed_in.post("/rules/new", data=rule_form(household, **{field: typed}))
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and rule_count() == 0
    assert names_the_range(field_error(page, field))
    assert input_value(page, field) == typed  # what was typed stays
    assert f'min="{RANGE[0]}"' in page and f'max="{RANGE[1]}"' in page


def test_the_edges_of_the_window_are_accepted(signed_in, household):
    response = signed_in.post(
        "/rules/new", data=rule_form(household, anchor_date="1900-01-01", end_date="2199-12-31")
    )
    assert response.status_code == 302 and rule_count() == 1


def test_the_scenario_form_refuses_far_future_dates(signed_in, household):
    response = signed_in.post(
        "/forecast/scenarios/new",
        data=rule_form(household, frequency="once", anchor_date="9999-12-31"),
    )
    assert response.status_code == 422 and rule_count() == 0
    assert names_the_range(field_error(response.get_data(as_text=True), "anchor_date"))


def test_the_entry_form_refuses_year_one(signed_in, household):
    form = {
        "kind": "expense",
        "amount": "12.00",
        "date": "0001-01-01",
        "description": "Coffee",
        "account_id": str(checking_account(household).id),
        "category_id": str(category(household, "expense.food").id),
        "subcategory_id": "",
        "payment_method": "debit_card",
        "notes": "",
        "next": "",
    }
    response = signed_in.post("/entries/new", data=form)
    assert response.status_code == 422
    assert names_the_range(field_error(response.get_data(as_text=True), "date"))
    assert db.session.scalar(select(func.count()).select_from(Entry)) == 0


def test_the_transfer_form_refuses_9999(signed_in, household):
    savings = make_account(household, name="Savings", kind="savings")
    form = {
        "from_account_id": str(checking_account(household).id),
        "to_account_id": str(savings.id),
        "amount": "10.00",
        "date": "9999-12-31",
        "description": "Saving",
        "next": "",
    }
    response = signed_in.post("/transfers/new", data=form)
    assert response.status_code == 422
    assert names_the_range(field_error(response.get_data(as_text=True), "date"))


HEADER = "Name,Amount,Type,Frequency,Start date,End date,Category,Account\n"


@pytest.mark.parametrize(
    ("row", "column"),
    [
        ("Rent,1500.00,expense,monthly,0001-01-01,,Housing,Checking account", "Start date"),
        ("Rent,1500.00,expense,monthly,2026-01-31,9999-12-31,Housing,Checking account", "End date"),
        ("Rent,1500.00,expense,monthly,12/31/9999,,Housing,Checking account", "Start date"),
    ],
)
def test_the_csv_import_refuses_dates_outside_the_window_with_row_and_reason(
    app, user, row, column
):
    household = household_of(user)
    good = "Gym,90.00,expense,monthly,2026-01-05,,Housing,Checking account\n"
    with force_locale("en"), pytest.raises(RulesCsvError) as caught:
        import_rules_csv(db.session, household, (HEADER + good + row + "\n").encode(), "en", WORDS)
    db.session.rollback()
    [problem] = caught.value.problems
    assert (problem.row, problem.column) == (3, column)
    assert names_the_range(str(problem.message))
    assert rule_count() == 0


def test_the_window_is_configurable(app_factory):
    from finora.dates import date_window

    narrow = app_factory(DATE_MIN_YEAR=2000, DATE_MAX_YEAR=2100)
    with narrow.app_context():
        assert date_window() == (date(2000, 1, 1), date(2100, 12, 31))


@pytest.mark.parametrize("query", ["year=9999&month=12", "month=9999-12", "year=1900&month=1"])
def test_budgets_at_the_last_month_the_page_allows(signed_in, household, query):
    make_rule(household, name="Rent", anchor_date=date(2026, 1, 10), end_date=date(9999, 12, 31))
    response = signed_in.post(
        "/budgets/new",
        data={"category_id": str(category(household, "expense.housing").id), "period": "monthly",
              "amount": "2,000.00"},
    )
    assert response.status_code == 302
    assert signed_in.get(f"/budgets?{query}").status_code == 200
