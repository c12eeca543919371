"""Budgets (docs/api.md, "Categories, budgets and goals"): where each stands in a month (a
yearly one: that month's year), create, change, delete — through the budgets service the
budgets page calls."""

from __future__ import annotations

from flask import abort

from finora.api import bp
from finora.api import plans_json as out
from finora.api.access import caller
from finora.api.body import read_json, read_query
from finora.api.envelope import many, no_content, one
from finora.api.pagination import page_params
from finora.api.refs import owned_ref
from finora.api.schemas_plans import BudgetBody, BudgetUpdateBody, PeriodQuery
from finora.api.spec import documented
from finora.dates import today
from finora.extensions import db
from finora.models import Budget, Category, Household
from finora.services.planning.budgets import (
    BudgetData,
    BudgetStatus,
    budget_statuses,
    create_budget,
    delete_budget,
    update_budget,
)
from finora.tenancy import get_owned_or_404
from finora.translation import lazy_gettext as _l

TAG = "Budgets"


def _household() -> Household:
    return caller().membership.household


def _statuses(household: Household, query: PeriodQuery | None = None) -> list[BudgetStatus]:
    """The budgets' standing in the month asked for, else in the household's current one."""
    day = today(household)
    year = query.year if query and query.year is not None else day.year
    month = query.month if query and query.month is not None else day.month
    return budget_statuses(db.session, household, year, month, day)


def _status_of(budget: Budget, query: PeriodQuery | None = None) -> dict:
    found = [s for s in _statuses(_household(), query) if s.budget.id == budget.id]
    if not found:  # pragma: no cover - the budget is the household's: it is listed
        abort(404)
    return out.budget(found[0])


def _category_id(value: int | None) -> int | None:
    """A category of the household, named in the body (else a 422 on category_id)."""
    return None if value is None else owned_ref(Category, value, "category_id").id


@bp.get("/budgets")
@documented(_l("Budgets and where each stands"), tag=TAG, query=PeriodQuery,
            response=out.BudgetOut, many=True,
            description=_l("Monthly budgets first, then yearly ones, by category name. The "
                           "figures are those of the month asked for (year and month; by "
                           "default the current month), a yearly budget's those of its year."))
def list_budgets():
    query = read_query(PeriodQuery)
    page = page_params()
    statuses = _statuses(_household(), query)
    return many([out.budget(s) for s in page.cut(statuses)],
                total=len(statuses), limit=page.limit, offset=page.offset)


@bp.get("/budgets/<int:budget_id>")
@documented(_l("One budget and where it stands"), tag=TAG, query=PeriodQuery,
            response=out.BudgetOut)
def get_budget(budget_id: int):
    budget = get_owned_or_404(Budget, budget_id)
    return one(_status_of(budget, read_query(PeriodQuery)))


@bp.post("/budgets")
@documented(_l("Create a budget"), tag=TAG, body=BudgetBody, response=out.BudgetOut, status=201)
def create_budget_item():
    household = _household()
    body = read_json(BudgetBody)
    data = BudgetData(category_id=_category_id(body.category_id), period=body.period,
                      amount=body.amount, rollover=body.rollover)
    budget = create_budget(db.session, household, data)
    db.session.commit()
    return one(_status_of(budget), 201)


@bp.put("/budgets/<int:budget_id>")
@documented(_l("Change a budget"), tag=TAG, body=BudgetUpdateBody, response=out.BudgetOut)
def update_budget_item(budget_id: int):
    budget = get_owned_or_404(Budget, budget_id)
    body = read_json(BudgetUpdateBody)
    data = BudgetData(
        category_id=_category_id(body.category_id) or budget.category_id,
        period=body.period or budget.period,
        amount=body.amount or budget.amount,
        rollover=budget.rollover if body.rollover is None else body.rollover,
    )
    update_budget(db.session, budget, data)
    db.session.commit()
    return one(_status_of(budget))


@bp.delete("/budgets/<int:budget_id>")
@documented(_l("Delete a budget"), tag=TAG)
def delete_budget_item(budget_id: int):
    delete_budget(db.session, get_owned_or_404(Budget, budget_id))
    db.session.commit()
    return no_content()
