"""The export page and its download: the dashboard table's filters honoured, every format
read back (csv, openpyxl, pypdf), bad input shown on the form (400), another household's
account or category a 404, viewers allowed, the CSV streamed."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import date
from decimal import Decimal

import pytest
import time_machine

from finora.extensions import db
from tests.factories import PASSWORD, create_user
from tests.ledger_factories import category, household_of, make_account, make_entry
from tests.members_factories import add_member
from tests.web.report_data import NOW, fill_march

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def march(household):
    return fill_march(household)


def csv_rows(client, query: str) -> list[dict]:
    response = client.get("/exports/download?" + query)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))


def descriptions(client, query: str) -> list[str]:
    return [row["description"] for row in csv_rows(client, "style=plain&" + query)]


def test_the_form_offers_periods_filters_formats_and_styles(signed_in, march):
    page = signed_in.get("/exports/").get_data(as_text=True)
    for value in ("this_month", "month", "year", "range", "all"):
        assert f'name="period" id="period-{value}" value="{value}"' in page
    for value in ("csv", "xlsx", "txt", "pdf"):
        assert f'id="format-{value}" value="{value}"' in page
    for field in ("filter-q", "filter-kind", "filter-status", "filter-account", "filter-category", "filter-method"):
        assert f'id="{field}"' in page
    assert 'action="/exports/download"' in page


def test_this_month_by_default_with_a_file_name(signed_in, march):
    response = signed_in.get("/exports/download?style=plain")
    assert response.headers["Content-Disposition"] == 'attachment; filename="finora-2026-03.csv"'
    assert response.mimetype == "text/csv"
    assert response.is_streamed
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert [r["description"] for r in rows] == ["Supermarket", "Salary", "Rent", "Internet", "Freelance"]
    rent = rows[2]
    assert (rent["amount"], rent["kind"], rent["status"], rent["paid_on"]) == ("-1500.00", "expense", "overdue", "")
    assert (rent["category"], rent["subcategory"], rent["account"]) == ("Housing", "Rent", "Main account")


@pytest.mark.parametrize(
    ("query", "expected", "name"),
    [
        ("period=month&ym=2026-02", ["February shop"], "finora-2026-02.csv"),
        ("period=month&year=2025&month=3", ["Old salary"], "finora-2025-03.csv"),
        ("period=year&year=2026", ["February shop", "Supermarket", "Salary", "Rent", "Internet", "Freelance"],
         "finora-2026.csv"),
        ("period=range&start=2026-03-05&end=2026-03-10", ["Salary", "Rent"], "finora-2026-03-05_2026-03-10.csv"),
        ("period=all", ["Old salary", "February shop", "Supermarket", "Salary", "Rent", "Internet", "Freelance"],
         "finora-all.csv"),
    ],
)
def test_periods(signed_in, march, query, expected, name):
    response = signed_in.get("/exports/download?style=plain&" + query)
    assert response.headers["Content-Disposition"] == f'attachment; filename="{name}"'
    assert [r["description"] for r in csv.DictReader(io.StringIO(response.data.decode("utf-8-sig")))] == expected


def test_filters_are_honoured(signed_in, household, march):
    month = "period=month&year=2026&month=3&"
    assert descriptions(signed_in, month + "kind=income") == ["Salary", "Freelance"]
    assert descriptions(signed_in, month + "status=overdue") == ["Rent"]
    assert descriptions(signed_in, month + "status=pending") == ["Internet", "Freelance"]
    assert descriptions(signed_in, month + "status=paid") == ["Supermarket", "Salary"]
    assert descriptions(signed_in, month + f"account={march['wallet'].id}") == ["Internet"]
    food = category(household, "expense.food").id
    assert descriptions(signed_in, month + f"category={food}") == ["Supermarket"]
    rent = category(household, "expense.housing.rent").id
    assert descriptions(signed_in, month + f"category={rent}") == ["Rent"]
    assert descriptions(signed_in, month + "method=credit_card") == ["Internet"]
    assert descriptions(signed_in, month + "q=super") == ["Supermarket"]
    assert descriptions(signed_in, month + "kind=expense&method=bank_transfer") == ["Rent"]
    assert descriptions(signed_in, month + "kind=transfer") == []


def test_the_locale_style(app, client):
    user = create_user(locale="pt", email="pt@example.com")
    fill_march(household_of(user))
    client.post("/login", data={"email": user.email, "password": PASSWORD})
    data = client.get("/exports/download?period=month&year=2026&month=3&status=overdue").data
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[1][:3] == ["10/03/2026", "Rent", "-1.500,00"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("period=decade", "The period must be month, year, range or all."),
        ("period=range&start=2026-03-10&end=2026-03-01", "The end date is before the start date."),
        ("period=range&start=2000-01-01&end=2026-03-01", "A range can span at most 20 years."),
        ("period=range&start=10/03/2026&end=2026-03-31", "“10/03/2026” is not a date."),
        ("period=month&year=2026&month=13", "“13” is not a month (1 to 12)."),
        ("period=year&year=²&month=3", "“²” is not a year."),
        ("account=abc", "The account must be chosen from the list."),
        ("category=-3", "The category must be chosen from the list."),
        ("kind=gift", "Choose a type from the list."),
        ("status=lost", "Choose a status from the list."),
        ("method=cheque", "Choose a payment method from the list."),
        ("format=docx", "Choose a format and a style from the list."),
        ("style=fancy", "Choose a format and a style from the list."),
        ("q=" + "x" * 101, "The search can be at most 100 characters."),
    ],
)
def test_bad_input_shows_the_form_with_the_error(signed_in, march, query, message):
    response = signed_in.get("/exports/download?" + query)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    error = re.search(r'id="export-error">(.*?)</div>', page, re.S)
    assert error is not None and html.unescape(error.group(1)).strip() == message
    assert 'id="export-form"' in page


def test_the_form_keeps_what_was_typed(signed_in, march):
    page = signed_in.get(
        f"/exports/download?period=range&start=2026-03-10&end=2026-03-01&account={march['wallet'].id}&q=net&format=pdf"
    ).get_data(as_text=True)
    assert 'id="period-range" value="range" checked' in page
    assert 'value="2026-03-10"' in page and 'value="2026-03-01"' in page
    assert f'<option value="{march["wallet"].id}" selected>' in page
    assert 'id="filter-q" name="q" value="net"' in page
    assert 'id="format-pdf" value="pdf" checked' in page


def test_another_households_account_or_category_is_404(app, signed_in, march):
    stranger = household_of(create_user(email="stranger@example.com"))
    account = make_account(stranger, name="Theirs")
    their_food = category(stranger, "expense.food")
    for query in (f"account={account.id}", f"category={their_food.id}", "account=2147483647"):
        assert signed_in.get("/exports/download?" + query).status_code == 404, query


def test_viewers_may_export(app, household, march):
    viewer = add_member(household, "viewer")
    client = app.test_client()
    client.post("/login", data={"email": viewer.email, "password": PASSWORD})
    assert client.get("/exports/").status_code == 200
    assert [r["description"] for r in csv_rows(client, "style=plain&kind=income")] == ["Salary", "Freelance"]


def test_an_empty_period_gives_valid_empty_files(signed_in, march):
    from openpyxl import load_workbook
    from pypdf import PdfReader

    empty = "period=month&year=2026&month=7&"
    rows = list(csv.reader(io.StringIO(signed_in.get("/exports/download?style=plain&" + empty).data.decode("utf-8-sig"))))
    assert rows == [["date", "description", "amount", "kind", "category", "subcategory", "account",
                     "payment_method", "status", "paid_on", "notes", "rule", "import", "payee", "tags", "split"]]
    book = load_workbook(io.BytesIO(signed_in.get("/exports/download?format=xlsx&" + empty).data))
    assert book.worksheets[0].max_row == 1
    pdf = signed_in.get("/exports/download?format=pdf&" + empty).data
    assert pdf.startswith(b"%PDF") and len(PdfReader(io.BytesIO(pdf)).pages) >= 1
    txt = signed_in.get("/exports/download?format=txt&" + empty)
    assert txt.status_code == 200 and txt.mimetype == "text/plain"


def test_xlsx_txt_and_pdf(signed_in, march):
    from openpyxl import load_workbook
    from pypdf import PdfReader

    query = "period=month&year=2026&month=3&kind=expense"
    response = signed_in.get(f"/exports/download?format=xlsx&{query}")
    assert response.mimetype == XLSX
    assert response.headers["Content-Disposition"] == 'attachment; filename="finora-2026-03.xlsx"'
    sheet = load_workbook(io.BytesIO(response.data)).worksheets[0]
    amounts = sorted(Decimal(str(row[2])) for row in sheet.iter_rows(min_row=2, values_only=True))
    assert amounts == [Decimal("-1500"), Decimal("-300"), Decimal("-99.9")]
    assert isinstance(sheet["A2"].value, __import__("datetime").datetime)

    response = signed_in.get(f"/exports/download?format=txt&{query}")
    assert response.headers["Content-Disposition"] == 'attachment; filename="finora-2026-03.txt"'
    text = response.data.decode("utf-8")
    assert "Rent" in text and "1,899.90" in text and "Salary" not in text

    response = signed_in.get(f"/exports/download?format=pdf&{query}")
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == 'attachment; filename="finora-2026-03.pdf"'
    pdf = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    assert "Rent" in pdf and "1,899.90" in pdf and "Freelance" not in pdf


def test_the_csv_streams(signed_in, household):
    """The response is a generator: the BOM and the header come before any entry is read."""
    for n in range(30):
        make_entry(household, description=f"Item {n}", amount="1.00", date=date(2026, 3, 1 + n % 28), commit=False)
    db.session.commit()
    response = signed_in.get("/exports/download?style=plain", buffered=False)
    assert response.is_streamed
    chunks = iter(response.response)
    first = next(chunks)
    assert first.startswith(b"\xef\xbb\xbfdate,description,amount")
    rest = b"".join(chunks)
    assert rest.count(b"Item ") == 30
    response.close()


def test_the_dashboard_links_to_the_export_with_its_filters(signed_in, march):
    page = signed_in.get(f"/dashboard/2026/3?kind=expense&account={march['wallet'].id}&q=net").get_data(as_text=True)
    link = html.unescape(re.search(r'id="export-link" href="([^"]+)"', page).group(1))
    assert link.startswith("/exports/?")
    for part in ("period=month", "ym=2026-03", "kind=expense", f"account={march['wallet'].id}", "q=net"):
        assert part in link
    form = signed_in.get(link).get_data(as_text=True)
    assert 'id="period-month" value="month" checked' in form
    assert 'id="export-ym" name="ym" value="2026-03"' in form
    assert f'<option value="{march["wallet"].id}" selected>' in form
    assert '<option value="expense" selected>' in form
