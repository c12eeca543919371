"""Balances on several days, each continuing from the day before: the same figures, to the
cent, as one day at a time."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine

from finora.extensions import db
from finora.services.ledger.accounts import account_balances, account_balances_on
from finora.services.ledger.snapshots import set_balance
from tests.factories import create_user
from tests.ledger_factories import household_of, make_account, make_entry, make_transfer


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(datetime(2026, 3, 31, 12, tzinfo=UTC), tick=False):
        yield


def test_several_days_match_one_day_at_a_time(app):
    home = household_of(create_user())
    bank = make_account(home, name="Bank", opening_balance="1000", opening_date=date(2026, 1, 1))
    other = make_account(home, name="Other", opening_balance="50", opening_date=date(2026, 1, 20))
    late = make_account(home, name="Late", opening_balance="5", opening_date=date(2026, 3, 10))
    for n, day in enumerate([date(2026, 1, 5), date(2026, 1, 31), date(2026, 2, 10), date(2026, 2, 11),
                             date(2026, 3, 1), date(2026, 3, 15), date(2026, 3, 30)]):
        make_entry(home, account=bank, kind="income" if n % 3 == 0 else "expense",
                   amount=f"{10 + n}.{n}5", date=day, paid_on=day)
        make_entry(home, account=other, amount=f"{n}.01", date=day, paid_on=day + timedelta(days=1))
        make_entry(home, account=late, amount="1.10", date=day)  # unpaid: never counted
    # Money on the late account before its opening day: never in its balance.
    make_entry(home, account=late, amount="2.00", date=date(2026, 2, 1), paid_on=date(2026, 2, 1))
    make_transfer(home, other, bank, amount="300", date=date(2026, 2, 10))
    make_transfer(home, bank, late, amount="25", date=date(2026, 3, 12))
    # A snapshot between the days: the later days start from it, the earlier ones do not.
    set_balance(db.session, bank, date(2026, 2, 10), Decimal("777.77"))
    db.session.commit()

    days = [date(2026, 1, 31), date(2026, 2, 10), date(2026, 2, 28), date(2026, 3, 31), date(2026, 1, 1)]
    together = account_balances_on(db.session, home, days)
    for day in days:
        assert together[day] == account_balances(db.session, home, day), day
    assert together[date(2026, 2, 10)][bank.id] == Decimal("777.77")
