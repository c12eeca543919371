"""The account page's rows: the note in the balance column reads right for an income, and
the table carries what turns its rows into cards on a phone (ledger.css, a labelled balance).

The layout itself is checked in a browser by tests/e2e/test_account_page_phone.py."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
import time_machine

from tests.ledger_factories import (
    household_of,
    make_account,
    make_entry,
    make_transfer,
    row_containing,
)

NOW = datetime(2026, 3, 15, 12, tzinfo=UTC)  # the household's today is 2026-03-15


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def wallet(user):
    household = household_of(user)
    wallet = make_account(household, name="Wallet", kind="cash", opening_balance="100", opening_date=date(2026, 3, 3))
    make_entry(household, account=wallet, kind="income", amount="80", date=date(2026, 3, 10), description="Salary due")
    make_entry(household, account=wallet, amount="25", date=date(2026, 3, 11), description="Bill due")
    make_entry(household, account=wallet, kind="income", amount="5", date=date(2026, 3, 20), description="Refund to come")
    make_entry(
        household, account=wallet, kind="income", amount="7", date=date(2026, 3, 1), paid_on=date(2026, 3, 2),
        description="Gift before opening",
    )
    return wallet


def balance_cell(row: str) -> str:
    return re.search(r'<td class="text-end text-nowrap account-running".*?</td>', row, re.S).group(0)


def test_an_unpaid_income_is_not_received_yet_and_an_unpaid_expense_not_paid_yet(signed_in, wallet):
    page = signed_in.get(f"/accounts/{wallet.id}").get_data(as_text=True)
    income = balance_cell(row_containing(page, "Salary due"))
    assert "not received yet" in income and "not paid" not in income
    expense = balance_cell(row_containing(page, "Bill due"))
    assert "not paid yet" in expense and "received" not in expense


def test_the_other_notes_read_the_same_for_an_income(signed_in, wallet):
    page = signed_in.get(f"/accounts/{wallet.id}").get_data(as_text=True)
    later = balance_cell(row_containing(page, "Refund to come"))
    assert "after today" in later and "paid" not in later and "received" not in later
    before = balance_cell(row_containing(page, "Gift before opening"))
    assert "before the opening date" in before and "paid" not in before and "received" not in before
    assert "Entries not paid or received yet do not move it." in page


def test_the_rows_can_become_cards_with_a_labelled_balance(signed_in, user, wallet):
    household = household_of(user)
    other = make_account(household, name="Savings", kind="savings")
    make_transfer(household, wallet, other, amount="10", date=date(2026, 3, 12))
    page = signed_in.get(f"/accounts/{wallet.id}").get_data(as_text=True)
    assert "css/ledger.css" in page
    assert re.search(r'<div class="[^"]*\bledger-table-box\b[^"]*">\s*<table class="[^"]*\baccount-statement\b', page)
    cells = re.findall(r'<td class="text-end text-nowrap account-running".*?</td>', page, re.S)
    assert len(cells) == 6  # four entries, the transfer, the opening balance
    for cell in cells:
        assert '<span class="account-running-label d-sm-none">Balance</span>' in cell
    for text in ("Salary due", "Transfer to Savings", "Opening balance"):
        row = row_containing(page, text)
        assert 'class="ledger-description"' in row and 'class="ledger-status"' in row
        assert 'class="ledger-amount text-end text-nowrap"' in row
