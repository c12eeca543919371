"""Accounts through the web: create, list with balances, edit, archive and restore, refuse
bad input beside the field, and one account's page with its entries and transfers."""

from __future__ import annotations

import os
import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine
from sqlalchemy import func, select

from finora.extensions import db
from finora.models import Account, Entry
from finora.services.ledger.accounts import account_balances
from tests.dbutil import server_url_from_env
from tests.ledger_factories import (
    checking_account,
    entry_row,
    field_error,
    field_tag,
    household_of,
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

SQLITE = server_url_from_env(os.environ.get("FINORA_TEST_DATABASE_URL")) == "sqlite"
MARIADB = server_url_from_env(os.environ.get("FINORA_TEST_DATABASE_URL")).startswith("mysql")
NOW = datetime(2026, 3, 15, 12, tzinfo=UTC)  # the households' today is 2026-03-15
TODAY = date(2026, 3, 15)
DUPLICATE = "You already have an account with this name."


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def account_form(**overrides) -> dict:
    data = {
        "name": "Savings box",
        "kind": "savings",
        "opening_balance": "1,234.56",
        "opening_date": "2026-03-01",
        "include_in_forecast": "y",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def accounts_named(household, name: str) -> list[Account]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(Account).where(Account.household_id == household.id, Account.name == name)
        )
    )


def account_count(household) -> int:
    db.session.expire_all()
    return db.session.scalar(
        select(func.count()).select_from(Account).where(Account.household_id == household.id)
    )


def active_table(page: str) -> str:
    """The table of active accounts on /accounts ("" when there is none)."""
    if '<table class="table align-middle">' not in page:
        return ""
    start = page.index('<table class="table align-middle">')
    return page[start : page.index("</table>", start)]


def archived_list(page: str) -> str:
    """The "Archived accounts" section of /accounts ("" when there is none)."""
    if "Archived accounts</h2>" not in page:
        return ""
    start = page.index("Archived accounts</h2>")
    return page[start : page.index("</ul>", start)]


def consolidated(page: str) -> str:
    return re.search(r'id="consolidated-balance"><span class="money[^"]*">([^<]*)<', page).group(1)


# Create and list


def test_new_account_form_defaults(signed_in):
    page = signed_in.get("/accounts/new").get_data(as_text=True)
    assert "New account" in page
    assert input_value(page, "opening_date") == "2026-03-15"
    assert "checked" in field_tag(page, "include_in_forecast")


def test_create_an_account_and_see_its_balance(signed_in, household):
    response = signed_in.post("/accounts/new", data=account_form(name="  Savings box  "))
    assert response.status_code == 302
    assert response.headers["Location"] == "/accounts"

    [account] = accounts_named(household, "Savings box")
    assert account.kind == "savings" and account.opening_balance == Decimal("1234.56")
    assert account.opening_date == date(2026, 3, 1) and account.include_in_forecast
    assert not account.archived

    page = signed_in.get("/accounts").get_data(as_text=True)
    assert "Account “Savings box” created." in page
    row = row_containing(page, f'href="/accounts/{account.id}"')
    assert "Savings box" in row and "Savings" in row and "R$1,234.56" in row
    assert consolidated(page) == "R$1,234.56"  # the checking account starts at zero
    assert "Balances on March 15, 2026" in page


def test_list_and_form_follow_the_users_locale(signed_in, user, household):
    make_account(household, name="Savings box", opening_balance="1234.56")
    user.locale = "pt"
    db.session.commit()
    page = signed_in.get("/accounts").get_data(as_text=True)
    assert "R$\xa01.234,56" in row_containing(page, "Savings box")
    response = signed_in.post(
        "/accounts/new", data=account_form(name="Poupança", opening_balance="2.500,75")
    )
    assert response.status_code == 302
    assert accounts_named(household, "Poupança")[0].opening_balance == Decimal("2500.75")


def test_a_negative_opening_balance_is_a_debt(signed_in, household):
    response = signed_in.post(
        "/accounts/new",
        data=account_form(name="Visa card", kind="credit_card", opening_balance="-1,500.00"),
    )
    assert response.status_code == 302
    [card] = accounts_named(household, "Visa card")
    assert card.opening_balance == Decimal("-1500.00")
    page = signed_in.get("/accounts").get_data(as_text=True)
    row = row_containing(page, "Visa card")
    assert "Credit card" in row
    assert '<span class="money money-negative">-R$1,500.00</span>' in row
    assert consolidated(page) == "-R$1,500.00"


