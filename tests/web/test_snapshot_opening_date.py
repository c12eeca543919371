"""A balance snapshot dated before the account's opening date is refused, in the service
(every caller) and beside the date field on the account page, keeping what was typed."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine
from sqlalchemy import select

from finora.errors import FieldError
from finora.extensions import db
from finora.models import BalanceSnapshot
from finora.services.ledger.accounts import account_balances
from finora.services.ledger.snapshots import set_balance
from tests.ledger_factories import field_error, input_value, make_account

NOW = datetime(2026, 3, 15, 12, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def savings(household):
    return make_account(household, name="Savings", opening_balance="500", opening_date=date(2026, 2, 1))


def snapshots_of(account) -> list[BalanceSnapshot]:
    db.session.expire_all()
    return list(db.session.scalars(select(BalanceSnapshot).where(BalanceSnapshot.account_id == account.id)))


def test_the_service_refuses_a_day_before_the_opening(household, savings):
    with pytest.raises(FieldError) as raised:
        set_balance(db.session, savings, date(2026, 1, 31), Decimal("10"), source="import", external_ref="x")
    assert raised.value.field == "date"
    db.session.rollback()
    assert snapshots_of(savings) == []
    # The opening balance still counts.
    assert account_balances(db.session, household, date(2026, 3, 15))[savings.id] == Decimal("500.00")


def test_the_opening_day_itself_is_allowed(household, savings):
    set_balance(db.session, savings, date(2026, 2, 1), Decimal("450"))
    db.session.commit()
    assert account_balances(db.session, household, date(2026, 3, 15))[savings.id] == Decimal("450.00")


def test_the_page_shows_the_error_beside_the_date_and_keeps_the_input(signed_in, savings):
    response = signed_in.post(f"/accounts/{savings.id}/snapshots", data={"date": "2026-01-20", "amount": "1,234.56"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert field_error(page, "date") == (
        "This account opened on February 1, 2026: set a balance for that day or a later one."
    )
    assert input_value(page, "date") == "2026-01-20"
    assert input_value(page, "amount") == "1,234.56"
    assert snapshots_of(savings) == []
    assert "R$500.00</span></strong>" in page  # the opening balance is untouched
