"""GET /api/v1/transfers (a month, paged), GET/POST/PUT/DELETE /transfers[/<id>]: through
the transfers service the page calls; the accounts' balances move with them."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from finora.api.ledger_json import TransferOut
from finora.dates import today
from finora.extensions import db
from finora.models import Transfer
from finora.services.planning.periods import shift_month
from tests.api.planning_helpers import assert_error, stranger_household
from tests.ledger_factories import checking_account, make_account, make_transfer, reload


@pytest.fixture
def accounts(household):
    opened = today(household) - timedelta(days=400)
    main = checking_account(household)
    main.opening_date = opened
    db.session.commit()
    return main, make_account(household, name="Savings", kind="savings", opening_date=opened)


def test_no_transfers_is_an_empty_page(signed_api, household):
    assert signed_api.get("/transfers").json == {
        "data": [], "meta": {"total": 0, "limit": 50, "offset": 0}}


def test_a_months_transfers_newest_first_and_paged(signed_api, household, accounts):
    main, savings = accounts
    day = today(household)
    first = date(day.year, day.month, 1)
    made = [make_transfer(household, main, savings, date=first + timedelta(days=n % 2),
                          amount=str(10 + n), description=f"Move {n}") for n in range(4)]
    make_transfer(household, main, savings, date=first - timedelta(days=1))  # month before
    response = signed_api.get("/transfers")
    items = [TransferOut.model_validate(item) for item in response.json["data"]]
    expected = sorted(made, key=lambda t: (t.date, t.id), reverse=True)
    assert [t.id for t in items] == [t.id for t in expected]
    assert response.json["meta"]["total"] == 4
    assert (items[-1].amount, items[-1].from_account_id, items[-1].to_account_id) == (
        "10.00", main.id, savings.id)
    page = signed_api.get("/transfers?limit=1&offset=1").json
    assert page["meta"] == {"total": 4, "limit": 1, "offset": 1}
    assert page["data"][0]["id"] == expected[1].id
    year, month = shift_month(day.year, day.month, -1)
    before = signed_api.get(f"/transfers?year={year}&month={month}").json
    assert before["meta"]["total"] == 1


@pytest.mark.parametrize(("query", "field"), [
    ("month=13", "month"), ("year=x", "year"), ("limit=0", "limit"), ("offset=x", "offset")])
def test_bad_query_parameters_are_422(signed_api, household, query, field):
    body = assert_error(signed_api.get(f"/transfers?{query}"), 422, "validation_error")
    assert field in body["fields"]


def test_moving_money_changes_both_balances(signed_api, household, accounts):
    main, savings = accounts
    response = signed_api.post("/transfers", json={
        "from_account_id": main.id, "to_account_id": savings.id, "amount": "250.5",
        "description": " Saving "})
    assert response.status_code == 201, response.get_data(as_text=True)
    data = TransferOut.model_validate(response.json["data"])
    assert (data.amount, data.date, data.description) == (
        "250.50", today(household).isoformat(), "Saving")
    stored = reload(Transfer, data.id)
    assert stored.household_id == household.id and stored.amount == Decimal("250.50")
    balances = {a["id"]: a["balance"] for a in signed_api.get("/accounts").json["data"]}
    assert balances[main.id] == "-250.50" and balances[savings.id] == "250.50"
    assert signed_api.get(f"/transfers/{data.id}").json["data"] == response.json["data"]


def test_bad_transfer_bodies_are_422_on_their_field(signed_api, household, accounts):
    main, savings = accounts
    archived = make_account(household, name="Closed", archived=True)
    theirs = checking_account(stranger_household())
    base = {"from_account_id": main.id, "to_account_id": savings.id, "amount": "1"}
    cases = [
        ({"to_account_id": savings.id, "amount": "1"}, "from_account_id"),
        ({**base, "amount": "0"}, "amount"),
        ({**base, "amount": "1.999"}, "amount"),
        ({**base, "to_account_id": main.id}, "to_account_id"),
        ({**base, "to_account_id": theirs.id}, "to_account_id"),
        ({**base, "from_account_id": archived.id}, "from_account_id"),
        ({**base, "date": "2026-13-01"}, "date"),
        ({**base, "date": "1700-01-01"}, "date"),
        ({**base, "description": "x" * 201}, "description"),
    ]
    for body, field in cases:
        response = signed_api.post("/transfers", json=body)
        assert response.status_code == 422, (body, response.get_data(as_text=True))
        assert field in response.json["fields"], (body, response.json)
    assert db.session.query(Transfer).count() == 0


def test_changing_and_deleting_a_transfer(signed_api, household, accounts):
    main, savings = accounts
    transfer = make_transfer(household, main, savings, amount="10.00", description="Keep",
                             date=today(household))
    data = signed_api.put(f"/transfers/{transfer.id}", json={"amount": 12}).json["data"]
    assert (data["amount"], data["description"], data["to_account_id"]) == (
        "12.00", "Keep", savings.id)
    data = signed_api.put(f"/transfers/{transfer.id}", json={
        "from_account_id": savings.id, "to_account_id": main.id, "description": None}).json["data"]
    assert (data["from_account_id"], data["description"]) == (savings.id, None)
    TransferOut.model_validate(data)
    refused = signed_api.put(f"/transfers/{transfer.id}", json={"to_account_id": savings.id})
    assert "to_account_id" in assert_error(refused, 422, "validation_error")["fields"]
    assert reload(Transfer, transfer.id).to_account_id == main.id
    assert signed_api.delete(f"/transfers/{transfer.id}").status_code == 204
    assert reload(Transfer, transfer.id) is None
    assert_error(signed_api.get(f"/transfers/{transfer.id}"), 404, "not_found")


def test_another_households_transfer_is_404(signed_api, household):
    other = stranger_household()
    theirs = make_transfer(other, checking_account(other), make_account(other, name="Pot"))
    assert_error(signed_api.get(f"/transfers/{theirs.id}"), 404, "not_found")
    assert_error(signed_api.put(f"/transfers/{theirs.id}", json={"amount": "x"}), 404,
                 "not_found")
    assert_error(signed_api.delete(f"/transfers/{theirs.id}"), 404, "not_found")
    assert reload(Transfer, theirs.id) is not None
