"""Card statements' installment rows ("PARCELA 02/12", "3/10", "02 DE 06"): each joins
its purchase's installment group, across imports; a purchase entered as 12x in Finora is
matched row by row instead of doubled; nothing else is created; other accounts and rows
are left alone."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import select

from finora.dates import now_utc
from finora.extensions import db
from finora.models import Entry
from finora.services.imports.batches import undo_batch
from finora.services.imports.commit import commit_import
from finora.services.imports.formats import parse_bank
from finora.services.imports.installments import Installment, installment_of
from finora.services.imports.review import build_review
from finora.services.imports.rows import ImportedRow, ParsedFile
from finora.services.imports.staging import Staged
from finora.services.ledger.entries import EntryData
from finora.services.ledger.installments import create_installments
from tests.ledger_factories import category, checking_account, make_account

FILE = Path(__file__).parents[1] / "fixtures" / "imports" / "bank" / "card_installments.ofx"
D = Decimal


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(datetime(2026, 3, 15, 15, tzinfo=UTC), tick=False):
        yield


@pytest.mark.parametrize(("text", "expected"), [
    ("LOJA X PARCELA 02/12", Installment("loja x", 2, 12)),
    ("MAGAZINE 3/10", Installment("magazine", 3, 10)),
    ("NETSHOES 02 DE 06", Installment("netshoes", 2, 6)),
    ("AMAZON PARC 01/03", Installment("amazon", 1, 3)),
    ("Loja Três parc.4/5", Installment("loja tres", 4, 5)),
    ("PADARIA REAL 11/03", None),  # 11 of 3: a date, not an installment
    ("VIVO 1/1", None),
    ("POSTO 24H", None),
    ("02/12", None),  # nothing names the purchase
])
def test_the_mark_is_read_from_the_end_of_the_description(text, expected):
    assert installment_of(text) == expected


def staged(household, user, account) -> Staged:
    return Staged(token="t" * 32, household_id=household.id, user_id=user.id, file_name="fatura.ofx",
                  format="ofx", size=1, created_at=now_utc(), account_id=account.id)


def run(household, user, account, parsed: ParsedFile):
    review = build_review(db.session, household, account, parsed)
    batch = commit_import(db.session, household, user, account, staged(household, user, account), parsed, review)
    db.session.commit()
    return review, batch


def card_entries(account):
    db.session.expire_all()
    return {e.description: e for e in db.session.scalars(select(Entry).where(Entry.account_id == account.id))}


def test_a_card_statement_groups_its_installments_across_imports(household, user):
    card = make_account(household, name="Visa", kind="credit_card", closing_day=25, due_day=5)
    # The fridge was entered in Finora as 12x: its 3rd installment is already there (paid).
    fridge = create_installments(db.session, household, EntryData(
        kind="expense", amount=D("4200.00"), date=date(2026, 1, 10), description="Geladeira",
        account_id=card.id, category_id=category(household, "expense.food").id,
        payment_method="credit_card", paid_on=date(2026, 1, 10),
    ), 12)
    db.session.commit()
    review, batch = run(household, user, card, parse_bank(FILE.read_bytes(), "ofx"))
    statuses = {item.row.description: item.status for item in review.rows}
    assert statuses["BRASTEMP GELADEIRA PARC 03/12"] == "match"
    assert (batch.added, batch.matched) == (6, 1)

    entries = card_entries(card)
    store, magazine, shoes = (entries[name] for name in
                              ("LOJA X PARCELA 02/12", "MAGAZINE 3/10", "NETSHOES 02 DE 06"))
    assert (store.installment_number, store.installment_count) == (2, 12)
    assert (magazine.installment_number, magazine.installment_count) == (3, 10)
    assert (shoes.installment_number, shoes.installment_count) == (2, 6)
    assert len({store.installment_group, magazine.installment_group, shoes.installment_group}) == 3
    for plain in ("PADARIA REAL 11/03", "UBER *TRIP HELP.UBER.COM", "PAGAMENTO RECEBIDO"):
        assert entries[plain].installment_group is None
    # No future installment was made; the fridge's 3rd was claimed, not doubled.
    assert sum(1 for e in entries.values() if e.installment_group == store.installment_group) == 1
    third = db.session.get(Entry, fridge[2].id)
    assert (third.import_key is not None, third.paid_on, third.amount) == (True, date(2026, 3, 10), D("350.00"))
    assert len(entries) == 6 + 12

    # Next month's statement: 03/12 joins the same purchase, the fridge's 4th is matched.
    april = ParsedFile(format="ofx", rows=[
        ImportedRow(line=1, date=date(2026, 4, 5), amount=D("-100.00"), description="LOJA X PARCELA 03/12",
                    bank_id="b1"),
        ImportedRow(line=2, date=date(2026, 4, 10), amount=D("-350.00"),
                    description="BRASTEMP GELADEIRA PARC 04/12", bank_id="b2"),
        # Another purchase at the same shop, of another amount: its own group.
        ImportedRow(line=3, date=date(2026, 4, 6), amount=D("-80.00"), description="LOJA X PARCELA 01/03",
                    bank_id="b3"),
    ])
    review, batch = run(household, user, card, april)
    assert (batch.added, batch.matched) == (2, 1)
    entries = card_entries(card)
    assert entries["LOJA X PARCELA 03/12"].installment_group == store.installment_group
    assert entries["LOJA X PARCELA 01/03"].installment_group != store.installment_group
    assert db.session.get(Entry, fridge[3].id).import_key is not None

    # The same statement again adds nothing; undo gives the fridge's installment back.
    _review, again = run(household, user, card, parse_bank(FILE.read_bytes(), "ofx"))
    assert (again.added, again.duplicates) == (0, 7)
    undo_batch(db.session, batch, user)
    db.session.commit()
    assert db.session.get(Entry, fridge[3].id).import_key is None
    assert db.session.get(Entry, fridge[3].id).paid_on == date(2026, 4, 10)


def test_the_rows_of_one_purchase_in_one_file_share_a_group_and_other_accounts_have_none(household, user):
    card = make_account(household, name="Visa", kind="credit_card", closing_day=25, due_day=5)
    rows = [
        ImportedRow(line=1, date=date(2026, 2, 5), amount=D("-100.01"), description="LOJA X PARC 01/12"),
        ImportedRow(line=2, date=date(2026, 3, 5), amount=D("-100.00"), description="LOJA X PARC 02/12"),
    ]
    run(household, user, card, ParsedFile(format="csv", rows=rows))
    first, second = card_entries(card).values()
    assert first.installment_group == second.installment_group is not None
    checking = checking_account(household)
    run(household, user, checking, ParsedFile(format="csv", rows=rows))
    assert {e.installment_group for e in card_entries(checking).values()} == {None}
