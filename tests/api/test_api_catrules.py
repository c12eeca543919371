"""Categorisation rules in the API: add (runs last), list in order, replace, delete; a
refused rule names its field and writes nothing; another household's category is refused."""

from __future__ import annotations

from sqlalchemy import func, select

from finora.extensions import db
from finora.models import CategorisationRule
from tests.api.planning_helpers import stranger_household
from tests.ledger_factories import category


def _count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(CategorisationRule))


def test_add_list_replace_delete(signed_api, household):
    fuel = category(household, "expense.transport.fuel")
    first = signed_api.post("/categorisation-rules", json={
        "name": "Rides", "pattern": "uber", "category_id": fuel.id, "min_amount": "5", "payee": "Uber"})
    assert first.status_code == 201, first.json
    data = first.json["data"]
    assert (data["position"], data["min_amount"], data["max_amount"], data["payee"], data["type"]) == (
        1, "5.00", None, "Uber", "any")
    second = signed_api.post("/categorisation-rules", json={
        "name": "Cash", "pattern": "atm", "match_kind": "starts_with", "tags": ["cash", "Cash", "atm"]}).json["data"]
    assert second["tags"] == ["cash", "atm"] and second["payment_method"] is None
    listed = signed_api.get("/categorisation-rules").json["data"]
    assert [item["name"] for item in listed] == ["Rides", "Cash"]
    replaced = signed_api.put(f"/categorisation-rules/{second['id']}", json={
        "name": "ATM", "pattern": "saque", "payment_method": "cash", "enabled": False})
    assert replaced.status_code == 200 and replaced.json["data"]["enabled"] is False
    assert signed_api.delete(f"/categorisation-rules/{data['id']}").status_code == 204
    assert _count() == 1


def test_a_refused_rule_names_its_field_and_writes_nothing(signed_api, household):
    for body, field in (({"name": "R", "pattern": "(a+)+", "match_kind": "regex", "payment_method": "cash"},
                         "pattern"),
                        ({"name": "R", "pattern": "x"}, "category_id"),
                        ({"name": "R", "pattern": "x", "payment_method": "cash", "type": "income",
                          "category_id": category(household, "expense.food").id}, "category_id")):
        response = signed_api.post("/categorisation-rules", json=body)
        assert response.status_code == 422, response.json
        assert field in response.json["fields"]
    other = category(stranger_household(), "expense.food")
    response = signed_api.post("/categorisation-rules", json={"name": "R", "pattern": "x", "category_id": other.id})
    assert response.status_code == 422
    assert _count() == 0


def test_a_new_entry_without_a_payee_gets_the_rules_payee_and_nothing_else(signed_api, household):
    fuel = category(household, "expense.transport.fuel")
    signed_api.post("/categorisation-rules", json={
        "name": "Rides", "pattern": "uber", "category_id": fuel.id, "payee": "Uber", "payment_method": "cash"})
    plain = signed_api.post("/entries", json={"type": "expense", "amount": "12.50", "description": "UBER TRIP",
                                              "payment_method": "debit_card"}).json["data"]
    assert plain["payee"] == "Uber"
    assert plain["payment_method"] == "debit_card" and plain["subcategory_id"] != fuel.id
    named = signed_api.post("/entries", json={"type": "expense", "amount": "12.50", "description": "UBER TRIP",
                                              "payee": "Taxi"}).json["data"]
    assert named["payee"] == "Taxi"
    other = signed_api.post("/entries", json={"type": "expense", "amount": "1.00", "description": "Bakery"}).json
    assert other["data"]["payee"] is None
