"""/api/v1/accounts: the card fields (closing and due day, limit) read and written, and
GET /accounts/<id>/statements (docs/cards.md), for viewers too, 404 for other households."""

from __future__ import annotations

from datetime import date

import jsonschema_rs
import pytest
import time_machine

from finora.api.card_views import StatementOut
from finora.api.ledger_json import AccountOut
from finora.extensions import db
from finora.models import Account
from tests.api.planning_helpers import assert_error, stranger_household, viewer_api
from tests.ledger_factories import checking_account, make_account, make_entry, make_transfer

MARCH = "2026-03-15 15:00:00+00:00"  # the household's today: 2026-03-15


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(MARCH, tick=False) as traveller:
        yield traveller


def stored(account_id: int) -> Account:
    db.session.expire_all()
    return db.session.get(Account, account_id)


def test_card_fields_are_written_and_shown(signed_api, household):
    response = signed_api.post("/accounts", json={"name": "Visa", "kind": "credit_card", "closing_day": 10,
                                                  "due_day": 20, "credit_limit": "3000"})
    assert response.status_code == 201, response.text
    data = AccountOut.model_validate(response.json["data"])
    assert (data.closing_day, data.due_day, data.credit_limit) == (10, 20, "3000.00")
    # A partial update keeps them; null clears.
    data = signed_api.put(f"/accounts/{data.id}", json={"name": "Visa Gold"}).json["data"]
    assert (data["closing_day"], data["due_day"], data["credit_limit"]) == (10, 20, "3000.00")
    data = signed_api.put(f"/accounts/{data['id']}", json={"credit_limit": None}).json["data"]
    assert data["credit_limit"] is None and data["closing_day"] == 10
    # No longer a card: the card fields go.
    data = signed_api.put(f"/accounts/{data['id']}", json={"kind": "other"}).json["data"]
    assert (data["closing_day"], data["due_day"], data["credit_limit"]) == (None, None, None)
    plain = signed_api.get(f"/accounts/{checking_account(household).id}").json["data"]
    assert (plain["closing_day"], plain["due_day"], plain["credit_limit"]) == (None, None, None)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "credit_card", "closing_day": 10}, "due_day"),
        ({"kind": "credit_card", "closing_day": 0, "due_day": 5}, "closing_day"),
        ({"kind": "credit_card", "closing_day": 3, "due_day": 32}, "due_day"),
        ({"kind": "checking", "closing_day": 3, "due_day": 5}, "closing_day"),
        ({"kind": "credit_card", "credit_limit": "-1.00"}, "credit_limit"),
        ({"kind": "savings", "credit_limit": "100"}, "credit_limit"),
    ],
)
def test_bad_card_fields_are_422_on_the_field(signed_api, household, body, field):
    response = assert_error(signed_api.post("/accounts", json={"name": "Bad", **body}), 422, "validation_error")
    assert field in response["fields"]
    assert db.session.query(Account).filter_by(name="Bad").count() == 0


def test_statements_of_a_card(signed_api, household):
    card = make_account(household, name="Visa", kind="credit_card", closing_day=10, due_day=20)
    make_entry(household, account=card, amount="100.00", date=date(2026, 2, 20), paid_on=date(2026, 2, 20))
    make_entry(household, account=card, amount="25.50", date=date(2026, 3, 11))
    make_transfer(household, checking_account(household), card, amount="40.00", date=date(2026, 3, 12))
    response = signed_api.get(f"/accounts/{card.id}/statements")
    assert response.status_code == 200
    items = [StatementOut.model_validate(item) for item in response.json["data"]]
    assert [(s.key, s.closing_date, s.due_date, s.total, s.paid, s.outstanding, s.status) for s in items] == [
        ("2026-03", "2026-03-10", "2026-03-20", "100.00", "40.00", "60.00", "partly_paid"),
        ("2026-04", "2026-04-10", "2026-04-20", "25.50", "0.00", "25.50", "open"),
    ]
    assert response.json["meta"]["total"] == 2
    assert signed_api.get(f"/accounts/{checking_account(household).id}/statements").json["data"] == []


def test_upcoming_transactions_name_the_statement(signed_api, household):
    card = make_account(household, name="Visa", kind="credit_card", closing_day=10, due_day=20)
    make_entry(household, account=card, amount="100.00", date=date(2026, 3, 2), description="Shoes")
    rows = signed_api.get("/transactions").json["data"]
    statement = [r for r in rows if r["name"] == "Visa statement"]
    assert statement == [{"name": "Visa statement", "type": "Expense", "amount": "100.00",
                          "date": "2026-03-20", "schedule_id": None, "entry_id": None,
                          "overdue": False}]
    assert not [r for r in rows if r["name"] == "Shoes"]


def test_a_viewer_reads_statements_and_a_stranger_gets_404(api, household):
    card = make_account(household, name="Visa", kind="credit_card", closing_day=10, due_day=20)
    theirs = make_account(stranger_household(), name="Their card", kind="credit_card", closing_day=1, due_day=9)
    viewer = viewer_api(api, household)
    assert viewer.get(f"/accounts/{card.id}/statements").status_code == 200
    assert_error(viewer.get(f"/accounts/{theirs.id}/statements"), 404, "not_found")
    assert_error(viewer.put(f"/accounts/{card.id}", json={"closing_day": 2}), 403, "forbidden")
    assert stored(card.id).closing_day == 10


def test_the_openapi_document_describes_cards(client):
    document = client.get("/api/v1/openapi.json").json
    schemas = document["components"]["schemas"]
    assert {"closing_day", "due_day", "credit_limit"} <= set(schemas["AccountBody"]["properties"])
    assert {"closing_day", "due_day", "credit_limit"} <= set(schemas["AccountOut"]["required"])
    assert "/accounts/{account_id}/statements" in document["paths"]
    validator = jsonschema_rs.validator_for({**schemas["StatementOut"], "components": document["components"]})
    assert validator.is_valid({
        "key": "2026-03", "start": "2026-02-11", "closing_date": "2026-03-10", "due_date": "2026-03-20",
        "total": "100.00", "paid": "0.00", "outstanding": "100.00", "entries": 1, "status": "closed",
    })
