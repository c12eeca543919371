"""GET /api/v1/balance, POST /balance and GET /balance/history: balance snapshots through
the ledger's snapshot service, on the household's primary account by default."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from finora.dates import today
from finora.extensions import db
from finora.models import BalanceSnapshot
from finora.services.ledger.snapshots import set_balance
from tests.factories import create_user
from tests.ledger_factories import checking_account, household_of, make_account, reload
from tests.members_factories import add_member


def test_no_balance_yet_is_null_zero_and_today(signed_api, household):
    response = signed_api.get("/balance")
    assert response.status_code == 200
    assert response.json == {"data": {
        "id": None, "amount": "0.00", "date": today(household).isoformat(),
        "account_id": checking_account(household).id, "source": None, "created_at": None}}
    history = signed_api.get("/balance/history").json
    assert history == {"data": [], "meta": {"total": 0, "limit": 50, "offset": 0}}


def test_setting_the_balance_defaults_to_the_primary_account_and_today(signed_api, household):
    response = signed_api.post("/balance", json={"amount": "1234.5"})
    assert response.status_code == 201, response.get_data(as_text=True)
    data = response.json["data"]
    assert data["amount"] == "1234.50" and data["date"] == today(household).isoformat()
    assert data["account_id"] == checking_account(household).id
    stored = reload(BalanceSnapshot, data["id"])
    assert stored.amount == Decimal("1234.50") and stored.source == "manual"
    assert signed_api.get("/balance").json["data"]["id"] == data["id"]
    dashboard = signed_api.get("/dashboard").json["data"]
    assert dashboard["balance"] == "1234.50"
    # Again the same day: the day's manual snapshot is replaced, not doubled.
    again = signed_api.post("/balance", json={"amount": 99})
    assert again.json["data"]["id"] == data["id"] and again.json["data"]["amount"] == "99.00"


def test_the_account_marked_primary_is_the_default(signed_api, household):
    savings = make_account(household, name="Savings", kind="savings",
                           opening_date=today(household) - timedelta(days=10))
    savings.is_primary = True
    db.session.commit()
    data = signed_api.post("/balance", json={"amount": "-50.00"}).json["data"]
    assert data["account_id"] == savings.id and data["amount"] == "-50.00"
    assert signed_api.get("/balance").json["data"]["account_id"] == savings.id


def test_an_explicit_account_and_date(signed_api, household):
    day = today(household)
    other = make_account(household, name="Wallet", opening_date=day - timedelta(days=40))
    body = {"amount": "10.00", "account_id": other.id, "date": (day - timedelta(days=3)).isoformat()}
    data = signed_api.post("/balance", json=body).json["data"]
    assert data["account_id"] == other.id and data["date"] == body["date"]
    assert signed_api.get(f"/balance?account_id={other.id}").json["data"]["id"] == data["id"]


def test_bad_values_are_422_on_their_field(signed_api, household):
    day = today(household)
    cases = [
        ({"amount": "12.345"}, "amount"),
        ({"amount": 12.345}, "amount"),
        ({"amount": "abc"}, "amount"),
        ({"amount": "NaN"}, "amount"),
        ({"amount": True}, "amount"),
        ({"amount": "1e20"}, "amount"),
        ({}, "amount"),
        ({"amount": "1.00", "date": (day + timedelta(days=1)).isoformat()}, "date"),
        ({"amount": "1.00", "date": "2026-13-01"}, "date"),
        ({"amount": "1.00", "date": "1900-01-01"}, "date"),
        ({"amount": "1.00", "account_id": "x"}, "account_id"),
    ]
    for body, field in cases:
        response = signed_api.post("/balance", json=body)
        assert response.status_code == 422, (body, response.get_data(as_text=True))
        assert field in response.json["fields"], (body, response.json)
    assert db.session.query(BalanceSnapshot).count() == 0


def test_a_date_before_the_accounts_opening_is_refused(signed_api, household):
    account = checking_account(household)
    response = signed_api.post("/balance", json={
        "amount": "1.00", "date": (account.opening_date - timedelta(days=1)).isoformat()})
    assert response.status_code == 422 and "date" in response.json["fields"]


def test_another_households_account_is_a_422_on_account_id(signed_api, household):
    other = checking_account(household_of(create_user()))
    set_balance(db.session, other, other.opening_date, Decimal("77.00"))
    db.session.commit()
    for response in (
        signed_api.get(f"/balance?account_id={other.id}"),
        signed_api.get(f"/balance/history?account_id={other.id}"),
        signed_api.post("/balance", json={"amount": "1.00", "account_id": other.id}),
        signed_api.post("/balance", json={"amount": "1.00", "account_id": 99999999}),
    ):
        assert response.status_code == 422 and response.json["code"] == "validation_error"
        assert set(response.json["fields"]) == {"account_id"}
    assert db.session.query(BalanceSnapshot).count() == 1


def test_a_viewer_cannot_set_the_balance(api, household):
    api.login(add_member(household, "viewer").email)
    response = api.post("/balance", json={"amount": "1.00"})
    assert response.status_code == 403 and response.json["code"] == "forbidden"
    assert api.get("/balance").status_code == 200
    assert db.session.query(BalanceSnapshot).count() == 0


def test_history_is_newest_first_and_paged(signed_api, household):
    day = today(household)
    account = make_account(household, name="Old", opening_date=day - timedelta(days=30))
    for back in (3, 2, 1):
        set_balance(db.session, account, day - timedelta(days=back), Decimal(back))
    db.session.commit()
    response = signed_api.get(f"/balance/history?limit=2&account_id={account.id}")
    assert response.json["meta"] == {"total": 3, "limit": 2, "offset": 0}
    assert [row["date"] for row in response.json["data"]] == [
        (day - timedelta(days=1)).isoformat(), (day - timedelta(days=2)).isoformat()]
    assert signed_api.get(f"/balance/history?offset=2&account_id={account.id}").json["data"][0]["amount"] == "3.00"


def test_no_active_account_or_an_archived_one_is_422(signed_api, household):
    day = today(household)
    archived = make_account(household, name="Closed", opening_date=day - timedelta(days=5),
                            archived=True)
    response = signed_api.post("/balance", json={"amount": "1.00", "account_id": archived.id})
    assert response.status_code == 422 and "account_id" in response.json["fields"]
    checking = checking_account(household)
    checking.archived = True
    db.session.commit()
    alone = signed_api.post("/balance", json={"amount": "1.00"})
    assert alone.status_code == 422 and "account_id" in alone.json["fields"]
    empty = signed_api.get("/balance").json["data"]
    assert empty["id"] is None and empty["amount"] == "0.00" and empty["account_id"] is None
