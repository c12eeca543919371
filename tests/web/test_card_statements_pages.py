"""Credit cards on the web (docs/cards.md): statement days and limit on the account form,
the statements page, and paying a statement with a transfer from another account."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine
from sqlalchemy import select

from finora.extensions import db
from finora.models import Account, Transfer
from tests.ledger_factories import (
    checking_account,
    field_error,
    household_of,
    input_value,
    make_account,
    make_entry,
    row_containing,
    selected_value,
)

NOW = datetime(2026, 3, 15, 12, tzinfo=UTC)  # the household's today is 2026-03-15
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
    card = make_account(household, name="Visa", kind="credit_card", closing_day=10, due_day=20,
                        credit_limit="2500")
    make_entry(household, account=card, amount="120.50", date=date(2026, 3, 2), paid_on=date(2026, 3, 2),
               description="Groceries on the card")
    make_entry(household, account=card, amount="30.00", date=date(2026, 3, 12), description="Later purchase")
    return card


def card_form(**overrides) -> dict:
    data = {"name": "Master", "kind": "credit_card", "opening_balance": "0", "opening_date": "2026-03-01",
            "closing_day": "3", "due_day": "10", "credit_limit": "1,500.00"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def account_named(household, name) -> Account | None:
    db.session.expire_all()
    return db.session.scalar(select(Account).where(Account.household_id == household.id, Account.name == name))


def test_a_card_keeps_its_statement_days_and_limit(signed_in, household):
    response = signed_in.post("/accounts/new", data=card_form())
    assert response.status_code == 302
    card = account_named(household, "Master")
    assert (card.closing_day, card.due_day, card.credit_limit) == (3, 10, D("1500.00"))
    page = signed_in.get(f"/accounts/{card.id}/edit").text
    assert input_value(page, "closing_day") == "3" and input_value(page, "credit_limit") == "1500.00"
    response = signed_in.post(f"/accounts/{card.id}/edit", data=card_form(closing_day="", due_day="", credit_limit=""))
    assert response.status_code == 302
    card = account_named(household, "Master")
    assert (card.closing_day, card.due_day, card.credit_limit) == (None, None, None)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"due_day": ""}, "due_day", "Enter both the closing day and the due day, or neither."),
        ({"closing_day": "32"}, "closing_day", "Enter a day from 1 to 31."),
        ({"due_day": "0"}, "due_day", "Enter a day from 1 to 31."),
        ({"credit_limit": "-5"}, "credit_limit", None),
    ],
)
def test_bad_card_fields_are_refused_beside_the_field(signed_in, household, overrides, field, message):
    response = signed_in.post("/accounts/new", data=card_form(**overrides))
    assert response.status_code == 422
    error = field_error(response.text, field)
    assert error is not None and (message is None or message in error)
    assert input_value(response.text, "name") == "Master"
    assert account_named(household, "Master") is None


def test_other_types_drop_the_card_fields(signed_in, household):
    response = signed_in.post("/accounts/new", data=card_form(kind="checking", name="Bank"))
    assert response.status_code == 302
    bank = account_named(household, "Bank")
    assert (bank.closing_day, bank.due_day, bank.credit_limit) == (None, None, None)


def test_the_statements_page_lists_each_statement(signed_in, card):
    page = signed_in.get(f"/accounts/{card.id}/statements").text
    march = row_containing(page, 'data-statement="2026-03"')
    assert "Mar 20, 2026" in march and "120.50" in march and "Closed" in march
    assert "/statements/2026-03/pay" in march
    april = row_containing(page, 'data-statement="2026-04"')
    assert "30.00" in april and "Open" in april
    assert "2,500.00" in page  # the limit, less what is not paid yet (120.50 + 30.00)
    assert "2,349.50" in page[page.index('id="card-available"'):]
    assert f"/accounts/{card.id}/statements" in signed_in.get(f"/accounts/{card.id}").text


def test_a_card_without_days_says_how_to_get_statements(signed_in, household):
    plain = make_account(household, name="Amex", kind="credit_card")
    page = signed_in.get(f"/accounts/{plain.id}/statements").text
    assert "Set the card’s closing day and due day to see its statements." in page
    checking = checking_account(household)
    response = signed_in.get(f"/accounts/{checking.id}/statements")
    assert response.status_code == 302 and response.headers["Location"] == f"/accounts/{checking.id}"
    assert signed_in.get(f"/accounts/{checking.id}/statements/2026-03/pay").status_code == 404
    assert signed_in.get(f"/accounts/{plain.id}/statements/2026-03/pay").status_code == 404


def test_paying_a_statement_is_a_transfer_that_settles_it(signed_in, household, card):
    url = f"/accounts/{card.id}/statements/2026-03/pay"
    page = signed_in.get(url).text
    checking = checking_account(household)
    assert selected_value(page, "from_account_id") == str(checking.id)
    assert input_value(page, "amount") == "120.50"
    assert input_value(page, "date") == "2026-03-20"
    response = signed_in.post(url, data={"from_account_id": str(checking.id), "amount": "120.50",
                                         "date": "2026-03-15", "description": "Visa March"})
    assert response.status_code == 302
    transfer = db.session.scalar(select(Transfer).where(Transfer.to_account_id == card.id))
    assert (transfer.from_account_id, transfer.amount, transfer.date) == (checking.id, D("120.50"), date(2026, 3, 15))
    march = row_containing(signed_in.get(f"/accounts/{card.id}/statements").text, 'data-statement="2026-03"')
    assert "Paid" in march and "/pay" not in march


def test_a_bad_payment_keeps_what_was_typed_and_writes_nothing(signed_in, household, card):
    url = f"/accounts/{card.id}/statements/2026-03/pay"
    response = signed_in.post(url, data={"from_account_id": str(checking_account(household).id),
                                         "amount": "abc", "date": "2026-03-15"})
    assert response.status_code == 422
    assert input_value(response.text, "amount") == "abc"
    response = signed_in.post(url, data={"from_account_id": "", "amount": "10", "date": "2026-03-15"})
    assert response.status_code == 422 and field_error(response.text, "from_account_id")
    assert db.session.scalar(select(Transfer).where(Transfer.to_account_id == card.id)) is None
    assert signed_in.get(f"/accounts/{card.id}/statements/2019-01/pay").status_code == 404
    assert signed_in.get(f"/accounts/{card.id}/statements/junk/pay").status_code == 404


def test_the_statements_csv(signed_in, card, household):
    response = signed_in.get(f"/accounts/{card.id}/statements.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    lines = response.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines == [
        "statement,start,closing_date,due_date,total,paid,outstanding,entries,status",
        "2026-03,2026-02-11,2026-03-10,2026-03-20,120.50,0.00,120.50,1,closed",
        "2026-04,2026-03-11,2026-04-10,2026-04-20,30.00,0.00,30.00,1,open",
    ]
    other = signed_in.get(f"/accounts/{checking_account(household).id}/statements.csv")
    assert other.get_data(as_text=True).lstrip("\ufeff").splitlines() == [lines[0]]


def test_the_forecast_table_shows_the_statement_on_its_due_date(signed_in, card):
    page = signed_in.get("/forecast").text
    row = row_containing(page, "Visa statement")
    assert "Mar 20, 2026" in row and "120.50" in row
    assert f'href="/accounts/{card.id}/statements"' in row
    assert "Groceries on the card" not in page  # the purchase is in the statement, not on its own



def test_an_upcoming_statement_is_shown_without_a_pay_button(signed_in, household, card):
    make_entry(household, account=card, amount="55.00", date=date(2026, 4, 15), description="Installment 2/2")
    may = row_containing(signed_in.get(f"/accounts/{card.id}/statements").text, 'data-statement="2026-05"')
    assert "Upcoming" in may and "55.00" in may and "/pay" not in may


def account_item(page: str, account_id: int) -> str:
    """One account of the forecast page's list of accounts."""
    start = page.index(f'data-account="{account_id}"')
    return page[start : page.index("</li>", start)]


def test_the_forecast_account_list_says_a_card_counts_through_its_statements(signed_in, household, card):
    plain_card = make_account(household, name="Store card", kind="credit_card", include_in_forecast=False)
    card.include_in_forecast = False
    db.session.commit()
    html = signed_in.get("/forecast").get_data(as_text=True)
    visa = account_item(html, card.id)
    assert "Statements only" in visa and "Left out" not in visa
    assert "Its statements count on their due dates" in visa
    # A card without statement days is left out as before.
    store = account_item(html, plain_card.id)
    assert "Left out" in store and "Statements only" not in store
    # Included, the card's rules count too: "Counted", and the note stays.
    card.include_in_forecast = True
    db.session.commit()
    visa = account_item(signed_in.get("/forecast").get_data(as_text=True), card.id)
    assert "Counted" in visa and "Its statements count on their due dates" in visa
