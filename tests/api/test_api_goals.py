"""/api/v1/goals and their contributions: each goal with its progress as the goals page
shows it, creation, partial updates (null removes a date or an account), deletion with its
contributions, deposits and withdrawals (a withdrawal past what the goal holds is a 422, a
deposit later withdrawals need is a 409), another household's ids (404), a viewer (403)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from sqlalchemy import func, select

from finora.api.plans_json import ContributionOut, GoalOut
from finora.dates import today
from finora.extensions import db
from finora.models import AuditEvent, Goal, GoalContribution
from finora.services.planning.goals import ContributionData, GoalData, add_contribution, create_goal
from tests.api.planning_helpers import assert_error, stranger_household, viewer_api
from tests.ledger_factories import checking_account, make_account

NOT_HERE_EN = "Nothing with this id in your household."


def _goal(household, name="Trip", target="1000.00", **extra) -> Goal:
    goal = create_goal(db.session, household, GoalData(name=name, target_amount=Decimal(target),
                                                       **extra))
    db.session.commit()
    return goal


def _put_in(goal, amount, day) -> GoalContribution:
    row = add_contribution(db.session, goal, ContributionData(date=day, amount=Decimal(amount)))
    db.session.commit()
    return row


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_no_goals_list_nothing(signed_api):
    assert signed_api.get("/goals").json == {"data": [], "meta": {"total": 0, "limit": 50,
                                                                  "offset": 0}}


def test_goals_with_their_progress(api, user, household):
    with time_machine.travel("2026-03-15 15:00:00+00:00", tick=False):
        api.login(user.email)
        trip = _goal(household, target_date=date(2026, 9, 15))
        done = _goal(household, name="Phone", target="200.00")
        _put_in(trip, "150.00", date(2026, 1, 10))
        _put_in(trip, "150.00", date(2026, 3, 1))
        _put_in(done, "200.00", date(2026, 2, 1))
        response = api.get("/goals")
    assert response.status_code == 200
    data = response.json["data"]
    for item in data:
        GoalOut.model_validate(item)
    assert [item["id"] for item in data] == [trip.id, done.id]  # achieved last
    shown = dict(data[0])
    assert shown.pop("created_at")
    assert shown == {
        "id": trip.id, "name": "Trip", "target_amount": "1000.00", "target_date": "2026-09-15",
        "account_id": None, "saved": "300.00", "remaining": "700.00", "progress_percent": "30.0",
        "achieved": False, "overdue": False, "behind": True, "months_left": 6,
        "monthly_needed": "116.67", "average_monthly_rate": "100.00",
        "projected_completion": "2026-10-15",
    }
    assert (data[1]["achieved"], data[1]["remaining"], data[1]["progress_percent"]) == (
        True, "0.00", "100.0")
    assert data[1]["monthly_needed"] is None and data[1]["target_date"] is None


def test_one_goal(signed_api, household):
    goal = _goal(household)
    response = signed_api.get(f"/goals/{goal.id}")
    assert response.status_code == 200
    data = GoalOut.model_validate(response.json["data"])
    assert (data.saved, data.average_monthly_rate, data.projected_completion) == ("0.00", None, None)


def test_a_goal_is_created_and_audited(signed_api, household):
    account = checking_account(household)
    target = (today(household) + timedelta(days=400)).isoformat()
    response = signed_api.post("/goals", json={"name": " House ", "target_amount": 50000,
                                               "target_date": target, "account_id": account.id})
    assert response.status_code == 201, response.get_data(as_text=True)
    data = GoalOut.model_validate(response.json["data"])
    assert (data.name, data.target_amount, data.target_date, data.account_id) == (
        "House", "50000.00", target, account.id)
    goal = db.session.get(Goal, data.id)
    assert (goal.household_id, goal.target_amount) == (household.id, Decimal("50000.00"))
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "goal.created"))


@pytest.mark.parametrize(("body", "field"), [
    ({"target_amount": "10"}, "name"),
    ({"name": "  ", "target_amount": "10"}, "name"),
    ({"name": "x" * 121, "target_amount": "10"}, "name"),
    ({"name": "Car"}, "target_amount"),
    ({"name": "Car", "target_amount": "0"}, "target_amount"),
    ({"name": "Car", "target_amount": "12.345"}, "target_amount"),
    ({"name": "Car", "target_amount": "10", "target_date": "31/12/2026"}, "target_date"),
    ({"name": "Car", "target_amount": "10", "target_date": "1800-01-01"}, "target_date"),
    ({"name": "Car", "target_amount": "10", "account_id": "ARCHIVED"}, "account_id"),
])
def test_a_bad_goal_is_422_on_its_field(signed_api, household, body, field):
    archived = make_account(household, name="Old", archived=True)
    body = {key: archived.id if value == "ARCHIVED" else value for key, value in body.items()}
    response = assert_error(signed_api.post("/goals", json=body), 422, "validation_error")
    assert field in response["fields"], response
    assert _count(Goal) == 0


def test_another_households_account_in_the_body_is_a_422_on_it(signed_api, household):
    theirs = checking_account(stranger_household())
    assert_error(signed_api.post("/goals", json={"name": "Car", "target_amount": "10",
                                                 "account_id": theirs.id}), 422, "validation_error")
    goal = _goal(household)
    assert assert_error(signed_api.put(f"/goals/{goal.id}", json={"account_id": theirs.id}),
                 422, "validation_error")["fields"] == {"account_id": NOT_HERE_EN}
    db.session.expire_all()
    assert db.session.get(Goal, goal.id).account_id is None and _count(Goal) == 1


def test_only_the_fields_sent_change(signed_api, household):
    account = checking_account(household)
    goal = _goal(household, target_date=date(2030, 1, 1), account_id=account.id)
    response = signed_api.put(f"/goals/{goal.id}", json={"target_amount": "1500"})
    assert response.status_code == 200, response.get_data(as_text=True)
    data = GoalOut.model_validate(response.json["data"])
    assert (data.name, data.target_amount, data.target_date, data.account_id) == (
        "Trip", "1500.00", "2030-01-01", account.id)
    data = signed_api.put(f"/goals/{goal.id}", json={"name": "Big trip", "target_date": None,
                                                     "account_id": None}).json["data"]
    assert (data["name"], data["target_date"], data["account_id"]) == ("Big trip", None, None)
    db.session.expire_all()
    stored = db.session.get(Goal, goal.id)
    assert (stored.name, stored.target_date, stored.account_id) == ("Big trip", None, None)
    assert_error(signed_api.put(f"/goals/{goal.id}", json={"target_amount": "-1"}), 422,
                 "validation_error")


def test_a_goal_is_deleted_with_its_contributions(signed_api, household):
    goal = _goal(household)
    _put_in(goal, "10.00", today(household))
    goal_id = goal.id
    response = signed_api.delete(f"/goals/{goal_id}")
    assert response.status_code == 204 and response.get_data() == b""
    assert (_count(Goal), _count(GoalContribution)) == (0, 0)
    assert_error(signed_api.get(f"/goals/{goal_id}"), 404, "not_found")


def test_contributions_are_listed_newest_first(signed_api, household):
    goal = _goal(household)
    assert signed_api.get(f"/goals/{goal.id}/contributions").json["data"] == []
    day = today(household)
    older = _put_in(goal, "100.00", day - timedelta(days=3))
    newer = _put_in(goal, "-40.00", day)
    body = signed_api.get(f"/goals/{goal.id}/contributions").json
    assert body["meta"]["total"] == 2
    assert [item["id"] for item in body["data"]] == [newer.id, older.id]
    shown = ContributionOut.model_validate(body["data"][0])
    assert (shown.goal_id, shown.amount, shown.date, shown.note) == (goal.id, "-40.00",
                                                                     day.isoformat(), None)


def test_deposits_and_withdrawals(signed_api, household):
    goal = _goal(household)
    day = today(household)
    response = signed_api.post(f"/goals/{goal.id}/contributions",
                               json={"amount": "250.50", "note": "Bonus"})
    assert response.status_code == 201, response.get_data(as_text=True)
    data = ContributionOut.model_validate(response.json["data"])
    assert (data.amount, data.date, data.note) == ("250.50", day.isoformat(), "Bonus")
    response = signed_api.post(f"/goals/{goal.id}/contributions",
                               json={"amount": -50, "date": day.isoformat()})
    assert response.status_code == 201 and response.json["data"]["amount"] == "-50.00"
    assert signed_api.get(f"/goals/{goal.id}").json["data"]["saved"] == "200.50"


@pytest.mark.parametrize(("body", "field"), [
    ({}, "amount"), ({"amount": "0"}, "amount"), ({"amount": "-0.00"}, "amount"),
    ({"amount": "1.001"}, "amount"), ({"amount": "ten"}, "amount"),
    ({"amount": "-500.00"}, "amount"),  # more than the goal holds
    ({"amount": "5", "date": "TOMORROW"}, "date"),
    ({"amount": "5", "note": "x" * 501}, "note"),
])
def test_a_bad_contribution_is_422_on_its_field(signed_api, household, body, field):
    goal = _goal(household)
    _put_in(goal, "100.00", today(household))
    if body.get("date") == "TOMORROW":
        body["date"] = (today(household) + timedelta(days=1)).isoformat()
    response = assert_error(signed_api.post(f"/goals/{goal.id}/contributions", json=body), 422,
                            "validation_error")
    assert field in response["fields"], response
    assert _count(GoalContribution) == 1


def test_a_contribution_is_deleted_unless_later_withdrawals_need_it(signed_api, household):
    goal = _goal(household)
    day = today(household)
    deposit = _put_in(goal, "100.00", day - timedelta(days=2))
    withdrawal = _put_in(goal, "-60.00", day)
    body = assert_error(signed_api.delete(f"/goals/{goal.id}/contributions/{deposit.id}"),
                        409, "conflict")
    assert "withdrawals" in body["error"]
    assert _count(GoalContribution) == 2
    response = signed_api.delete(f"/goals/{goal.id}/contributions/{withdrawal.id}")
    assert response.status_code == 204
    assert signed_api.delete(f"/goals/{goal.id}/contributions/{deposit.id}").status_code == 204
    assert _count(GoalContribution) == 0
    assert signed_api.get(f"/goals/{goal.id}").json["data"]["saved"] == "0.00"


def test_a_contribution_under_another_goal_is_404(signed_api, household):
    first, second = _goal(household), _goal(household, name="Car")
    row = _put_in(first, "10.00", today(household))
    assert_error(signed_api.delete(f"/goals/{second.id}/contributions/{row.id}"), 404,
                 "not_found")
    assert _count(GoalContribution) == 1


def test_another_households_goal_is_404(signed_api):
    stranger = stranger_household()
    theirs = _goal(stranger)
    row = _put_in(theirs, "10.00", today(stranger))
    for method, path in (("GET", f"/goals/{theirs.id}"), ("PUT", f"/goals/{theirs.id}"),
                         ("DELETE", f"/goals/{theirs.id}"),
                         ("GET", f"/goals/{theirs.id}/contributions"),
                         ("POST", f"/goals/{theirs.id}/contributions"),
                         ("DELETE", f"/goals/{theirs.id}/contributions/{row.id}")):
        assert_error(signed_api.open(method, path, json={"name": "Mine", "amount": "5"}), 404,
                     "not_found")
    assert (_count(Goal), _count(GoalContribution)) == (1, 1)


def test_a_viewer_reads_but_does_not_write(api, household):
    goal = _goal(household)
    viewer = viewer_api(api, household)
    assert viewer.get("/goals").json["meta"]["total"] == 1
    assert viewer.get(f"/goals/{goal.id}/contributions").status_code == 200
    assert_error(viewer.post(f"/goals/{goal.id}/contributions", json={"amount": "5"}), 403,
                 "forbidden")
    assert_error(viewer.delete(f"/goals/{goal.id}"), 403, "forbidden")
    assert (_count(Goal), _count(GoalContribution)) == (1, 0)
