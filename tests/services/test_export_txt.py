"""The fixed-width statement: heading, one aligned line per entry, totals from
period_totals, wide characters counted as two columns, an empty period."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from finora.extensions import db
from finora.services.exports.entry_rows import ExportRow, export_rows
from finora.services.exports.txt_export import WIDTH, entries_txt, fit, text_width
from finora.services.reports.totals import make_totals, period_totals
from tests.export_factories import TODAY, build_ledger

MARCH = (date(2026, 3, 1), date(2026, 3, 31))
GENERATED = datetime(2026, 3, 15, 2, 30, tzinfo=UTC)  # 23:30 on the 14th in São Paulo
D = Decimal


@pytest.fixture
def ledger(app):
    return build_ledger()


def statement(ledger, locale="pt", start=MARCH[0], end=MARCH[1]) -> str:
    household = ledger.household
    household.currency, household.timezone = "BRL", "America/Sao_Paulo"
    rows = export_rows(db.session, household, start, end, None, today=TODAY, locale=locale)
    totals = period_totals(db.session, household, start, end, today=TODAY)
    return entries_txt(household, "março de 2026", rows, totals, GENERATED, locale)


def test_heading_lines_and_totals_in_portuguese(ledger):
    text = statement(ledger, "pt")
    lines = text.splitlines()
    assert all(text_width(line) <= WIDTH for line in lines)
    assert ledger.household.name in lines[2] and "março de 2026" in lines[3]
    assert "14/03/2026 23:30" in lines[4]  # the household's time zone, not UTC
    market = next(line for line in lines if "Mercado" in line and "12/03/2026" in line)
    assert market.startswith("12/03/2026  Mercado")
    assert "Alimentação › Supermercado" in market
    assert market.endswith("-R$ 1.234,56")
    salary = next(line for line in lines if line.startswith("05/03/2026"))
    assert salary.endswith("R$ 5.000,00")
    # Amounts end on the last column: right-aligned.
    entry_lines = [line for line in lines if line[:2].isdigit() and line[2] == "/"]
    assert len(entry_lines) == 7 and {len(line) for line in entry_lines} == {WIDTH}
    assert lines[-3].endswith("R$ 5.120,00") and "Receitas" in lines[-3]
    assert lines[-2].endswith("R$ 2.914,56") and "Despesas" in lines[-2]
    assert lines[-1].endswith("R$ 2.205,44") and "Resultado" in lines[-1]


def test_english_dates_and_numbers(ledger):
    lines = statement(ledger, "en").splitlines()
    market = next(line for line in lines if "Mercado" in line and "03/12/2026" in line)
    assert market.startswith("03/12/2026  Mercado") and market.endswith("-R$1,234.56")
    assert "Food › Groceries" in market
    assert lines[-1].endswith("R$2,205.44") and "Net" in lines[-1]


def test_wide_characters_keep_the_columns_aligned(app, household):
    household.currency, household.timezone = "EUR", "Europe/Lisbon"
    base = ExportRow(
        id=1, date=date(2026, 3, 1), description="", amount=D("-9.99"), kind="expense",
        category="Comida", subcategory="", account="Conta", payment_method="cash", status="paid",
        paid_on=None, notes="", rule="", import_batch="",
    )
    descriptions = [
        "Café", "拉麵と餃子の店で晩ご飯を食べました東京駅の近く", "Pizza 🍕🍕 com amigos 👨‍👩‍👧 e família",
        "A" * 80, "Crème brûlée (e\u0301)", "Linha\nquebrada\tcom tab",
    ]
    rows = [base._replace(id=n, description=text, category="食べ物" if n % 2 else "Comida")
            for n, text in enumerate(descriptions)]
    totals = make_totals(D("0.00"), D("59.94"), 6)
    lines = entries_txt(household, "março", rows, totals, GENERATED, "pt").splitlines()
    entry_lines = [line for line in lines if line.startswith("01/03/2026")]
    assert len(entry_lines) == 6
    # Every amount ends on column 100 and every category starts on the same column.
    assert {text_width(line) for line in entry_lines} == {WIDTH}
    category_columns = {text_width(line[: line.index(cat)]) for line, cat in
                        zip(entry_lines, ["Comida", "食べ物"] * 3, strict=True)}
    assert len(category_columns) == 1
    assert "…" in entry_lines[1] and "…" in entry_lines[3]
    assert "\t" not in "".join(entry_lines)


def test_fit_never_cuts_a_wide_character_in_half():
    assert fit("東京東京", 5) == "東京…"
    assert text_width(fit("東京東京", 5)) == 5
    assert fit("Curto", 10) == "Curto"


def test_an_empty_period_says_so_and_totals_zero(ledger):
    text = statement(ledger, "es", start=date(2025, 1, 1), end=date(2025, 1, 31))
    lines = text.splitlines()
    assert "No entries in this period." in text or "No hay movimientos en este periodo." in text
    assert [line.split()[-2:] for line in lines[-3:]] == [["0,00", "BRL"]] * 3
