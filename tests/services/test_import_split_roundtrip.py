"""A split entry exported to CSV or XLSX comes back as one split entry: its rows carry
"k/N" in the split column, the import puts them together (lines, categories, amounts and
notes as they were), the same file again finds it a duplicate, and a broken group of rows
is an error of every row in it, with nothing written."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from finora.extensions import db
from finora.models import Entry, Household
from finora.services.exports.csv_export import csv_chunks
from finora.services.exports.entry_rows import export_rows
from finora.services.exports.xlsx_export import entries_xlsx
from finora.services.imports.commit import commit_import
from finora.services.imports.parse import guess_table, parse_staged
from finora.services.imports.review import build_review
from finora.services.imports.staging import save_staged, stage_upload
from finora.services.imports.tabular import guess_mapping, mapping_problems
from finora.services.imports.tabular.split_rows import split_notes
from finora.services.ledger.splits import SplitLine, split_entry
from tests.factories import create_user
from tests.ledger_factories import category, checking_account, household_of, make_entry

D = Decimal
MARCH = (date(2026, 3, 1), date(2026, 3, 31))


def _household():
    user = create_user()
    household = household_of(user)
    checking_account(household).name = "Itaú Corrente"
    db.session.commit()
    return household, user


def _source() -> Household:
    """An entry of 1.234,56 split in three lines with notes, and one not split."""
    household, _user = _household()
    account = checking_account(household)
    market = make_entry(household, date=date(2026, 3, 12), amount=D("1234.56"), description="Mercado Bom Preço",
                        account=account, paid_on=date(2026, 3, 12), notes="Compra do mês")
    split_entry(db.session, market, [
        SplitLine(category(household, "expense.food").id, D("1000.00"),
                  category(household, "expense.food.groceries").id, "semana 1 e 2"),
        SplitLine(category(household, "expense.health").id, D("200.00"),
                  category(household, "expense.health.pharmacy").id, "vitaminas"),
        SplitLine(category(household, "expense.housing").id, D("34.56"), None, "limpeza"),
    ])
    make_entry(household, date=date(2026, 3, 13), amount=D("12.30"), description="Padaria",
               account=account, paid_on=date(2026, 3, 13), category="expense.food", subcategory=None)
    db.session.commit()
    return household


def _ledger(household: Household) -> list[tuple]:
    entries = db.session.scalars(
        select(Entry).where(Entry.household_id == household.id).order_by(Entry.date)
    ).all()
    return [
        (
            e.date, e.description, e.amount, e.kind, e.category.label,
            e.subcategory.label if e.subcategory else None, e.account.name, e.paid_on, e.notes,
            [(s.category.label, s.subcategory.label if s.subcategory else None, s.amount, s.note)
             for s in sorted(e.splits, key=lambda s: s.position)],
        )
        for e in entries
    ]


def _export(household: Household, fmt: str) -> bytes:
    rows = export_rows(db.session, household, *MARCH, None, locale="pt")
    if fmt == "csv":
        return b"".join(csv_chunks(rows, "locale", "pt"))
    return entries_xlsx(household, "março de 2026", rows, [], "pt")


def _import(household: Household, user, data: bytes, name: str):
    staged = stage_upload(household, user, name, data)
    table = guess_table(staged)
    mapping = guess_mapping(table)
    assert mapping_problems(table, mapping) == [] and "split" in mapping.columns
    account = checking_account(household)
    staged.account_id, staged.mapping = account.id, mapping.as_dict()
    save_staged(staged)
    parsed = parse_staged(staged, max_rows=100)
    review = build_review(db.session, household, account, parsed)
    batch = commit_import(db.session, household, user, account, staged, parsed, review)
    db.session.commit()
    return parsed, review, batch


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_split_entry_comes_back_split_and_a_second_import_finds_it_a_duplicate(app, fmt):
    source = _source()
    with force_locale("pt"):
        data = _export(source, fmt)
        if fmt == "csv":
            text = data.decode("utf-8-sig")
            assert ";-1.234,56;" not in text and ";-1.000,00;" in text
            assert text.count(";1/3\r\n") == text.count(";2/3\r\n") == text.count(";3/3\r\n") == 1
        target, user = _household()

        parsed, review, batch = _import(target, user, data, f"finora.{fmt}")
        assert parsed.errors == [] and len(parsed.rows) == 2
        assert review.counts == {"new": 2, "duplicate": 0, "match": 0, "error": 0}
        assert [len(item.split_lines) for item in review.rows] == [3, 0]
        assert batch.added == 2
        assert _ledger(target) == _ledger(source)
        assert _ledger(target)[0][-1] == [
            ("Alimentação", "Supermercado", D("1000.00"), "semana 1 e 2"),
            ("Saúde", "Farmácia", D("200.00"), "vitaminas"),
            ("Moradia", None, D("34.56"), "limpeza"),
        ]

        _parsed, again, second = _import(target, user, data, f"again.{fmt}")
        assert again.counts["duplicate"] == 2 and second.added == 0


BROKEN = (
    "date,description,amount,kind,category,account,notes,split\r\n"
    "2026-03-12,Mercado,-100.00,expense,Food,Itaú Corrente,a,1/3\r\n"
    "2026-03-12,Mercado,-20.00,expense,Housing,Itaú Corrente,b,3/3\r\n"  # line 2 is missing
    "2026-03-13,Farmácia,-30.00,expense,Health,Itaú Corrente,,1/2\r\n"
    "2026-03-14,Farmácia,-5.00,expense,Health,Itaú Corrente,,2/2\r\n"  # another day
    "2026-03-16,Troca,-10.00,expense,Food,Itaú Corrente,,1/2\r\n"
    "2026-03-16,Troca,10.00,income,Work,Itaú Corrente,,2/2\r\n"  # income and expense
    "2026-03-17,Feira,-1.00,expense,Food,Itaú Corrente,,1/1\r\n"  # not a split mark
    "2026-03-18,Feira,abc,expense,Food,Itaú Corrente,,1/2\r\n"  # an amount that is not one
    "2026-03-18,Feira,-2.00,expense,Food,Itaú Corrente,,2/2\r\n"
    "2026-03-15,Padaria,-12.30,expense,Food,Itaú Corrente,,\r\n"
)


def test_a_broken_group_is_an_error_of_each_of_its_rows_and_nothing_of_it_is_written(app):
    household, user = _household()
    with force_locale("en"):
        parsed, review, batch = _import(household, user, BROKEN.encode("utf-8"), "broken.csv")
    assert [(error.line, error.reason) for error in parsed.errors] == [
        (2, "Split line 2 of 3 is missing: the lines of a split entry are consecutive rows numbered 1 to 3 "
            "(rows 2)."),
        (3, "Split line 1 of 3 is missing: the lines of a split entry are consecutive rows numbered 1 to 3 "
            "(rows 3)."),
        (4, "The lines of a split entry must have the same date, description and account (rows 4, 5)."),
        (5, "The lines of a split entry must have the same date, description and account (rows 4, 5)."),
        (6, "The lines of a split entry must be all income or all expenses (rows 6, 7)."),
        (7, "The lines of a split entry must be all income or all expenses (rows 6, 7)."),
        (8, "The split mark “1/1” is not a line and a number of lines, as 2/3."),
        (9, "The amount “abc” is not a number."),
        (10, "Another row of this split entry cannot be read (9), so none of its lines is imported "
             "(rows 9, 10)."),
    ]
    assert batch.added == 1 and batch.errors == 9
    assert [e.description for e in db.session.scalars(select(Entry).where(Entry.household_id == household.id))] == [
        "Padaria"
    ]


def test_the_entrys_notes_and_the_lines_notes_are_told_apart():
    assert split_notes(["Mês · a", "Mês", "Mês · c"]) == ("Mês", ["a", None, "c"])
    assert split_notes(["a", "", "c"]) == (None, ["a", None, "c"])
    assert split_notes(["Mês", "Mês"]) == ("Mês", [None, None])
    assert split_notes(["x · 1", "y · 1"]) == (None, ["x · 1", "y · 1"])


def test_the_command_line_keeps_a_group_whole_across_its_chunks(app, tmp_path, monkeypatch):
    from finora.services.imports.stream import CsvStream

    monkeypatch.setitem(CsvStream.__init__.__kwdefaults__, "chunk_rows", 2)  # 1/3, 2/3 | 3/3, …
    household, _user = _household()
    path = tmp_path / "split.csv"
    path.write_bytes(
        b"date,description,amount,kind,category,notes,split\r\n"
        b"2026-03-12,Mercado,-100.00,expense,Food,a,1/3\r\n"
        b"2026-03-12,Mercado,-20.00,expense,Housing,b,2/3\r\n"
        b"2026-03-12,Mercado,-3.00,expense,Health,c,3/3\r\n"
        b"2026-03-13,Feira,-1.00,expense,Food,,1/2\r\n"  # its line 2 never comes
    )
    result = app.test_cli_runner().invoke(
        args=["finora", "import", str(path), "--account", str(checking_account(household).id)]
    )
    assert result.exit_code == 0, result.output
    entry = db.session.scalar(select(Entry).where(Entry.household_id == household.id))
    assert (entry.description, entry.amount) == ("Mercado", D("123.00"))
    assert [(s.amount, s.note) for s in sorted(entry.splits, key=lambda s: s.position)] == [
        (D("100.00"), "a"), (D("20.00"), "b"), (D("3.00"), "c")
    ]
    # The batch counts the split entry once, as the review does.
    assert "2 rows in the file, 1 added" in result.output and "1 with errors" in result.output