def test_leaving_out_of_the_forecast(signed_in, household):
    signed_in.post("/accounts/new", data=account_form(include_in_forecast=None))
    [account] = accounts_named(household, "Savings box")
    assert account.include_in_forecast is False
    assert "Not included" in row_containing(
        signed_in.get("/accounts").get_data(as_text=True), "Savings box"
    )


# Refused input


@pytest.mark.parametrize(
    "typed",
    ["Checking account", "checking ACCOUNT", "  Checking Account  "],
)
def test_a_duplicate_name_is_refused_case_insensitively(signed_in, household, typed):
    before = account_count(household)
    response = signed_in.post("/accounts/new", data=account_form(name=typed))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert field_error(page, "name") == DUPLICATE
    assert 'aria-invalid="true"' in field_tag(page, "name")
    assert input_value(page, "name") == typed
    assert input_value(page, "opening_balance") == "1,234.56"
    assert input_value(page, "opening_date") == "2026-03-01"
    assert selected_value(page, "kind") == "savings"
    assert account_count(household) == before


def test_a_duplicate_name_with_accents_is_refused(signed_in, household):
    make_account(household, name="Conta Única")
    before = account_count(household)
    response = signed_in.post("/accounts/new", data=account_form(name="conta única"))
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "name") == DUPLICATE
    assert account_count(household) == before


