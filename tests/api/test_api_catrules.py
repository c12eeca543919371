"""Categorisation rules in the API: add (runs last), list in order, replace, delete, move,
preview and apply to past entries; a refused rule names its field and writes nothing;
another household's category is refused, another household's rule is 404, a viewer's move
or apply 403."""

from __future__ import annotations

from sqlalchemy import func, select

from finora.extensions import db
from finora.models import CategorisationRule, Entry
from finora.services.ledger.categorisation import RuleInput, create_rule
from finora.services.ledger.tags import set_entry_tags
from tests.api.planning_helpers import assert_error, stranger_household, viewer_api
from tests.ledger_factories import category, make_entry


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


def _rules(household, *names: str) -> list[int]:
    ids = [create_rule(db.session, household, RuleInput(name=name, pattern=name.lower(), payment_method="cash")).id
           for name in names]
    db.session.commit()
    return ids


def test_move_a_rule_up_and_down(signed_api, household):
    first, second, third = _rules(household, "A", "B", "C")
    moved = signed_api.post(f"/categorisation-rules/{third}/move", json={"step": -1})
    assert moved.status_code == 200 and moved.json["data"]["position"] == 2
    assert [r["id"] for r in signed_api.get("/categorisation-rules").json["data"]] == [first, third, second]
    assert signed_api.post(f"/categorisation-rules/{first}/move", json={"step": -1}).json["data"]["position"] == 1
    signed_api.post(f"/categorisation-rules/{first}/move", json={"step": 1})
    listed = signed_api.get("/categorisation-rules").json["data"]
    assert [(r["id"], r["position"]) for r in listed] == [(third, 1), (first, 2), (second, 3)]
    for body in ({"step": 2}, {"step": 0}, {}):
        assert_error(signed_api.post(f"/categorisation-rules/{first}/move", json=body), 422, "validation_error")


def test_preview_and_apply_a_rule_to_past_entries_with_its_tags(signed_api, household):
    fuel = category(household, "expense.transport.fuel")
    entry = make_entry(household, description="UBER TRIP")
    set_entry_tags(db.session, household, entry, ["kids"])
    make_entry(household, description="Bakery")
    db.session.commit()
    rule = signed_api.post("/categorisation-rules", json={
        "name": "Rides", "pattern": "uber", "category_id": fuel.id, "tags": ["trip"]}).json["data"]
    preview = signed_api.get(f"/categorisation-rules/{rule['id']}/preview").json["data"]
    assert preview == {"count": 1, "scanned": 2, "limited": False, "entry_ids": [entry.id]}
    applied = signed_api.post(f"/categorisation-rules/{rule['id']}/apply")
    assert applied.status_code == 200 and applied.json["data"] == {"changed": 1}
    data = signed_api.get(f"/entries/{entry.id}").json["data"]
    assert (data["subcategory_id"], data["tags"]) == (fuel.id, ["kids", "trip"])
    assert signed_api.post(f"/categorisation-rules/{rule['id']}/apply").json["data"] == {"changed": 0}


def test_another_households_rule_is_404_and_a_viewers_move_or_apply_403(signed_api, household):
    theirs = _rules(stranger_household(), "Theirs")[0]
    mine = _rules(household, "Mine", "Other")[0]
    entry = make_entry(household, description="mine")
    for method, path in (("post", "move"), ("post", "apply"), ("get", "preview")):
        response = getattr(signed_api, method)(f"/categorisation-rules/{theirs}/{path}", json={"step": 1})
        assert_error(response, 404, "not_found")
    viewer = viewer_api(signed_api, household)
    for path in ("move", "apply"):
        assert_error(viewer.post(f"/categorisation-rules/{mine}/{path}", json={"step": 1}), 403, "forbidden")
    assert viewer.get(f"/categorisation-rules/{mine}/preview").json["data"]["count"] == 1
    db.session.expire_all()
    assert db.session.get(Entry, entry.id).payment_method == "other"
    assert [r.position for r in db.session.scalars(select(CategorisationRule).where(
        CategorisationRule.household_id == household.id).order_by(CategorisationRule.id))] == [1, 2]
