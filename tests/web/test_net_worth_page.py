"""The net worth page and its downloads: the figures of tests/net_worth_data.py formatted in
English and Portuguese, the honest empty state, viewers read it, another household's money
never shows, bad months are 400, and every download holds the page's table."""

from __future__ import annotations

import csv
import html
import io
import json
import re

import pytest
import time_machine
from sqlalchemy import select

from finora.extensions import db
from finora.models import Account
from tests.factories import PASSWORD, create_user
from tests.ledger_factories import household_of, make_account
from tests.members_factories import add_member
from tests.net_worth_data import EXPECTED, NOW, fill_net_worth
from tests.web.test_reports_pages import get, text_of, total

RANGE = "from=2026-01&to=2026-03"


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def filled(household):
    return fill_net_worth(household)


def table_rows(page: str) -> list[str]:
    body = re.search(r'id="report-net-worth">.*?<tbody>(.*?)</tbody>', page, re.S).group(1)
    return [text_of(row).strip().replace("+ R$", "+R$") for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)]


def test_the_page_in_english(signed_in, filled):
    page = get(signed_in, "/reports/net-worth")
    assert total(page, "assets") == "R$5,200.00"
    assert total(page, "liabilities") == "R$100.00"
    assert total(page, "net") == "R$5,100.00"
    # Newest first; the months before the first account are not shown.
    assert table_rows(page) == [
        "Mar 2026 R$5,200.00 R$100.00 R$5,100.00 +R$2,150.00",
        "Feb 2026 R$2,950.00 R$0.00 R$2,950.00 +R$200.00",
        "Jan 2026 R$3,050.00 R$300.00 R$2,750.00 —",
    ]
    assert "April 2025 – March 2026" in text_of(page)
    figure = json.loads(html.unescape(re.search(r'id="chart-net-worth"[^>]*data-figure="([^"]*)"', page).group(1)))
    assets, liabilities, net = figure["data"]
    assert assets["x"] == ["Jan 2026", "Feb 2026", "Mar 2026"]
    assert assets["y"] == [3050.0, 2950.0, 5200.0]
    assert liabilities["y"] == [-300.0, 0.0, -100.0] and liabilities["text"][0] == "R$300.00"
    assert net["y"] == [2750.0, 2950.0, 5100.0]
    # The reports' tabs link the page; the downloads keep the range.
    assert 'href="/reports/net-worth"' in get(signed_in, "/reports/month")
    assert 'id="download-csv" href="/reports/net-worth.csv?from=2025-04&amp;to=2026-03"' in page


def test_the_page_in_portuguese(app, client):
    user = create_user(locale="pt", email="pt@example.com")
    fill_net_worth(household_of(user))
    client.post("/login", data={"email": user.email, "password": PASSWORD})
    page = get(client, f"/reports/net-worth?{RANGE}")
    assert total(page, "net") == "R$ 5.100,00"
    assert table_rows(page) == [
        "Mar. 2026 R$ 5.200,00 R$ 100,00 R$ 5.100,00 +R$ 2.150,00",
        "Fev. 2026 R$ 2.950,00 R$ 0,00 R$ 2.950,00 +R$ 200,00",
        "Jan. 2026 R$ 3.050,00 R$ 300,00 R$ 2.750,00 —",
    ]
    rows = list(csv.reader(io.StringIO(client.get(f"/reports/net-worth.csv?{RANGE}").data.decode("utf-8-sig")),
                           delimiter=";"))
    assert rows[-1] == ["2026-03", "5.200,00", "100,00", "5.100,00", "2.150,00"]
    text = text_of(page)
    assert "Janeiro 2026 – Março 2026" in text


def test_a_range(signed_in, filled):
    page = get(signed_in, "/reports/net-worth?from=2026-02&to=2026-02")
    assert table_rows(page) == ["Feb 2026 R$2,950.00 R$0.00 R$2,950.00 +R$200.00"]


