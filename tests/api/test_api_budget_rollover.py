"""/api/v1/budgets and rollover: the setting read and written (on create and by a partial
update), what a month carries and what is available, a refused value, a viewer's and
another household's writes, and the OpenAPI document describing it all."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import jsonschema_rs
import pytest
import time_machine

from finora.api.plans_json import BudgetOut
from finora.extensions import db
from finora.models import Budget
from finora.services.planning.budgets import BudgetData, create_budget
from tests.api.planning_helpers import assert_error, stranger_household, viewer_api
from tests.ledger_factories import category, make_entry

MARCH = "2026-03-15 15:00:00+00:00"  # the household's today: 2026-03-15


@pytest.fixture
def march_api(api, user):
    with time_machine.travel(MARCH, tick=False):
        api.login(user.email)
        yield api


def stored(budget_id: int) -> Budget:
    db.session.expire_all()
    return db.session.get(Budget, budget_id)


def test_rollover_is_written_on_create_and_shown(march_api, household):
    food = category(household, "expense.food")
    response = march_api.post("/budgets", json={"category_id": food.id, "amount": "250", "rollover": True})
    assert response.status_code == 201, response.get_data(as_text=True)
    data = BudgetOut.model_validate(response.json["data"])
    assert (data.rollover, data.rollover_since, data.carried, data.available) == (
        True, "2026-03-01", "0.00", "250.00")
    assert stored(data.id).rollover is True
    # Without it, off.
    leisure = category(household, "expense.leisure")
    data = march_api.post("/budgets", json={"category_id": leisure.id, "amount": "80"}).json["data"]
    assert (data["rollover"], data["rollover_since"]) == (False, None)


def test_carried_and_available_follow_the_month_asked_for(march_api, household):
    food = category(household, "expense.food")
    budget_id = march_api.post("/budgets", json={"category_id": food.id, "amount": "100.00",
                                                 "rollover": True}).json["data"]["id"]
    make_entry(household, category="expense.food", amount="70.00", date=date(2026, 3, 2))
    make_entry(household, category="expense.food", amount="200.00", date=date(2026, 4, 2))
    april = march_api.get(f"/budgets/{budget_id}?year=2026&month=4").json["data"]
    assert (april["carried"], april["available"], april["spent"], april["remaining"]) == (
        "30.00", "130.00", "200.00", "-70.00")
    assert (april["usage_percent"], april["state"]) == ("153.8", "over")
    may = march_api.get("/budgets?year=2026&month=5").json["data"][0]
    # 100 + 30 − 200: −70 carried, 30 available.
    assert (may["carried"], may["available"], may["remaining"]) == ("-70.00", "30.00", "30.00")
    make_entry(household, category="expense.food", amount="100.00", date=date(2026, 5, 2))
    june = march_api.get(f"/budgets/{budget_id}?year=2026&month=6").json["data"]
    assert (june["carried"], june["available"]) == ("-70.00", "30.00")
    make_entry(household, category="expense.food", amount="100.00", date=date(2026, 6, 2))
    july = BudgetOut.model_validate(march_api.get(f"/budgets/{budget_id}?year=2026&month=7").json["data"])
    # June left the same: 100 − 70 − 100 = −70 carried into July.
    assert (july.carried, july.available) == ("-70.00", "30.00")
    make_entry(household, category="expense.food", amount="200.00", date=date(2026, 7, 2))
    august = march_api.get(f"/budgets/{budget_id}?year=2026&month=8").json["data"]
    assert (august["carried"], august["available"]) == ("-170.00", "-70.00")
    assert (august["usage_percent"], august["state"]) == (None, "over")  # no share of nothing
    BudgetOut.model_validate(august)


def test_a_partial_update_keeps_or_changes_the_setting(march_api, household):
    budget = create_budget(db.session, household,
                           BudgetData(category(household, "expense.food").id, "monthly", Decimal("100")))
    db.session.commit()
    data = march_api.put(f"/budgets/{budget.id}", json={"rollover": True}).json["data"]
    assert (data["rollover"], data["rollover_since"], data["amount"]) == (True, "2026-03-01", "100.00")
    make_entry(household, category="expense.food", amount="40.00", date=date(2026, 3, 2))
    with time_machine.travel("2026-04-10 15:00:00+00:00", tick=False):
        # A new amount alone keeps rollover on and what March carried (60.00) into April.
        data = march_api.put(f"/budgets/{budget.id}", json={"amount": "150"}).json["data"]
        assert (data["rollover"], data["rollover_since"], data["carried"], data["available"]) == (
            True, "2026-04-01", "60.00", "210.00")
        data = march_api.put(f"/budgets/{budget.id}", json={"rollover": False}).json["data"]
    assert (data["rollover"], data["rollover_since"], data["carried"]) == (False, None, "0.00")
    assert stored(budget.id).rollover is False


@pytest.mark.parametrize("value", ["maybe", [], {"on": True}])
def test_a_bad_rollover_value_is_422_on_it(march_api, household, value):
    food = category(household, "expense.food")
    body = assert_error(march_api.post("/budgets", json={"category_id": food.id, "amount": "10",
                                                         "rollover": value}), 422, "validation_error")
    assert "rollover" in body["fields"]
    assert db.session.query(Budget).count() == 0


def test_a_viewer_cannot_switch_it(api, household):
    ours = create_budget(db.session, household,
                         BudgetData(category(household, "expense.food").id, "monthly", Decimal("100")))
    db.session.commit()
    viewer = viewer_api(api, household)
    assert_error(viewer.put(f"/budgets/{ours.id}", json={"rollover": True}), 403, "forbidden")
    assert viewer.get(f"/budgets/{ours.id}").json["data"]["rollover"] is False
    assert stored(ours.id).rollover is False


def test_another_households_budget_cannot_be_switched(signed_api):
    stranger = stranger_household()
    theirs = create_budget(db.session, stranger,
                           BudgetData(category(stranger, "expense.food").id, "monthly", Decimal("100")))
    db.session.commit()
    assert_error(signed_api.put(f"/budgets/{theirs.id}", json={"rollover": True}), 404, "not_found")
    assert stored(theirs.id).rollover is False


def test_the_openapi_document_describes_rollover(client):
    document = client.get("/api/v1/openapi.json").json
    schemas = document["components"]["schemas"]
    for name in ("BudgetBody", "BudgetUpdateBody"):
        assert "rollover" in schemas[name]["properties"], name
    out = schemas["BudgetOut"]
    for field in ("rollover", "rollover_since", "carried", "available"):
        assert field in out["properties"] and field in out["required"], field
    validator = jsonschema_rs.validator_for({**out, "$schema": "https://json-schema.org/draft/2020-12/schema",
                                             "components": document["components"]})
    assert validator.is_valid({
        "id": 1, "category_id": 2, "category_name": "Food", "period": "monthly", "amount": "100.00",
        "rollover": True, "rollover_since": "2026-03-01", "period_start": "2026-08-01",
        "period_end": "2026-08-31", "carried": "-170.00", "available": "-70.00", "spent": "0.00",
        "remaining": "-70.00", "usage_percent": None, "state": "over", "projected": "0.00",
        "projected_usage_percent": None, "projected_state": "over",
    })
