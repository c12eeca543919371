"""One source of truth: for the same month the dashboard, the month report, the CSV export
and the PDF export give the same income, expenses and net to the cent — with paid, pending
and overdue entries and a transfer (never income or expense) in the month."""

from __future__ import annotations

import csv
import html
import io
import re
from decimal import Decimal

import pytest
import time_machine
from babel.numbers import parse_decimal

from tests.web.report_data import EXPENSE, INCOME, NET, NOW, fill_march

MONTH = "year=2026&month=3"


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def amount(text: str) -> Decimal:
    """R$6,234.56 / -R$1,899.90 (en) as a Decimal."""
    text = html.unescape(re.sub(r"<[^>]+>", "", text)).strip()
    sign = -1 if text.startswith("-") else 1
    return sign * parse_decimal(re.sub(r"[^\d.,]", "", text), locale="en")


def dashboard(client) -> tuple[Decimal, Decimal, Decimal]:
    page = client.get("/dashboard/2026/3").get_data(as_text=True)

    def metric(key):
        return amount(re.search(rf'data-metric="{key}">(.*?)</div>', page, re.S).group(1))

    income, expense = metric("received") + metric("to-receive"), metric("paid") + metric("to-pay")
    assert metric("projected") == income - expense
    return income, expense, metric("projected")


def month_report(client) -> tuple[Decimal, Decimal, Decimal]:
    page = client.get(f"/reports/month?{MONTH}").get_data(as_text=True)
    return tuple(
        amount(re.search(rf'data-total="{key}">(.*?)</div>', page, re.S).group(1))
        for key in ("income", "expense", "net")
    )


def csv_export(client) -> tuple[Decimal, Decimal, Decimal]:
    data = client.get(f"/exports/download?style=plain&period=month&{MONTH}").data
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    income = sum((Decimal(r["amount"]) for r in rows if r["kind"] == "income"), Decimal(0))
    expense = -sum((Decimal(r["amount"]) for r in rows if r["kind"] == "expense"), Decimal(0))
    assert sum(Decimal(r["amount"]) for r in rows) == income - expense
    return income, expense, income - expense


def pdf_export(client) -> str:
    from pypdf import PdfReader

    data = client.get(f"/exports/download?format=pdf&period=month&{MONTH}").data
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_the_same_month_gives_the_same_totals_everywhere(signed_in, household):
    fill_march(household)
    expected = (INCOME, EXPENSE, NET)
    assert dashboard(signed_in) == expected
    assert month_report(signed_in) == expected
    assert csv_export(signed_in) == expected
    pdf = pdf_export(signed_in)
    # The PDF's totals block: the three labels, then the three amounts.
    block = re.search(r"Income\s+Expenses\s+Net\s+(.*?)\n(.*?)\n(.*?)\n", pdf, re.S)
    assert block is not None, pdf[:1500]
    assert tuple(amount(line) for line in block.groups()) == expected
