"""Goals through the web: create, edit, delete, contributions and their history, the
progress bar and its figures, bad input refused beside the field, and another household's
goal or contribution is 404 on every route."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine
from sqlalchemy import func, select

from finora.extensions import db
from finora.models import Goal, GoalContribution
from finora.services.planning.goals import ContributionData, GoalData, add_contribution, create_goal
from tests.factories import create_user
from tests.ledger_factories import (
    field_error,
    field_tag,
    household_of,
    input_value,
    make_account,
    reload,
    row_containing,
    select_options,
    selected_value,
    snapshot,
)

NOW = datetime(2026, 3, 15, 12, tzinfo=UTC)  # the households' today is 2026-03-15
MISSING = 999_999


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def make_goal(
    household,
    *,
    name="Emergency fund",
    target="12000",
    target_date=None,
    account=None,
    contributions=(),
):
    goal = create_goal(
        db.session,
        household,
        GoalData(
            name,
            Decimal(target).quantize(Decimal("0.01")),
            target_date,
            account.id if account else None,
        ),
    )
    for day, amount, *note in contributions:
        add_contribution(
            db.session, goal, ContributionData(day, Decimal(amount), note[0] if note else None)
        )
    db.session.commit()
    return goal


def goal_form(**overrides) -> dict:
    data = {
        "name": "Trip to Lisbon",
        "target_amount": "12,000.00",
        "target_date": "2026-09-15",
        "account_id": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def goals_of(household) -> list[Goal]:
    db.session.expire_all()
    return list(db.session.scalars(select(Goal).where(Goal.household_id == household.id).order_by(Goal.id)))


def contribution_count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(GoalContribution))


def card(page: str, goal_id: int) -> str:
    start = page.index(f'data-goal-id="{goal_id}"')
    return page[start : page.index("</article>", start)]


def progressbar(html: str) -> dict[str, str]:
    tag = re.search(r'<div class="progress" role="progressbar"[^>]*>', html, re.S).group(0)
    return dict(re.findall(r'(aria-[a-z]+)="([^"]*)"', tag))


def text(html: str) -> str:
    """The text a reader sees: tags dropped, spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def bar_class(html: str) -> str:
    return re.search(r'<div class="(progress-bar[^"]*)"', html).group(1)


# Create, list, show


def test_create_a_goal_and_see_it_on_the_list(signed_in, household):
    savings = make_account(household, name="Savings box")
    page = signed_in.get("/goals/new").get_data(as_text=True)
    assert "New goal" in page
    assert ("", "None", True) in select_options(page, "account_id")
    assert (str(savings.id), "Savings box", False) in select_options(page, "account_id")

    response = signed_in.post(
        "/goals/new", data=goal_form(name="  Trip to Lisbon ", account_id=str(savings.id))
    )
    assert response.status_code == 302
    [goal] = goals_of(household)
    assert response.headers["Location"] == f"/goals/{goal.id}"
    assert goal.name == "Trip to Lisbon" and goal.target_amount == Decimal("12000.00")
    assert goal.target_date == date(2026, 9, 15) and goal.account_id == savings.id

    page = signed_in.get("/goals").get_data(as_text=True)
    assert "Goal “Trip to Lisbon” created." in page
    item = card(page, goal.id)
    assert "Trip to Lisbon" in item and "R$0.00 of R$12,000.00" in text(item)
    assert progressbar(item) == {
        "aria-label": "Progress of Trip to Lisbon",
        "aria-valuenow": "0",
        "aria-valuemin": "0",
        "aria-valuemax": "100",
        "aria-valuetext": "0.0%",
    }
    assert "Achieved" not in item


def test_the_list_shows_progress_and_its_figures(signed_in, household):
    goal = make_goal(
        household,
        target_date=date(2026, 9, 15),
        contributions=[
            (date(2026, 1, 10), "1000"),
            (date(2026, 2, 10), "1000"),
            (date(2026, 3, 10), "1000"),
        ],
    )
    item = card(signed_in.get("/goals").get_data(as_text=True), goal.id)
    assert progressbar(item)["aria-valuenow"] == "25"
    assert '<span class="fw-semibold goal-percent">25.0%</span>' in item
    assert bar_class(item) == "progress-bar w-pct-25"
    assert "R$3,000.00 of R$12,000.00" in text(item)
    figures = dict(re.findall(r"<dt[^>]*>(.*?)</dt>\s*<dd[^>]*>(.*?)</dd>", item, re.S))
    assert {text(k): text(v) for k, v in figures.items()} == {
        "Remaining": "R$9,000.00",
        "Target date": "Sep 15, 2026",
        "Needed per month": "R$1,500.00",
        "Average per month": "R$1,000.00",
        "Projected completion": "Dec 15, 2026",
    }