def test_another_household_may_use_the_same_name(signed_in, household):
    from tests.factories import create_user

    other = household_of(create_user())
    make_account(other, name="Savings box")
    assert signed_in.post("/accounts/new", data=account_form()).status_code == 302


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"opening_balance": "abc"}, "opening_balance", "Enter a number, such as 1,234.56."),
        ({"opening_balance": "1.234,56"}, "opening_balance", "Enter a number, such as 1,234.56."),
        ({"opening_balance": "10.001"}, "opening_balance", "Use at most two decimal places."),
        (
            {"opening_balance": ""},
            "opening_balance",
            "Enter the balance on the opening date (0 if none).",
        ),
        ({"opening_date": "2026-02-30"}, "opening_date", "Enter a real date, such as 2026-03-31."),
        ({"opening_date": ""}, "opening_date", "Enter the opening date."),
        ({"name": "   "}, "name", "Name the account."),
        ({"name": "x" * 81}, "name", "Field cannot be longer than 80 characters."),
        ({"kind": "mattress"}, "kind", "Not a valid choice."),
    ],
)
def test_bad_input_is_refused_beside_its_field(signed_in, household, overrides, field, message):
    before = account_count(household)
    data = account_form(**overrides)
    response = signed_in.post("/accounts/new", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert field_error(page, field) == message
    assert 'aria-invalid="true"' in field_tag(page, field)
    assert input_value(page, "opening_balance") == data["opening_balance"]
    assert input_value(page, "opening_date") == data["opening_date"]
    if field != "name":
        assert input_value(page, "name") == "Savings box"
    assert account_count(household) == before


# Edit


def test_edit_an_account(signed_in, household):
    account = make_account(household, name="Savings box", kind="savings", opening_balance="100")
    page = signed_in.get(f"/accounts/{account.id}/edit").get_data(as_text=True)
    assert "Edit account" in page
    assert input_value(page, "name") == "Savings box"
    assert input_value(page, "opening_balance") == "100.00"
    assert input_value(page, "opening_date") == "2026-01-01"
    assert selected_value(page, "kind") == "savings"

    response = signed_in.post(
        f"/accounts/{account.id}/edit",
        data=account_form(
            name="Emergency fund",
            kind="investment",
            opening_balance="2,000.10",
            opening_date="2026-02-01",
            include_in_forecast=None,
        ),
    )
    assert response.status_code == 302 and response.headers["Location"] == "/accounts"
    account = reload(Account, account.id)
    assert (account.name, account.kind, account.opening_balance, account.opening_date) == (
        "Emergency fund",
        "investment",
        Decimal("2000.10"),
        date(2026, 2, 1),
    )
    assert account.include_in_forecast is False
    page = signed_in.get("/accounts").get_data(as_text=True)
    assert "Account “Emergency fund” saved." in page
    assert "R$2,000.10" in row_containing(page, "Emergency fund")


def test_edit_may_keep_the_name_or_change_its_case(signed_in, household):
    account = make_account(household, name="Savings box")
    response = signed_in.post(f"/accounts/{account.id}/edit", data=account_form(name="SAVINGS BOX"))
    assert response.status_code == 302
    assert reload(Account, account.id).name == "SAVINGS BOX"


def test_edit_onto_another_accounts_name_is_refused(signed_in, household):
    account = make_account(household, name="Savings box", opening_balance="5")
    before = snapshot(Account, account.id)
    response = signed_in.post(
        f"/accounts/{account.id}/edit",
        data=account_form(name="checking account", opening_balance="9"),
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert field_error(page, "name") == DUPLICATE
    assert input_value(page, "name") == "checking account"
    assert input_value(page, "opening_balance") == "9"
    assert snapshot(Account, account.id) == before


def test_edit_with_a_bad_balance_changes_nothing(signed_in, household):
    account = make_account(household, name="Savings box")
    before = snapshot(Account, account.id)
    response = signed_in.post(
        f"/accounts/{account.id}/edit", data=account_form(name="Renamed", opening_balance="abc")
    )
    assert response.status_code == 422
    assert input_value(response.get_data(as_text=True), "opening_balance") == "abc"
    assert snapshot(Account, account.id) == before


# Archive and restore


def test_archive_and_restore(signed_in, household):
    account = make_account(household, name="Old bank", opening_balance="250")
    response = signed_in.post(f"/accounts/{account.id}/archive", data={"confirm": "1"})
    assert response.status_code == 302 and response.headers["Location"] == "/accounts"
    assert reload(Account, account.id).archived

    page = signed_in.get("/accounts").get_data(as_text=True)
    assert "Account “Old bank” archived. Its history is kept." in page
    assert "Old bank" not in active_table(page)
    archived = archived_list(page)
    assert "Old bank" in archived and "Restore" in archived and "R$250.00" in archived
    assert f'action="/accounts/{account.id}/restore"' in archived
    assert consolidated(page) == "R$0.00"  # archived accounts are left out of the total

    form = signed_in.get("/entries/new").get_data(as_text=True)
    assert str(account.id) not in [value for value, _l, _s in select_options(form, "account_id")]
    form = signed_in.get("/transfers/new").get_data(as_text=True)
    assert str(account.id) not in [
        value for value, _l, _s in select_options(form, "from_account_id")
    ]

    response = signed_in.post(f"/accounts/{account.id}/restore")
    assert response.status_code == 302
    assert not reload(Account, account.id).archived
    page = signed_in.get("/accounts").get_data(as_text=True)
    assert "Account “Old bank” restored." in page
    assert "Old bank" in active_table(page)
    assert archived_list(page) == ""
    assert consolidated(page) == "R$250.00"


def test_archive_and_restore_are_post_only(signed_in, household):
    account = make_account(household, name="Old bank")
    assert signed_in.get(f"/accounts/{account.id}/archive").status_code == 405
    assert not reload(Account, account.id).archived
    make_account(household, name="Older bank", archived=True)
    older = accounts_named(household, "Older bank")[0]
    assert signed_in.get(f"/accounts/{older.id}/restore").status_code == 405
    assert reload(Account, older.id).archived


def test_an_entry_in_an_archived_account_still_edits(signed_in, household):
    account = make_account(household, name="Old bank")
    entry = make_entry(household, account=account, description="Old fee", amount="10")
    signed_in.post(f"/accounts/{account.id}/archive", data={"confirm": "1"})

    page = signed_in.get(f"/entries/{entry.id}/edit").get_data(as_text=True)
    assert selected_value(page, "account_id") == str(account.id)
    response = signed_in.post(
        f"/entries/{entry.id}/edit",
        data={
            "kind": "expense",
            "amount": "12.00",
            "date": "2026-03-10",
            "description": "Old fee (corrected)",
            "account_id": str(account.id),
            "category_id": str(entry.category_id),
            "subcategory_id": str(entry.subcategory_id),
            "payment_method": "other",
        },
    )
    assert response.status_code == 302
    entry = reload(Entry, entry.id)
    assert entry.amount == Decimal("12.00") and entry.description == "Old fee (corrected)"
    assert entry.account_id == account.id

    # Moving another entry into the archived account is refused.
    other = make_entry(household, description="New fee")
    response = signed_in.post(
        f"/entries/{other.id}/edit",
        data={
            "kind": "expense",
            "amount": "1.00",
            "date": "2026-03-10",
            "description": "New fee",
            "account_id": str(account.id),
            "category_id": str(other.category_id),
            "subcategory_id": "",
            "payment_method": "other",
        },
    )
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "account_id") == (
        "This account is archived; choose another one."
    )
    assert reload(Entry, other.id).account_id == checking_account(household).id


# One account's page


def test_the_account_page_lists_entries_and_transfers_of_the_month(signed_in, household):
    wallet = make_account(household, name="Wallet", kind="cash", opening_date=date(2026, 1, 1))
    checking = checking_account(household)
    bakery = make_entry(
        household,
        account=wallet,
        description="Bakery",
        amount="50",
        date=date(2026, 3, 10),
        paid_on=date(2026, 3, 10),
    )
    make_entry(
        household,
        account=wallet,
        kind="income",
        description="Sold bike",
        amount="200",
        date=date(2026, 3, 12),
    )
    make_entry(household, account=wallet, description="February lunch", date=date(2026, 2, 20))
    make_entry(household, account=checking, description="Not in the wallet", date=date(2026, 3, 3))
    make_transfer(
        household, checking, wallet, amount="300", date=date(2026, 3, 5), description="Top up"
    )
    make_transfer(household, wallet, checking, amount="20", date=date(2026, 3, 14))
    make_transfer(household, checking, wallet, amount="1", date=date(2026, 4, 1))

    page = signed_in.get(f"/accounts/{wallet.id}").get_data(as_text=True)
    assert "<h1" in page and "Wallet" in page and "Cash" in page
    assert "Bakery" in page and "Sold bike" in page
    assert "February lunch" not in page and "Not in the wallet" not in page

    assert "-R$50.00" in row_containing(page, "Bakery")
    assert "Paid" in row_containing(page, "Bakery")
    assert f'href="/entries/{bakery.id}/edit?next=' in row_containing(page, "Bakery")
    sold = row_containing(page, "Sold bike")
    assert "R$200.00" in sold and "-R$200.00" not in sold and "Not received" in sold  # income
    incoming = row_containing(page, "Transfer from Checking account")
    assert "R$300.00" in incoming and "-R$300.00" not in incoming and "Top up" in incoming
    outgoing = row_containing(page, "Transfer to Checking account")
    assert "-R$20.00" in outgoing
    assert page.count("Transfer from") + page.count("Transfer to") == 2  # April's is not shown

    # Newest first: the dates of the rows go down.
    rows = re.findall(r'<td class="text-nowrap">(\d+)/(\d+)/26</td>', page)
    days = [int(day) for _month, day in rows]
    assert days == sorted(days, reverse=True) and len(days) == 4

    # Balance on today: 0 - 50 (paid) + 300 - 20; the unpaid income does not count.
    assert 'Balance on March 15, 2026: <strong><span class="money money-positive">R$230.00' in page

    # The checking account sees the same transfers the other way round.
    page = signed_in.get(f"/accounts/{checking.id}").get_data(as_text=True)
    assert "-R$300.00" in row_containing(page, "Transfer to Wallet")
    assert "R$20.00" in row_containing(page, "Transfer from Wallet")


def test_the_account_page_moves_by_month(signed_in, household):
    wallet = make_account(household, name="Wallet", kind="cash", opening_balance="10")
    make_entry(
        household,
        account=wallet,
        description="February lunch",
        amount="4",
        date=date(2026, 2, 20),
        paid_on=date(2026, 2, 20),
    )
    page = signed_in.get(f"/accounts/{wallet.id}?year=2026&month=2").get_data(as_text=True)
    assert "February 2026" in page and "February lunch" in page
    assert "Balance on February 28, 2026" in page and "R$6.00" in page
    assert f'href="/accounts/{wallet.id}?year=2026&amp;month=1"' in page
    assert f'href="/accounts/{wallet.id}?year=2026&amp;month=3"' in page
    page = signed_in.get(f"/accounts/{wallet.id}?year=2026&month=4").get_data(as_text=True)
    assert "Nothing in this account this month." in page
    page = signed_in.get(f"/accounts/{wallet.id}?year=2026&month=13").get_data(as_text=True)
    assert "March 2026" in page  # an impossible month falls back to this one


# Balances


@pytest.fixture
def balances_setup(household):
    """Savings opened on 1 Feb with 1,000.00; Main opened on 1 Jan with nothing."""
    main = make_account(household, name="Main", opening_date=date(2026, 1, 1))
    savings = make_account(
        household,
        name="Savings",
        kind="savings",
        opening_balance="1000",
        opening_date=date(2026, 2, 1),
    )

    def entry(kind, amount, day, paid_on):
        make_entry(
            household,
            account=savings,
            kind=kind,
            amount=amount,
            date=day,
            paid_on=paid_on,
            description=f"{kind} {amount}",
        )

    entry("income", "500", date(2026, 2, 10), date(2026, 2, 10))  # +500
    entry("expense", "200", date(2026, 3, 1), date(2026, 3, 1))  # -200
    entry("expense", "999", date(2026, 3, 5), None)  # unpaid: nothing
    entry("expense", "70", date(2026, 1, 20), date(2026, 1, 25))  # paid before opening: nothing
    entry("expense", "30", date(2026, 1, 30), date(2026, 2, 2))  # paid after opening: -30
    entry("expense", "40", date(2026, 3, 1), date(2026, 3, 20))  # paid in the future: not yet
    entry("income", "5", date(2026, 4, 1), date(2026, 3, 14))  # paid early: +5
    make_transfer(household, main, savings, amount="1000", date=date(2026, 1, 15))  # Main only
    make_transfer(household, main, savings, amount="300", date=date(2026, 2, 15))
    make_transfer(household, savings, main, amount="100", date=date(2026, 3, 2))
    make_transfer(household, savings, main, amount="7", date=date(2026, 3, 16))  # tomorrow
    return main, savings


def test_balances_count_paid_money_from_the_opening_date(household, balances_setup):
    main, savings = balances_setup
    balances = account_balances(db.session, household, TODAY)
    assert balances[savings.id] == Decimal("1475.00")  # 1000 + 500 - 200 - 30 + 5 + 300 - 100
    assert balances[main.id] == Decimal("-1200.00")  # -1000 - 300 + 100
    assert balances[checking_account(household).id] == Decimal("0.00")

    end_of_february = account_balances(db.session, household, date(2026, 2, 28))
    assert end_of_february[savings.id] == Decimal("1770.00")  # 1000 + 500 - 30 + 300
    assert account_balances(db.session, household, date(2026, 3, 20))[savings.id] == Decimal(
        "1428.00"
    )  # and then the -40 paid on the 20th and the -7 sent on the 16th


def test_balances_on_the_pages(signed_in, household, balances_setup):
    main, savings = balances_setup
    page = signed_in.get("/accounts").get_data(as_text=True)
    assert "R$1,475.00" in row_containing(page, f'href="/accounts/{savings.id}"')
    assert "-R$1,200.00" in row_containing(page, f'href="/accounts/{main.id}"')
    assert consolidated(page) == "R$275.00"

    page = signed_in.get(f"/accounts/{savings.id}").get_data(as_text=True)
    assert "R$1,475.00</span></strong>" in page
    page = signed_in.get(f"/accounts/{savings.id}?year=2026&month=2").get_data(as_text=True)
    assert "Balance on February 28, 2026" in page and "R$1,770.00</span></strong>" in page

    dashboard = signed_in.get("/dashboard/2026/3").get_data(as_text=True)
    assert 'data-metric="accounts"><span class="money money-positive">R$275.00' in dashboard


def test_paying_an_entry_moves_the_balance(signed_in, household):
    wallet = make_account(household, name="Wallet", kind="cash", opening_balance="100")
    entry = make_entry(household, account=wallet, amount="30", date=date(2026, 3, 10))
    assert "R$100.00" in row_containing(signed_in.get("/accounts").get_data(as_text=True), "Wallet")
    signed_in.post(f"/entries/{entry.id}/paid")
    assert "R$70.00" in row_containing(signed_in.get("/accounts").get_data(as_text=True), "Wallet")
    signed_in.post(f"/entries/{entry.id}/unpaid")
    assert "R$100.00" in row_containing(signed_in.get("/accounts").get_data(as_text=True), "Wallet")


def test_entries_of_an_archived_account_stay_on_the_dashboard(signed_in, household):
    account = make_account(household, name="Old bank")
    entry = make_entry(household, account=account, description="Old fee")
    signed_in.post(f"/accounts/{account.id}/archive", data={"confirm": "1"})
    page = signed_in.get("/dashboard/2026/3").get_data(as_text=True)
    assert "Old bank" in entry_row(page, entry.id)  # history keeps its account


def test_visitors_are_sent_to_sign_in(client):
    for url in ("/accounts", "/accounts/new", "/accounts/1", "/accounts/1/edit"):
        assert "/login" in client.get(url).headers["Location"]
    for url in ("/accounts/new", "/accounts/1/edit", "/accounts/1/archive", "/accounts/1/restore"):
        assert "/login" in client.post(url).headers["Location"]


def test_names_differing_only_by_accents(signed_in, household):
    """Finora's own rule keeps them apart; MariaDB's usual accent-insensitive collation
    makes its unique index call them equal, which must read as a duplicate, never a crash."""
    make_account(household, name="Poupança")
    response = signed_in.post("/accounts/new", data=account_form(name="Poupanca"))
    if MARIADB:
        assert response.status_code == 422
        assert field_error(response.get_data(as_text=True), "name") == DUPLICATE
    else:
        assert response.status_code == 302
