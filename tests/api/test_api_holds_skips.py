"""PyCashFlow's /holds and /skips on Finora's rules: a hold pauses a rule
(RecurringRule.hold_until; with no date, until it is deleted), a skip leaves one occurrence
out (keyed by its nominal date). Another household's ids are 404, a viewer's writes 403."""

from __future__ import annotations

from datetime import timedelta

import pytest

from finora.dates import date_window
from finora.extensions import db
from finora.models import RecurringRule, Skip
from finora.services.planning.rules import calendar_of
from tests.api.planning_helpers import assert_error, days_ahead, stranger_household, viewer_api
from tests.planning_factories import make_rule


def _rule(household, **overrides) -> RecurringRule:
    values = {"anchor_date": days_ahead(household, 5)}
    values.update(overrides)
    return make_rule(household, **values)


def _reload(rule_id: int) -> RecurringRule:
    db.session.expire_all()
    return db.session.get(RecurringRule, rule_id)


@pytest.mark.parametrize("path", ["/holds", "/skips"])
def test_empty_lists(signed_api, path):
    assert signed_api.get(path).json == {"data": [], "meta": {"total": 0, "limit": 50, "offset": 0}}


def test_a_hold_with_a_date_pauses_the_rule_until_then(signed_api, household):
    rule = _rule(household)
    until = days_ahead(household, 40)
    response = signed_api.post("/holds", json={"schedule_id": rule.id, "until": until.isoformat()})
    assert response.status_code == 201, response.get_data(as_text=True)
    hold = response.json["data"]
    assert hold == {"id": rule.id, "schedule_id": rule.id, "name": "Rent", "amount": "1500.00",
                    "type": "Expense", "until": until.isoformat()}
    assert _reload(rule.id).hold_until == until
    assert signed_api.get("/holds").json["data"] == [hold]
    # The schedule's next occurrence is now after the hold.
    schedule = signed_api.get("/schedules").json["data"][0]
    assert schedule["start_date"] >= until.isoformat()


def test_a_hold_without_a_date_lasts_until_it_is_deleted(signed_api, household):
    rule = _rule(household)
    hold = signed_api.post("/holds", json={"schedule_id": rule.id}).json["data"]
    assert hold["until"] is None
    assert _reload(rule.id).hold_until == date_window()[1]
    response = signed_api.delete(f"/holds/{rule.id}")
    assert response.status_code == 204 and response.get_data() == b""
    assert _reload(rule.id).hold_until is None
    assert signed_api.get("/holds").json["data"] == []
    assert_error(signed_api.delete(f"/holds/{rule.id}"), 404, "not_found")


def test_a_hold_in_the_past_is_refused(signed_api, household):
    rule = _rule(household)
    body = assert_error(signed_api.post("/holds", json={
        "schedule_id": rule.id, "until": days_ahead(household, -3).isoformat()}), 422,
        "validation_error")
    assert set(body["fields"]) == {"until"}
    # Until today holds nothing (a hold ends the day before): refused too, not a silent 201.
    body = assert_error(signed_api.post("/holds", json={
        "schedule_id": rule.id, "until": days_ahead(household, 0).isoformat()}), 422,
        "validation_error")
    assert body["fields"] == {"until": "A hold must last until a day after today."}
    body = assert_error(signed_api.post("/holds", json={"until": "soon"}), 422, "validation_error")
    assert set(body["fields"]) == {"schedule_id", "until"}
    assert _reload(rule.id).hold_until is None


def test_deleting_every_hold(signed_api, household):
    rules = [_rule(household, name=f"Rule {n}") for n in range(2)]
    for rule in rules:
        signed_api.post("/holds", json={"schedule_id": rule.id})
    assert signed_api.get("/holds").json["meta"]["total"] == 2
    assert signed_api.delete("/holds").status_code == 204
    assert all(_reload(rule.id).hold_until is None for rule in rules)


def test_a_scenario_cannot_be_held_through_holds(signed_api, household):
    scenario = _rule(household, is_scenario=True, auto_post=False)
    assert_error(signed_api.post("/holds", json={"schedule_id": scenario.id}), 404, "not_found")
    assert_error(signed_api.post("/skips", json={"schedule_id": scenario.id}), 404, "not_found")


def test_a_skip_without_a_date_skips_the_next_occurrence(signed_api, household):
    rule = _rule(household)
    response = signed_api.post("/skips", json={"schedule_id": rule.id})
    assert response.status_code == 201, response.get_data(as_text=True)
    skip = response.json["data"]
    anchor = days_ahead(household, 5).isoformat()
    assert skip["schedule_id"] == rule.id and skip["name"] == "Rent"
    assert skip["date"] == anchor and skip["occurrence_date"] == anchor
    assert skip["amount"] == "1500.00" and skip["type"] == "Expense"
    assert signed_api.get("/skips").json["data"] == [skip]
    # Skipping it again is the same skip; the next one skipped is the month after.
    again = signed_api.post("/skips", json={"schedule_id": rule.id, "date": anchor}).json["data"]
    assert again["id"] == skip["id"]
    second = signed_api.post("/skips", json={"schedule_id": rule.id}).json["data"]
    assert second["occurrence_date"] > anchor
    assert signed_api.get("/skips").json["meta"]["total"] == 2


