"""The role matrix's categories, budgets, goals and contributions (tests/api/test_api_roles.py):
one of each in a household, made through the services the pages call."""

from __future__ import annotations

from decimal import Decimal

from finora.dates import today
from finora.extensions import db
from finora.models import Budget, Category, Goal, GoalContribution
from finora.services.ledger.catalogue import create_category
from finora.services.planning.budgets import BudgetData, create_budget
from finora.services.planning.goals import ContributionData, GoalData, add_contribution, create_goal

COUNTED = (Category, Budget, Goal, GoalContribution)


def objects(household) -> dict[str, int]:
    category = create_category(db.session, household, kind="expense", name="Matrix pets")
    budget = create_budget(db.session, household,
                           BudgetData(category_id=category.id, period="monthly",
                                      amount=Decimal("100.00")))
    goal = create_goal(db.session, household, GoalData(name="Matrix trip",
                                                        target_amount=Decimal("900.00")))
    contribution = add_contribution(db.session, goal, ContributionData(
        date=today(household), amount=Decimal("50.00")))
    db.session.commit()
    return {"category_id": category.id, "budget_id": budget.id, "goal_id": goal.id,
            "contribution_id": contribution.id}
