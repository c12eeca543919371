"""Goal guards: a withdrawal larger than what is saved is refused beside the amount (and a
deposit later withdrawals need cannot be deleted), a past target date is saved with a
warning, and a projected completion after the target date reads "Behind"."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine
from sqlalchemy import func, select

from finora.errors import FieldError
from finora.extensions import db
from finora.models import GoalContribution
from finora.services.planning.goals import (
    ContributionData,
    GoalData,
    add_contribution,
    create_goal,
    goal_progress,
)
from tests.ledger_factories import field_error, input_value

NOW = datetime(2026, 3, 15, 12, tzinfo=UTC)  # the households' today is 2026-03-15
D = Decimal


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False):
        yield


def make_goal(household, target="1000", target_date=None, contributions=()):
    goal = create_goal(db.session, household, GoalData("Trip", D(target), target_date, None))
    for day, amount in contributions:
        add_contribution(db.session, goal, ContributionData(day, D(amount)))
    db.session.commit()
    return goal


def count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(GoalContribution))


def text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


# Withdrawals


def test_a_withdrawal_larger_than_the_saved_amount_is_refused_beside_the_amount(signed_in, household):
    goal = make_goal(household, contributions=[(date(2026, 3, 1), "100")])
    response = signed_in.post(
        f"/goals/{goal.id}/contributions", data={"date": "2026-03-10", "amount": "-587.00", "note": "Car"}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert field_error(page, "amount") == "This goal holds R$100.00 on that day: a withdrawal can take at most that."
    assert input_value(page, "amount") == "-587.00" and input_value(page, "note") == "Car"
    assert count() == 1
    assert "−" not in text(page) and "-487" not in page


def test_withdrawing_exactly_what_is_saved_is_allowed(signed_in, household):
    goal = make_goal(household, contributions=[(date(2026, 3, 1), "100")])
    response = signed_in.post(f"/goals/{goal.id}/contributions", data={"date": "2026-03-10", "amount": "-100.00"})
    assert response.status_code == 302 and count() == 2


def test_a_withdrawal_dated_before_the_deposits_is_refused(household):
    goal = make_goal(household, contributions=[(date(2026, 3, 10), "100")])
    with pytest.raises(FieldError) as raised:
        add_contribution(db.session, goal, ContributionData(date(2026, 3, 1), D("-50")))
    assert raised.value.field == "amount"
    assert "R$\xa00,00" in str(raised.value.message)  # outside a request: pt


def test_a_withdrawal_may_not_take_what_a_later_withdrawal_already_took(household):
    goal = make_goal(household, contributions=[(date(2026, 3, 1), "100"), (date(2026, 3, 12), "-80")])
    with pytest.raises(FieldError):
        add_contribution(db.session, goal, ContributionData(date(2026, 3, 5), D("-30")))
    db.session.rollback()
    add_contribution(db.session, goal, ContributionData(date(2026, 3, 5), D("-20")))


def test_a_deposit_that_later_withdrawals_need_cannot_be_deleted(signed_in, household):
    goal = make_goal(household, contributions=[(date(2026, 3, 1), "100"), (date(2026, 3, 12), "-80")])
    deposit = db.session.scalar(select(GoalContribution).where(GoalContribution.amount > D(0)))
    response = signed_in.post(f"/goals/{goal.id}/contributions/{deposit.id}/delete", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "This deposit cannot be deleted" in page
    assert count() == 2
    # The withdrawal itself can go, and then the deposit.
    withdrawal = db.session.scalar(select(GoalContribution).where(GoalContribution.amount < D(0)))
    signed_in.post(f"/goals/{goal.id}/contributions/{withdrawal.id}/delete")
    signed_in.post(f"/goals/{goal.id}/contributions/{deposit.id}/delete")
    assert count() == 0


# A past target date


def test_a_past_target_date_is_saved_with_a_warning(signed_in, household):
    response = signed_in.post(
        "/goals/new", data={"name": "Trip", "target_amount": "1,000.00", "target_date": "2026-01-01"}, follow_redirects=True
    )
    page = response.get_data(as_text=True)
    assert "The target date, January 1, 2026, has already passed" in page
    assert "alert-warning" in page
    assert "Overdue" in page


def test_a_future_target_date_has_no_warning(signed_in, household):
    page = signed_in.post(
        "/goals/new", data={"name": "Trip", "target_amount": "1,000.00", "target_date": "2026-09-01"}, follow_redirects=True
    ).get_data(as_text=True)
    assert "has already passed" not in page


def test_editing_only_the_name_of_a_late_goal_does_not_warn_again(signed_in, household):
    goal = make_goal(household, target_date=date(2026, 1, 1))
    data = {"name": "Renamed", "target_amount": "1,000.00", "target_date": "2026-01-01"}
    page = signed_in.post(f"/goals/{goal.id}/edit", data=data, follow_redirects=True).get_data(as_text=True)
    assert "has already passed" not in page
    data["target_date"] = "2026-02-01"
    page = signed_in.post(f"/goals/{goal.id}/edit", data=data, follow_redirects=True).get_data(as_text=True)
    assert "The target date, February 1, 2026, has already passed" in page


# Behind


def test_behind_when_the_projection_ends_after_the_target_date():
    saving = [(date(2026, 1, 10), D("1000")), (date(2026, 2, 10), D("1000")), (date(2026, 3, 10), D("1000"))]
    late = goal_progress(D("12000"), date(2026, 9, 15), saving, date(2026, 3, 15))
    assert late.projected_completion == date(2026, 12, 15) and late.behind
    in_time = goal_progress(D("12000"), date(2027, 1, 15), saving, date(2026, 3, 15))
    assert not in_time.behind
    no_date = goal_progress(D("12000"), None, saving, date(2026, 3, 15))
    assert not no_date.behind
    overdue = goal_progress(D("12000"), date(2026, 3, 1), saving, date(2026, 3, 15))
    assert overdue.overdue and not overdue.behind


def test_behind_shows_on_the_list_and_the_goal_page(signed_in, household):
    saving = [(date(2026, 1, 10), "1000"), (date(2026, 2, 10), "1000"), (date(2026, 3, 10), "1000")]
    late = make_goal(household, target="12000", target_date=date(2026, 9, 15), contributions=saving)
    make_goal(household, target="4000", target_date=date(2026, 9, 15), contributions=saving)  # in time

    listing = signed_in.get("/goals").get_data(as_text=True)
    cards = re.findall(r'<article class="card[^"]*goal-card" data-goal-id="(\d+)">(.*?)</article>', listing, re.S)
    behind = {int(goal_id) for goal_id, html in cards if "Behind" in text(html)}
    assert behind == {late.id}
    late_card = dict((int(i), h) for i, h in cards)[late.id]
    assert "Behind: at the average so far, the target is reached after its date, Sep 15, 2026." in text(late_card)

    page = signed_in.get(f"/goals/{late.id}").get_data(as_text=True)
    heading = re.search(r"<h1.*?</h1>", page, re.S).group(0)
    assert "Behind" in text(heading)