def test_a_skip_by_the_date_shown_finds_the_occurrence(signed_api, household):
    start = days_ahead(household, 3)
    saturday = start + timedelta(days=(5 - start.weekday()) % 7)
    rule = _rule(household, anchor_date=saturday, business_day_policy="next")
    shown = calendar_of(household).shift(saturday, "next")
    assert shown != saturday
    skip = signed_api.post("/skips", json={"schedule_id": rule.id,
                                           "date": shown.isoformat()}).json["data"]
    assert skip["date"] == shown.isoformat() and skip["occurrence_date"] == saturday.isoformat()


def test_a_date_that_is_not_an_occurrence_is_refused(signed_api, household):
    rule = _rule(household)
    body = assert_error(signed_api.post("/skips", json={
        "schedule_id": rule.id, "date": days_ahead(household, 6).isoformat()}), 422,
        "validation_error")
    assert set(body["fields"]) == {"date"}
    past = _rule(household, name="Once", frequency="once", anchor_date=days_ahead(household, -30))
    body = assert_error(signed_api.post("/skips", json={"schedule_id": past.id}), 422,
                        "validation_error")
    assert set(body["fields"]) == {"schedule_id"}
    assert db.session.query(Skip).count() == 0


def test_skips_are_deleted_one_or_all(signed_api, household):
    rule = _rule(household)
    first = signed_api.post("/skips", json={"schedule_id": rule.id}).json["data"]
    signed_api.post("/skips", json={"schedule_id": rule.id})
    response = signed_api.delete(f"/skips/{first['id']}")
    assert response.status_code == 204 and response.get_data() == b""
    assert signed_api.get("/skips").json["meta"]["total"] == 1
    assert_error(signed_api.delete(f"/skips/{first['id']}"), 404, "not_found")
    assert signed_api.delete("/skips").status_code == 204
    assert signed_api.get("/skips").json["data"] == []
    assert db.session.query(Skip).count() == 0


def test_another_households_ids_are_404(signed_api, household):
    theirs = stranger_household()
    rule = _rule(theirs)
    db.session.add(Skip(household_id=theirs.id, rule_id=rule.id, occurrence_date=rule.anchor_date))
    rule.hold_until = days_ahead(theirs, 60)
    db.session.commit()
    skip_id = db.session.query(Skip).one().id
    assert_error(signed_api.post("/holds", json={"schedule_id": rule.id}), 404, "not_found")
    assert_error(signed_api.delete(f"/holds/{rule.id}"), 404, "not_found")
    assert_error(signed_api.post("/skips", json={"schedule_id": rule.id}), 404, "not_found")
    assert_error(signed_api.delete(f"/skips/{skip_id}"), 404, "not_found")
    assert signed_api.get("/holds").json["data"] == []
    assert signed_api.get("/skips").json["data"] == []
    assert signed_api.delete("/holds").status_code == 204
    assert signed_api.delete("/skips").status_code == 204
    assert _reload(rule.id).hold_until == days_ahead(theirs, 60)
    assert db.session.query(Skip).count() == 1


def test_a_viewer_reads_but_every_write_is_403(api, household):
    rule = _rule(household, hold_until=days_ahead(household, 30))
    db.session.add(Skip(household_id=household.id, rule_id=rule.id,
                        occurrence_date=rule.anchor_date + timedelta(days=0)))
    db.session.commit()
    skip_id = db.session.query(Skip).one().id
    viewer_api(api, household)
    assert api.get("/holds").json["meta"]["total"] == 1
    assert api.get("/skips").json["meta"]["total"] == 1
    assert_error(api.post("/holds", json={"schedule_id": rule.id}), 403, "forbidden")
    assert_error(api.delete(f"/holds/{rule.id}"), 403, "forbidden")
    assert_error(api.delete("/holds"), 403, "forbidden")
    assert_error(api.post("/skips", json={"schedule_id": rule.id}), 403, "forbidden")
    assert_error(api.delete(f"/skips/{skip_id}"), 403, "forbidden")
    assert_error(api.delete("/skips"), 403, "forbidden")
    assert _reload(rule.id).hold_until == days_ahead(household, 30)
    assert db.session.query(Skip).count() == 1


def test_ids_past_the_databases_integer_are_404_or_422(signed_api):
    assert_error(signed_api.delete("/skips/99999999999999"), 404, "not_found")
    assert_error(signed_api.delete("/holds/99999999999999"), 404, "not_found")
    assert_error(signed_api.put("/schedules/99999999999999", json={"name": "x"}), 404, "not_found")
    body = assert_error(signed_api.post("/holds", json={"schedule_id": 2**40}), 422,
                        "validation_error")
    assert set(body["fields"]) == {"schedule_id"}


def test_field_messages_speak_the_callers_language(signed_api, household, user):
    user.locale = "pt"  # the signed-in user's language wins over the browser's
    db.session.commit()
    body = assert_error(signed_api.post("/schedules", json={
        "name": "Aluguel", "amount": "-5", "type": "Expense", "frequency": "Monthly",
        "start_date": days_ahead(household, 3).isoformat()}), 422, "validation_error")
    assert body["fields"]["amount"] == "Digite um valor positivo."