def test_progress_css_is_linked_and_has_the_width(signed_in, household):
    make_goal(household)
    page = signed_in.get("/goals").get_data(as_text=True)
    assert 'href="/static/css/progress.css"' in page
    css = signed_in.get("/static/css/progress.css").get_data(as_text=True)
    assert ".w-pct-37 { width: 37%; }" in css and ".w-pct-100 { width: 100%; }" in css


def test_an_achieved_goal_has_a_badge_and_a_full_bar(signed_in, household):
    goal = make_goal(household, target="1000", contributions=[(date(2026, 3, 1), "1200")])
    item = card(signed_in.get("/goals").get_data(as_text=True), goal.id)
    assert "Achieved" in item
    assert progressbar(item)["aria-valuenow"] == "100"
    assert progressbar(item)["aria-valuetext"] == "120.0%"
    assert bar_class(item) == "progress-bar w-pct-100 bg-success"
    assert "Projected completion" not in item and "Needed per month" not in item


def test_a_passed_target_date_is_overdue(signed_in, household):
    goal = make_goal(
        household,
        target="1000",
        target_date=date(2026, 2, 1),
        contributions=[(date(2026, 1, 5), "400")],
    )
    item = card(signed_in.get("/goals").get_data(as_text=True), goal.id)
    assert "Overdue" in item and "Needed now (date passed)" in item and "R$600.00" in item


def test_goals_follow_the_users_locale(signed_in, user, household):
    user.locale = "pt"
    db.session.commit()
    response = signed_in.post("/goals/new", data=goal_form(target_amount="1.234,56"))
    assert response.status_code == 302
    [goal] = goals_of(household)
    assert goal.target_amount == Decimal("1234.56")
    assert "R$\xa01.234,56" in card(signed_in.get("/goals").get_data(as_text=True), goal.id)


def test_an_empty_list_invites_a_first_goal(signed_in):
    page = signed_in.get("/goals").get_data(as_text=True)
    assert "You have no goals yet." in page and 'href="/goals/new"' in page


