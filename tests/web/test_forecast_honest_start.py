"""The forecast page and the dashboard card tell the truth at the start: "no data yet" with the
first steps instead of "0 — Critical", an empty or overdrawn balance with nothing to pay
explained, the household's minimum safe balance in the score and the breakdown, and the same
shortfall and minimum warnings on the dashboard card as on the forecast page."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine

from finora.extensions import db
from tests.ledger_factories import checking_account, make_account
from tests.members_factories import add_member
from tests.planning_factories import make_rule

NOW = datetime(2026, 1, 15, 15, tzinfo=UTC)  # the household's today is 2026-01-15


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def set_balance(household, amount: str) -> None:
    checking_account(household).opening_balance = Decimal(amount)
    db.session.commit()


def card(page: str) -> str:
    start = page.index('id="forecast-card"')
    return page[start : page.index("</section>", start)]


def risk_card(page: str) -> str:
    start = page.index('id="card-risk"')
    return page[start : page.index("</section>", start)]


def test_a_new_household_has_no_data_yet_and_is_told_what_to_do(signed_in, household):
    page = signed_in.get("/forecast").text
    assert 'data-status="no_data"' in page and "No data yet." in page
    assert 'href="/accounts"' in page and 'href="/rules/new"' in page
    assert "Critical" not in page and 'data-band="critical"' not in page
    assert 'data-band="none"' in risk_card(page) and "No score yet" in risk_card(page)
    dashboard = card(signed_in.get("/dashboard/2026/1").text)
    assert "No data yet." in dashboard and 'href="/accounts"' in dashboard
    assert "Critical" not in dashboard and "band-badge" not in dashboard


def test_a_new_household_looks_like_nothing_yet_not_like_danger(signed_in, household):
    import html
    import json

    page = signed_in.get("/forecast").text
    # The score card is framed neutrally, not in the "critical" red of a real crisis.
    card_tag = page[page.rindex("<div", 0, page.index('id="card-risk"')) : page.index('id="card-risk"')]
    assert "border-secondary-subtle" in card_tag and "border-danger" not in card_tag
    # No factor shows a score when there is no score.
    breakdown = page[page.index('id="risk-breakdown"') : page.index("</table>", page.index('id="risk-breakdown"'))]
    scores = re.findall(r'<td class="text-end">(\d+)</td>', breakdown)
    assert scores == []
    # The flat line at zero gets a y range wide enough for whole-number ticks.
    blob = re.search(r'id="chart-forecast"[^>]*data-figure="([^"]*)"', page).group(1)
    low, high = json.loads(html.unescape(blob))["layout"]["yaxis"]["range"]
    assert low <= -5 and high >= 5


def test_a_viewer_of_a_new_household_gets_no_write_link(client, household):
    viewer = add_member(household, "viewer")
    client.post("/login", data={"email": viewer.email, "password": "correct horse battery"})
    page = client.get("/forecast").text
    assert "No data yet." in page and 'href="/rules/new"' not in page and 'href="/rules"' in page


def test_no_account_counted_says_so(signed_in, household):
    checking_account(household).include_in_forecast = False
    db.session.commit()
    page = signed_in.get("/forecast").text
    assert 'data-status="no_accounts"' in page
    assert "No account is counted in the forecast." in page and "#forecast-accounts" in page


@pytest.mark.parametrize("balance", ["0.00", "-250.00"])
def test_an_empty_or_overdrawn_balance_with_nothing_to_pay_is_explained(signed_in, household, balance):
    set_balance(household, balance)
    make_rule(household, name="Salary", kind="income", amount=Decimal("3000.00"),
              anchor_date=date(2026, 2, 5))
    page = signed_in.get("/forecast").text
    assert 'data-status="nothing_to_pay"' in page
    assert "no expense is projected in the next 90 days" in page
    # No crisis verdict and no alarm; the cards still state the balance as it is.
    assert "Critical" not in page and 'data-band="critical"' not in page
    assert "data-warning" not in page
    assert "No risk score yet" in card(signed_in.get("/dashboard/2026/1").text)


def test_an_empty_balance_with_bills_to_pay_is_still_a_real_shortfall(signed_in, household):
    make_rule(household, amount=Decimal("300.00"), anchor_date=date(2026, 1, 20))
    page = signed_in.get("/forecast").text
    assert 'data-status=' not in page  # scored
    assert 'data-band="critical"' in risk_card(page)
    assert "The projected balance falls below zero on" in page


def test_a_projection_under_the_minimum_is_never_safe(signed_in, household):
    set_balance(household, "10000.00")
    make_rule(household, amount=Decimal("100.00"), anchor_date=date(2026, 1, 20))
    page = signed_in.get("/forecast").text
    assert 'data-band="safe"' in risk_card(page)
    minimum_row = re.search(r'<tr id="risk-minimum".*?</tr>', page, re.S).group(0)
    assert "not set" in minimum_row

    household.minimum_safe_balance = Decimal("9950.00")  # the low is 9,700
    db.session.commit()
    page = signed_in.get("/forecast").text
    assert 'data-band="watch"' in risk_card(page) and ">59<" in risk_card(page)
    assert "At most 59: the projection falls below your minimum safe balance." in page
    minimum_row = re.search(r'<tr id="risk-minimum".*?</tr>', page, re.S).group(0)
    assert "R$9,950.00" in minimum_row and "below: at most 59" in minimum_row
    total = re.search(r'id="risk-total">(.*?)</td>', page, re.S).group(1)
    assert "<s" in total and ">100<" in total and total.strip().endswith("59")
    assert "falls below your minimum safe balance of R$9,950.00" in page


def test_a_minimum_the_projection_keeps_is_shown_as_above(signed_in, household):
    set_balance(household, "10000.00")
    household.minimum_safe_balance = Decimal("500.00")
    db.session.commit()
    make_rule(household, amount=Decimal("100.00"), anchor_date=date(2026, 1, 20))
    page = signed_in.get("/forecast").text
    minimum_row = re.search(r'<tr id="risk-minimum".*?</tr>', page, re.S).group(0)
    assert "R$500.00" in minimum_row and ">above<" in minimum_row
    assert 'data-band="safe"' in risk_card(page)


def test_the_dashboard_card_shows_the_same_warnings(signed_in, household):
    set_balance(household, "1000.00")
    household.minimum_safe_balance = Decimal("800.00")
    db.session.commit()
    make_rule(household, amount=Decimal("300.00"), anchor_date=date(2026, 1, 20))
    forecast = signed_in.get("/forecast").text
    dashboard = card(signed_in.get("/dashboard/2026/1").text)
    below_minimum = "The projected balance falls below your minimum safe balance of R$800.00 on Tuesday, January 20, 2026."
    below_zero = "The projected balance falls below zero on Monday, April 20, 2026."
    for text in (below_minimum, below_zero):
        assert text in forecast and text in dashboard
    assert 'data-warning="below_zero"' in dashboard and 'data-warning="below_minimum"' in dashboard


def test_the_dashboard_card_has_no_warning_when_all_is_well(signed_in, household):
    set_balance(household, "1000.00")
    make_rule(household, amount=Decimal("10.00"), anchor_date=date(2026, 1, 20))
    assert "data-warning" not in card(signed_in.get("/dashboard/2026/1").text)


def test_a_savings_account_alone_does_not_make_the_forecast_look_safe(signed_in, household):
    make_account(household, name="Rainy day", kind="savings", opening_balance="50000",
                 include_in_forecast=None)
    make_rule(household, amount=Decimal("300.00"), anchor_date=date(2026, 1, 20))
    page = signed_in.get("/forecast").text
    assert 'data-band="critical"' in risk_card(page)  # the checking account has nothing
