"""/api/v1/budgets: each budget with where it stands in the month asked for (spent,
remaining, usage, state, projected), creation, partial updates, deletion, period and
amount errors, another household's budget (404) or category in the body (422) and a viewer's writes (403)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from sqlalchemy import func, select

from finora.api.plans_json import BudgetOut
from finora.dates import today
from finora.extensions import db
from finora.models import AuditEvent, Budget
from finora.services.ledger.catalogue import set_category_archived
from finora.services.planning.budgets import BudgetData, create_budget
from tests.api.planning_helpers import assert_error, stranger_household, viewer_api
from tests.ledger_factories import category, make_entry
from tests.planning_factories import make_rule

NOT_HERE_EN = "Nothing with this id in your household."


def _budget(household, code="expense.food", period="monthly", amount="100.00") -> Budget:
    budget = create_budget(db.session, household,
                           BudgetData(category(household, code).id, period, Decimal(amount)))
    db.session.commit()
    return budget


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Budget))


def test_no_budgets_list_nothing(signed_api):
    response = signed_api.get("/budgets")
    assert response.status_code == 200
    assert response.json == {"data": [], "meta": {"total": 0, "limit": 50, "offset": 0}}


def test_a_budget_stands_for_the_month_asked_for(signed_api, household):
    food = _budget(household, amount="100.00")
    yearly = _budget(household, code="expense.housing", period="yearly", amount="1000.00")
    make_entry(household, category="expense.food", amount="45.50", date=date(2026, 3, 5))
    make_entry(household, category="expense.food", amount="40.00", date=date(2026, 3, 28),
               subcategory=None)
    make_entry(household, category="expense.food", amount="99.00", date=date(2026, 4, 1))
    make_entry(household, category="expense.housing", amount="1200.00", date=date(2026, 7, 1))
    response = signed_api.get("/budgets?year=2026&month=3")
    assert response.status_code == 200, response.get_data(as_text=True)
    data = response.json["data"]
    assert [item["id"] for item in data] == [food.id, yearly.id]  # monthly ones first
    for item in data:
        BudgetOut.model_validate(item)
    assert data[0] == {
        "id": food.id, "category_id": food.category_id, "category_name": "Food",
        "period": "monthly", "amount": "100.00", "rollover": False, "rollover_since": None,
        "period_start": "2026-03-01", "period_end": "2026-03-31",
        "carried": "0.00", "available": "100.00", "spent": "85.50", "remaining": "14.50", "usage_percent": "85.5", "state": "warning",
        "projected": "85.50", "projected_usage_percent": "85.5", "projected_state": "warning",
    }
    assert (data[1]["period_start"], data[1]["period_end"]) == ("2026-01-01", "2026-12-31")
    assert (data[1]["spent"], data[1]["remaining"], data[1]["state"]) == ("1200.00", "-200.00", "over")
    assert data[1]["usage_percent"] == "120.0"
    april = signed_api.get("/budgets?year=2026&month=4").json["data"][0]
    assert (april["spent"], april["usage_percent"], april["state"]) == ("99.00", "99.0", "warning")


def test_the_default_period_is_the_current_month(signed_api, household):
    budget = _budget(household)
    day = today(household)
    make_entry(household, category="expense.food", amount="20.00", date=day)
    data = signed_api.get("/budgets").json["data"][0]
    assert data["id"] == budget.id and data["spent"] == "20.00"
    assert data["period_start"] == date(day.year, day.month, 1).isoformat()
    one = signed_api.get(f"/budgets/{budget.id}")
    assert one.status_code == 200 and one.json["data"] == data
    BudgetOut.model_validate(one.json["data"])


def test_a_subcategorys_budget_counts_only_its_entries(signed_api, household):
    budget = _budget(household, code="expense.food.groceries", amount="50.00")
    make_entry(household, category="expense.food", subcategory="expense.food.groceries",
               amount="10.00", date=date(2026, 3, 2))
    make_entry(household, category="expense.food", subcategory=None, amount="30.00",
               date=date(2026, 3, 2))
    data = signed_api.get(f"/budgets/{budget.id}?year=2026&month=3").json["data"]
    assert data["spent"] == "10.00" and data["category_name"].startswith("Food › ")


@pytest.mark.parametrize(("query", "field"), [
    ("month=13", "month"), ("month=0", "month"), ("year=abc", "year"), ("year=1800", "year"),
    ("year=2026&month=x", "month"),
])
def test_a_bad_period_is_422(signed_api, household, query, field):
    budget = _budget(household)
    for path in ("/budgets", f"/budgets/{budget.id}"):
        body = assert_error(signed_api.get(f"{path}?{query}"), 422, "validation_error")
        assert field in body["fields"], body


def test_a_bad_page_is_422(signed_api):
    body = assert_error(signed_api.get("/budgets?offset=-1"), 422, "validation_error")
    assert "offset" in body["fields"]


def test_a_budget_is_created_and_audited(signed_api, household):
    groceries = category(household, "expense.food.groceries")
    response = signed_api.post("/budgets", json={"category_id": groceries.id, "amount": 250,
                                                 "period": "Yearly"})
    assert response.status_code == 201, response.get_data(as_text=True)
    data = BudgetOut.model_validate(response.json["data"])
    assert (data.category_id, data.period, data.amount, data.spent) == (groceries.id, "yearly",
                                                                       "250.00", "0.00")
    budget = db.session.get(Budget, data.id)
    assert (budget.household_id, budget.amount) == (household.id, Decimal("250.00"))
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "budget.created",
                                                      AuditEvent.object_id == data.id))
    # Without a period, monthly.
    response = signed_api.post("/budgets", json={"category_id": groceries.id, "amount": "80"})
    assert response.status_code == 201 and response.json["data"]["period"] == "monthly"


@pytest.mark.parametrize(("body", "field"), [
    ({"amount": "10.00"}, "category_id"),
    ({"category_id": "food", "amount": "10.00"}, "category_id"),
    ({"category_id": "CAT", "amount": "0"}, "amount"),
    ({"category_id": "CAT", "amount": "-5"}, "amount"),
    ({"category_id": "CAT", "amount": "1.234"}, "amount"),
    ({"category_id": "CAT"}, "amount"),
    ({"category_id": "CAT", "amount": "10", "period": "weekly"}, "period"),
    ({"category_id": "INCOME", "amount": "10"}, "category_id"),
    ({"category_id": "ARCHIVED", "amount": "10"}, "category_id"),
    ({"category_id": "TAKEN", "amount": "10"}, "category_id"),
])
def test_a_bad_budget_is_422_on_its_field(signed_api, household, body, field):
    _budget(household, code="expense.housing")
    archived = category(household, "expense.education")
    set_category_archived(db.session, archived, True)
    db.session.commit()
    ids = {"CAT": category(household, "expense.food").id,
           "INCOME": category(household, "income.work").id,
           "ARCHIVED": archived.id, "TAKEN": category(household, "expense.housing").id}
    body = {key: ids.get(value, value) if isinstance(value, str) else value
            for key, value in body.items()}
    before = _count()
    response = assert_error(signed_api.post("/budgets", json=body), 422, "validation_error")
    assert field in response["fields"], response
    assert _count() == before


def test_another_households_category_in_the_body_is_a_422_on_it(signed_api, household):
    theirs = category(stranger_household(), "expense.food")
    assert_error(signed_api.post("/budgets", json={"category_id": theirs.id, "amount": "10"}),
                 422, "validation_error")
    budget = _budget(household)
    assert assert_error(signed_api.put(f"/budgets/{budget.id}", json={"category_id": theirs.id}),
                 422, "validation_error")["fields"] == {"category_id": NOT_HERE_EN}
    db.session.expire_all()
    assert db.session.get(Budget, budget.id).category_id == category(household, "expense.food").id
    assert _count() == 1


def test_only_the_fields_sent_change(signed_api, household):
    budget = _budget(household, amount="100.00")
    response = signed_api.put(f"/budgets/{budget.id}", json={"amount": "120.5"})
    assert response.status_code == 200, response.get_data(as_text=True)
    data = BudgetOut.model_validate(response.json["data"])
    assert (data.amount, data.period, data.category_id) == ("120.50", "monthly", budget.category_id)
    housing = category(household, "expense.housing")
    data = signed_api.put(f"/budgets/{budget.id}", json={"category_id": housing.id,
                                                         "period": "YEARLY"}).json["data"]
    assert (data["category_id"], data["period"], data["amount"]) == (housing.id, "yearly", "120.50")
    db.session.expire_all()
    stored = db.session.get(Budget, budget.id)
    assert (stored.category_id, stored.period, stored.amount) == (housing.id, "yearly", Decimal("120.50"))


def test_an_update_onto_a_taken_category_and_period_is_422(signed_api, household):
    _budget(household, code="expense.housing")
    budget = _budget(household)
    housing = category(household, "expense.housing")
    body = assert_error(signed_api.put(f"/budgets/{budget.id}", json={"category_id": housing.id}),
                        422, "validation_error")
    assert "category_id" in body["fields"]
    body = assert_error(signed_api.put(f"/budgets/{budget.id}", json={"amount": "0"}),
                        422, "validation_error")
    assert "amount" in body["fields"]


def test_a_budget_is_deleted(signed_api, household):
    budget = _budget(household)
    budget_id = budget.id
    response = signed_api.delete(f"/budgets/{budget_id}")
    assert response.status_code == 204 and response.get_data() == b""
    assert _count() == 0
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "budget.deleted"))
    assert_error(signed_api.delete(f"/budgets/{budget_id}"), 404, "not_found")


def test_another_households_budget_is_404(signed_api):
    theirs = _budget(stranger_household())
    for method in ("GET", "PUT", "DELETE"):
        assert_error(signed_api.open(method, f"/budgets/{theirs.id}", json={"amount": "1"}),
                     404, "not_found")
    db.session.expire_all()
    assert db.session.get(Budget, theirs.id).amount == Decimal("100.00")


def test_a_viewer_reads_but_does_not_write(api, household):
    budget = _budget(household)
    viewer = viewer_api(api, household)
    assert viewer.get("/budgets").json["meta"]["total"] == 1
    assert_error(viewer.put(f"/budgets/{budget.id}", json={"amount": "5"}), 403, "forbidden")
    assert_error(viewer.delete(f"/budgets/{budget.id}"), 403, "forbidden")
    assert _count() == 1


def test_projected_adds_the_rules_occurrences_still_to_come(api, user, household):
    with time_machine.travel("2026-03-15 15:00:00+00:00", tick=False):
        api.login(user.email)
        budget = _budget(household)
        make_entry(household, category="expense.food", amount="30.00", date=date(2026, 3, 5))
        make_rule(household, category_code="expense.food", amount=Decimal("50.00"),
                  anchor_date=date(2026, 3, 20), business_day_policy="none")
        data = api.get(f"/budgets/{budget.id}").json["data"]
    assert (data["period_start"], data["spent"], data["state"]) == ("2026-03-01", "30.00", "ok")
    assert (data["projected"], data["projected_usage_percent"], data["projected_state"]) == (
        "80.00", "80.0", "warning")
