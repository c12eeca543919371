"""Mapping profiles (saved per household, found again by the file's header), the CSV of
error rows (formulas neutralised, importable again) and account numbers."""

from __future__ import annotations

import csv
import io
import time

import pytest
from flask_babel import force_locale

from finora.errors import FieldError, NotFoundError
from finora.extensions import db
from finora.services.imports.accounts import account_for_number, normalise_number
from finora.services.imports.error_rows import error_rows_csv, neutralise
from finora.services.imports.profiles import (
    delete_profile,
    header_key,
    header_of,
    list_profiles,
    profile_named,
    profile_settings,
    profiles_for_header,
    save_profile,
)
from finora.services.imports.rows import ParsedFile, RowError
from tests.factories import create_user
from tests.ledger_factories import checking_account, household_of, make_account

HEADER = ["Data", "Descrição", "Valor"]
OPTIONS = {"encoding": "utf-8", "delimiter": ";", "header_row": 0, "sheet": None}
MAPPING = {"columns": {"date": 0, "description": 1, "amount": 2}, "date_order": "dmy",
           "number_style": "comma_decimal"}


def test_the_header_key_ignores_case_accents_and_spaces():
    assert header_key(HEADER) == header_key([" DATA", "descricao ", "valor"])
    assert header_key(HEADER) != header_key(["Data", "Valor", "Descrição"])
    assert len(header_key(HEADER)) == 64


def test_a_profile_is_saved_found_by_header_and_replaced_by_name(household):
    first = save_profile(db.session, household, "  Banco   Azul ", HEADER, OPTIONS, MAPPING)
    db.session.commit()
    assert first.name == "Banco Azul"
    assert profile_settings(first) == (OPTIONS, MAPPING)
    time.sleep(0.01)
    other = save_profile(db.session, household, "Cartão", [" data", "DESCRICAO", "valor"], OPTIONS, {})
    db.session.commit()
    assert [p.id for p in profiles_for_header(db.session, household, HEADER)] == [other.id, first.id]
    again = save_profile(db.session, household, "BANCO azul", ["a", "b"], OPTIONS, {"columns": {"date": 1}})
    db.session.commit()
    assert (again.id, again.name) == (first.id, "BANCO azul")
    assert profile_settings(again)[1] == {"columns": {"date": 1}}
    assert [p.id for p in profiles_for_header(db.session, household, HEADER)] == [other.id]
    assert [p.name for p in list_profiles(db.session, household)] == ["BANCO azul", "Cartão"]
    assert profile_named(db.session, household, "banco azul").id == first.id


def test_profiles_belong_to_their_household(household):
    save_profile(db.session, household, "Mine", HEADER, OPTIONS, MAPPING)
    stranger = household_of(create_user())
    assert profiles_for_header(db.session, stranger, HEADER) == []
    with pytest.raises(NotFoundError):
        profile_named(db.session, stranger, "Mine")


@pytest.mark.parametrize("name", ["", "   ", "x" * 81])
def test_a_profile_needs_a_name_of_at_most_80_characters(household, name):
    with force_locale("en"), pytest.raises(FieldError) as caught:
        save_profile(db.session, household, name, HEADER, OPTIONS, MAPPING)
    assert caught.value.field == "name"
    assert str(caught.value) in ("Enter a name.", "Use at most 80 characters.")


def test_a_file_without_header_is_known_by_its_column_count():
    from finora.services.imports.tabular import Table, TableOptions

    named = Table(TableOptions(), ["Data", "Valor"], [], 2, has_header=True)
    made_up = Table(TableOptions(header_row=-1), ["Column 1", "Column 2"], [], 1, has_header=False)
    translated = Table(TableOptions(header_row=-1), ["Coluna 1", "Coluna 2"], [], 1, has_header=False)
    assert header_of(named) == ["Data", "Valor"]
    assert header_key(header_of(made_up)) == header_key(header_of(translated))


def test_a_profile_is_deleted(household):
    profile = save_profile(db.session, household, "Old", HEADER, OPTIONS, MAPPING)
    delete_profile(db.session, profile)
    assert list_profiles(db.session, household) == []


def _read(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_error_rows_go_out_under_the_files_header_with_the_reason():
    parsed = ParsedFile(format="csv", header=("Data", "Descrição", "Valor"), errors=[
        RowError(7, "The amount is not a number.", ("31/02/2026", "=HYPERLINK(\"http://x\")", "abc")),
        RowError(3, "No date.", ("", "@SUM(A1)", "-12,30")),
    ])
    with force_locale("en"):
        rows = _read(error_rows_csv(parsed))
    assert rows[0] == ["Data", "Descrição", "Valor", "Reason"]
    assert rows[1] == ["", "'@SUM(A1)", "-12,30", "No date."]  # a negative amount stays a number
    assert rows[2] == ["31/02/2026", "'=HYPERLINK(\"http://x\")", "abc", "The amount is not a number."]


def test_error_rows_of_a_statement_carry_the_row_number():
    parsed = ParsedFile(format="ofx", errors=[RowError(4, "The date is not valid.", ("20260199", "-10.00"))])
    with force_locale("en"):
        rows = _read(error_rows_csv(parsed))
    assert rows == [["Row", "", "", "Reason"], ["4", "20260199", "-10.00", "The date is not valid."]]


@pytest.mark.parametrize(
    ("cell", "written"),
    [("=1+1", "'=1+1"), ("+cmd", "'+cmd"), ("-x", "'-x"), ("@A1", "'@A1"), ("\tx", "'\tx"),
     ("-12.30", "-12.30"), ("+5", "+5"), ("- 1", "- 1"), ("Padaria", "Padaria")],
)
def test_formula_cells_are_neutralised(cell, written):
    assert neutralise(cell) == written


def test_accounts_are_found_by_their_number_however_written(household):
    account = make_account(household, name="Itaú")
    account.number = "1234/56789-0"
    db.session.commit()
    assert normalise_number(" 1234 56789 0 ") == "1234567890"
    assert account_for_number(db.session, household, "1234-56789/0").id == account.id
    assert account_for_number(db.session, household, "999") is None
    assert account_for_number(db.session, household, "") is None
    assert account_for_number(db.session, household_of(create_user()), "1234567890") is None
    assert checking_account(household).number is None
