"""Savings goals and their contributions (docs/api.md, "Categories, budgets and goals"):
each goal with its progress as the goals page shows it, create, change, delete; deposits
and withdrawals — through the goals service the goals pages call."""

from __future__ import annotations

from flask import abort

from finora.api import bp
from finora.api import plans_json as out
from finora.api.access import caller
from finora.api.body import read_json
from finora.api.envelope import many, no_content, one
from finora.api.pagination import page_params
from finora.api.refs import owned_ref
from finora.api.schemas_plans import ContributionBody, GoalBody, GoalUpdateBody
from finora.api.spec import documented
from finora.dates import today
from finora.errors import FinoraError
from finora.extensions import db
from finora.models import Account, Goal, GoalContribution, Household
from finora.services.planning.goals import (
    ContributionData,
    GoalBelowZeroError,
    GoalData,
    add_contribution,
    create_goal,
    delete_contribution,
    delete_goal,
    goal_contributions,
    list_goals,
    progress_of,
    update_goal,
)
from finora.tenancy import get_owned_or_404
from finora.translation import lazy_gettext as _l

TAG = "Goals"


class ContributionNeededError(FinoraError):
    """A deposit later withdrawals rely on: a conflict with the goal's state, not a bad value."""

    message = GoalBelowZeroError.message
    status = 409


def _household() -> Household:
    return caller().membership.household


def _goal_json(goal: Goal) -> dict:
    progress = progress_of(goal, goal_contributions(db.session, goal), today(_household()))
    return out.goal(goal, progress)


def _account_id(value: int | None) -> int | None:
    """An account of the household, named in the body (else a 422 on account_id)."""
    return None if value is None else owned_ref(Account, value, "account_id").id


def _contribution_of(goal_id: int, contribution_id: int) -> tuple[Goal, GoalContribution]:
    goal = get_owned_or_404(Goal, goal_id)
    contribution = get_owned_or_404(GoalContribution, contribution_id)
    if contribution.goal_id != goal.id:
        abort(404)
    return goal, contribution


@bp.get("/goals")
@documented(_l("Savings goals with their progress"), tag=TAG, response=out.GoalOut, many=True,
            description=_l("Open goals by target date (those without one after), achieved "
                           "goals last."))
def list_goal_items():
    household = _household()
    pairs = list_goals(db.session, household, today(household))
    page = page_params()
    return many([out.goal(goal, progress) for goal, progress in page.cut(pairs)],
                total=len(pairs), limit=page.limit, offset=page.offset)


@bp.get("/goals/<int:goal_id>")
@documented(_l("One goal with its progress"), tag=TAG, response=out.GoalOut)
def get_goal(goal_id: int):
    return one(_goal_json(get_owned_or_404(Goal, goal_id)))


@bp.post("/goals")
@documented(_l("Create a goal"), tag=TAG, body=GoalBody, response=out.GoalOut, status=201)
def create_goal_item():
    household = _household()
    body = read_json(GoalBody)
    data = GoalData(name=body.name, target_amount=body.target_amount,
                    target_date=body.target_date, account_id=_account_id(body.account_id))
    goal = create_goal(db.session, household, data)
    db.session.commit()
    return one(_goal_json(goal), 201)


@bp.put("/goals/<int:goal_id>")
@documented(_l("Change a goal"), tag=TAG, body=GoalUpdateBody, response=out.GoalOut)
def update_goal_item(goal_id: int):
    goal = get_owned_or_404(Goal, goal_id)
    body = read_json(GoalUpdateBody)
    sent = body.model_fields_set
    data = GoalData(
        name=body.name or goal.name,
        target_amount=body.target_amount or goal.target_amount,
        target_date=body.target_date if "target_date" in sent else goal.target_date,
        account_id=_account_id(body.account_id) if "account_id" in sent else goal.account_id,
    )
    update_goal(db.session, goal, data)
    db.session.commit()
    return one(_goal_json(goal))


@bp.delete("/goals/<int:goal_id>")
@documented(_l("Delete a goal and its contributions"), tag=TAG)
def delete_goal_item(goal_id: int):
    delete_goal(db.session, get_owned_or_404(Goal, goal_id))
    db.session.commit()
    return no_content()


@bp.get("/goals/<int:goal_id>/contributions")
@documented(_l("A goal's contributions"), tag=TAG, response=out.ContributionOut, many=True,
            description=_l("Newest first; a withdrawal has a negative amount."))
def list_contributions(goal_id: int):
    rows = goal_contributions(db.session, get_owned_or_404(Goal, goal_id))
    page = page_params()
    return many([out.contribution(row) for row in page.cut(rows)],
                total=len(rows), limit=page.limit, offset=page.offset)


@bp.post("/goals/<int:goal_id>/contributions")
@documented(_l("Add a deposit or a withdrawal"), tag=TAG, body=ContributionBody,
            response=out.ContributionOut, status=201,
            description=_l("A negative amount is a withdrawal: it may take at most what the "
                           "goal holds on its day and on every later one. No date: today."))
def create_contribution(goal_id: int):
    goal = get_owned_or_404(Goal, goal_id)
    body = read_json(ContributionBody)
    data = ContributionData(date=body.date or today(_household()), amount=body.amount,
                            note=body.note)
    row = add_contribution(db.session, goal, data)
    db.session.commit()
    return one(out.contribution(row), 201)


@bp.delete("/goals/<int:goal_id>/contributions/<int:contribution_id>")
@documented(_l("Delete a contribution"), tag=TAG,
            description=_l("Refused with 409 (conflict) for a deposit whose later "
                           "withdrawals need it."))
def delete_contribution_item(goal_id: int, contribution_id: int):
    _goal, contribution = _contribution_of(goal_id, contribution_id)
    try:
        delete_contribution(db.session, contribution)
    except GoalBelowZeroError:
        raise ContributionNeededError() from None
    db.session.commit()
    return no_content()
