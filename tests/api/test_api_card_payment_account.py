"""/api/v1/accounts: a card's paying account (`payment_account_id`, docs/ledger.md "Credit
cards") read and written; another household's account, a card, an archived account or a
paying account on something that is not a card are 422 on the field; another household's
card is 404 and a viewer's write 403."""

from __future__ import annotations

from finora.api.ledger_json import AccountOut
from finora.extensions import db
from finora.models import Account
from tests.api.planning_helpers import assert_error, stranger_household, viewer_api
from tests.ledger_factories import checking_account, make_account


def stored(account_id: int) -> Account:
    db.session.expire_all()
    return db.session.get(Account, account_id)


def test_a_cards_paying_account_is_written_kept_and_cleared(signed_api, household):
    savings = make_account(household, name="Savings", kind="savings")
    response = signed_api.post("/accounts", json={"name": "Visa", "kind": "credit_card", "closing_day": 10,
                                                  "due_day": 20, "payment_account_id": savings.id})
    assert response.status_code == 201, response.text
    data = AccountOut.model_validate(response.json["data"])
    assert data.payment_account_id == savings.id == stored(data.id).payment_account_id
    kept = signed_api.put(f"/accounts/{data.id}", json={"name": "Visa Gold"}).json["data"]
    assert kept["payment_account_id"] == savings.id
    checking = checking_account(household)
    moved = signed_api.put(f"/accounts/{data.id}", json={"payment_account_id": checking.id}).json["data"]
    assert moved["payment_account_id"] == checking.id
    cleared = signed_api.put(f"/accounts/{data.id}", json={"payment_account_id": None}).json["data"]
    assert cleared["payment_account_id"] is None
    assert signed_api.get(f"/accounts/{checking.id}").json["data"]["payment_account_id"] is None


def test_refused_paying_accounts_are_422_on_the_field(signed_api, household):
    card = make_account(household, name="Visa", kind="credit_card", closing_day=10, due_day=20)
    other_card = make_account(household, name="Master", kind="credit_card")
    old = make_account(household, name="Old savings", kind="savings", archived=True)
    theirs = checking_account(stranger_household())
    for body in (
        {"payment_account_id": theirs.id},  # another household's account
        {"payment_account_id": other_card.id},  # a card
        {"payment_account_id": card.id},  # itself
        {"payment_account_id": old.id},  # archived
        {"payment_account_id": 2**31 - 1},  # nothing
    ):
        answer = assert_error(signed_api.put(f"/accounts/{card.id}", json=body), 422, "validation_error")
        assert "payment_account_id" in answer["fields"], body
    plain = checking_account(household)
    answer = assert_error(
        signed_api.put(f"/accounts/{plain.id}", json={"payment_account_id": old.id}), 422, "validation_error"
    )
    assert "payment_account_id" in answer["fields"]
    answer = assert_error(signed_api.post("/accounts", json={
        "name": "Amex", "kind": "credit_card", "payment_account_id": theirs.id}), 422, "validation_error")
    assert "payment_account_id" in answer["fields"]
    assert stored(card.id).payment_account_id is None
    assert db.session.query(Account).filter_by(name="Amex").count() == 0


def test_another_households_card_is_404_and_a_viewer_cannot_write(api, signed_api, household):
    theirs = make_account(stranger_household(), name="Their card", kind="credit_card")
    mine = checking_account(household)
    assert_error(signed_api.put(f"/accounts/{theirs.id}", json={"payment_account_id": mine.id}), 404, "not_found")
    assert stored(theirs.id).payment_account_id is None
    card = make_account(household, name="Visa", kind="credit_card")
    viewer = viewer_api(api, household)
    response = viewer.put(f"/accounts/{card.id}", json={"payment_account_id": mine.id})
    assert response.status_code == 403
    assert stored(card.id).payment_account_id is None


def test_a_type_change_away_from_card_clears_it(signed_api, household):
    card = make_account(household, name="Visa", kind="credit_card",
                        payment_account_id=checking_account(household).id)
    data = signed_api.put(f"/accounts/{card.id}", json={"kind": "savings"}).json["data"]
    assert data["payment_account_id"] is None
