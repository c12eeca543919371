"""The report pages: figures checked by hand (tests/web/report_data.py), Portuguese labels,
honest empty states, bad periods (400 with the message) and every download opened by a real
reader (csv, openpyxl, pypdf)."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import date
from decimal import Decimal

import pytest
import time_machine

from tests.factories import PASSWORD, create_user
from tests.ledger_factories import household_of
from tests.members_factories import add_member
from tests.web.report_data import NOW, fill_march


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def march(household):
    return fill_march(household)


def text_of(page: str) -> str:
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def total(page: str, key: str) -> str:
    found = re.search(rf'data-total="{key}">(.*?)</div>', page, re.S)
    return text_of(found.group(1)).strip()


def get(client, path: str, status: int = 200) -> str:
    response = client.get(path)
    assert response.status_code == status, (path, response.status_code)
    return response.get_data(as_text=True)


def test_reports_opens_on_the_month(signed_in):
    response = signed_in.get("/reports/")
    assert response.status_code == 302 and response.location.endswith("/reports/month")


def test_month_report(signed_in, march):
    page = get(signed_in, "/reports/month?year=2026&month=3")
    assert total(page, "income") == "R$6,234.56"
    assert total(page, "expense") == "R$1,899.90"
    assert total(page, "net") == "R$4,334.66"
    assert total(page, "rate") == "69.5%"
    text = text_of(page)
    assert "March 2026" in text
    # Categories, each with its subcategories (the freelance income has none).
    expenses = text_of(re.search(r'id="report-expense-categories">(.*?)</ul>', page, re.S).group(1))
    assert re.search(r"Housing R\$1,500\.00 79\.0% .*Rent R\$1,500\.00", expenses)
    assert expenses.index("Housing") < expenses.index("Food") < expenses.index("Telecom")
    income = text_of(re.search(r'id="report-income-categories">(.*?)</ul>', page, re.S).group(1))
    assert re.search(r"Work R\$6,234\.56 100\.0% .*Salary R\$5,000\.00 .*\(no subcategory\) R\$1,234\.56", income)
    # The comparison: February (expenses 200.00) and March 2025 (income 3,000.00).
    comparison = text_of(re.search(r'id="report-comparison">(.*?)</table>', page, re.S).group(1))
    comparison = comparison.replace("+ R$", "+R$")
    assert "Previous month February 2026 R$0.00 Difference: +R$6,234.56" in comparison
    assert "R$200.00 Difference: +R$1,699.90 (+850.0%)" in comparison
    assert "Same month last year March 2025 R$3,000.00 Difference: +R$3,234.56 (+107.8%)" in comparison
    # The timeline: one bar per day of March, the running total ends at the month's expenses.
    figure = re.search(r'id="chart-daily"[^>]*data-figure="([^"]*)"', page).group(1)
    data = __import__("json").loads(html.unescape(figure))["data"]
    assert len(data[0]["x"]) == 31 and data[0]["y"][1] == 300.0 and data[0]["y"][9] == 1500.0
    assert data[1]["y"][-1] == 1899.9
    # The transfer is neither income nor expense anywhere.
    assert "700.00" not in text


def test_month_report_in_portuguese(app, client):
    user = create_user(locale="pt", email="pt@example.com")
    fill_march(household_of(user))
    client.post("/login", data={"email": user.email, "password": PASSWORD})
    page = get(client, "/reports/month?year=2026&month=3")
    assert total(page, "income") == "R$ 6.234,56"
    assert total(page, "rate") == "69,5%"
    assert "Março 2026" in text_of(page)


def test_an_empty_month_says_so(signed_in, march):
    page = get(signed_in, "/reports/month?year=2026&month=6")
    assert "No entries in June 2026." in text_of(page)
    assert 'id="chart-daily"' not in page
    assert total(page, "rate") == "—"


def test_month_picker_and_neighbours(signed_in, march):
    page = get(signed_in, "/reports/month?ym=2026-03")
    assert total(page, "expense") == "R$1,899.90"
    assert 'id="period-previous" href="/reports/month?period=month&amp;year=2026&amp;month=2"' in page
    assert 'id="period-next" href="/reports/month?period=month&amp;year=2026&amp;month=4"' in page
    # Without a month: the household's current one.
    assert "March 2026" in text_of(get(signed_in, "/reports/month"))


def test_year_report(signed_in, march):
    page = get(signed_in, "/reports/year?year=2026")
    assert total(page, "income") == "R$6,234.56"
    assert total(page, "expense") == "R$2,099.90"
    assert total(page, "net") == "R$4,134.66"
    months = text_of(re.search(r'id="report-months">(.*?)</table>', page, re.S).group(1))
    assert "Feb R$0.00 R$200.00 -R$200.00" in months
    assert "Mar R$6,234.56 R$1,899.90 R$4,334.66" in months
    assert "Total R$6,234.56 R$2,099.90 R$4,134.66" in months
    heat = re.search(r'id="report-heat">(.*?)</table>', page, re.S).group(1)
    food = re.search(r"<tr>\s*<th[^>]*>Food</th>(.*?)</tr>", heat, re.S).group(1)
    cells = re.findall(r'<td class="text-end heat-(\d)">([^<]*)</td>', food)
    assert cells[1] == ("1", "200.00") and cells[2] == ("1", "300.00") and cells[0] == ("0", "—")
    housing = re.search(r"<tr>\s*<th[^>]*>Housing</th>(.*?)</tr>", heat, re.S).group(1)
    assert ("4", "1,500.00") in re.findall(r'<td class="text-end heat-(\d)">([^<]*)</td>', housing)
    largest = text_of(re.search(r'id="report-largest-expense">(.*?)</table>', page, re.S).group(1))
    assert largest.index("Rent") < largest.index("Supermarket") < largest.index("February shop")
    assert 'data-month-url="/reports/month?year=2026&amp;month=99"' in page


def test_an_empty_year_says_so(signed_in, march):
    page = get(signed_in, "/reports/year?year=2024")
    assert "No entries in 2024." in text_of(page)
    assert 'id="report-heat"' not in page


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/reports/month?year=2026&month=13", "“13” is not a month (1 to 12)."),
        ("/reports/month?year=20x6&month=3", "“20x6” is not a year."),
        ("/reports/year?year=abc", "“abc” is not a year."),
        ("/reports/budget?period=decade", "The period must be month, year, range or all."),
        ("/reports/accounts?period=all", "The period must be month, year, range or all."),
        ("/reports/accounts?period=range&start=2026-03-10&end=2026-03-01", "The end date is before the start date."),
        ("/reports/accounts?period=range&start=2000-01-01&end=2026-03-01", "A range can span at most 20 years."),
        ("/reports/accounts?period=range&start=2026-02-30&end=2026-03-01", "“2026-02-30” is not a date."),
        ("/reports/month.csv?month=0", "“0” is not a month (1 to 12)."),
    ],
)
def test_bad_periods_are_400_with_the_message(signed_in, path, message):
    assert message in text_of(get(signed_in, path, 400))


def test_an_unknown_download_format_is_404(signed_in):
    get(signed_in, "/reports/month.doc", 404)


def test_viewers_read_the_reports(app, household, march):
    viewer = add_member(household, "viewer")
    client = app.test_client()
    client.post("/login", data={"email": viewer.email, "password": PASSWORD})
    for path in ("/reports/month?year=2026&month=3", "/reports/year?year=2026",
                 "/reports/month.csv?year=2026&month=3"):
        assert client.get(path).status_code == 200, path


def test_reports_are_the_households_own(app, march):
    other = create_user(email="other@example.com")
    client = app.test_client()
    client.post("/login", data={"email": other.email, "password": PASSWORD})
    page = get(client, "/reports/month?year=2026&month=3")
    assert "No entries in March 2026." in text_of(page)


# Downloads


def download(client, path: str, mimetype: str, name: str) -> bytes:
    response = client.get(path)
    assert response.status_code == 200, path
    assert response.mimetype == mimetype
    assert response.headers["Content-Disposition"] == f'attachment; filename="{name}"'
    return response.data


def test_month_csv(signed_in, march):
    data = download(signed_in, "/reports/month.csv?year=2026&month=3", "text/csv",
                    "finora-month-2026-03.csv")
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["Totals"]
    assert rows[1] == ["Income", "Expenses", "Net savings", "Savings rate", "Entries"]
    assert rows[2] == ["6,234.56", "1,899.90", "4,334.66", "69.5%", "5"]
    assert ["Housing", "Rent", "1,500.00"] in rows
    assert ["Work", "(no subcategory)", "1,234.56"] in rows
    assert ["2026-02", "0.00", "200.00", "-200.00", "6,234.56", "1,699.90", "4,534.66"] in rows


def test_month_csv_in_portuguese_uses_semicolons(app, client):
    user = create_user(locale="pt", email="pt@example.com")
    fill_march(household_of(user))
    client.post("/login", data={"email": user.email, "password": PASSWORD})
    data = client.get("/reports/month.csv?year=2026&month=3").data
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[2][:3] == ["6.234,56", "1.899,90", "4.334,66"]


def test_month_xlsx(signed_in, march):
    from decimal import Decimal

    from openpyxl import load_workbook

    data = download(
        signed_in, "/reports/month.xlsx?year=2026&month=3",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "finora-month-2026-03.xlsx",
    )
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames[:3] == ["Totals", "Expenses by category", "Income by category"]
    totals = book["Totals"]
    assert [c.value for c in totals[1]] == ["Income", "Expenses", "Net savings", "Savings rate", "Entries"]
    assert [Decimal(str(c.value)) for c in totals[2][:3]] == [Decimal("6234.56"), Decimal("1899.9"), Decimal("4334.66")]
    assert "R$" in totals["A2"].number_format
    assert totals.freeze_panes == "A2"
    days = book["Spending, day by day"]
    assert days["A2"].is_date and days["A32"].value.day == 31


def test_month_pdf(signed_in, march):
    from pypdf import PdfReader

    data = download(signed_in, "/reports/month.pdf?year=2026&month=3", "application/pdf",
                    "finora-month-2026-03.pdf")
    assert data.startswith(b"%PDF")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    for figure in ("6,234.56", "1,899.90", "4,334.66"):
        assert figure in text


def test_year_csv_and_xlsx(signed_in, march):
    from openpyxl import load_workbook

    data = download(signed_in, "/reports/year.csv?year=2026", "text/csv", "finora-year-2026.csv")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert ["2026-03", "6,234.56", "1,899.90", "4,334.66"] in rows
    assert ["Total", "6,234.56", "2,099.90", "4,134.66"] in rows
    data = download(
        signed_in, "/reports/year.xlsx?year=2026",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "finora-year-2026.xlsx",
    )
    heat = load_workbook(io.BytesIO(data))["Expenses by category and month"]
    assert heat["A1"].value == "Category" and heat["N1"].value == "Total"
    assert {row[0].value for row in heat.iter_rows(min_row=2)} == {"Housing", "Food", "Telecom"}


def test_report_pages_link_their_downloads(signed_in, march):
    page = get(signed_in, "/reports/month?year=2026&month=3")
    for fmt in ("pdf", "csv", "xlsx"):
        assert f'href="/reports/month.{fmt}?period=month&amp;year=2026&amp;month=3"' in page


# Budget against actual


@pytest.fixture
def budgets(household, march):
    from finora.extensions import db
    from finora.services.planning.budgets import BudgetData, create_budget
    from tests.ledger_factories import category
    from tests.planning_factories import make_rule

    create_budget(db.session, household, BudgetData(category(household, "expense.food").id, "monthly", Decimal("250.00")))
    create_budget(db.session, household, BudgetData(category(household, "expense.housing").id, "yearly", Decimal("20000.00")))
    db.session.commit()
    # Groceries every Thursday from 5 March: still to come after today (15 March) are the
    # 19th and the 26th, 40.00 each.
    make_rule(household, name="Weekly groceries", amount=Decimal("40.00"), category_code="expense.food",
              frequency="weekly", anchor_date=date(2026, 3, 5), auto_post=False)


def row_text(page: str, table_id: str, label: str) -> str:
    table = re.search(rf'id="{table_id}">(.*?)</table>', page, re.S).group(1)
    for row in re.findall(r"<tr\b.*?</tr>", table, re.S):
        if label in text_of(row):
            return text_of(row).strip()
    raise AssertionError(f"no row {label!r} in {table_id}")


def test_budget_report_for_a_month(signed_in, budgets):
    page = get(signed_in, "/reports/budget?period=month&year=2026&month=3")
    food = row_text(page, "report-budgets", "Food")
    assert food.startswith("Food R$250.00 — R$250.00 R$300.00 -R$50.00 120.0% R$80.00 R$380.00 152.0%")
    assert "Now: Over budget" in food
    # A yearly budget is not a month's.
    assert "Housing" not in text_of(re.search(r'id="report-budgets">(.*?)</table>', page, re.S).group(1))


def test_budget_report_for_a_year(signed_in, budgets):
    page = get(signed_in, "/reports/budget?period=year&year=2026")
    food = row_text(page, "report-budgets", "Food")
    assert food.startswith("Food Monthly budget × 12 R$3,000.00 — R$3,000.00 R$500.00 R$2,500.00 16.6%")
    housing = row_text(page, "report-budgets", "Housing")
    assert housing.startswith("Housing R$20,000.00 — R$20,000.00 R$1,500.00 R$18,500.00 7.5%")


def test_budget_report_without_budgets(signed_in, march):
    page = get(signed_in, "/reports/budget?period=month&year=2026&month=3")
    assert "No budgets for March 2026." in text_of(page)


def test_budget_csv(signed_in, budgets):
    data = download(signed_in, "/reports/budget.csv?period=month&year=2026&month=3",
                    "text/csv", "finora-budget-2026-03.csv")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["Budget against actual"]
    assert ["Food", "Monthly", "250.00", "", "250.00", "300.00", "-50.00", "120.0%", "80.00", "380.00", "152.0%"] in rows


# Accounts


def test_account_report(signed_in, march):
    page = get(signed_in, "/reports/accounts?period=month&year=2026&month=3")
    # Opening | in | out | transfers in | transfers out | closing. Only paid entries move
    # money (the rent and the internet are unpaid); the February shop is before March.
    main = row_text(page, "report-accounts", "Main account")
    assert main == "Main account -R$200.00 R$5,000.00 R$300.00 R$0.00 R$700.00 R$3,800.00"
    assert row_text(page, "report-accounts", "Savings box") == "Savings box R$0.00 R$0.00 R$0.00 R$700.00 R$0.00 R$700.00"
    assert row_text(page, "report-accounts", "Wallet") == "Wallet R$0.00 R$0.00 R$0.00 R$0.00 R$0.00 R$0.00"


def test_account_report_for_a_range_and_its_xlsx(signed_in, march):
    from openpyxl import load_workbook

    page = get(signed_in, "/reports/accounts?period=range&start=2026-03-08&end=2026-03-08")
    assert row_text(page, "report-accounts", "Savings box").endswith("R$700.00 R$0.00 R$700.00")
    data = download(
        signed_in, "/reports/accounts.xlsx?period=range&start=2026-03-08&end=2026-03-08",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "finora-accounts-2026-03-08_2026-03-08.xlsx",
    )
    sheet = load_workbook(io.BytesIO(data))["Accounts"]
    rows = {row[0]: row[1:] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert [Decimal(str(v)) for v in rows["Savings box"]] == [0, 0, 0, Decimal("700"), 0, 0, Decimal("700")]
    assert [Decimal(str(v)) for v in rows["Main account"]][3:5] == [0, Decimal("700")]
    assert Decimal(str(rows["Total"][3])) == Decimal("700") == Decimal(str(rows["Total"][4]))


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    assert data.startswith(b"%PDF")
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_budget_and_accounts_pdfs(signed_in, budgets):
    text = pdf_text(download(signed_in, "/reports/budget.pdf?period=month&year=2026&month=3",
                             "application/pdf", "finora-budget-2026-03.pdf"))
    assert "Food" in text and "250.00" in text and "300.00" in text
    text = pdf_text(download(signed_in, "/reports/accounts.pdf?period=month&year=2026&month=3",
                             "application/pdf", "finora-accounts-2026-03.pdf"))
    assert "Main account" in text and "5,000.00" in text and "3,800.00" in text


def test_year_pdf(signed_in, march):
    text = pdf_text(download(signed_in, "/reports/year.pdf?year=2026", "application/pdf",
                             "finora-year-2026.pdf"))
    assert "6,234.56" in text and "2,099.90" in text


def test_every_report_links_its_pdf(signed_in, march):
    for tab in ("month", "year", "budget", "accounts"):
        assert 'id="download-pdf"' in get(signed_in, f"/reports/{tab}"), tab
