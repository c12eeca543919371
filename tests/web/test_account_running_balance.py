"""The account page's running balance: the balance after each row (entries on their paid
day, transfers both ways, a snapshot resetting it at the end of its day), the same figures
account_balances gives, and the last one equal to the balance the page shows."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine

from finora.extensions import db
from finora.services.ledger.account_activity import BEFORE_OPENING, LATER, UNPAID, account_activity
from finora.services.ledger.accounts import account_balances
from finora.services.ledger.snapshots import set_balance
from tests.ledger_factories import (
    checking_account,
    make_account,
    make_entry,
    make_transfer,
)

NOW = datetime(2026, 3, 15, 12, tzinfo=UTC)  # the households' today is 2026-03-15
D = Decimal
MARCH = (date(2026, 3, 1), date(2026, 3, 31))


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def wallet(household):
    """Opened on 20 Feb with 100.00; a month of entries, transfers and one balance set."""
    wallet = make_account(household, name="Wallet", kind="cash", opening_balance="100", opening_date=date(2026, 2, 20))
    checking = checking_account(household)
    checking.opening_date = date(2026, 1, 1)
    db.session.commit()

    def paid(description, amount, day, kind="expense", dated=None):
        make_entry(
            household, account=wallet, kind=kind, amount=amount, date=dated or day, paid_on=day, description=description
        )

    paid("Before opening", "9", date(2026, 2, 10))  # never counted
    paid("Bakery", "15", date(2026, 2, 25))  # March starts at 85
    paid("Lunch", "30", date(2026, 3, 2))
    make_transfer(household, checking, wallet, amount="200", date=date(2026, 3, 3), description="Top up")
    paid("Refund", "50", date(2026, 3, 5), kind="income", dated=date(2026, 2, 27))  # paid in March
    make_transfer(household, wallet, checking, amount="20", date=date(2026, 3, 6))
    paid("Taxi", "10", date(2026, 3, 8))  # on the snapshot's day: inside it
    set_balance(db.session, wallet, date(2026, 3, 8), D("500"))
    db.session.commit()
    paid("Market", "40", date(2026, 3, 10))
    make_entry(household, account=wallet, amount="99", date=date(2026, 3, 12), description="Unpaid bill")
    make_transfer(household, checking, wallet, amount="5", date=date(2026, 3, 14))
    make_transfer(household, wallet, checking, amount="7", date=date(2026, 3, 20))  # after today
    return wallet


def figures(rows) -> list[tuple[date, str, Decimal | None, str | None]]:
    def what(m):
        if m.snapshot:
            return "snapshot"
        if m.opening:
            return "opening"
        return m.description if m.entry else f"transfer {m.signed_amount}"

    return [(m.day, what(m), m.balance, m.no_balance) for m in reversed(rows)]  # oldest first


def test_the_running_balance_of_a_month(household, wallet):
    rows = account_activity(db.session, wallet, *MARCH, upto=date(2026, 3, 15))
    assert figures(rows) == [
        (date(2026, 3, 2), "Lunch", D("55.00"), None),
        (date(2026, 3, 3), "transfer 200.00", D("255.00"), None),
        (date(2026, 3, 5), "Refund", D("305.00"), None),
        (date(2026, 3, 6), "transfer -20.00", D("285.00"), None),
        (date(2026, 3, 8), "Taxi", D("275.00"), None),
        (date(2026, 3, 8), "snapshot", D("500.00"), None),  # the end of the day: it wins
        (date(2026, 3, 10), "Market", D("460.00"), None),
        (date(2026, 3, 12), "Unpaid bill", None, UNPAID),
        (date(2026, 3, 14), "transfer 5.00", D("465.00"), None),
        (date(2026, 3, 20), "transfer -7.00", None, LATER),
    ]


def test_each_days_last_figure_is_account_balances_on_that_day(household, wallet):
    for start, end in (MARCH, (date(2026, 2, 1), date(2026, 2, 28))):
        rows = account_activity(db.session, wallet, start, end)  # every day counted
        last_of_day = {}
        for m in reversed(rows):
            if m.balance is not None:
                last_of_day[m.day] = m.balance
        assert last_of_day
        for day, figure in last_of_day.items():
            assert figure == account_balances(db.session, household, day)[wallet.id], day


def test_the_opening_month_starts_from_the_opening_balance(household, wallet):
    rows = account_activity(db.session, wallet, date(2026, 2, 1), date(2026, 2, 28))
    assert figures(rows) == [
        (date(2026, 2, 10), "Before opening", None, BEFORE_OPENING),
        (date(2026, 2, 20), "opening", D("100.00"), None),
        (date(2026, 2, 25), "Bakery", D("85.00"), None),
    ]  # the refund dated 27 February was paid on 5 March: it is March's


def balances_on_page(page: str) -> list[str]:
    return re.findall(r'<td class="text-end text-nowrap account-running" data-balance="([^"]*)">', page)


def test_the_page_shows_the_column_and_its_last_figure_is_the_page_balance(signed_in, wallet):
    page = signed_in.get(f"/accounts/{wallet.id}").get_data(as_text=True)
    assert '<th scope="col" class="text-end">Balance</th>' in page
    shown = balances_on_page(page)
    # Newest first: after today, 465 (the 14th), unpaid, 460, 500 (snapshot), 275, 285, 305, 255, 55.
    assert shown == ["", "465.00", "", "460.00", "500.00", "275.00", "285.00", "305.00", "255.00", "55.00"]
    assert 'Balance on March 15, 2026: <strong><span class="money money-positive">R$465.00' in page
    last = next(value for value in shown if value)
    assert f"R${last}" in page.split("Balance on March 15, 2026", 1)[1][:120]
    unpaid = re.search(r"<tr>(?:(?!</tr>).)*Unpaid bill.*?</tr>", page, re.S).group(0)
    assert "not paid yet" in unpaid
    later = re.search(r"<tr>(?:(?!</tr>).)*Transfer to Checking account(?:(?!</tr>).)*data-balance=\"\".*?</tr>", page, re.S)
    assert later is not None and "after today" in later.group(0)
    refund = re.search(r"<tr>(?:(?!</tr>).)*Refund.*?</tr>", page, re.S).group(0)
    assert "dated 2/27/26" in refund


def test_the_opening_row_on_the_page(signed_in, wallet):
    page = signed_in.get(f"/accounts/{wallet.id}?year=2026&month=2").get_data(as_text=True)
    opening = re.search(r'<tr class="opening-row">.*?</tr>', page, re.S).group(0)
    assert "Opening balance" in opening and 'data-balance="100.00"' in opening
    assert balances_on_page(page)[0] == "85.00"
    assert "Balance on February 28, 2026" in page and "R$85.00</span></strong>" in page
    assert "before the opening date" in page
