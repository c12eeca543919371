"""PyCashFlow's /schedules and /scenarios on Finora's recurring rules: the schedule object
its client decodes, creation with PyCashFlow's words, partial updates, deletion, money
read as decimal strings, another household's ids (404) and a viewer's writes (403)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from finora.extensions import db
from finora.models import RecurringRule
from tests.api.planning_helpers import assert_error, days_ahead, stranger_household, viewer_api
from tests.ledger_factories import category, checking_account
from tests.planning_factories import make_rule

SCHEDULE_FIELDS = {"id", "name", "amount", "type", "frequency", "start_date", "first_date",
                   "account_id", "category_id", "end_date"}


def _new(household, **overrides) -> dict:
    body = {"name": "Rent", "amount": "1500.00", "type": "Expense", "frequency": "Monthly",
            "start_date": days_ahead(household, 10).isoformat()}
    body.update(overrides)
    return body


@pytest.mark.parametrize("path", ["/schedules", "/scenarios"])
def test_an_empty_household_lists_nothing(signed_api, path):
    response = signed_api.get(path)
    assert response.status_code == 200
    assert response.json == {"data": [], "meta": {"total": 0, "limit": 50, "offset": 0}}


def test_a_schedule_is_created_with_pycashflows_words(signed_api, household):
    response = signed_api.post("/schedules", json=_new(household, frequency="BiWeekly"))
    assert response.status_code == 201, response.get_data(as_text=True)
    data = response.json["data"]
    assert SCHEDULE_FIELDS <= set(data)
    start = days_ahead(household, 10).isoformat()
    assert data["amount"] == "1500.00" and data["type"] == "Expense"
    assert data["frequency"] == "BiWeekly"
    assert data["start_date"] == start and data["first_date"] == start
    assert data["end_date"] is None
    # Defaults: the primary account and the kind's catch-all category.
    assert data["account_id"] == checking_account(household).id
    assert data["category_id"] == category(household, "expense.other").id
    rule = db.session.get(RecurringRule, data["id"])
    assert (rule.kind, rule.frequency, rule.is_scenario) == ("expense", "biweekly", False)
    assert rule.amount == Decimal("1500.00")
    listed = signed_api.get("/schedules").json
    assert listed["meta"]["total"] == 1 and listed["data"][0] == data


@pytest.mark.parametrize(("word", "stored", "shown"), [
    ("Onetime", "once", "Onetime"), ("Daily", "daily", "Daily"), ("yearly", "yearly", "Yearly"),
    ("Quarterly", "quarterly", "Quarterly"), ("Weekly", "weekly", "Weekly"),
])
def test_every_frequency_maps_both_ways(signed_api, household, word, stored, shown):
    response = signed_api.post("/schedules", json=_new(household, frequency=word, type="income"))
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.json["data"]["frequency"] == shown
    assert response.json["data"]["type"] == "Income"
    assert db.session.get(RecurringRule, response.json["data"]["id"]).frequency == stored


@pytest.mark.parametrize(("amount", "stored"), [
    ("1500", "1500.00"), ("1500.5", "1500.50"), (1500, "1500.00"), (12.25, "12.25"),
])
def test_amounts_read_as_decimals(signed_api, household, amount, stored):
    response = signed_api.post("/schedules", json=_new(household, amount=amount))
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.json["data"]["amount"] == stored


@pytest.mark.parametrize("amount", ["-5", "0", "1.234", 1.234, "NaN", "1e5", "9999999999999",
                                    None, True, "abc"])
def test_bad_amounts_are_a_422_on_amount(signed_api, household, amount):
    body = assert_error(signed_api.post("/schedules", json=_new(household, amount=amount)),
                        422, "validation_error")
    assert set(body["fields"]) == {"amount"}
    assert not db.session.query(RecurringRule).count()


def test_bad_words_and_missing_dates_are_named(signed_api, household):
    body = assert_error(signed_api.post("/schedules", json=_new(household, type="Gift",
                                                                frequency="Hourly")),
                        422, "validation_error")
    assert set(body["fields"]) == {"type", "frequency"}
    no_date = _new(household)
    del no_date["start_date"]
    body = assert_error(signed_api.post("/schedules", json=no_date), 422, "validation_error")
    assert set(body["fields"]) == {"start_date"}
    body = assert_error(signed_api.post("/schedules", json=_new(
        household, end_date=days_ahead(household, 1).isoformat())), 422, "validation_error")
    assert set(body["fields"]) == {"end_date"}


def test_first_date_is_the_anchor_and_start_date_the_next_occurrence(signed_api, household):
    first = date(2020, 1, 15)
    response = signed_api.post("/scenarios", json=_new(household, first_date=first.isoformat(),
                                                         start_date=None))
    assert response.status_code == 201, response.get_data(as_text=True)
    data = response.json["data"]
    assert data["first_date"] == "2020-01-15"
    start = date.fromisoformat(data["start_date"])
    assert start.day == 15 and start >= days_ahead(household, 0)


def test_a_schedule_is_updated_partly(signed_api, household):
    created = signed_api.post("/schedules", json=_new(household)).json["data"]
    response = signed_api.put(f"/schedules/{created['id']}", json={"amount": "99.90",
                                                                     "name": "Rent (new)"})
    assert response.status_code == 200, response.get_data(as_text=True)
    data = response.json["data"]
    assert (data["name"], data["amount"], data["frequency"]) == ("Rent (new)", "99.90", "Monthly")
    assert data["first_date"] == created["first_date"]
    moved = days_ahead(household, 20).isoformat()
    data = signed_api.put(f"/schedules/{created['id']}", json={"start_date": moved}).json["data"]
    assert data["first_date"] == moved and data["start_date"] == moved
    data = signed_api.put(f"/schedules/{created['id']}",
                          json={"end_date": days_ahead(household, 400).isoformat()}).json["data"]
    assert data["end_date"] == days_ahead(household, 400).isoformat()
    data = signed_api.put(f"/schedules/{created['id']}", json={"end_date": None}).json["data"]
    assert data["end_date"] is None
    bad = assert_error(signed_api.put(f"/schedules/{created['id']}", json={"amount": "-1"}),
                       422, "validation_error")
    assert set(bad["fields"]) == {"amount"}


def test_a_type_change_moves_the_category_to_the_new_kind(signed_api, household):
    created = signed_api.post("/schedules", json=_new(household)).json["data"]
    data = signed_api.put(f"/schedules/{created['id']}", json={"type": "Income"}).json["data"]
    assert data["type"] == "Income"
    assert data["category_id"] == category(household, "income.other").id


def test_a_schedule_is_deleted(signed_api, household):
    created = signed_api.post("/schedules", json=_new(household)).json["data"]
    response = signed_api.delete(f"/schedules/{created['id']}")
    assert response.status_code == 204 and response.get_data() == b""
    assert db.session.get(RecurringRule, created["id"]) is None
    assert_error(signed_api.delete(f"/schedules/{created['id']}"), 404, "not_found")


def test_schedules_and_scenarios_do_not_mix(signed_api, household):
    schedule = make_rule(household, anchor_date=days_ahead(household, 3))
    scenario = make_rule(household, name="Job loss", is_scenario=True, auto_post=False,
                         anchor_date=days_ahead(household, 3))
    assert [s["id"] for s in signed_api.get("/schedules").json["data"]] == [schedule.id]
    assert [s["id"] for s in signed_api.get("/scenarios").json["data"]] == [scenario.id]
    assert_error(signed_api.put(f"/scenarios/{schedule.id}", json={"name": "x"}), 404, "not_found")
    assert_error(signed_api.delete(f"/schedules/{scenario.id}"), 404, "not_found")
    created = signed_api.post("/scenarios", json=_new(household)).json["data"]
    rule = db.session.get(RecurringRule, created["id"])
    assert rule.is_scenario and not rule.auto_post


def test_lists_are_paginated(signed_api, household):
    for n in range(3):
        make_rule(household, name=f"Rule {n}", anchor_date=days_ahead(household, 3))
    page = signed_api.get("/schedules?limit=2&offset=1").json
    assert page["meta"] == {"total": 3, "limit": 2, "offset": 1}
    assert [s["name"] for s in page["data"]] == ["Rule 1", "Rule 2"]


@pytest.mark.parametrize("path", ["/schedules", "/scenarios"])
def test_another_households_ids_are_404(signed_api, household, path):
    theirs = stranger_household()
    rule = make_rule(theirs, is_scenario=path == "/scenarios", anchor_date=days_ahead(theirs, 3))
    assert_error(signed_api.put(f"{path}/{rule.id}", json={"name": "Mine"}), 404, "not_found")
    assert_error(signed_api.delete(f"{path}/{rule.id}"), 404, "not_found")
    assert signed_api.get(path).json["data"] == []
    # Their account and category cannot be used either.
    body = assert_error(signed_api.post(path, json=_new(
        household, account_id=checking_account(theirs).id)), 422, "validation_error")
    assert set(body["fields"]) == {"account_id"}
    db.session.expire_all()
    assert db.session.get(RecurringRule, rule.id).name == "Rent"


@pytest.mark.parametrize("path", ["/schedules", "/scenarios"])
def test_a_viewer_reads_but_every_write_is_403(api, household, path):
    rule = make_rule(household, is_scenario=path == "/scenarios", anchor_date=days_ahead(household, 3))
    viewer_api(api, household)
    assert api.get(path).json["meta"]["total"] == 1
    assert_error(api.post(path, json=_new(household)), 403, "forbidden")
    assert_error(api.put(f"{path}/{rule.id}", json={"name": "x"}), 403, "forbidden")
    assert_error(api.delete(f"{path}/{rule.id}"), 403, "forbidden")
    db.session.expire_all()
    assert db.session.get(RecurringRule, rule.id).name == "Rent"


def test_a_schedule_starting_in_the_past_posts_what_is_due_as_the_page_does(signed_api, household):
    from finora.models import Entry

    first = days_ahead(household, -70)
    response = signed_api.post("/schedules", json=_new(household, first_date=first.isoformat()))
    assert response.status_code == 201, response.get_data(as_text=True)
    data = response.json["data"]
    posted = db.session.query(Entry).filter_by(rule_id=data["id"]).count()
    assert posted >= 2
    assert data["first_date"] == first.isoformat() and data["start_date"] > first.isoformat()
    # Sending back the start date shown leaves the anchor where it is.
    same = signed_api.put(f"/schedules/{data['id']}", json={"start_date": data["start_date"]})
    assert same.json["data"]["first_date"] == first.isoformat()
    assert db.session.query(Entry).filter_by(rule_id=data["id"]).count() == posted


def test_a_scenario_is_never_posted(signed_api, household):
    from finora.models import Entry

    first = days_ahead(household, -70).isoformat()
    data = signed_api.post("/scenarios", json=_new(household, first_date=first)).json["data"]
    assert db.session.query(Entry).filter_by(rule_id=data["id"]).count() == 0
