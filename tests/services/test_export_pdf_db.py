"""PDFs made from a household's ledger through the same services the pages use (export
rows, period totals, category breakdown, month report), read back with pypdf: the figures
are the ledger's to the cent, transfers are neither income nor expense, and names in any
script come back as written."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from flask_babel import force_locale
from pypdf import PdfReader

from finora.extensions import db
from finora.models import Category
from finora.money import format_money
from finora.services.exports.entry_rows import export_rows
from finora.services.exports.pdf.entries_pdf import entries_pdf
from finora.services.exports.pdf.report_pdf import (
    account_report_pdf,
    budget_report_pdf,
    month_report_pdf,
    year_report_pdf,
)
from finora.services.planning.budgets import BudgetData, create_budget
from finora.services.reports.account_report import account_report
from finora.services.reports.budget_report import budget_report
from finora.services.reports.month_report import month_report
from finora.services.reports.totals import category_breakdown, period_totals
from finora.services.reports.year_report import year_report
from tests.factories import create_user
from tests.ledger_factories import category, household_of, make_account, make_entry, make_transfer

MARCH = (date(2026, 3, 1), date(2026, 3, 31))
TODAY = date(2026, 4, 2)
GENERATED = datetime(2026, 4, 2, 12, 0, tzinfo=UTC)


def _pages(data: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(data))
    return [page.extract_text().replace("\u00a0", " ") for page in reader.pages]


@pytest.fixture
def ledger(app):
    """March 2026: a salary, groceries, a trip under a custom category with emoji and ₹, an
    unpaid bill, a transfer (not income nor expense); February has one expense."""
    user = create_user(household_name="Família Ñandú €", currency="BRL")
    household = household_of(user)
    savings = make_account(household, name="Poupança ₹ 🐷", kind="savings")
    trips = Category(household_id=household.id, kind="expense", name="Viagens ✈️ 🍕")
    db.session.add(trips)
    db.session.flush()
    make_entry(household, kind="income", amount="5000.00", date=date(2026, 3, 5), description="Salário",
               paid_on=date(2026, 3, 5))
    make_entry(household, amount="1234.56", date=date(2026, 3, 10), description="Café Ünïcödé € ₹ 😀🍕",
               paid_on=date(2026, 3, 10))
    make_entry(household, amount="300.10", date=date(2026, 3, 31), description="Hotel", category=trips,
               subcategory=None, account=savings, paid_on=date(2026, 3, 31))
    make_entry(household, amount="99.99", date=date(2026, 3, 20), description="Conta de luz")
    make_entry(household, amount="800.00", date=date(2026, 2, 14), description="Fevereiro",
               paid_on=date(2026, 2, 14))
    make_transfer(household, savings, make_account(household, name="Corrente 2"), amount="700.00",
                  date=date(2026, 3, 15))
    return household


def test_the_entries_pdf_carries_the_ledgers_totals_and_names(ledger):
    with force_locale("pt"):
        rows = list(export_rows(db.session, ledger, *MARCH, None, today=TODAY, locale="pt"))
        totals = period_totals(db.session, ledger, *MARCH, None, today=TODAY)
        breakdown = category_breakdown(db.session, ledger, *MARCH, None, today=TODAY)
        data = entries_pdf(ledger, "Março de 2026", rows, totals, breakdown, GENERATED, "pt")
    assert (totals.income, totals.expense, totals.net) == (
        Decimal("5000.00"), Decimal("1634.65"), Decimal("3365.35"))
    pages = _pages(data)
    text = "\n".join(pages)
    assert "Família Ñandú €" in pages[0]
    assert "R$ 5.000,00\nR$ 1.634,65\nR$ 3.365,35" in pages[0]
    assert format_money(totals.net, "BRL", "pt").replace("\u00a0", " ") == "R$ 3.365,35"
    assert "Café Ünïcödé € ₹ 😀🍕" in text
    assert "Viagens ✈️ 🍕" in text or "Viagens ✈ 🍕" in text
    assert "Poupança ₹ 🐷" in text
    assert "700,00" not in text  # the transfer is not an entry
    assert "Fevereiro" not in text
    assert f"Página {len(pages)} de {len(pages)}" in pages[-1]


def test_the_month_report_pdf_compares_with_other_months(ledger):
    with force_locale("en"):
        report = month_report(db.session, ledger, 2026, 3, TODAY)
        data = month_report_pdf(ledger, None, "March 2026", report, GENERATED, "en")
    pages = _pages(data)
    text = "\n".join(pages)
    assert "Família Ñandú €" in pages[0]
    assert "Month report · March 2026" in pages[0]
    assert "R$5,000.00\nR$1,634.65\nR$3,365.35" in pages[0]
    assert "Savings rate: 67.3%" in pages[0]
    assert "February 2026" in text and "March 2025" in text
    # February: no income, 800.00 spent: expenses +834.65 (+104.3 %) against it.
    assert "+R$834.65 +104.3%" in " ".join(text.split())
    assert "Daily spending" in text
    assert "Bars: spent that day. Line: spent so far this month." in text
    assert "03/31/2026\nR$300.10\nR$1,634.65" in text
    assert "Viagens" in text
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in page


def test_an_empty_month_report_is_a_valid_pdf_saying_so(ledger):
    with force_locale("es"):
        report = month_report(db.session, ledger, 2025, 7, TODAY)
        data = month_report_pdf(ledger, None, "julio de 2025", report, GENERATED, "es")
    pages = _pages(data)
    assert len(pages) == 1
    assert "Página 1 de 1" in pages[0]
    assert "Família Ñandú €" in pages[0]


def test_the_year_report_pdf_has_the_months_the_heat_table_and_the_largest_entries(ledger):
    with force_locale("pt"):
        report = year_report(db.session, ledger, 2026, TODAY)
        data = year_report_pdf(ledger, None, "2026", report, GENERATED, "pt")
    pages = _pages(data)
    text = "\n".join(pages)
    assert "Família Ñandú €" in pages[0]
    # The year: 5,000.00 in; 800.00 (February) + 1,634.65 (March) out.
    assert "R$ 5.000,00\nR$ 2.434,65\nR$ 2.565,35" in pages[0]
    assert "Fevereiro\nR$ 0,00\nR$ 800,00\n-R$ 800,00" in text
    assert "Março\nR$ 5.000,00\nR$ 1.634,65\nR$ 3.365,35" in text
    # The heat table: food in February and March (1,234.56 + 99.99), then the month totals.
    assert "Alimentação\n800,00\n1.334,55" in text
    assert "Total\n800,00\n1.634,65" in text
    assert "Café Ünïcödé € ₹ 😀🍕\nR$ 1.234,56" in text  # the largest expense
    assert "Salário\nR$ 5.000,00" in text
    assert "Viagens" in text
    for number, page in enumerate(pages, start=1):
        assert f"Página {number} de {len(pages)}" in page


def test_an_empty_year_report_is_a_valid_pdf(ledger):
    with force_locale("en"):
        report = year_report(db.session, ledger, 2019, TODAY)
        data = year_report_pdf(ledger, None, "2019", report, GENERATED, "en")
    pages = _pages(data)
    assert len(pages) == 1
    assert "Page 1 of 1" in pages[0]
    assert "There are no entries in this period." in pages[0]
    assert "Largest expenses" not in pages[0]


def test_the_budget_report_pdf_shows_budgeted_actual_and_remaining(ledger):
    create_budget(db.session, ledger, BudgetData(category(ledger, "expense.food").id, "monthly", Decimal("1000.00")))
    db.session.commit()
    with force_locale("en"):
        report = budget_report(db.session, ledger, "month", 2026, 3, TODAY)
        data = budget_report_pdf(ledger, None, "March 2026", report, GENERATED, "en")
    pages = _pages(data)
    flat = " ".join(pages[0].split())
    assert "Budget against actual · March 2026" in flat
    # Food: 1,234.56 + 99.99 spent of 1,000.00: 334.55 over, 133.4 % (rounded down) used.
    assert "Food Monthly R$1,000.00 — R$1,000.00 R$1,334.55 -R$334.55 133.4%" in flat
    assert "Page 1 of 1" in pages[0]


def test_the_account_report_pdf_balances_every_account(ledger):
    with force_locale("en"):
        report = account_report(db.session, ledger, *MARCH)
        data = account_report_pdf(ledger, None, "March 2026", report, GENERATED, "en")
    pages = _pages(data)
    flat = " ".join(pages[0].split())
    assert "Accounts · March 2026" in flat
    assert "Poupança ₹ 🐷" in pages[0]
    # Savings: the hotel paid from it (300.10) and 700.00 sent to "Corrente 2".
    assert "Poupança ₹ 🐷 R$0.00 R$0.00 R$300.10 R$0.00 R$700.00 -R$1,000.10" in flat
    assert "Corrente 2 R$0.00 R$0.00 R$0.00 R$700.00 R$0.00 R$700.00" in flat
    columns = ("opening", "money_in", "money_out", "transfers_in", "transfers_out", "closing")
    total = " ".join(format_money(report.total(c), "BRL", "en") for c in columns)
    assert f"Total {total}" in flat
    assert "Balance corrections" not in flat  # no snapshot corrected a balance


def test_a_budget_report_without_budgets_is_a_valid_pdf_saying_so(ledger):
    with force_locale("en"):
        budgets = budget_report(db.session, ledger, "year", 2026, None, TODAY)
        pages = _pages(budget_report_pdf(ledger, None, "2026", budgets, GENERATED, "en"))
    assert len(pages) == 1
    assert "There are no budgets for this period." in pages[0]
    assert "Page 1 of 1" in pages[0]
