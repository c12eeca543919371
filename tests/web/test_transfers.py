"""Transfers through the web: create, edit, delete; refused input; they move both balances
and are never income or expense."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine
from sqlalchemy import func, select

from finora.extensions import db
from finora.models import Transfer
from finora.services.ledger.accounts import account_balances
from tests.ledger_factories import (
    checking_account,
    field_error,
    field_tag,
    input_value,
    make_account,
    make_entry,
    make_transfer,
    reload,
    row_containing,
    select_options,
    selected_value,
    snapshot,
)

NOW = datetime(2026, 3, 15, 12, tzinfo=UTC)  # the households' today is 2026-03-15
TODAY = date(2026, 3, 15)


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def checking(household):
    return checking_account(household)


@pytest.fixture
def savings(household):
    return make_account(
        household,
        name="Savings",
        kind="savings",
        opening_balance="1000",
        opening_date=date(2026, 1, 1),
    )


def transfer_form(from_account, to_account, **overrides) -> dict:
    data = {
        "from_account_id": str(from_account.id),
        "to_account_id": str(to_account.id),
        "amount": "250.50",
        "date": "2026-03-10",
        "description": "Monthly saving",
        "next": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def transfer_count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Transfer))


def metric(page: str, key: str) -> str:
    return re.search(rf'data-metric="{key}"><span class="money[^"]*">([^<]*)<', page).group(1)


def test_new_transfer_form_defaults(signed_in, checking, savings):
    page = signed_in.get("/transfers/new?next=/accounts").get_data(as_text=True)
    assert "New transfer" in page
    assert input_value(page, "date") == "2026-03-15"
    assert input_value(page, "next") == "/accounts"
    labels = [label for _value, label, _selected in select_options(page, "from_account_id")]
    assert labels == ["Checking account", "Savings"]


def test_new_transfer_preselects_two_different_accounts(signed_in, checking, savings):
    page = signed_in.get("/transfers/new").get_data(as_text=True)
    assert selected_value(page, "from_account_id") == str(checking.id)
    assert selected_value(page, "to_account_id") == str(savings.id)


def test_create_a_transfer(signed_in, user, household, checking, savings):
    response = signed_in.post("/transfers/new", data=transfer_form(checking, savings))
    assert response.status_code == 302
    assert response.headers["Location"] == "/accounts"
    transfer = db.session.scalar(select(Transfer))
    assert transfer.household_id == household.id and transfer.created_by_id == user.id
    assert (transfer.from_account_id, transfer.to_account_id) == (checking.id, savings.id)
    assert transfer.amount == Decimal("250.50") and transfer.date == date(2026, 3, 10)
    assert transfer.description == "Monthly saving"
    assert "Transfer recorded." in signed_in.get("/accounts").get_data(as_text=True)


def test_create_goes_back_to_next(signed_in, checking, savings):
    response = signed_in.post(
        "/transfers/new", data=transfer_form(checking, savings, next="/dashboard/2026/3?page=2")
    )
    assert response.headers["Location"] == "/dashboard/2026/3?page=2"
    response = signed_in.post(
        "/transfers/new", data=transfer_form(checking, savings, next="https://evil.example/")
    )
    assert response.headers["Location"] == "/accounts"


@pytest.mark.parametrize(
    "evil", ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)"]
)
def test_a_next_to_another_site_is_ignored(signed_in, household, checking, savings, evil):
    page = signed_in.get("/transfers/new", query_string={"next": evil}).get_data(as_text=True)
    cancel = re.search(r'<a [^>]*href="([^"]*)"[^>]*>Cancel</a>', page).group(1)
    assert cancel == "/accounts"
    response = signed_in.post("/transfers/new", data=transfer_form(checking, savings, next=evil))
    assert response.headers["Location"] == "/accounts"
    transfer = make_transfer(household, checking, savings)
    response = signed_in.post(f"/transfers/{transfer.id}/delete", data={"next": evil})
    assert response.headers["Location"] == "/accounts"


def test_a_transfer_without_description(signed_in, checking, savings):
    response = signed_in.post(
        "/transfers/new", data=transfer_form(checking, savings, description="  ")
    )
    assert response.status_code == 302
    assert db.session.scalar(select(Transfer)).description is None


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"to_account_id": "@from"}, "to_account_id", "Choose two different accounts."),
        ({"amount": "abc"}, "amount", "Enter a number, such as 1,234.56."),
        ({"amount": "-10"}, "amount", "Enter a positive amount."),
        ({"amount": "0"}, "amount", "Enter a positive amount."),
        ({"amount": "0.001"}, "amount", "Use at most two decimal places."),
        ({"amount": ""}, "amount", "Enter an amount."),
        ({"date": "2026-02-29"}, "date", "Enter a real date, such as 2026-03-31."),
        ({"date": ""}, "date", "Enter a date."),
        ({"from_account_id": ""}, "from_account_id", "Choose an account."),
        ({"to_account_id": "999999"}, "to_account_id", "Choose an account."),
        (
            {"to_account_id": "@archived"},
            "to_account_id",
            "This account is archived; choose another one.",
        ),
        ({"description": "x" * 201}, "description", "Field cannot be longer than 200 characters."),
    ],
)
def test_bad_input_is_refused_beside_its_field(
    signed_in, household, checking, savings, overrides, field, message
):
    if overrides.get("to_account_id") == "@from":
        overrides = {"to_account_id": str(checking.id)}
    if overrides.get("to_account_id") == "@archived":
        overrides = {"to_account_id": str(make_account(household, name="Old", archived=True).id)}
    data = transfer_form(checking, savings, **overrides)
    response = signed_in.post("/transfers/new", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert field_error(page, field) == message
    assert 'aria-invalid="true"' in field_tag(page, field)
    assert input_value(page, "amount") == data["amount"]
    assert input_value(page, "date") == data["date"]
    assert transfer_count() == 0


def test_edit_a_transfer(signed_in, household, checking, savings):
    transfer = make_transfer(
        household, checking, savings, amount="100", date=date(2026, 3, 3), description="Saving"
    )
    page = signed_in.get(f"/transfers/{transfer.id}/edit").get_data(as_text=True)
    assert "Edit transfer" in page
    assert input_value(page, "amount") == "100.00"
    assert input_value(page, "date") == "2026-03-03"
    assert input_value(page, "description") == "Saving"
    assert selected_value(page, "from_account_id") == str(checking.id)
    assert selected_value(page, "to_account_id") == str(savings.id)
    assert f'action="/transfers/{transfer.id}/delete"' in page

    response = signed_in.post(
        f"/transfers/{transfer.id}/edit",
        data=transfer_form(
            savings,
            checking,
            amount="1,000.00",
            date="2026-03-04",
            description="Back",
            next="/accounts/1",
        ),
    )
    assert response.status_code == 302 and response.headers["Location"] == "/accounts/1"
    transfer = reload(Transfer, transfer.id)
    assert (transfer.from_account_id, transfer.to_account_id) == (savings.id, checking.id)
    assert transfer.amount == Decimal("1000.00") and transfer.date == date(2026, 3, 4)
    assert transfer.description == "Back"
    assert transfer_count() == 1


def test_edit_with_bad_input_changes_nothing(signed_in, household, checking, savings):
    transfer = make_transfer(household, checking, savings, amount="100")
    before = snapshot(Transfer, transfer.id)
    response = signed_in.post(
        f"/transfers/{transfer.id}/edit",
        data=transfer_form(savings, savings, amount="5"),
    )
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "to_account_id") == (
        "Choose two different accounts."
    )
    assert snapshot(Transfer, transfer.id) == before


def test_delete_a_transfer(signed_in, household, checking, savings):
    keep = make_transfer(household, checking, savings)
    transfer = make_transfer(household, checking, savings)
    assert signed_in.get(f"/transfers/{transfer.id}/delete").status_code == 405
    assert reload(Transfer, transfer.id) is not None
    response = signed_in.post(f"/transfers/{transfer.id}/delete", data={"next": "/accounts/1"})
    assert response.status_code == 302 and response.headers["Location"] == "/accounts/1"
    assert reload(Transfer, transfer.id) is None
    assert reload(Transfer, keep.id) is not None
    assert "Transfer deleted." in signed_in.get("/accounts").get_data(as_text=True)


def test_transfers_move_both_balances_but_are_not_income_or_expense(
    signed_in, household, checking, savings
):
    make_entry(
        household,
        kind="income",
        amount="3000",
        date=date(2026, 3, 5),
        paid_on=date(2026, 3, 5),
        account=savings,
    )
    make_entry(
        household, amount="200", date=date(2026, 3, 6), paid_on=date(2026, 3, 6), account=savings
    )
    before = signed_in.get("/dashboard/2026/3").get_data(as_text=True)
    figures = {
        key: metric(before, key)
        for key in ("received", "paid", "to-receive", "to-pay", "realised", "projected")
    }
    assert figures["received"] == "R$3,000.00" and figures["paid"] == "R$200.00"

    response = signed_in.post(
        "/transfers/new", data=transfer_form(savings, checking, amount="500", date="2026-03-15")
    )
    assert response.status_code == 302

    after = signed_in.get("/dashboard/2026/3").get_data(as_text=True)
    assert {key: metric(after, key) for key in figures} == figures
    # The month's list shows the transfer once, as a transfer between the two accounts.
    assert row_containing(after, "Monthly saving").count("Savings → Checking account") == 2
    assert 'class="transfer-row"' in row_containing(after, "Monthly saving")
    assert metric(after, "accounts") == metric(before, "accounts") == "R$3,800.00"

    balances = account_balances(db.session, household, TODAY)
    assert balances[savings.id] == Decimal("3300.00")  # 1000 + 3000 - 200 - 500
    assert balances[checking.id] == Decimal("500.00")
    page = signed_in.get("/accounts").get_data(as_text=True)
    assert "R$3,300.00" in row_containing(page, "Savings")
    assert "R$500.00" in row_containing(page, "Checking account")


def test_a_transfer_alone_is_listed_but_is_neither_income_nor_expense(signed_in, household, checking, savings):
    transfer = make_transfer(household, savings, checking, amount="50", date=date(2026, 3, 2))
    page = signed_in.get("/dashboard/2026/3").get_data(as_text=True)
    assert f'data-transfer-id="{transfer.id}"' in page  # the month's list shows it, as a transfer
    assert "Nothing recorded for this month yet" not in page
    for key in ("received", "paid", "to-receive", "to-pay", "realised", "projected"):
        assert metric(page, key) == "R$0.00"


def test_a_future_transfer_moves_balances_on_its_date(household, checking, savings):
    make_transfer(household, savings, checking, amount="50", date=date(2026, 3, 20))
    today = account_balances(db.session, household, TODAY)
    assert today[savings.id] == Decimal("1000.00") and today[checking.id] == Decimal("0.00")
    later = account_balances(db.session, household, date(2026, 3, 20))
    assert later[savings.id] == Decimal("950.00") and later[checking.id] == Decimal("50.00")


def test_a_transfer_with_an_archived_account_still_edits(signed_in, household, checking, savings):
    transfer = make_transfer(household, checking, savings, amount="100")
    signed_in.post(f"/accounts/{savings.id}/archive", data={"confirm": "1"})

    page = signed_in.get(f"/transfers/{transfer.id}/edit").get_data(as_text=True)
    assert selected_value(page, "to_account_id") == str(savings.id)
    response = signed_in.post(
        f"/transfers/{transfer.id}/edit",
        data=transfer_form(checking, savings, amount="120", description="Corrected"),
    )
    assert response.status_code == 302
    transfer = reload(Transfer, transfer.id)
    assert transfer.amount == Decimal("120.00") and transfer.description == "Corrected"

    # A new transfer into the archived account is refused.
    response = signed_in.post("/transfers/new", data=transfer_form(checking, savings))
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "to_account_id") == (
        "This account is archived; choose another one."
    )
    assert transfer_count() == 1


def test_the_account_page_links_to_its_transfers(signed_in, household, checking, savings):
    transfer = make_transfer(household, checking, savings, amount="75", description="Saving")
    page = signed_in.get(f"/accounts/{savings.id}").get_data(as_text=True)
    row = row_containing(page, "Transfer from Checking account")
    assert f'href="/transfers/{transfer.id}/edit?next=/accounts/{savings.id}' in row


def test_visitors_are_sent_to_sign_in(client):
    for url in ("/transfers/new", "/transfers/1/edit"):
        assert "/login" in client.get(url).headers["Location"]
    for url in ("/transfers/new", "/transfers/1/edit", "/transfers/1/delete"):
        assert "/login" in client.post(url).headers["Location"]
