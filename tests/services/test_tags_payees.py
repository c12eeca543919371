"""Tags and payees as services: names parsed and folded, descriptions normalised, patterns
learned from the user's choice on an imported entry and applied by the next import."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from finora.errors import FieldError
from finora.extensions import db
from finora.models import Entry, Payee, PayeePattern, Tag
from finora.services.imports.commit import commit_import
from finora.services.imports.review import build_review
from finora.services.imports.rows import ImportedRow, ParsedFile
from finora.services.ledger.entries import entry_data, update_entry
from finora.services.ledger.payees import (
    merge_payees,
    normalise_description,
    payee_for_description,
    payee_named,
)
from finora.services.ledger.tags import parse_tags
from tests.ledger_factories import checking_account, make_entry
from tests.services.test_import_commit import staged_for


@pytest.mark.parametrize(("text", "normal"), [
    ("PAG*UBER TRIP 1234", "uber trip"),
    ("PAG*UBER TRIP 5678", "uber trip"),
    ("PAYPAL *SPOTIFY 4029357733", "spotify"),
    ("SumUp *Padaria São José", "padaria sao jose"),
    ("COMPRA CARTAO DEB 12/03 MERCADO LIVRE", "mercado livre"),
    ("Compra cartão 0123 IFOOD *RESTAURANTE 99", "ifood restaurante"),
    ("  Netflix.com   ", "netflix com"),
    ("12345", ""),
])
def test_descriptions_normalise_to_the_merchant(text, normal):
    assert normalise_description(text) == normal


def test_a_pattern_matches_its_description_or_a_longer_one_word_by_word():
    patterns = {"uber": 1, "uber eats": 2}
    assert payee_for_description(patterns, "PAG*UBER EATS 99") == 2
    assert payee_for_description(patterns, "PAG*UBER TRIP 1") == 1
    assert payee_for_description(patterns, "UBERLANDIA SHOP") is None
    assert payee_for_description({}, "anything") is None


def test_tags_are_parsed_once_per_name_first_spelling_kept():
    assert parse_tags(" Trip, kids ,trip,, KIDS ") == ["Trip", "kids"]
    assert parse_tags(["a", " b "]) == ["a", "b"]
    with pytest.raises(FieldError):
        parse_tags(", ".join(f"t{i}" for i in range(21)))


def test_a_payee_name_is_one_payee_in_any_case(app, household):
    first = payee_named(db.session, household, "Uber")
    assert payee_named(db.session, household, "  UBER ") is first
    assert payee_named(db.session, household, "  ") is None


def _import(household, user, descriptions, day=date(2026, 3, 10)):
    account = checking_account(household)
    rows = [ImportedRow(line=i, date=day, amount=Decimal(f"-{10 + i}.00"), description=d)
            for i, d in enumerate(descriptions, start=1)]
    parsed = ParsedFile(format="csv", rows=rows, errors=[], account_number=None)
    review = build_review(db.session, household, account, parsed)
    batch = commit_import(db.session, household, user, account, staged_for(household, user, account),
                          parsed, review)
    db.session.commit()
    return review, batch


def test_giving_an_imported_entry_a_payee_teaches_the_next_import(app, household, user):
    _review, batch = _import(household, user, ["PAG*UBER TRIP 1234"])
    first = db.session.scalars(select(Entry).where(Entry.import_batch_id == batch.id)).one()
    assert first.payee_id is None  # nothing learned yet
    data = entry_data(first)
    update_entry(db.session, first, data.__class__(**{**data.__dict__, "payee": "Uber"}))
    db.session.commit()
    assert db.session.scalar(select(PayeePattern.pattern)) == "uber trip"

    review, batch = _import(household, user, ["PAG*UBER TRIP 5678", "PADARIA"], date(2026, 3, 20))
    assert [item.payee_name for item in review.rows] == ["Uber", None]
    added = {e.description: e for e in db.session.scalars(select(Entry).where(Entry.import_batch_id == batch.id))}
    assert added["PAG*UBER TRIP 5678"].payee.name == "Uber"
    assert added["PADARIA"].payee_id is None


def test_a_manual_entry_teaches_no_pattern(app, household):
    entry = make_entry(household, description="Uber to the airport")
    data = entry_data(entry)
    update_entry(db.session, entry, data.__class__(**{**data.__dict__, "payee": "Uber"}))
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(PayeePattern)) == 0


def test_merge_moves_entries_and_patterns_and_removes_the_source(app, household):
    uber = payee_named(db.session, household, "Uber")
    eats = payee_named(db.session, household, "Uber Eats")
    entry = make_entry(household, description="Dinner")
    entry.payee_id = eats.id
    db.session.add(PayeePattern(household_id=household.id, payee_id=eats.id, pattern="uber eats"))
    db.session.commit()
    assert merge_payees(db.session, eats, uber) == 1
    db.session.commit()
    assert db.session.get(Payee, eats.id) is None
    assert db.session.get(Entry, entry.id).payee_id == uber.id
    assert db.session.scalar(select(PayeePattern.payee_id)) == uber.id


def test_deleting_an_entry_removes_its_tag_links_but_keeps_the_tags(app, household):
    entry = make_entry(household, description="Hotel")
    data = entry_data(entry)
    update_entry(db.session, entry, data.__class__(**{**data.__dict__, "tags": ("trip",)}))
    db.session.commit()
    db.session.delete(entry)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Tag)) == 1


def test_undoing_a_deletion_brings_back_the_payee_and_tags(app, household, user):
    from finora.services.undo.actions import delete_with_undo
    from finora.services.undo.records import undo

    entry = make_entry(household, description="Hotel")
    data = entry_data(entry)
    update_entry(db.session, entry, data.__class__(**{**data.__dict__, "payee": "Ibis", "tags": ("trip", "work")}))
    db.session.commit()
    entry_id = entry.id
    record = delete_with_undo(db.session, household, user, label="Hotel", entries=[entry])
    db.session.commit()
    assert db.session.get(Entry, entry_id) is None
    undo(db.session, record, user)
    db.session.commit()
    db.session.expire_all()
    back = db.session.get(Entry, entry_id)
    assert back.payee.name == "Ibis" and [t.name for t in back.tags] == ["trip", "work"]


def _mapping_of(household, user, text: str):
    from finora.services.imports.parse import guess_table
    from finora.services.imports.staging import stage_upload
    from finora.services.imports.tabular import guess_mapping

    table = guess_table(stage_upload(household, user, "x.csv", text.encode("utf-8")))
    return table, guess_mapping(table)


def test_a_file_naming_only_a_payee_reads_it_as_the_description(app, household, user):
    table, mapping = _mapping_of(household, user, "Date,Payee,Amount\n2026-03-01,Uber,-10.00\n")
    assert mapping.columns.get("description") == 1 and "payee" not in mapping.columns


def test_a_files_payee_and_tags_columns_make_payees_and_tags(app, household, user):
    from finora.services.imports.parse import parse_staged
    from finora.services.imports.staging import stage_upload

    text = ("Date,Description,Amount,Payee,Tags\n"
            "2026-03-01,PAG*UBER TRIP 1,-10.00,Uber,\"trip, Work\"\n"
            "2026-03-02,PAG*UBER TRIP 2,-11.00,uber,trip\n"
            "2026-03-03,Padaria,-3.00,,\n")
    from finora.services.imports.parse import guess_table
    from finora.services.imports.tabular import guess_mapping

    staged = stage_upload(household, user, "x.csv", text.encode("utf-8"))
    account = checking_account(household)
    mapping = guess_mapping(guess_table(staged))
    assert mapping.columns["payee"] == 3 and mapping.columns["tags"] == 4
    staged.account_id, staged.mapping = account.id, mapping.as_dict()
    parsed = parse_staged(staged, max_rows=None)
    review = build_review(db.session, household, account, parsed)
    commit_import(db.session, household, user, account, staged_for(household, user, account), parsed, review)
    db.session.commit()
    entries = {e.description: e for e in db.session.scalars(select(Entry))}
    assert entries["PAG*UBER TRIP 1"].payee.name == "Uber"
    assert entries["PAG*UBER TRIP 2"].payee_id == entries["PAG*UBER TRIP 1"].payee_id
    assert [t.name for t in entries["PAG*UBER TRIP 1"].tags] == ["trip", "Work"]
    assert [t.name for t in entries["PAG*UBER TRIP 2"].tags] == ["trip"]
    assert entries["Padaria"].payee_id is None and entries["Padaria"].tags == []
    assert db.session.scalar(select(func.count()).select_from(Tag)) == 2
