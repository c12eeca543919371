"""Categories, budgets, goals and contributions as the API writes them, with the response
models that describe them exactly (docs/api.md, "Categories, budgets and goals")."""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal
from typing import Annotated, Any

from pydantic import Field

from finora.api.serialize import day, money, stamp
from finora.api.spec import Day, Money, Out, Stamp
from finora.models import Category, Goal, GoalContribution
from finora.services.planning.budgets import BudgetStatus
from finora.services.planning.goals import GoalProgress

# A percentage to a tenth, as a decimal string ("79.9"; "120.0" past the amount).
Percent = Annotated[str, Field(pattern=r"^-?\d+\.\d$", examples=["79.9"])]
TENTH = Decimal("0.1")


def _percent(value: Decimal | None) -> str | None:
    """None when nothing was available (a rollover budget overspent in earlier periods)."""
    return None if value is None else str(value.quantize(TENTH, rounding=ROUND_DOWN))


class CategoryOut(Out):
    id: int
    name: str
    kind: str
    parent_id: int | None
    archived: bool


def category(row: Category) -> dict[str, Any]:
    """`name` is the household's own name, else the seeded one in the caller's language."""
    return {
        "id": row.id,
        "name": row.label,
        "kind": row.kind,
        "parent_id": row.parent_id,
        "archived": bool(row.archived),
    }


class BudgetOut(Out):
    id: int
    category_id: int
    category_name: str
    period: str
    amount: Money
    rollover: bool
    rollover_since: Day | None
    period_start: Day
    period_end: Day
    carried: Money
    available: Money
    spent: Money
    remaining: Money
    usage_percent: Percent | None
    state: str
    projected: Money
    projected_usage_percent: Percent | None
    projected_state: str


def budget(status: BudgetStatus) -> dict[str, Any]:
    """Where a budget stands in the period asked for: `spent` is every expense entry of the
    period (paid or not); `carried` what rollover brought from earlier periods (negative when
    they overspent; 0 without rollover or before `rollover_since`, the first day of its
    first carrying period), `available` the amount plus it; `remaining` is available minus
    spent (negative past it), the percentages are of `available` (null when it is zero or
    less), `state` ok (< 80 %), warning (80 % to 100 %) or over; `projected` adds the rules'
    occurrences still to come."""
    return {
        "id": status.budget.id,
        "category_id": status.budget.category_id,
        "category_name": status.label,
        "period": status.budget.period,
        "amount": money(status.amount),
        "rollover": bool(status.budget.rollover),
        "rollover_since": day(status.budget.rollover_since) if status.budget.rollover_since else None,
        "period_start": day(status.start),
        "period_end": day(status.end),
        "carried": money(status.carried),
        "available": money(status.available),
        "spent": money(status.spent),
        "remaining": money(status.remaining),
        "usage_percent": _percent(status.usage.percent),
        "state": status.state,
        "projected": money(status.projected),
        "projected_usage_percent": _percent(status.projected_usage.percent),
        "projected_state": status.projected_state,
    }


class GoalOut(Out):
    id: int
    name: str
    target_amount: Money
    target_date: Day | None
    account_id: int | None
    saved: Money
    remaining: Money
    progress_percent: Percent
    achieved: bool
    overdue: bool
    behind: bool
    months_left: int | None
    monthly_needed: Money | None
    average_monthly_rate: Money | None
    projected_completion: Day | None
    created_at: Stamp


def goal(row: Goal, progress: GoalProgress) -> dict[str, Any]:
    """A goal with its progress as the goals page shows it (goal_progress)."""
    return {
        "id": row.id,
        "name": row.name,
        "target_amount": money(row.target_amount),
        "target_date": day(row.target_date),
        "account_id": row.account_id,
        "saved": money(progress.saved),
        "remaining": money(progress.remaining),
        "progress_percent": _percent(progress.ratio * 100),
        "achieved": progress.achieved,
        "overdue": progress.overdue,
        "behind": progress.behind,
        "months_left": progress.months_left,
        "monthly_needed": money(progress.monthly_needed),
        "average_monthly_rate": money(progress.average_monthly_rate),
        "projected_completion": day(progress.projected_completion),
        "created_at": stamp(row.created_at),
    }


class ContributionOut(Out):
    id: int
    goal_id: int
    date: Day
    amount: Money
    note: str | None
    created_at: Stamp


def contribution(row: GoalContribution) -> dict[str, Any]:
    """A deposit (positive amount) or a withdrawal (negative)."""
    return {
        "id": row.id,
        "goal_id": row.goal_id,
        "date": day(row.date),
        "amount": money(row.amount),
        "note": row.note,
        "created_at": stamp(row.created_at),
    }
