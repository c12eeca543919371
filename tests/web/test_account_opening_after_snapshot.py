"""Moving an account's opening date past one of its balance snapshots is refused, in the
service (every caller) and beside the opening-date field of the edit page, keeping what was
typed; the first snapshot's own day and earlier days stay allowed."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine
from flask_babel import force_locale

from finora.errors import FieldError
from finora.extensions import db
from finora.models import Account
from finora.services.ledger.accounts import AccountData, account_balances, update_account
from finora.services.ledger.snapshots import set_balance
from tests.ledger_factories import (
    field_error,
    input_value,
    make_account,
    reload,
    selected_value,
    snapshot,
)

NOW = datetime(2026, 3, 15, 12, tzinfo=UTC)
REFUSED = (
    "A balance is set for this account on February 10, 2026: choose that day or an earlier "
    "one, or delete that balance on the account's page first."
)


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def savings(household):
    """Opened on 1 Feb with 500.00; balances set on 10 Feb (800.00) and 1 Mar (900.00)."""
    account = make_account(
        household, name="Savings", kind="savings", opening_balance="500", opening_date=date(2026, 2, 1)
    )
    set_balance(db.session, account, date(2026, 3, 1), Decimal("900"))
    set_balance(db.session, account, date(2026, 2, 10), Decimal("800"))
    db.session.commit()
    return account


def data(account: Account, opening_date: date, **changes) -> AccountData:
    values = {
        "name": account.name,
        "kind": account.kind,
        "opening_balance": account.opening_balance,
        "opening_date": opening_date,
        "include_in_forecast": account.include_in_forecast,
    }
    values.update(changes)
    return AccountData(**values)


def edit_form(**overrides) -> dict:
    form = {
        "name": "Savings",
        "kind": "savings",
        "opening_balance": "500.00",
        "opening_date": "2026-02-01",
        "include_in_forecast": "y",
    }
    form.update(overrides)
    return form


def test_the_service_refuses_an_opening_after_the_first_snapshot(household, savings):
    before = snapshot(Account, savings.id)
    with pytest.raises(FieldError) as raised:
        update_account(db.session, savings, data(savings, date(2026, 2, 11), name="Renamed"))
    assert raised.value.field == "opening_date"
    with force_locale("en"):
        assert str(raised.value.message) == REFUSED
    db.session.rollback()
    assert snapshot(Account, savings.id) == before
    assert account_balances(db.session, household, date(2026, 3, 15))[savings.id] == Decimal("900.00")


@pytest.mark.parametrize("day", [date(2026, 2, 10), date(2026, 1, 15)])
def test_the_first_snapshots_day_or_an_earlier_one_is_allowed(household, savings, day):
    update_account(db.session, savings, data(savings, day))
    db.session.commit()
    assert reload(Account, savings.id).opening_date == day


def test_an_account_without_snapshots_moves_its_opening_freely(household):
    account = make_account(household, name="Wallet", kind="cash", opening_date=date(2026, 2, 1))
    update_account(db.session, account, data(account, date(2026, 3, 10)))
    db.session.commit()
    assert reload(Account, account.id).opening_date == date(2026, 3, 10)


def test_another_accounts_snapshot_does_not_count(household, savings):
    wallet = make_account(household, name="Wallet", kind="cash", opening_date=date(2026, 1, 1))
    update_account(db.session, wallet, data(wallet, date(2026, 3, 10)))
    db.session.commit()
    assert reload(Account, wallet.id).opening_date == date(2026, 3, 10)


def test_the_edit_page_shows_the_error_beside_the_opening_date_and_keeps_the_input(signed_in, savings):
    before = snapshot(Account, savings.id)
    response = signed_in.post(
        f"/accounts/{savings.id}/edit",
        data=edit_form(name="Savings renamed", kind="investment", opening_balance="1,234.56",
                       opening_date="2026-02-20"),
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert field_error(page, "opening_date") == REFUSED
    assert field_error(page, "name") is None
    assert input_value(page, "opening_date") == "2026-02-20"
    assert input_value(page, "name") == "Savings renamed"
    assert input_value(page, "opening_balance") == "1,234.56"
    assert selected_value(page, "kind") == "investment"
    assert snapshot(Account, savings.id) == before


def test_the_edit_page_saves_an_opening_on_the_first_snapshots_day(signed_in, savings):
    response = signed_in.post(f"/accounts/{savings.id}/edit", data=edit_form(opening_date="2026-02-10"))
    assert response.status_code == 302
    assert reload(Account, savings.id).opening_date == date(2026, 2, 10)
