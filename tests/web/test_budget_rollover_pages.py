"""Budget rollover through the web: the form's setting, the budget card's carried and
available figures, the dashboard card, and the budget report page with its CSV, XLSX and PDF."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine

from finora.extensions import db
from finora.models import Budget
from finora.services.planning.budgets import BudgetData, create_budget
from tests.ledger_factories import category, field_tag, make_entry, reload
from tests.web.test_budgets import budget_form, card
from tests.web.test_reports_pages import download, get, pdf_text, row_text, text_of

NOW = datetime(2026, 3, 15, 12, tzinfo=UTC)  # the household's today is 2026-03-15
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
D = Decimal


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def rolled(household):
    """Food 250.00 a month with rollover from March (300.00 spent: 50.00 over) and Leisure
    100.00 a month without (40.00 spent in March)."""
    food = create_budget(db.session, household,
                         BudgetData(category(household, "expense.food").id, "monthly", D("250.00"), rollover=True))
    leisure = create_budget(db.session, household,
                            BudgetData(category(household, "expense.leisure").id, "monthly", D("100.00")))
    db.session.commit()
    make_entry(household, category="expense.food", amount="300.00", date=date(2026, 3, 4))
    make_entry(household, category="expense.leisure", amount="40.00", date=date(2026, 3, 6))
    make_entry(household, category="expense.food", amount="20.00", date=date(2026, 4, 2))
    return food, leisure


def test_the_form_offers_rollover_with_its_help_and_saves_it(signed_in, household):
    page = get(signed_in, "/budgets/new")
    tag = field_tag(page, "rollover")
    assert 'type="checkbox"' in tag and "checked" not in tag  # off by default
    assert 'aria-describedby="rollover-help"' in tag
    assert "What a period does not spend is added to the next one" in text_of(page)

    response = signed_in.post("/budgets/new", data=budget_form(household, rollover="y"))
    assert response.status_code == 302
    budget = db.session.query(Budget).one()
    assert (budget.rollover, budget.rollover_since, budget.rollover_opening) == (True, date(2026, 3, 1), D(0))

    assert "checked" in field_tag(get(signed_in, f"/budgets/{budget.id}/edit"), "rollover")
    response = signed_in.post(f"/budgets/{budget.id}/edit", data=budget_form(household))  # unticked
    assert response.status_code == 302
    saved = reload(Budget, budget.id)
    assert (saved.rollover, saved.rollover_since) == (False, None)


def test_a_refused_form_keeps_the_setting_ticked(signed_in, household):
    response = signed_in.post("/budgets/new", data=budget_form(household, amount="0", rollover="y"))
    assert response.status_code == 422
    assert "checked" in field_tag(response.get_data(as_text=True), "rollover")
    assert db.session.query(Budget).count() == 0


def test_the_card_shows_carried_and_available(signed_in, household, rolled):
    food, leisure = rolled
    page = get(signed_in, "/budgets?year=2026&month=4")
    food_card = text_of(card(page, food))
    assert "Rollover" in food_card
    # 250.00 − 300.00 in March: −50.00 carried into April, 200.00 available, 20.00 spent.
    assert "R$20.00 of R$200.00" in food_card
    assert re.search(r"Budgeted R\$250\.00 Carried over -R\$50\.00 Available R\$200\.00", food_card)
    assert "Remaining R$180.00" in food_card and "10.0%" in food_card
    leisure_card = text_of(card(page, leisure))
    assert "Carried over" not in leisure_card and "Rollover" not in leisure_card
    assert "R$0.00 of R$100.00" in leisure_card
    assert "percentages are of what is available" in text_of(page)

    march = text_of(card(get(signed_in, "/budgets?year=2026&month=3"), food))
    assert "Carried over R$0.00" in march and "Over by R$50.00" in march


def test_a_left_over_carry_reads_plus_and_nothing_available_reads_a_dash(signed_in, household, rolled):
    food, _ = rolled
    make_entry(household, category="expense.food", amount="230.00", date=date(2026, 4, 20))
    may = text_of(card(get(signed_in, "/budgets?year=2026&month=5"), food))
    assert "Carried over -R$50.00" in may  # 250 − 50 − 250 spent in April
    make_entry(household, category="expense.food", amount="500.00", date=date(2026, 5, 3))
    june = text_of(card(get(signed_in, "/budgets?year=2026&month=6"), food))
    assert "Carried over -R$300.00" in june and "Available -R$50.00" in june  # 250 − 50 − 500
    assert "R$0.00 of -R$50.00 —" in june  # no share of nothing; the state says over
    assert "Now: Over budget" in june


def test_the_dashboard_card_shows_the_carry(signed_in, household, rolled):
    page = text_of(get(signed_in, "/dashboard/2026/4"))
    assert "R$20.00 / R$200.00 ( -R$50.00 carried)" in page  # text_of: a space for the span


def test_the_report_shows_carried_and_available_columns(signed_in, household, rolled):
    page = get(signed_in, "/reports/budget?period=month&year=2026&month=4")
    assert "Carried over" in page and "Available" in page
    assert row_text(page, "report-budgets", "Food").startswith("Food R$250.00 -R$50.00 R$200.00 R$20.00 R$180.00 10.0%")
    assert row_text(page, "report-budgets", "Leisure").startswith("Leisure R$100.00 — R$100.00 R$0.00 R$100.00 0.0%")
    assert "“Carried over” is what earlier periods left" in text_of(page)

    data = download(signed_in, "/reports/budget.csv?period=month&year=2026&month=4", "text/csv",
                    "finora-budget-2026-04.csv")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[1][:7] == ["Budget", "Repeats", "Budgeted", "Carried over", "Available", "Actual", "Remaining"]
    assert ["Food", "Monthly", "250.00", "-50.00", "200.00", "20.00", "180.00", "10.0%"] == rows[2][:8]
    assert ["Leisure", "Monthly", "100.00", "", "100.00", "0.00", "100.00", "0.0%"] == rows[3][:8]

    from openpyxl import load_workbook

    data = download(signed_in, "/reports/budget.xlsx?period=month&year=2026&month=4", XLSX,
                    "finora-budget-2026-04.xlsx")
    sheet = load_workbook(io.BytesIO(data)).active
    found = {row[0]: row[1:] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert [D(str(v)) for v in found["Food"][1:6]] == [D("250"), D("-50"), D("200"), D("20"), D("180")]
    assert found["Leisure"][2] is None and D(str(found["Leisure"][3])) == D("100")

    text = " ".join(pdf_text(download(signed_in, "/reports/budget.pdf?period=month&year=2026&month=4",
                                      "application/pdf", "finora-budget-2026-04.pdf")).split())
    assert "Carried over" in text and "Available" in text
    assert "Food Monthly R$250.00 -R$50.00 R$200.00 R$20.00 R$180.00 10.0%" in text
    assert "Leisure Monthly R$100.00 — R$100.00 R$0.00 R$100.00 0.0%" in text


def test_the_year_report_carries_into_january(signed_in, household, rolled):
    page = get(signed_in, "/reports/budget?period=year&year=2027")
    # 2026: March to December, 10 × 250.00 − 320.00 spent: 2,180.00 into January 2027.
    assert row_text(page, "report-budgets", "Food").startswith(
        "Food Monthly budget × 12 R$3,000.00 +R$2,180.00 R$5,180.00 R$0.00 R$5,180.00 0.0%")
    assert "A monthly budget’s year carries what came into January" in text_of(page)
