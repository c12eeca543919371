"""The whole pipeline on real files: upload (staging), mapping, parsing, review, commit;
a CSV in Portuguese, an overlapping second statement, a QIF whose dates need the user's
choice and whose categories the household has, and the row limit."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from finora.extensions import db
from finora.models import Entry
from finora.services.imports.commit import commit_import
from finora.services.imports.error_rows import error_rows_csv
from finora.services.imports.formats import DateOrderNeeded
from finora.services.imports.parse import guess_table, parse_staged, preview_table
from finora.services.imports.review import build_review
from finora.services.imports.rows import ImportFileError
from finora.services.imports.staging import save_staged, stage_upload
from finora.services.imports.tabular import guess_mapping, mapping_problems
from tests.ledger_factories import category, checking_account

JANUARY = (
    "Extrato conta corrente\n"
    "Agência 1234 Conta 56789-0\n"
    "Data;Histórico;Valor (R$)\n"
    "02/01/2026;PAG*Padaria Sol;-12,30\n"
    "02/01/2026;PAG*Padaria Sol;-12,30\n"
    "15/01/2026;SALARIO EMPRESA;3.500,00\n"
    "20/01/2026;Mercado Bom Preço;-1.234,56\n"
    "32/01/2026;Dia que não existe;-1,00\n"
).encode("cp1252")

# The next statement repeats the 20th and adds two days.
FEBRUARY = (
    "Data;Histórico;Valor (R$)\n"
    "20/01/2026;Mercado Bom Preço;-1.234,56\n"
    "03/02/2026;PAG*Padaria Sol;-12,30\n"
    "14/02/2026;Farmácia;-45,00\n"
).encode("utf-8-sig")


def _import_csv(household, user, data, name="extrato.csv"):
    account = checking_account(household)
    staged = stage_upload(household, user, name, data)
    assert staged.format == "csv"
    table = preview_table(staged)
    mapping = guess_mapping(table)
    assert mapping_problems(table, mapping) == []
    staged.account_id, staged.mapping = account.id, mapping.as_dict()
    save_staged(staged)
    parsed = parse_staged(staged, max_rows=100)
    review = build_review(db.session, household, account, parsed)
    batch = commit_import(db.session, household, user, account, staged, parsed, review)
    db.session.commit()
    return parsed, review, batch


def test_a_bank_csv_in_portuguese_goes_in_and_an_overlapping_one_adds_only_its_new_days(household, user):
    parsed, review, batch = _import_csv(household, user, JANUARY)
    assert review.counts == {"new": 4, "duplicate": 0, "match": 0, "error": 1}
    assert (batch.added, batch.errors, batch.rows_in_file) == (4, 1, 5)
    entries = list(db.session.scalars(select(Entry).order_by(Entry.id)))
    assert [(e.kind, e.amount, e.date) for e in entries] == [
        ("expense", Decimal("12.30"), date(2026, 1, 2)), ("expense", Decimal("12.30"), date(2026, 1, 2)),
        ("income", Decimal("3500.00"), date(2026, 1, 15)), ("expense", Decimal("1234.56"), date(2026, 1, 20)),
    ]
    assert entries[3].description == "Mercado Bom Preço"

    _parsed, again, second = _import_csv(household, user, FEBRUARY, "fevereiro.csv")
    assert [item.status for item in again.rows] == ["duplicate", "new", "new"]
    assert (second.added, second.duplicates) == (2, 1)
    # The bakery was categorised once by the default; the history now suggests the same.
    assert again.rows[1].category_source == "history"

    _parsed, third, _batch = _import_csv(household, user, JANUARY)
    assert third.counts["new"] == 0 and third.counts["duplicate"] == 4


def test_the_error_rows_of_a_real_file_go_back_out_under_its_header(household, user):
    parsed, _review, _batch = _import_csv(household, user, JANUARY)
    with force_locale("en"):
        rows = list(csv.reader(io.StringIO(error_rows_csv(parsed).decode("utf-8-sig"))))
    assert rows[0] == ["Data", "Histórico", "Valor (R$)", "Reason"]
    assert rows[1][:3] == ["32/01/2026", "Dia que não existe", "-1,00"] and rows[1][3]


QIF = b"""!Type:Bank
D01/02/2026
T-42.17
PSAFEWAY
LFood:Groceries
^
D03/04/2026
T-1,234.56
PRENT
LHousing:Rent
^
D05/06/2026
T120.00
PREFUND
LPets club
^
"""


def test_a_qif_whose_dates_need_a_choice_asks_then_reads_it(household, user):
    account = checking_account(household)
    staged = stage_upload(household, user, "money.qif", QIF)
    assert staged.format == "qif"
    with pytest.raises(DateOrderNeeded):
        parse_staged(staged, max_rows=100)
    staged.mapping = {"date_order": "mdy"}
    save_staged(staged)
    parsed = parse_staged(staged, max_rows=100)
    assert [row.date for row in parsed.rows] == [date(2026, 1, 2), date(2026, 3, 4), date(2026, 5, 6)]
    with force_locale("en"):
        review = build_review(db.session, household, account, parsed)
    groceries, rent, pets = review.rows
    assert (groceries.category_id, groceries.subcategory_id, groceries.category_source) == (
        category(household, "expense.food").id, category(household, "expense.food.groceries").id, "file")
    assert (rent.category_id, rent.category_source) == (category(household, "expense.housing").id, "file")
    assert (pets.kind, pets.category_source, pets.new_category) == ("income", "new", "Pets club")
    batch = commit_import(db.session, household, user, account, staged, parsed, review)
    db.session.commit()
    assert batch.added == 3


def test_the_row_limit_applies_to_every_format(household, user):
    staged = stage_upload(household, user, "money.qif", QIF)
    staged.mapping = {"date_order": "mdy"}
    with pytest.raises(ImportFileError):
        parse_staged(staged, max_rows=2)
    csv_staged = stage_upload(household, user, "extrato.csv", FEBRUARY)
    csv_staged.mapping = guess_mapping(preview_table(csv_staged)).as_dict()
    with pytest.raises(ImportFileError):
        parse_staged(csv_staged, max_rows=2)
    assert len(parse_staged(csv_staged, max_rows=3).rows) == 3


def test_a_mapping_with_problems_reads_nothing(household, user):
    staged = stage_upload(household, user, "extrato.csv", FEBRUARY)
    staged.mapping = {"columns": {"description": 1, "amount": 2}, "date_order": "dmy",
                      "number_style": "comma_decimal"}
    with force_locale("en"), pytest.raises(ImportFileError) as caught:
        parse_staged(staged, max_rows=100)
    assert "date" in str(caught.value)
    staged.mapping = None
    with pytest.raises(ImportFileError):
        parse_staged(staged, max_rows=100)


def test_the_mapping_is_guessed_from_more_than_the_preview(household, user):
    """20 rows dated the 1st to the 12th, then one that settles the day-first order."""
    lines = ["Data;Histórico;Valor"] + [f"{1 + n % 12:02d}/03/2026;Loja {n};-1,00" for n in range(20)]
    lines.append("25/03/2026;Loja;-1,00")
    staged = stage_upload(household, user, "extrato.csv", ("\n".join(lines) + "\n").encode())
    assert len(preview_table(staged).rows) == 20
    table = guess_table(staged)
    assert mapping_problems(table, guess_mapping(table)) == []
    assert guess_mapping(table).date_order == "dmy"


def test_the_command_lines_chunked_reading_equals_the_pages(app):
    """stream.CsvStream (the command line's big files) reads the same rows, errors and line
    numbers as read_table (the page), title lines, quoted line breaks and blank lines too."""
    from finora.services.imports.stream import CsvStream
    from finora.services.imports.tabular import (
        TableOptions,
        apply_mapping,
        read_table,
        sniff_options,
    )

    lines = ["Extrato", "Conta 1234", "Data;Histórico;Valor"]
    for n in range(1, 2600):
        if n % 500 == 0:
            lines.append("")
        description = f'"Loja\n{n}"' if n % 333 == 0 else f"Loja {n % 40}"
        amount = "abc" if n % 777 == 0 else f"-{n % 90 + 1},{n % 100:02d}"
        lines.append(f"{1 + n % 28:02d}/{1 + n % 12:02d}/2026;{description};{amount}")
    data = ("\n".join(lines) + "\n").encode("utf-8")
    options = sniff_options(data, "csv")
    assert options.header_row == 2
    whole = read_table(data, "csv", options, max_rows=None, max_columns=100, max_cells=10**6)
    mapping = guess_mapping(whole)
    assert mapping_problems(whole, mapping) == []
    page = apply_mapping(whole, mapping, "csv")

    stream = CsvStream(data, TableOptions.from_dict(options.as_dict()), max_columns=100, chunk_rows=700)
    rows, errors = [], []
    for table, _last_line in stream.tables():
        parsed = apply_mapping(table, mapping, "csv")
        rows += parsed.rows
        errors += parsed.errors
    assert rows == page.rows
    assert [(e.line, e.reason, e.cells) for e in errors] == [(e.line, e.reason, e.cells) for e in page.errors]
    assert len(rows) + len(errors) == 2599