def test_an_honest_empty_state(signed_in, household):
    for account in db.session.scalars(select(Account).where(Account.household_id == household.id)):
        db.session.delete(account)
    db.session.commit()
    page = get(signed_in, "/reports/net-worth")
    assert "No accounts yet." in text_of(page)
    assert 'id="chart-net-worth"' not in page and 'id="report-net-worth"' not in page
    make_account(household, name="Late", opening_date=NOW.date())
    page = get(signed_in, "/reports/net-worth?from=2025-01&to=2025-12")
    assert "No account was open in these months." in text_of(page)
    # Open, but every balance at zero (a new household): the months, and no empty chart.
    page = get(signed_in, "/reports/net-worth")
    assert "Every account is at zero in these months" in text_of(page)
    assert 'id="chart-net-worth"' not in page and 'id="report-net-worth"' in page


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("from=2026-13", "“2026-13” is not a month (YYYY-MM)."),
        ("to=march", "“march” is not a month (YYYY-MM)."),
        ("from=2026-03&to=2026-01", "The first month is after the last one."),
        ("from=2010-01&to=2026-03", "Net worth can span at most 120 months."),
    ],
)
def test_bad_months_are_400_with_the_message(signed_in, query, message):
    assert message in text_of(get(signed_in, f"/reports/net-worth?{query}", 400))
    assert message in get(signed_in, f"/reports/net-worth.csv?{query}", 400)


def test_viewers_read_it(app, household, filled):
    viewer = add_member(household, "viewer")
    client = app.test_client()
    client.post("/login", data={"email": viewer.email, "password": PASSWORD})
    for path in ("/reports/net-worth", "/reports/net-worth.csv", "/reports/net-worth.xlsx", "/reports/net-worth.pdf"):
        assert client.get(path).status_code == 200, path
    assert client.post("/reports/net-worth").status_code == 405


def test_anonymous_is_sent_to_sign_in(client):
    for path in ("/reports/net-worth", "/reports/net-worth.csv"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.location


def test_another_households_money_never_shows(app, filled):
    other = create_user(email="other@example.com")
    client = app.test_client()
    client.post("/login", data={"email": other.email, "password": PASSWORD})
    page = get(client, f"/reports/net-worth?{RANGE}")
    assert "5,100.00" not in page and "2,750.00" not in page
    assert table_rows(page) == ["Mar 2026 R$0.00 R$0.00 R$0.00 —"]
    data = client.get(f"/reports/net-worth.csv?{RANGE}").data.decode("utf-8-sig")
    assert "5,100.00" not in data


# Downloads: the page's table, oldest first.


def test_the_csv_is_the_pages_table(signed_in, filled):
    response = signed_in.get(f"/reports/net-worth.csv?{RANGE}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="finora-net-worth-2026-01_2026-03.csv"'
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0] == ["Net worth"]
    assert rows[1] == ["Month", "Assets", "Liabilities", "Net worth", "Change from the month before"]
    assert rows[2:] == [
        ["2026-01", "3,050.00", "300.00", "2,750.00", ""],
        ["2026-02", "2,950.00", "0.00", "2,950.00", "200.00"],
        ["2026-03", "5,200.00", "100.00", "5,100.00", "2,150.00"],
    ]


def test_the_xlsx_is_the_pages_table(signed_in, filled):
    from openpyxl import load_workbook

    response = signed_in.get(f"/reports/net-worth.xlsx?{RANGE}")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[0] == ["Month", "Assets", "Liabilities", "Net worth", "Change from the month before"]
    got = [(r[0], *(None if v is None else round(float(v), 2) for v in r[1:])) for r in values[1:]]
    assert got == [(label, *(None if v is None else float(v) for v in rest)) for label, *rest in EXPECTED]


def test_the_pdf_prints_the_table(signed_in, filled):
    from pypdf import PdfReader

    response = signed_in.get(f"/reports/net-worth.pdf?{RANGE}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    for figure in ("R$3,050.00", "R$2,750.00", "R$5,100.00", "+R$2,150.00", "January 2026", "March 2026"):
        assert figure in text, figure
