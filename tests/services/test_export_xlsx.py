"""The XLSX export opened with openpyxl: real dates and signed numbers in the household's
currency format, a frozen and filtered header, text never a formula, a totals sheet that
agrees with period_totals, and an empty period."""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from finora.extensions import db
from finora.services.exports.entry_rows import ExportRow, export_rows
from finora.services.exports.xlsx_export import currency_format, entries_xlsx
from finora.services.reports.totals import category_breakdown, period_totals
from tests.export_factories import TODAY, build_ledger

MARCH = (date(2026, 3, 1), date(2026, 3, 31))
D = Decimal


@pytest.fixture
def ledger(app):
    return build_ledger()


def workbook(ledger, locale="pt", start=MARCH[0], end=MARCH[1], currency=None):
    household = ledger.household
    if currency:
        household.currency = currency
    rows = export_rows(db.session, household, start, end, None, today=TODAY, locale=locale)
    breakdown = category_breakdown(db.session, household, start, end, today=TODAY)
    totals = period_totals(db.session, household, start, end, today=TODAY)
    data = entries_xlsx(household, "março de 2026", rows, breakdown, locale, totals=totals)
    return load_workbook(io.BytesIO(data)), totals


def test_entries_are_real_dates_and_signed_numbers_in_the_households_currency(ledger):
    book, _totals = workbook(ledger, "pt", currency="BRL")
    sheet = book.worksheets[0]
    table = list(sheet.iter_rows(values_only=True))
    assert len(table) == 8 and len(table[0]) == 16
    by = {row[1]: row for row in table[1:]}
    market = by["Mercado"]
    assert market[0] == datetime(2026, 3, 12)
    assert market[2] == pytest.approx(-1234.56) and D(str(market[2])) == D("-1234.56")
    assert market[3] == "Despesa" and market[4] == "Alimentação" and market[7] == "Cartão de crédito"
    assert market[9] is None  # not paid
    assert by["Salário"][2] == 5000 and by["Salário"][9] == datetime(2026, 3, 6)
    assert by["Tarifa"][12] == f"extrato março.csv #{ledger.batch.id}"
    row = next(r for r in sheet.iter_rows(min_row=2) if r[1].value == "Mercado")
    assert row[0].is_date and row[0].number_format == "dd/mm/yyyy"
    assert row[2].data_type == "n" and row[2].number_format == '"R$" #,##0.00;-"R$" #,##0.00'
    # The sum of the column is the month's net to the cent.
    assert sum(D(str(r[2])) for r in table[1:]) == D("2205.44")


def test_header_frozen_and_filtered_over_the_used_range_with_widths(ledger):
    sheet = workbook(ledger, "en")[0].worksheets[0]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:P8"
    assert sheet.column_dimensions["B"].width == 40
    assert next(sheet.iter_rows(max_row=1, values_only=True))[:3] == ("Date", "Description", "Amount")
    assert sheet["A2"].number_format == "mm/dd/yyyy"


def test_currency_formats_follow_the_locale():
    assert currency_format("BRL", "pt") == '"R$" #,##0.00;-"R$" #,##0.00'
    assert currency_format("EUR", "es") == '#,##0.00 "€";-#,##0.00 "€"'
    assert currency_format("USD", "en") == '"$"#,##0.00;-"$"#,##0.00'
    assert currency_format("JPY", "en") == '"¥"#,##0;-"¥"#,##0'


@pytest.mark.parametrize("text", ["=1+2", "+55 11", "-5 desconto", "@SUM(A1)", "\tcmd", "\rcmd"])
def test_text_that_looks_like_a_formula_is_stored_as_text(app, household, text):
    row = ExportRow(
        id=1, date=date(2026, 3, 1), description=text, amount=D("-12.30"), kind="expense",
        category=text, subcategory="", account=text, payment_method="cash", status="paid",
        paid_on=None, notes=text, rule="", import_batch="",
    )
    sheet = load_workbook(io.BytesIO(entries_xlsx(household, "março", [row], [], "pt"))).worksheets[0]
    cells = list(sheet.iter_rows(min_row=2, max_row=2))[0]
    for index in (1, 4, 6, 10):
        assert cells[index].data_type == "s"
        # XML reads a carriage return back as a line feed; the cell is text either way.
        assert cells[index].value == text.replace("\r", "\n")
    assert cells[2].value == pytest.approx(-12.30)


def test_the_totals_sheet_by_category_and_subcategory_agrees_with_period_totals(ledger):
    book, totals = workbook(ledger, "pt")
    assert len(book.worksheets) == 2
    sheet = book.worksheets[1]
    table = [row for row in sheet.iter_rows(values_only=True) if any(cell is not None for cell in row)]
    assert table[0][:2] == ("Família", ledger.household.name)
    assert table[1][:2] == ("Período", "março de 2026")
    assert table[2] == ("Tipo", "Categoria", "Subcategoria", "Total")
    lines = {(row[0], row[1], row[2]): row[3] for row in table[3:] if row[1]}
    assert lines[("Despesa", "Pets", None)] == 80 and lines[("Despesa", "Pets", "Veterinário")] == 80
    assert lines[("Despesa", "Moradia", None)] == pytest.approx(1599.90)
    assert lines[("Receita", "Trabalho", "Salário")] == 5120
    assert lines[("Despesa", "Alimentação", "Supermercado")] == pytest.approx(1234.66)
    assert [row[0] for row in table[-3:]] == ["Receitas", "Despesas", "Resultado"]
    income, expense, net = (row[3] for row in table[-3:])
    assert D(str(income)) == totals.income == D("5120.00")
    assert D(str(expense)) == totals.expense == D("2914.56")
    assert D(str(net)) == totals.net == D("2205.44")


def test_an_empty_period_gives_a_valid_workbook_with_only_the_header(ledger):
    book, totals = workbook(ledger, "es", start=date(2025, 1, 1), end=date(2025, 1, 31))
    sheet = book.worksheets[0]
    assert len(list(sheet.iter_rows(values_only=True))) == 1
    assert sheet.auto_filter.ref == "A1:P1"
    values = [row for row in book.worksheets[1].iter_rows(values_only=True) if any(c is not None for c in row)]
    assert [row[3] for row in values[-3:]] == [0, 0, 0]
    assert totals.count == 0
