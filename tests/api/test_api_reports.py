"""GET /reports/monthly and /reports/yearly: FinanceFlow's fields and Finora's own, the
same figures as the reports service the report pages and exports print, the household's
current month by default, and 422 with `fields` for a year or month that is none."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from finora.api.reports_json import MonthlyReportOut, YearlyReportOut
from finora.dates import today
from finora.extensions import db
from finora.services.ledger.splits import SplitLine, split_entry
from finora.services.reports.month_report import month_report
from finora.services.reports.totals import period_totals
from finora.services.reports.year_report import year_report
from tests.api.planning_helpers import assert_error, viewer_api
from tests.ledger_factories import (
    category,
    checking_account,
    make_account,
    make_entry,
    make_transfer,
)


@pytest.fixture
def march(household):
    """March 2026: a salary, groceries twice (one unpaid), rent without a subcategory, a
    transfer (neither income nor expense); February's and March 2025's figures to compare."""
    make_entry(household, kind="income", amount="5000.00", date=date(2026, 3, 5),
               paid_on=date(2026, 3, 5))
    make_entry(household, amount="300.10", date=date(2026, 3, 2), paid_on=date(2026, 3, 2))
    make_entry(household, amount="199.90", date=date(2026, 3, 2))
    make_entry(household, amount="1500.00", date=date(2026, 3, 10), category="expense.housing",
               subcategory=None)
    make_entry(household, amount="100.00", date=date(2026, 2, 27))
    make_entry(household, kind="income", amount="4000.00", date=date(2025, 3, 5))
    savings = make_account(household, name="Savings", kind="savings")
    make_transfer(household, checking_account(household), savings, amount="700.00",
                  date=date(2026, 3, 15))
    return household


def test_the_month_report_has_financeflows_figures_and_finoras(signed_api, march):
    response = signed_api.get("/reports/monthly?year=2026&month=3")
    assert response.status_code == 200, response.get_data(as_text=True)
    data = response.json["data"]
    MonthlyReportOut.model_validate(data)
    assert (data["year"], data["month"], data["start"], data["end"]) == (2026, 3, "2026-03-01", "2026-03-31")
    assert data["currency"] == march.currency
    assert (data["total_income"], data["total_expenses"], data["net_savings"]) == ("5000.00", "2000.00", "3000.00")
    assert data["savings_rate"] == "0.600" and data["entry_count"] == 4
    by_name = {line["name"]: line for line in data["by_category"]}
    assert [line["kind"] for line in data["by_category"]] == ["income", "expense", "expense"]
    housing = [line for line in data["by_category"] if line["amount"] == "1500.00"][0]
    assert housing["share"] == "0.750" and housing["subcategories"][0]["subcategory_id"] is None
    food = [line for line in data["by_category"] if line["amount"] == "500.00"][0]
    assert food["share"] == "0.250" and food["subcategories"][0]["amount"] == "500.00"
    assert len(by_name) == 3
    days = data["daily_spending"]
    assert len(days) == 31 and days[0]["date"] == "2026-03-01"
    assert days[1] == {"date": "2026-03-02", "amount": "500.00", "cumulative": "500.00"}
    assert days[9] == {"date": "2026-03-10", "amount": "1500.00", "cumulative": "2000.00"}
    assert days[30]["cumulative"] == "2000.00"
    previous = data["previous_month"]
    assert (previous["year"], previous["month"], previous["expenses"]) == (2026, 2, "100.00")
    assert previous["expenses_difference"] == "1900.00" and previous["expenses_change"] == "19.000"
    assert previous["income_change"] is None  # no income in February: no percentage of nothing
    last_year = data["same_month_last_year"]
    assert (last_year["year"], last_year["income"], last_year["income_change"]) == (2025, "4000.00", "0.250")


def test_the_month_figures_are_the_report_services_and_the_dashboards(signed_api, march):
    data = signed_api.get("/reports/monthly?year=2026&month=3").json["data"]
    report = month_report(db.session, march, 2026, 3, today(march))
    assert Decimal(data["total_income"]) == report.totals.income
    assert Decimal(data["total_expenses"]) == report.totals.expense
    assert Decimal(data["net_savings"]) == report.totals.net
    assert [(line["category_id"], Decimal(line["amount"])) for line in data["by_category"]] == [
        (line.category_id, line.total) for line in report.income_categories + report.expense_categories]
    assert [Decimal(d["amount"]) for d in data["daily_spending"]] == [d.expense for d in report.timeline]
    dashboard = period_totals(db.session, march, date(2026, 3, 1), date(2026, 3, 31))
    assert (Decimal(data["total_income"]), Decimal(data["total_expenses"])) == (dashboard.income, dashboard.expense)


def test_without_a_year_and_month_it_is_the_households_current_month(signed_api, household):
    on = today(household)
    make_entry(household, amount="42.00", date=on)
    data = signed_api.get("/reports/monthly").json["data"]
    assert (data["year"], data["month"]) == (on.year, on.month)
    assert data["total_expenses"] == "42.00"
    assert signed_api.get(f"/reports/monthly?year={on.year}").json["data"]["month"] == on.month
    assert signed_api.get("/reports/yearly").json["data"]["year"] == on.year


def test_an_empty_month_has_zeros_and_no_rate(signed_api):
    data = signed_api.get("/reports/monthly?year=2026&month=2").json["data"]
    MonthlyReportOut.model_validate(data)
    assert (data["total_income"], data["total_expenses"], data["net_savings"]) == ("0.00", "0.00", "0.00")
    assert data["savings_rate"] is None and data["by_category"] == [] and data["entry_count"] == 0
    assert len(data["daily_spending"]) == 28
    assert {d["amount"] for d in data["daily_spending"]} == {"0.00"}


@pytest.mark.parametrize(("query", "field"), [
    ("year=2026&month=13", "month"), ("year=2026&month=0", "month"), ("month=abc", "month"),
    ("year=20x6", "year"), ("year=1500", "year"), ("year=99999", "year"), ("month=-1", "month"),
])
def test_a_year_or_month_that_is_none_is_a_422_on_its_field(signed_api, query, field):
    body = assert_error(signed_api.get(f"/reports/monthly?{query}"), 422, "validation_error")
    assert list(body["fields"]) == [field]


@pytest.mark.parametrize("query", ["year=abc", "year=1800", "year=12345"])
def test_a_yearly_report_of_no_year_is_a_422(signed_api, query):
    body = assert_error(signed_api.get(f"/reports/yearly?{query}"), 422, "validation_error")
    assert list(body["fields"]) == ["year"]


def test_the_fields_message_is_in_the_callers_language(signed_api, user):
    user.locale = "pt"
    db.session.commit()
    body = signed_api.get("/reports/monthly?month=13").json
    assert body["fields"]["month"] == "“13” não é um mês (1 a 12)."


def test_the_year_report_goes_month_by_month_as_the_service(signed_api, march):
    make_entry(march, kind="income", amount="250.00", date=date(2026, 11, 20))
    response = signed_api.get("/reports/yearly?year=2026")
    assert response.status_code == 200, response.get_data(as_text=True)
    data = response.json["data"]
    YearlyReportOut.model_validate(data)
    assert [m["month"] for m in data["months"]] == list(range(1, 13))
    assert data["months"][1] == {"month": 2, "income": "0.00", "expenses": "100.00", "net": "-100.00",
                                 "savings_rate": None, "entry_count": 1}
    assert data["months"][2]["income"] == "5000.00" and data["months"][2]["expenses"] == "2000.00"
    assert data["months"][10]["income"] == "250.00"
    assert (data["total_income"], data["total_expenses"], data["net_savings"]) == ("5250.00", "2100.00", "3150.00")
    assert data["totals"] == {"income": "5250.00", "expenses": "2100.00", "net": "3150.00",
                              "savings_rate": data["savings_rate"], "entry_count": 6}
    assert sum(Decimal(line["amount"]) for line in data["by_category"] if line["kind"] == "expense") == Decimal("2100.00")
    report = year_report(db.session, march, 2026, today(march))
    assert [Decimal(m["net"]) for m in data["months"]] == [line.net for line in report.months]
    heat = data["expenses_by_month"]
    assert [row["category_id"] for row in heat] == [row.category_id for row in report.heat]
    assert heat[0]["amount"] == "1500.00" and heat[0]["months"][2] == "1500.00" and len(heat[0]["months"]) == 12
    assert [e["amount"] for e in data["largest_expenses"]] == ["1500.00", "300.10", "199.90", "100.00"]
    assert [e["amount"] for e in data["largest_incomes"]] == ["5000.00", "250.00"]


def test_a_viewer_reads_the_reports(api, march):
    viewer_api(api, march)
    assert api.get("/reports/monthly?year=2026&month=3").json["data"]["total_income"] == "5000.00"
    assert api.get("/reports/yearly?year=2026").status_code == 200


def test_another_households_figures_are_not_counted(signed_api, march):
    from tests.api.planning_helpers import stranger_household
    stranger = stranger_household()
    make_entry(stranger, amount="999.00", date=date(2026, 3, 3))
    data = signed_api.get("/reports/monthly?year=2026&month=3").json["data"]
    assert data["total_expenses"] == "2000.00"


def test_the_api_the_month_report_page_and_its_csv_agree_to_the_cent(client, auth, user, household):
    """The hand-counted March of the report page tests: the page's totals, the report's CSV
    download and the API, with paid, pending and overdue entries and a transfer."""
    import time_machine

    from tests.web.report_data import EXPENSE, INCOME, NET, NOW, fill_march
    from tests.web.test_one_source import month_report as page_totals

    with time_machine.travel(NOW, tick=False):
        assert auth.login(user.email).status_code == 302
        signed_in = client
        fill_march(household)
        data = signed_in.get("/api/v1/reports/monthly").json["data"]  # the cookie reads too
        assert (data["year"], data["month"]) == (2026, 3)  # "today" is 2026-03-15
        figures = tuple(Decimal(data[k]) for k in ("total_income", "total_expenses", "net_savings"))
        assert figures == (INCOME, EXPENSE, NET) == page_totals(signed_in)
        assert data["savings_rate"] == "0.695"
        csv_text = signed_in.get("/reports/month.csv?year=2026&month=3").data.decode("utf-8-sig")
        for figure in figures:
            assert f"{figure:.2f}" in csv_text.replace(",", "")
        yearly = signed_in.get("/api/v1/reports/yearly").json["data"]
        assert Decimal(yearly["months"][2]["income"]) == INCOME
        assert Decimal(yearly["months"][2]["expenses"]) == EXPENSE


def test_a_split_entry_among_the_largest_has_its_lines_not_one_category(signed_api, march):
    """As the year page's "Split": no single category_id, the lines with their notes."""
    bill = make_entry(march, amount="400.00", date=date(2026, 4, 2), description="Supermarket")
    food, housing = category(march, "expense.food"), category(march, "expense.housing")
    split_entry(db.session, bill, [SplitLine(food.id, Decimal("350.00"), None, "groceries"),
                                   SplitLine(housing.id, Decimal("50.00"), None, "bulbs")])
    db.session.commit()
    data = signed_api.get("/reports/yearly?year=2026").json["data"]
    YearlyReportOut.model_validate(data)
    row = next(e for e in data["largest_expenses"] if e["entry_id"] == bill.id)
    assert row["category_id"] is None and row["split"] is True
    assert row["lines"] == [
        {"category_id": food.id, "subcategory_id": None, "amount": "350.00", "note": "groceries"},
        {"category_id": housing.id, "subcategory_id": None, "amount": "50.00", "note": "bulbs"},
    ]
    plain = next(e for e in data["largest_expenses"] if e["amount"] == "1500.00")
    assert plain["category_id"] == category(march, "expense.housing").id
    assert plain["split"] is False and plain["lines"] == []
    report = year_report(db.session, march, 2026, today(march))
    assert [e.is_split for e in report.largest_expenses] == [e["split"] for e in data["largest_expenses"]]
