"""The month dashboard's list shows transfers as transfers (never income or expense), has a
type filter with "Transfer", reads income as received / not received, and repeats no id."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
import time_machine

from tests.ledger_factories import (
    checking_account,
    entry_ids,
    household_of,
    make_account,
    make_entry,
    make_transfer,
    row_containing,
)
from tests.members_factories import add_member

NOW = datetime(2026, 3, 15, 12, tzinfo=UTC)
MONTH = "/dashboard/2026/3"


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def month(user):
    household = household_of(user)
    checking = checking_account(household)
    savings = make_account(household, name="Savings", kind="savings")
    return {
        "household": household,
        "checking": checking,
        "savings": savings,
        "salary": make_entry(household, kind="income", description="Salary", amount="5000",
                             date=date(2026, 3, 5), paid_on=date(2026, 3, 5), account=checking),
        "refund": make_entry(household, kind="income", description="Refund", amount="40",
                             date=date(2026, 3, 2), account=checking),
        "rent": make_entry(household, description="Rent", amount="2000", date=date(2026, 3, 10),
                           account=checking),
        "saving": make_transfer(household, checking, savings, amount="700", date=date(2026, 3, 6),
                                description="Monthly saving"),
        "february": make_transfer(household, checking, savings, amount="1", date=date(2026, 2, 6)),
    }


def transfer_ids(page: str) -> list[int]:
    return [int(found) for found in re.findall(r'data-transfer-id="(\d+)"', page)]


def metric(page: str, key: str) -> str:
    return re.search(rf'data-metric="{key}"><span class="money[^"]*">([^<]*)<', page).group(1)


def test_the_months_transfer_is_one_row_with_both_accounts(signed_in, month):
    page = signed_in.get(MONTH).get_data(as_text=True)
    assert transfer_ids(page) == [month["saving"].id]  # February's stays in February
    row = row_containing(page, "Monthly saving")
    assert "Checking account → Savings" in row and ">Transfer</span>" in row
    assert "-R$700.00" not in row and "R$700.00" in row
    # Newest first, transfers among the entries by date.
    order = re.findall(r'data-(entry|transfer)-id="(\d+)"', page)
    assert order == [
        ("entry", str(month["rent"].id)), ("transfer", str(month["saving"].id)),
        ("entry", str(month["salary"].id)), ("entry", str(month["refund"].id)),
    ]
    assert "4 entries" in page


def test_transfers_count_in_no_total(signed_in, month):
    page = signed_in.get(MONTH).get_data(as_text=True)
    assert metric(page, "received") == "R$5,000.00"
    assert metric(page, "paid") == "R$0.00"
    assert metric(page, "to-receive") == "R$40.00"
    assert metric(page, "to-pay") == "R$2,000.00"


@pytest.mark.parametrize(
    ("query", "entries", "transfers"),
    [
        ("?kind=transfer", [], ["saving"]),
        ("?kind=income", ["salary", "refund"], []),
        ("?kind=expense", ["rent"], []),
        ("?status=paid", ["salary"], []),  # a transfer has no paid status
        ("?account={savings}", [], ["saving"]),  # the account it went into
        ("?account={checking}", ["rent", "salary", "refund"], ["saving"]),  # and out of
        ("?q=monthly", [], ["saving"]),
    ],
)
def test_the_type_and_other_filters(signed_in, month, query, entries, transfers):
    ids = {"savings": month["savings"].id, "checking": month["checking"].id}
    page = signed_in.get(MONTH + query.format(**ids)).get_data(as_text=True)
    assert set(entry_ids(page)) == {month[n].id for n in entries}
    assert transfer_ids(page) == [month[n].id for n in transfers]


def test_the_type_filter_offers_transfers(signed_in, month):
    page = signed_in.get(MONTH + "?kind=transfer").get_data(as_text=True)
    assert '<option value="transfer" selected>Transfer</option>' in page


def test_income_wording_on_the_dashboard(signed_in, month):
    page = signed_in.get(MONTH).get_data(as_text=True)
    salary = row_containing(page, "Salary")
    refund = row_containing(page, "Refund")
    rent = row_containing(page, "Rent")
    assert '<span class="badge text-bg-success">Received</span>' in salary
    assert '<span class="badge text-bg-light border">Not received</span>' in refund
    assert "Overdue" not in refund and "text-bg-danger" not in refund
    assert '<span class="badge text-bg-danger">Overdue</span>' in rent  # a late bill stays red
    assert "Mark Refund as received" in refund
    status_filter = page[page.index('id="filter-status"'):]
    status_filter = status_filter[: status_filter.index("</select>")]
    assert "Paid / received" in status_filter and "Overdue / not received" in status_filter


def test_rows_repeat_no_id(signed_in, month):
    page = signed_in.get(MONTH).get_data(as_text=True)
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    assert 'name="csrf_token"' in page and 'id="csrf_token"' not in page


def test_the_list_links_the_phone_layout(signed_in, month):
    page = signed_in.get(MONTH).get_data(as_text=True)
    assert "/static/css/ledger.css" in page
    assert 'class="table align-middle entries-table ledger-table"' in page
    assert 'class="ledger-amount' in row_containing(page, "Monthly saving")


def test_a_viewer_gets_no_transfer_actions(client, auth, month):
    viewer = add_member(month["household"], "viewer")
    auth.login(viewer.email)
    page = client.get(MONTH).get_data(as_text=True)
    row = row_containing(page, "Monthly saving")
    assert "/transfers/" not in row
    assert f"/entries/{month['rent'].id}/" not in page
