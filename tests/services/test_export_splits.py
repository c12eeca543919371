"""A split entry in an export: one row per line with the entry's other fields, the line's
category and signed amount, the line's note after the entry's notes and its "k/N" mark;
the rows of an entry stay together across chunks, and a category filter writes only that
category's lines."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from finora.extensions import db
from finora.services.exports.entry_rows import export_rows
from finora.services.ledger.entry_list import EntryFilters
from finora.services.ledger.splits import SplitLine, split_entry
from tests.export_factories import TODAY, build_ledger
from tests.ledger_factories import category

MARCH = (date(2026, 3, 1), date(2026, 3, 31))
D = Decimal


@pytest.fixture
def ledger(app):
    ledger = build_ledger()
    household = ledger.household
    split_entry(db.session, ledger.entries["big"], [
        SplitLine(category(household, "expense.food").id, D("1000.00"),
                  category(household, "expense.food.groceries").id, "mês"),
        SplitLine(ledger.pets.id, D("200.00"), ledger.vet.id),
        SplitLine(category(household, "expense.housing").id, D("34.56"), None, "limpeza"),
    ])
    db.session.commit()
    return ledger


def rows(ledger, filters=None, **kwargs):
    return list(export_rows(db.session, ledger.household, *MARCH, filters, today=TODAY, locale="en", **kwargs))


def test_a_split_entry_is_one_row_per_line(ledger):
    found = [r for r in rows(ledger) if r.description == "Mercado"]
    assert [(r.category, r.subcategory, r.amount, r.notes) for r in found] == [
        ("Food", "Groceries", D("-1000.00"), 'Nota; com "aspas" e acentuação · mês'),
        ("Pets", "Veterinário", D("-200.00"), 'Nota; com "aspas" e acentuação'),
        ("Housing", "", D("-34.56"), 'Nota; com "aspas" e acentuação · limpeza'),
    ]
    assert {(r.id, r.date, r.account, r.payment_method, r.status) for r in found} == {
        (ledger.entries["big"].id, date(2026, 3, 12), ledger.checking.name, "credit_card", "overdue")}
    # The file's total is still the month's.
    assert sum(r.amount for r in rows(ledger)) == D("5120.00") - D("1500.00") - D("1234.56") - D("0.10") \
        - D("80.00") - D("99.90")


@pytest.mark.parametrize("chunk_rows", [1, 2, 3, 4])
def test_lines_stay_whole_and_in_order_across_chunks(ledger, chunk_rows):
    assert rows(ledger, chunk_rows=chunk_rows) == rows(ledger)


def test_a_category_filter_writes_only_that_categorys_lines(ledger):
    found = rows(ledger, EntryFilters(category_id=ledger.pets.id))
    assert [(r.description, r.amount) for r in found] == [("Mercado", D("-200.00")), ("Consulta", D("-80.00"))]
    # The line still says which of the entry's lines it is: the import will not take it
    # for a whole entry.
    assert [r.split for r in found] == ["2/3", ""]


def test_each_line_says_which_line_of_how_many_it_is(ledger):
    marks = {(r.description, r.split) for r in rows(ledger)}
    assert {split for description, split in marks if description == "Mercado"} == {"1/3", "2/3", "3/3"}
    assert {split for description, split in marks if description != "Mercado"} == {""}
