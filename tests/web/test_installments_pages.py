"""Installment purchases through the entry form, and deleting one installment or all of
them with undo (docs/cards.md)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine
from sqlalchemy import func, select

from finora.extensions import db
from finora.models import Entry, UndoRecord
from tests.ledger_factories import (
    category,
    checking_account,
    field_error,
    household_of,
    input_value,
    make_account,
)

NOW = datetime(2026, 3, 15, 12, tzinfo=UTC)
D = Decimal


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def household(user):
    return household_of(user)


@pytest.fixture
def card(household):
    return make_account(household, name="Visa", kind="credit_card", closing_day=10, due_day=20)


def purchase_form(household, account, **overrides) -> dict:
    data = {
        "kind": "expense", "amount": "1,200.00", "date": "2026-03-12", "description": "Fridge",
        "account_id": str(account.id), "category_id": str(category(household, "expense.food").id),
        "payment_method": "credit_card", "paid": "y", "installments": "12", "next": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def entries_of(account) -> list[Entry]:
    db.session.expire_all()
    return list(db.session.scalars(select(Entry).where(Entry.account_id == account.id).order_by(Entry.date)))


def test_a_purchase_in_twelve_installments(signed_in, household, card):
    assert 'name="installments"' in signed_in.get("/entries/new").text
    response = signed_in.post("/entries/new", data=purchase_form(household, card))
    assert response.status_code == 302
    entries = entries_of(card)
    assert len(entries) == 12 and sum(e.amount for e in entries) == D("1200.00")
    assert entries[0].description == "Fridge 1/12" and entries[11].date == date(2027, 2, 12)
    assert "Purchase “Fridge 1/12” added in 12 installments." in signed_in.get("/dashboard", follow_redirects=True).text


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"installments": "1"}, "installments"),
        ({"installments": "x"}, "installments"),
        ({"repeat": "monthly"}, "installments"),
    ],
)
def test_bad_installments_keep_the_form_and_write_nothing(signed_in, household, card, overrides, field):
    response = signed_in.post("/entries/new", data=purchase_form(household, card, **overrides))
    assert response.status_code == 422
    assert field_error(response.text, field)
    assert input_value(response.text, "description") == "Fridge"
    assert entries_of(card) == []


def test_installments_on_a_checking_account_are_refused(signed_in, household, card):
    checking = checking_account(household)
    response = signed_in.post("/entries/new", data=purchase_form(household, checking))
    assert response.status_code == 422
    assert "Installments are for purchases on a credit-card account." in field_error(response.text, "installments")
    assert db.session.scalar(select(func.count()).select_from(Entry)) == 0


def test_delete_one_installment_or_all_of_them_with_undo(signed_in, household, card):
    signed_in.post("/entries/new", data=purchase_form(household, card, installments="3"))
    first, second, third = entries_of(card)
    page = signed_in.get(f"/entries/{second.id}/edit").text
    assert "Installment 2 of 3 of one purchase." in page
    response = signed_in.post(f"/entries/{third.id}/delete", data={})
    assert response.status_code == 302
    assert [e.id for e in entries_of(card)] == [first.id, second.id]
    response = signed_in.post(f"/entries/{first.id}/delete", data={"group": "1"})
    assert response.status_code == 302
    assert entries_of(card) == []
    record = db.session.scalar(select(UndoRecord).order_by(UndoRecord.id.desc()))
    assert record.count == 2
    assert signed_in.post(f"/undo/{record.id}", data={}).status_code == 302
    restored = entries_of(card)
    assert [e.description for e in restored] == ["Fridge 1/3", "Fridge 2/3"]
    assert len({e.installment_group for e in restored}) == 1 and restored[1].installment_number == 2
