"""The entries an export writes: the period, the dashboard table's filters, names resolved
in a few queries, streamed in (date, id) order, never another household's."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from flask_babel import force_locale
from sqlalchemy import event

from finora.extensions import db
from finora.services.exports.entry_rows import export_rows
from finora.services.ledger.entry_list import EntryFilters
from tests.export_factories import TODAY, build_ledger, bulk_entries

MARCH = (date(2026, 3, 1), date(2026, 3, 31))
D = Decimal


@pytest.fixture
def ledger(app):
    return build_ledger()


def rows(ledger, filters=None, start=MARCH[0], end=MARCH[1], **kwargs):
    return list(export_rows(db.session, ledger.household, start, end, filters, today=TODAY, **kwargs))


def test_the_months_entries_in_date_and_id_order_with_every_name(ledger):
    found = rows(ledger, locale="en")
    e = ledger.entries
    assert [r.description for r in found] == [
        "Freela", "Salário", "Aluguel março", "Mercado", "Tarifa", "Consulta", "Internet",
    ]
    by = {r.description: r for r in found}
    assert by["Salário"].amount == D("5000.00") and by["Salário"].kind == "income"
    assert by["Mercado"].amount == D("-1234.56") and by["Mercado"].kind == "expense"
    assert by["Mercado"].notes == 'Nota; com "aspas" e acentuação'
    assert by["Mercado"].payment_method == "credit_card"
    assert (by["Mercado"].category, by["Mercado"].subcategory) == ("Food", "Groceries")
    assert (by["Aluguel março"].category, by["Aluguel março"].subcategory) == ("Housing", "")
    assert by["Aluguel março"].rule == "Aluguel" and by["Salário"].rule == ""
    assert by["Tarifa"].import_batch == f"extrato março.csv #{ledger.batch.id}"
    assert by["Consulta"].account == "Caixinha ação" and by["Salário"].account == ledger.checking.name
    assert (by["Consulta"].category, by["Consulta"].subcategory) == ("Pets", "Veterinário")
    # Status as Entry.status(today): paid, pending (today or later), overdue (before today).
    assert {r.description: r.status for r in found} == {
        "Freela": "overdue", "Salário": "paid", "Aluguel março": "paid", "Mercado": "overdue",
        "Tarifa": "paid", "Consulta": "overdue", "Internet": "pending",
    }
    assert by["Salário"].paid_on == date(2026, 3, 6) and by["Internet"].paid_on is None
    assert by["Salário"].id == e["salary"].id
    assert sum(r.amount for r in found) == D("5120.00") - D("1500.00") - D("1234.56") - D("0.10") - D("80.00") - D("99.90")


def test_seeded_category_labels_follow_the_language(ledger):
    assert {r.category for r in rows(ledger, locale="pt")} >= {"Alimentação", "Moradia"}
    assert {r.category for r in rows(ledger, locale="es")} >= {"Alimentación", "Vivienda"}
    with force_locale("pt"):  # without a locale: the current language
        assert "Alimentação" in {r.category for r in rows(ledger)}


def test_a_period_is_inclusive_and_everything_takes_all(ledger):
    assert [r.description for r in rows(ledger, start=date(2026, 2, 28), end=date(2026, 3, 1))] == [
        "Fevereiro", "Freela",
    ]
    assert len(rows(ledger, start=date(1900, 1, 1), end=date(2199, 12, 31))) == 9
    assert rows(ledger, start=date(2025, 1, 1), end=date(2025, 12, 31)) == []


@pytest.mark.parametrize(
    ("make_filters", "expected"),
    [
        (lambda lg: EntryFilters(kind="income"), {"Freela", "Salário"}),
        (lambda lg: EntryFilters(kind="expense", status="paid"), {"Aluguel março", "Tarifa"}),
        (lambda lg: EntryFilters(status="pending"), {"Internet"}),
        (lambda lg: EntryFilters(status="overdue"), {"Freela", "Mercado", "Consulta"}),
        (lambda lg: EntryFilters(account_id=lg.savings.id), {"Consulta"}),
        (lambda lg: EntryFilters(category_id=lg.pets.id), {"Consulta"}),
        (lambda lg: EntryFilters(category_id=lg.vet.id), {"Consulta"}),
        (lambda lg: EntryFilters(payment_method="bank_transfer"), {"Salário", "Aluguel março"}),
        (lambda lg: EntryFilters(search="ACENTUA"), {"Mercado"}),  # notes too, any case
        (lambda lg: EntryFilters(search="aluguel"), {"Aluguel março"}),
        (lambda lg: EntryFilters(kind="transfer"), set()),  # a transfer is not an entry
        (lambda lg: EntryFilters(search="100%"), set()),  # % is a character, not a wildcard
    ],
)
def test_the_dashboard_tables_filters_are_honoured(ledger, make_filters, expected):
    assert {r.description for r in rows(ledger, make_filters(ledger))} == expected


def test_another_households_rows_never_appear(ledger):
    everything = rows(ledger, start=date(1900, 1, 1), end=date(2199, 12, 31))
    assert not any(r.description.startswith("Vizinho") for r in everything)
    # Not even with the neighbour's own account or category ids in the filters.
    from tests.ledger_factories import checking_account

    neighbours = checking_account(ledger.neighbour)
    assert rows(ledger, EntryFilters(account_id=neighbours.id)) == []


def test_rows_stream_in_chunks_with_a_few_queries_each(app):
    from tests.export_factories import build_ledger as build

    ledger = build()
    bulk_entries(ledger.household, 5_000, date(2026, 3, 1), 31)
    statements = []

    def count(*_args):
        statements.append(1)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        stream = export_rows(db.session, ledger.household, *MARCH, None, today=TODAY, chunk_rows=500)
        first = next(stream)
        before_rest = len(statements)
        rest = list(stream)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    found = [first, *rest]
    assert len(found) == 5_007
    # The first row came after one chunk's query and its tags (plus the accounts,
    # categories and payees), not after all eleven.
    assert before_rest <= 6
    # One query per chunk and one for its tags, plus at most one rule and one batch lookup
    # per chunk.
    assert len(statements) <= 3 + 11 * 4
    keys = [(r.date, r.id) for r in found]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
