"""The forecast page: cards, chart, risk breakdown, the 90-day table with skip and restore,
holds, scenarios CRUD, the dashboard card, and another household's ids giving 404."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from decimal import Decimal
from html import unescape

import pytest
import time_machine
from sqlalchemy import func, select

from finora.extensions import db
from finora.models import Entry, RecurringRule, Skip
from finora.services.planning.posting import post_due_occurrences
from tests.factories import create_user
from tests.ledger_factories import category, checking_account, field_error, household_of
from tests.planning_factories import make_rule

NOW = datetime(2026, 1, 15, 15, tzinfo=UTC)  # the household's today is 2026-01-15
MISSING = 999_999


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def household(user):
    household = household_of(user)
    account = checking_account(household)
    account.opening_balance = Decimal("1000.00")
    db.session.commit()
    return household


@pytest.fixture
def theirs(app):
    household = household_of(create_user(name="Their Owner", household_name="Their home"))
    rule = make_rule(household, name="Their rent", anchor_date=date(2026, 1, 20))
    scenario = make_rule(
        household,
        name="Their car",
        frequency="once",
        anchor_date=date(2026, 3, 1),
        is_scenario=True,
        auto_post=False,
    )
    return household, rule, scenario


def figure(page: str) -> dict:
    found = re.search(r'id="chart-forecast"[^>]*data-figure="([^"]*)"', page)
    return json.loads(unescape(found.group(1)))


def text_of(page: str, element_id: str) -> str:
    found = re.search(rf'id="{element_id}"[^>]*>(.*?)</p>', page, re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(1))).strip()


def scenario_form(household, **overrides) -> dict:
    data = {
        "name": "New car",
        "kind": "expense",
        "amount": "2,500.00",
        "account_id": str(checking_account(household).id),
        "category_id": str(category(household, "expense.transport").id),
        "subcategory_id": "",
        "payment_method": "bank_transfer",
        "frequency": "once",
        "anchor_date": "2026-02-10",
        "end_date": "",
        "business_day_policy": "default",
    }
    data.update(overrides)
    return data


def test_the_page_shows_cards_chart_and_table(signed_in, household):
    make_rule(household, amount=Decimal("300.00"), anchor_date=date(2026, 1, 20))
    page = signed_in.get("/forecast").get_data(as_text=True)
    assert text_of(page, "card-current").startswith("R$1,000.00")
    assert "R$100.00" in text_of(page, "card-lowest")  # 1000 - 3 × 300 within 90 days
    assert text_of(page, "card-shortfall") == "Apr 20, 2026"
    assert "The projected balance falls below zero on" in page
    chart = figure(page)
    assert len(chart["data"]) == 1 and len(chart["data"][0]["x"]) == 365
    assert chart["data"][0]["x"][0] == "2026-01-15"
    assert any(shape.get("fillcolor") for shape in chart["layout"]["shapes"])  # below zero shaded
    assert "Shaded days are below zero." in page and "at least one of the two lines" not in page
    # The hover shows each day's balance as the page writes money, sign first when negative.
    line = chart["data"][0]
    assert line["hovertemplate"].startswith("%{customdata}")
    assert line["customdata"][0] == "R$1,000.00"
    below = line["y"].index(-200.0)  # 1000 - 4 × 300, after the fourth rent
    assert line["customdata"][below] == "-R$200.00"
    assert 'data-band="stable"' in page and ">74<" in page
    assert page.count('action="/forecast/skip"') == 3


@pytest.mark.parametrize("days", [30, 90, 180, 365])
def test_the_horizon_choice_trims_the_chart(signed_in, household, days):
    make_rule(household, amount=Decimal("300.00"), anchor_date=date(2026, 1, 20))
    page = signed_in.get(f"/forecast?days={days}").get_data(as_text=True)
    assert len(figure(page)["data"][0]["y"]) == days
    assert f'aria-current="page" href="/forecast?days={days}"' not in page  # attribute order
    assert re.search(rf'href="/forecast\?days={days}" aria-current="page"', page)


def test_an_unknown_horizon_falls_back_to_a_year(signed_in, household):
    page = signed_in.get("/forecast?days=17").get_data(as_text=True)
    assert len(figure(page)["data"][0]["y"]) == 365


def test_scenarios_draw_a_second_dashed_line_and_the_low_in_parentheses(signed_in, household):
    make_rule(
        household,
        name="Salary",
        kind="income",
        amount=Decimal("500.00"),
        anchor_date=date(2026, 2, 1),
        category_code="income.work",
    )
    make_rule(
        household,
        name="New car",
        amount=Decimal("1200.00"),
        frequency="once",
        anchor_date=date(2026, 2, 10),
        is_scenario=True,
        auto_post=False,
    )
    page = signed_in.get("/forecast").get_data(as_text=True)
    chart = figure(page)
    assert [trace["name"] for trace in chart["data"]] == ["Projected balance", "With scenarios"]
    assert chart["data"][1]["line"]["dash"] == "dash" and chart["layout"]["showlegend"] is True
    assert text_of(page, "card-lowest").startswith("R$1,000.00 ( R$300.00 )")
    assert "Shaded days are below zero on at least one of the two lines." in page
    assert "Shaded days are below zero." not in page


def test_skip_and_restore_change_the_projection(signed_in, household):
    rule = make_rule(household, amount=Decimal("300.00"), anchor_date=date(2026, 1, 20))
    before = figure(signed_in.get("/forecast").get_data(as_text=True))["data"][0]["y"]
    response = signed_in.post(
        "/forecast/skip", data={"rule_id": rule.id, "occurrence": "2026-01-20", "days": "90"}
    )
    assert response.status_code == 302 and response.location.endswith("/forecast?days=90#upcoming")
    assert db.session.scalar(select(Skip.occurrence_date).where(Skip.rule_id == rule.id)) == date(
        2026, 1, 20
    )
    page = signed_in.get("/forecast").get_data(as_text=True)
    after = figure(page)["data"][0]["y"]
    assert before[5] == 700.0 and after[5] == 1000.0
    assert "row-skipped" in page and 'action="/forecast/restore"' in page
    signed_in.post("/forecast/restore", data={"rule_id": rule.id, "occurrence": "2026-01-20"})
    assert db.session.scalar(select(func.count(Skip.id))) == 0
    assert figure(signed_in.get("/forecast").get_data(as_text=True))["data"][0]["y"] == before


def test_skipping_a_date_that_is_not_an_occurrence_writes_nothing(signed_in, household):
    rule = make_rule(household, anchor_date=date(2026, 1, 20))
    response = signed_in.post(
        "/forecast/skip",
        data={"rule_id": rule.id, "occurrence": "2026-01-21"},
        follow_redirects=True,
    )
    assert "That date is not an occurrence of this rule." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Skip.id))) == 0


@pytest.mark.parametrize(
    "data",
    [
        {"occurrence": "2026-01-20"},
        {"rule_id": "x", "occurrence": "2026-01-20"},
        {"rule_id": "1", "occurrence": "20/01/2026"},
    ],
)
def test_bad_skip_requests_are_refused(signed_in, household, data):
    make_rule(household, anchor_date=date(2026, 1, 20))
    assert signed_in.post("/forecast/skip", data=data).status_code == 400


def test_skip_without_csrf_is_refused(app, household, user, client, auth):
    app.config["WTF_CSRF_ENABLED"] = True
    auth.login(user.email)
    rule = make_rule(household, anchor_date=date(2026, 1, 20))
    assert (
        client.post(
            "/forecast/skip", data={"rule_id": rule.id, "occurrence": "2026-01-20"}
        ).status_code
        == 400
    )
    assert db.session.scalar(select(func.count(Skip.id))) == 0


def test_holds_are_listed(signed_in, household):
    make_rule(household, name="Gym", anchor_date=date(2026, 1, 5), hold_until=date(2026, 4, 1))
    make_rule(household, name="Rent", anchor_date=date(2026, 1, 5))
    page = signed_in.get("/forecast").get_data(as_text=True)
    holds = page[page.index('id="holds"') : page.index("</ul>", page.index('id="holds"'))]
    assert "Gym" in holds and "Rent" not in holds and "Apr 1, 2026" in holds


def test_unpaid_entries_appear_in_the_table_with_a_link(signed_in, household):
    from tests.ledger_factories import make_entry

    entry = make_entry(household, amount="40", date=date(2026, 1, 10), description="Electricity")
    page = signed_in.get("/forecast").get_data(as_text=True)
    assert f"/entries/{entry.id}/edit" in page and "overdue" in page


def test_an_unpaid_income_reads_not_received_never_overdue(signed_in, household):
    from tests.ledger_factories import make_entry

    past = make_entry(household, kind="income", amount="900", date=date(2026, 1, 10), description="Late pay")
    later = make_entry(household, kind="income", amount="50", date=date(2026, 3, 10), description="Refund")
    page = signed_in.get("/forecast").get_data(as_text=True)
    table = page[page.index('id="upcoming-table"') :]
    past_row = table[table.index(f"/entries/{past.id}/edit") :][:400]
    later_row = table[table.index(f"/entries/{later.id}/edit") :][:400]
    assert "not received" in past_row and "overdue" not in past_row
    assert "to receive" in later_row and "unpaid" not in later_row


def test_the_risk_breakdown_lists_every_factor(signed_in, household):
    make_rule(household, amount=Decimal("300.00"), anchor_date=date(2026, 1, 20))
    page = signed_in.get("/forecast").get_data(as_text=True)
    table = page[
        page.index('id="risk-breakdown"') : page.index(
            "</table>", page.index('id="risk-breakdown"')
        )
    ]
    for label in (
        "Cash runway",
        "Lowest projected balance",
        "Days until the lowest balance",
        "Volatility",
    ):
        assert label in table
    assert "100 days" in table and "64 days" in table and "0.90" in table and "40 %" in table


def test_create_edit_and_delete_a_scenario(signed_in, household):
    response = signed_in.post("/forecast/scenarios/new", data=scenario_form(household))
    assert response.status_code == 302
    scenario = db.session.scalar(select(RecurringRule).where(RecurringRule.name == "New car"))
    assert scenario.is_scenario and not scenario.auto_post and scenario.amount == Decimal("2500.00")
    page = signed_in.get("/forecast/scenarios").get_data(as_text=True)
    assert "New car" in page and 'id="scenario-impact"' in page
    assert "/rules/" not in page.split('id="scenario-list"')[1].split("</main>")[0].replace(
        "/rules/new", ""
    )
    signed_in.post(
        f"/forecast/scenarios/{scenario.id}/edit", data=scenario_form(household, amount="99.90")
    )
    db.session.refresh(scenario)
    assert scenario.amount == Decimal("99.90") and scenario.is_scenario
    signed_in.post(f"/forecast/scenarios/{scenario.id}/delete")
    assert db.session.get(RecurringRule, scenario.id) is None


def test_a_bad_scenario_keeps_what_was_typed(signed_in, household):
    response = signed_in.post(
        "/forecast/scenarios/new", data=scenario_form(household, amount="12abc", name="Trip")
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert field_error(page, "amount") and 'value="12abc"' in page and 'value="Trip"' in page
    assert db.session.scalar(select(func.count(RecurringRule.id))) == 0


def test_scenarios_are_never_posted_and_not_on_the_rules_page(signed_in, household):
    signed_in.post(
        "/forecast/scenarios/new", data=scenario_form(household, anchor_date="2026-01-15")
    )
    post_due_occurrences(db.session)
    db.session.commit()
    assert db.session.scalar(select(func.count(Entry.id))) == 0
    signed_in.get("/forecast/scenarios")  # shows the "created" message
    assert "New car" not in signed_in.get("/rules").get_data(as_text=True)


def test_a_past_one_time_scenario_is_ignored_not_deleted(signed_in, household):
    signed_in.post(
        "/forecast/scenarios/new", data=scenario_form(household, anchor_date="2026-01-02")
    )
    page = signed_in.get("/forecast/scenarios").get_data(as_text=True)
    assert "In the past: ignored" in page
    assert db.session.scalar(select(func.count(RecurringRule.id))) == 1
    assert len(figure(signed_in.get("/forecast").get_data(as_text=True))["data"]) == 1


def test_ledger_rules_and_scenarios_do_not_cross(signed_in, household):
    rule = make_rule(household, anchor_date=date(2026, 1, 20))
    scenario = make_rule(household, name="Car", is_scenario=True, auto_post=False)
    assert signed_in.get(f"/forecast/scenarios/{rule.id}/edit").status_code == 404
    assert signed_in.post(f"/forecast/scenarios/{rule.id}/delete").status_code == 404
    assert signed_in.get(f"/rules/{scenario.id}/edit").status_code == 404


def test_another_households_rule_skip_and_scenario_are_404(signed_in, household, theirs):
    _household, rule, scenario = theirs
    data = {"rule_id": rule.id, "occurrence": "2026-01-20"}
    assert signed_in.post("/forecast/skip", data=data).status_code == 404
    db.session.add(
        Skip(household_id=_household.id, rule_id=rule.id, occurrence_date=date(2026, 2, 20))
    )
    db.session.commit()
    assert (
        signed_in.post(
            "/forecast/restore", data={"rule_id": rule.id, "occurrence": "2026-02-20"}
        ).status_code
        == 404
    )
    assert db.session.scalar(select(func.count(Skip.id))) == 1
    assert (
        signed_in.post(
            "/forecast/skip", data={"rule_id": MISSING, "occurrence": "2026-01-20"}
        ).status_code
        == 404
    )
    for url in (f"/forecast/scenarios/{scenario.id}/edit", f"/forecast/scenarios/{MISSING}/edit"):
        assert signed_in.get(url).status_code == 404
        assert signed_in.post(url, data=scenario_form(household)).status_code == 404
    assert signed_in.post(f"/forecast/scenarios/{scenario.id}/delete").status_code == 404
    assert db.session.get(RecurringRule, scenario.id) is not None
    page = signed_in.get("/forecast").get_data(as_text=True) + signed_in.get(
        "/forecast/scenarios"
    ).get_data(as_text=True)
    assert "Their" not in page


def test_signed_out_visitors_are_sent_to_sign_in(client):
    for url in ("/forecast", "/forecast/scenarios", "/forecast/scenarios/new"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.location


def test_the_dashboard_has_a_forecast_card(signed_in, household):
    make_rule(household, amount=Decimal("300.00"), anchor_date=date(2026, 1, 20))
    page = signed_in.get("/dashboard/2026/1").get_data(as_text=True)
    card = page[page.index('id="forecast-card"') :]
    card = card[: card.index("</section>")]
    assert "R$100.00" in card and 'data-band="stable"' in card and 'href="/forecast"' in card


@pytest.mark.parametrize(
    ("locale", "words"),
    [("pt", ("Previsão", "Saldo atual")), ("es", ("Previsión", "Saldo actual"))],
)
def test_the_page_speaks_the_users_language(signed_in, household, user, locale, words):
    user.locale = locale
    db.session.commit()
    page = signed_in.get("/forecast", headers={"Accept-Language": locale}).get_data(as_text=True)
    for word in words:
        assert word in page


def test_a_long_table_is_paged_and_a_skip_returns_to_its_page(signed_in, household):
    rule = make_rule(household, name="Coffee", amount=Decimal("5.00"), frequency="daily", anchor_date=date(2026, 1, 15))
    first = signed_in.get("/forecast").get_data(as_text=True)
    assert first.count('action="/forecast/skip"') == 90 and "Page 1 of 1" not in first
    make_rule(household, name="Lunch", amount=Decimal("20.00"), frequency="daily", anchor_date=date(2026, 1, 15))
    page1 = signed_in.get("/forecast").get_data(as_text=True)
    page2 = signed_in.get("/forecast?page=2").get_data(as_text=True)
    assert page1.count('action="/forecast/skip"') == 100 and page2.count('action="/forecast/skip"') == 80
    assert "Page 2 of 2" in page2
    response = signed_in.post("/forecast/skip", data={"rule_id": rule.id, "occurrence": "2026-03-30", "page": "2"})
    assert response.location.endswith("/forecast?page=2#upcoming")


def test_a_moved_occurrence_is_skipped_by_its_own_unadjusted_date(signed_in, household):
    # 2026-01-17 is a Saturday: with "next business day" the bill falls on Monday the 19th.
    rule = make_rule(household, name="Gym", anchor_date=date(2026, 1, 17), business_day_policy="next")
    page = signed_in.get("/forecast").get_data(as_text=True)
    row = page[page.index("Gym"):]
    assert 'name="occurrence" value="2026-01-17"' in row[:2500]
    assert "Jan 19, 2026" in page[page.rindex("<tr", 0, page.index("Gym")):page.index("Gym")]
    signed_in.post("/forecast/skip", data={"rule_id": rule.id, "occurrence": "2026-01-17"})
    assert db.session.scalar(select(Skip.occurrence_date)) == date(2026, 1, 17)
    page = signed_in.get("/forecast").get_data(as_text=True)
    skipped = page[page.index("row-skipped"):]
    assert "Jan 19, 2026" in skipped[:300] and "Gym" in skipped[:1500]