# Bad input


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"target_amount": "abc"}, "target_amount", "Enter a number, such as 1,234.56."),
        ({"target_amount": "-100.00"}, "target_amount", "Enter a positive amount."),
        ({"target_amount": "0"}, "target_amount", "The target must be more than zero."),
        ({"target_amount": ""}, "target_amount", "Enter the target amount."),
        ({"target_date": "2026-02-30"}, "target_date", "Enter a real date, such as 2026-03-31."),
        ({"name": "  "}, "name", "Name the goal."),
        ({"account_id": str(MISSING)}, "account_id", "Choose one of your active accounts."),
    ],
)
def test_bad_input_is_refused_beside_its_field(signed_in, household, overrides, field, message):
    data = goal_form(**overrides)
    response = signed_in.post("/goals/new", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert field_error(page, field) == message
    assert 'aria-invalid="true"' in field_tag(page, field)
    assert input_value(page, "target_amount") == data["target_amount"]
    assert input_value(page, "target_date") == data["target_date"]
    if field != "name":
        assert input_value(page, "name") == "Trip to Lisbon"
    assert goals_of(household) == []


def test_a_past_target_date_is_allowed(signed_in, household):
    assert signed_in.post("/goals/new", data=goal_form(target_date="2026-01-01")).status_code == 302


@pytest.mark.parametrize("which", ["another household's", "archived"])
def test_an_account_that_is_not_offered_is_refused(signed_in, household, which):
    if which == "archived":
        account = make_account(household, name="Old bank", archived=True)
    else:
        account = make_account(household_of(create_user()), name="Their savings")
    response = signed_in.post("/goals/new", data=goal_form(account_id=str(account.id)))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert field_error(page, "account_id") == "Choose one of your active accounts."
    assert "Their savings" not in page and "Old bank" not in page
    assert goals_of(household) == []


# Edit and delete


def test_edit_a_goal(signed_in, household):
    savings = make_account(household, name="Savings box")
    goal = make_goal(household, target="500", target_date=date(2026, 6, 1))
    page = signed_in.get(f"/goals/{goal.id}/edit").get_data(as_text=True)
    assert "Edit goal" in page
    assert input_value(page, "name") == "Emergency fund"
    assert input_value(page, "target_amount") == "500.00"
    assert input_value(page, "target_date") == "2026-06-01"
    assert selected_value(page, "account_id") == ""

    response = signed_in.post(
        f"/goals/{goal.id}/edit",
        data=goal_form(
            name="Rainy day", target_amount="2,500.50", target_date="", account_id=str(savings.id)
        ),
    )
    assert response.status_code == 302 and response.headers["Location"] == f"/goals/{goal.id}"
    goal = reload(Goal, goal.id)
    assert (goal.name, goal.target_amount, goal.target_date, goal.account_id) == (
        "Rainy day",
        Decimal("2500.50"),
        None,
        savings.id,
    )
    assert "Goal “Rainy day” saved." in signed_in.get(f"/goals/{goal.id}").get_data(as_text=True)


def test_an_archived_linked_account_stays_on_the_goal(signed_in, household):
    old = make_account(household, name="Old bank")
    goal = make_goal(household, account=old)
    from finora.services.ledger.accounts import set_account_archived

    set_account_archived(db.session, old, True)
    db.session.commit()
    page = signed_in.get(f"/goals/{goal.id}/edit").get_data(as_text=True)
    assert selected_value(page, "account_id") == str(old.id)
    response = signed_in.post(f"/goals/{goal.id}/edit", data=goal_form(account_id=str(old.id)))
    assert response.status_code == 302
    assert reload(Goal, goal.id).account_id == old.id


def test_a_bad_edit_changes_nothing(signed_in, household):
    goal = make_goal(household)
    before = snapshot(Goal, goal.id)
    response = signed_in.post(
        f"/goals/{goal.id}/edit", data=goal_form(name="New name", target_amount="abc")
    )
    assert response.status_code == 422
    assert input_value(response.get_data(as_text=True), "name") == "New name"
    assert snapshot(Goal, goal.id) == before


def test_delete_a_goal_with_its_contributions(signed_in, household):
    goal = make_goal(household, contributions=[(date(2026, 3, 1), "100")])
    other = make_goal(household, name="Car", contributions=[(date(2026, 3, 1), "50")])
    response = signed_in.post(f"/goals/{goal.id}/delete")
    assert response.status_code == 302 and response.headers["Location"] == "/goals"
    assert [g.id for g in goals_of(household)] == [other.id]
    assert contribution_count() == 1
    assert "Goal “Emergency fund” deleted." in signed_in.get("/goals").get_data(as_text=True)


def test_deleting_needs_a_post(signed_in, household):
    goal = make_goal(household)
    assert signed_in.get(f"/goals/{goal.id}/delete").status_code == 405
    assert reload(Goal, goal.id) is not None


# Contributions


def test_add_contributions_and_see_the_history(signed_in, household):
    goal = make_goal(household, target="1000")
    page = signed_in.get(f"/goals/{goal.id}").get_data(as_text=True)
    assert "No contributions yet." in page
    assert input_value(page, "date") == "2026-03-15"

    for data in (
        {"date": "2026-02-01", "amount": "300.00", "note": "Bonus"},
        {"date": "2026-03-10", "amount": "-50.00", "note": "Dentist"},
    ):
        response = signed_in.post(f"/goals/{goal.id}/contributions", data=data)
        assert response.status_code == 302 and response.headers["Location"] == f"/goals/{goal.id}"

    page = signed_in.get(f"/goals/{goal.id}").get_data(as_text=True)
    assert "Contribution recorded." in page
    rows = re.findall(r'<tr data-contribution-id="\d+">.*?</tr>', page, re.S)
    assert len(rows) == 2
    # Newest first.
    assert "Dentist" in rows[0] and "Withdrawal" in rows[0] and "-R$50.00" in rows[0]
    assert "Bonus" in rows[1] and "R$300.00" in rows[1] and "Withdrawal" not in rows[1]
    assert progressbar(page)["aria-valuenow"] == "25"
    assert "R$250.00 of R$1,000.00" in text(page)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"date": "2026-03-01", "amount": "abc"}, "amount", "Enter a number, such as 1,234.56."),
        ({"date": "2026-03-01", "amount": "0"}, "amount", "Enter an amount other than zero."),
        ({"date": "2026-03-01", "amount": ""}, "amount", "Enter an amount."),
        ({"date": "", "amount": "10.00"}, "date", "Enter a date."),
        (
            {"date": "2026-03-16", "amount": "10.00"},
            "date",
            "A contribution cannot be dated in the future.",
        ),
    ],
)
def test_a_bad_contribution_is_refused_beside_its_field(signed_in, household, data, field, message):
    goal = make_goal(household)
    response = signed_in.post(f"/goals/{goal.id}/contributions", data={**data, "note": "Kept"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert field_error(page, field) == message
    assert input_value(page, "amount") == data["amount"]
    assert input_value(page, "note") == "Kept"
    assert contribution_count() == 0


def test_delete_a_contribution(signed_in, household):
    goal = make_goal(
        household,
        contributions=[(date(2026, 3, 1), "100", "Bonus A"), (date(2026, 3, 2), "200", "Bonus B")],
    )
    first = db.session.scalar(select(GoalContribution).where(GoalContribution.note == "Bonus A"))
    response = signed_in.post(f"/goals/{goal.id}/contributions/{first.id}/delete")
    assert response.status_code == 302 and response.headers["Location"] == f"/goals/{goal.id}"
    assert reload(GoalContribution, first.id) is None
    page = signed_in.get(f"/goals/{goal.id}").get_data(as_text=True)
    assert "Contribution deleted." in page and "Bonus B" in row_containing(page, "R$200.00")
    assert "Bonus A" not in page


def test_a_contribution_of_another_goal_is_404_under_this_goal(signed_in, household):
    goal = make_goal(household)
    other = make_goal(household, name="Car", contributions=[(date(2026, 3, 1), "100")])
    [contribution] = db.session.scalars(
        select(GoalContribution).where(GoalContribution.goal_id == other.id)
    )
    response = signed_in.post(f"/goals/{goal.id}/contributions/{contribution.id}/delete")
    assert response.status_code == 404
    assert reload(GoalContribution, contribution.id) is not None


# Another household


@pytest.fixture
def theirs(app):
    household = household_of(create_user(name="Their Owner", household_name="Their home"))
    goal = make_goal(
        household, name="Their boat", contributions=[(date(2026, 3, 1), "100", "Their note")]
    )
    [contribution] = db.session.scalars(
        select(GoalContribution).where(GoalContribution.goal_id == goal.id)
    )
    return goal, contribution


ROUTES = [
    ("get", "/goals/{goal}"),
    ("get", "/goals/{goal}/edit"),
    ("post", "/goals/{goal}/edit"),
    ("post", "/goals/{goal}/delete"),
    ("post", "/goals/{goal}/contributions"),
    ("post", "/goals/{goal}/contributions/{contribution}/delete"),
    ("post", "/goals/{mine}/contributions/{contribution}/delete"),
]


@pytest.mark.parametrize(("method", "route"), ROUTES)
@pytest.mark.parametrize("which", ["theirs", "missing"])
def test_another_households_goal_or_contribution_is_404(
    signed_in, household, theirs, method, route, which
):
    their_goal, their_contribution = theirs
    mine = make_goal(household, name="Mine")
    ids = {"goal": their_goal.id, "contribution": their_contribution.id, "mine": mine.id}
    if which == "missing":
        ids = {**ids, "goal": MISSING, "contribution": MISSING}
    before = (snapshot(Goal, their_goal.id), snapshot(GoalContribution, their_contribution.id))
    data = {**goal_form(), "date": "2026-03-01", "amount": "5.00"} if method == "post" else None
    response = getattr(signed_in, method)(route.format(**ids), data=data)
    assert response.status_code == 404
    assert "Their" not in response.get_data(as_text=True)
    assert (
        snapshot(Goal, their_goal.id),
        snapshot(GoalContribution, their_contribution.id),
    ) == before
    assert contribution_count() == 1


def test_another_households_goals_are_not_listed(signed_in, household, theirs):
    page = signed_in.get("/goals").get_data(as_text=True)
    assert "Their boat" not in page


def test_goals_need_a_sign_in(client):
    response = client.get("/goals")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
