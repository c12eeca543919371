"""GET/POST /api/v1/accounts, GET/PUT /accounts/<id>: accounts with the balance the
accounts page shows, created, edited, archived and restored through the page's services."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from finora.api.ledger_json import AccountOut
from finora.dates import today
from finora.extensions import db
from finora.models import Account, AuditEvent
from finora.services.ledger.accounts import account_balances
from finora.services.ledger.snapshots import set_balance
from tests.api.planning_helpers import assert_error, stranger_household
from tests.ledger_factories import checking_account, make_account, make_entry, make_transfer, reload


def test_the_list_shows_each_accounts_balance_as_the_accounts_page(signed_api, household):
    day = today(household)
    main = checking_account(household)
    savings = make_account(household, name="Savings", kind="savings", opening_balance="500.00",
                           opening_date=day - timedelta(days=20))
    make_account(household, name="Old card", kind="credit_card", archived=True,
                 opening_date=day - timedelta(days=20))
    make_entry(household, account=main, kind="income", amount="1000.00", date=day, paid_on=day)
    make_entry(household, account=main, amount="120.35", date=day, paid_on=day)
    make_entry(household, account=main, amount="99.00", date=day)  # unpaid: no money moved
    make_transfer(household, main, savings, amount="200.00", date=day)

    response = signed_api.get("/accounts")
    assert response.status_code == 200
    body = response.json
    assert body["meta"] == {"total": 3, "limit": 50, "offset": 0}
    items = [AccountOut.model_validate(item) for item in body["data"]]
    # Active accounts by name, then the archived ones, as on the accounts page.
    assert [a.name for a in items] == ["Checking account", "Savings", "Old card"]
    balances = account_balances(db.session, household, day)
    for item in items:
        assert Decimal(item.balance) == balances[item.id] and item.balance_date == day.isoformat()
    assert items[0].balance == "679.65" and items[1].balance == "700.00"
    assert items[2].archived is True and items[0].archived is False


def test_the_list_is_paged(signed_api, household):
    for n in range(3):
        make_account(household, name=f"Account {n}")
    page = signed_api.get("/accounts?limit=2&offset=1").json
    assert page["meta"] == {"total": 4, "limit": 2, "offset": 1}
    assert [a["name"] for a in page["data"]] == ["Account 1", "Account 2"]
    beyond = signed_api.get("/accounts?offset=10").json
    assert beyond == {"data": [], "meta": {"total": 4, "limit": 50, "offset": 10}}
    assert_error(signed_api.get("/accounts?limit=0"), 422, "validation_error")


def test_one_account_and_another_households_is_404(signed_api, household):
    main = checking_account(household)
    data = signed_api.get(f"/accounts/{main.id}").json["data"]
    assert AccountOut.model_validate(data).name == "Checking account"
    assert data["kind"] == "checking" and data["include_in_forecast"] is True
    theirs = checking_account(stranger_household())
    assert_error(signed_api.get(f"/accounts/{theirs.id}"), 404, "not_found")
    assert_error(signed_api.get("/accounts/99999999999"), 404, "not_found")


def test_adding_an_account_with_defaults_and_with_every_field(signed_api, household):
    day = today(household)
    response = signed_api.post("/accounts", json={"name": "  Wallet "})
    assert response.status_code == 201, response.get_data(as_text=True)
    data = AccountOut.model_validate(response.json["data"])
    assert (data.name, data.kind, data.opening_balance, data.opening_date) == (
        "Wallet", "checking", "0.00", day.isoformat())
    assert data.balance == "0.00" and data.include_in_forecast is True
    stored = reload(Account, data.id)
    assert stored.household_id == household.id
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "account.created",
                                                      AuditEvent.object_id == data.id))

    card = signed_api.post("/accounts", json={
        "name": "Card", "kind": "Credit_Card", "opening_balance": "-120.5",
        "opening_date": (day - timedelta(days=3)).isoformat()}).json["data"]
    assert card["kind"] == "credit_card" and card["opening_balance"] == "-120.50"
    assert card["balance"] == "-120.50"
    assert card["include_in_forecast"] is False  # a card counts only when asked
    savings = signed_api.post("/accounts", json={"name": "Pot", "kind": "savings",
                                                 "include_in_forecast": True}).json["data"]
    assert savings["include_in_forecast"] is True and savings["opening_balance"] == "0.00"
    zero = signed_api.post("/accounts", json={"name": "Zero", "opening_balance": "-0"})
    assert zero.json["data"]["opening_balance"] == "0.00"


def test_bad_account_bodies_are_422_on_their_field(signed_api, household):
    cases = [
        ({}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 81}, "name"),
        ({"name": "A", "kind": "piggy"}, "kind"),
        ({"name": "A", "opening_balance": "1.234"}, "opening_balance"),
        ({"name": "A", "opening_balance": "abc"}, "opening_balance"),
        ({"name": "A", "opening_balance": "--5"}, "opening_balance"),
        ({"name": "A", "opening_balance": -1e20}, "opening_balance"),
        ({"name": "A", "opening_date": "2026-02-30"}, "opening_date"),
        ({"name": "A", "opening_date": "1800-01-01"}, "opening_date"),
        ({"name": "A", "include_in_forecast": "maybe"}, "include_in_forecast"),
    ]
    for body, field in cases:
        response = signed_api.post("/accounts", json=body)
        assert response.status_code == 422, (body, response.get_data(as_text=True))
        assert field in response.json["fields"], (body, response.json)
    assert db.session.scalar(select(Account).where(Account.name == "A")) is None


def test_a_duplicate_name_is_a_conflict(signed_api, household):
    response = signed_api.post("/accounts", json={"name": "checking ACCOUNT"})
    assert_error(response, 409, "conflict")


def test_changing_only_the_fields_sent(signed_api, household):
    account = make_account(household, name="Wallet", kind="cash", opening_balance="10.00",
                           opening_date=today(household) - timedelta(days=5))
    response = signed_api.put(f"/accounts/{account.id}", json={"name": "Purse",
                                                              "opening_balance": 25})
    assert response.status_code == 200, response.get_data(as_text=True)
    data = AccountOut.model_validate(response.json["data"])
    assert (data.name, data.kind, data.opening_balance, data.balance) == (
        "Purse", "cash", "25.00", "25.00")
    assert data.opening_date == (today(household) - timedelta(days=5)).isoformat()
    assert reload(Account, account.id).name == "Purse"
    assert_error(signed_api.put(f"/accounts/{account.id}", json={"kind": "bank"}), 422,
                 "validation_error")


def test_archiving_and_restoring(signed_api, household):
    empty = make_account(household, name="Empty")
    data = signed_api.put(f"/accounts/{empty.id}", json={"archived": True}).json["data"]
    assert data["archived"] is True and reload(Account, empty.id).archived
    data = signed_api.put(f"/accounts/{empty.id}", json={"archived": False}).json["data"]
    assert data["archived"] is False and not reload(Account, empty.id).archived


def test_archiving_an_account_holding_money_needs_confirm(signed_api, household):
    full = make_account(household, name="Full", opening_balance="50.00")
    refused = signed_api.put(f"/accounts/{full.id}", json={"archived": True, "name": "Renamed"})
    assert_error(refused, 409, "conflict")
    stored = reload(Account, full.id)
    assert not stored.archived and stored.name == "Full"  # nothing of the request saved
    done = signed_api.put(f"/accounts/{full.id}", json={"archived": True, "confirm": True})
    assert done.status_code == 200 and done.json["data"]["archived"] is True
    assert done.json["data"]["balance"] == "50.00"


def test_another_households_account_is_404_even_with_a_bad_body(signed_api, household):
    theirs = checking_account(stranger_household())
    assert_error(signed_api.put(f"/accounts/{theirs.id}", json={"name": ""}), 404, "not_found")
    assert reload(Account, theirs.id).name == "Checking account"


def test_an_opening_date_after_the_first_balance_is_422(signed_api, household):
    day = today(household)
    account = make_account(household, name="Bank", opening_date=day - timedelta(days=10))
    set_balance(db.session, account, day - timedelta(days=5), Decimal("100.00"))
    db.session.commit()
    response = signed_api.put(f"/accounts/{account.id}",
                              json={"opening_date": (day - timedelta(days=2)).isoformat()})
    assert "opening_date" in assert_error(response, 422, "validation_error")["fields"]
    shown = signed_api.get(f"/accounts/{account.id}").json["data"]
    assert shown["balance"] == "100.00"
    assert shown["opening_date"] == (day - timedelta(days=10)).isoformat()
