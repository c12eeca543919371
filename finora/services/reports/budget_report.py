"""Budget against actual for a month or a year, with what the active recurring rules still
plan up to the period's end.

The figures are planning.budgets' own (`budget_statuses` and its spent/upcoming sums), so
this report, the budgets page and the dashboard card agree:
- actual: every expense entry dated in the period, paid or not; a category's budget
  includes its subcategories;
- still planned: the occurrences of expense rules (not what-if scenarios) dated after
  `today` and up to the period's end that are not posted or handled yet.

A budget with rollover also has what earlier periods carried into it (negative when they
overspent, services/planning/budget_rollover.py); what is available is budgeted + carried,
and "remaining" and the shares used are measured against it.

A month shows the monthly budgets. A year shows the yearly budgets and each monthly budget
as twelve months of it (budgeted × 12, against the year's actual), so a household that
budgets by the month still reads its year; a category with both shows two lines. A
monthly budget's year line carries what came into January (or into the month its rollover
started, when that is later in the year).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from finora.errors import FinoraError
from finora.models import Household
from finora.money import ZERO
from finora.services.planning import budgets as planning
from finora.services.planning.budget_rollover import year_carry_of_monthly
from finora.services.planning.budgets import BudgetStatus, Usage, budget_statuses, budget_usage
from finora.services.planning.periods import month_bounds
from finora.translation import lazy_gettext as _l

MONTHS_IN_YEAR = 12


class BudgetPeriodError(FinoraError):
    message = _l("A budget report covers a month or a year.")


@dataclass(frozen=True)
class BudgetLine:
    category_id: int
    label: str  # "Food" or "Food › Groceries"
    period: str  # the budget's own period: "monthly" | "yearly"
    budgeted: Decimal  # for the report's period (a monthly budget × 12 in a year)
    actual: Decimal
    still_planned: Decimal  # the rules' occurrences after today up to the period's end
    usage: Usage  # actual against available (percent rounded down to 0.1, state)
    projected_usage: Usage  # actual + still planned against available
    rollover: bool = False  # the budget carries what each period leaves into the next
    carried: Decimal = ZERO  # what earlier periods carried in (negative: overspent)

    @property
    def available(self) -> Decimal:
        """Budgeted plus what rollover carried in."""
        return self.budgeted + self.carried

    @property
    def remaining(self) -> Decimal:
        """Negative when over budget."""
        return self.available - self.actual

    @property
    def percent(self) -> Decimal | None:
        return self.usage.percent

    @property
    def projected(self) -> Decimal:
        return self.actual + self.still_planned


@dataclass(frozen=True)
class BudgetReport:
    period: str  # "month" | "year"
    year: int
    month: int | None
    start: date
    end: date
    today: date
    lines: list[BudgetLine]

    # No grand total: a subcategory's budget is also inside its category's.

    @property
    def empty(self) -> bool:
        """No budget applies to the period."""
        return not self.lines


def _line(status: BudgetStatus, times: int = 1, spent: Decimal | None = None,
          upcoming: Decimal | None = None, carried: Decimal | None = None) -> BudgetLine:
    budgeted = status.amount * times
    actual = status.spent if spent is None else spent
    planned = status.projected - status.spent if upcoming is None else upcoming
    carry = status.carried if carried is None else carried
    return BudgetLine(
        category_id=status.budget.category_id,
        label=status.label,
        period=status.budget.period,
        budgeted=budgeted,
        actual=actual,
        still_planned=planned,
        usage=budget_usage(actual, budgeted + carry),
        projected_usage=budget_usage(actual + planned, budgeted + carry),
        rollover=status.budget.rollover,
        carried=carry,
    )


def budget_report(
    session, household: Household, period: str, year: int, month: int | None, today: date
) -> BudgetReport:
    """The budgets of a month ("month": its monthly budgets) or of a year ("year": yearly
    budgets, and monthly ones × 12), monthly budgets first, then by label. A constant
    number of queries (budget_statuses', and for a year two more sums)."""
    if period == "month":
        if month is None:
            raise BudgetPeriodError()
        start, end = month_bounds(year, month)
        statuses = budget_statuses(session, household, year, month, today)
        lines = [_line(s) for s in statuses if s.budget.period == "monthly"]
        return BudgetReport("month", year, month, start, end, today, lines)
    if period != "year":
        raise BudgetPeriodError()
    start, end = date(year, 1, 1), date(year, 12, 31)
    statuses = budget_statuses(session, household, year, 1, today)
    monthly = [s for s in statuses if s.budget.period == "monthly"]
    lines = []
    if monthly:
        # The year's sums for the monthly budgets, by the same rule (planning.budgets).
        bounds = {"monthly": (start, end), "yearly": (start, end)}
        budgets = [s.budget for s in monthly]
        spent = planning._spent(session, household, budgets, bounds)
        upcoming = planning._upcoming(session, household, budgets, bounds, today)
        for s in monthly:
            category = s.budget.category
            key = ("sub" if category.parent_id is not None else "top", category.id, "monthly")
            carried = year_carry_of_monthly(s.budget, s.carried, year)
            lines.append(_line(s, MONTHS_IN_YEAR, spent.get(key, ZERO), upcoming.get(key, ZERO), carried))
    lines += [_line(s) for s in statuses if s.budget.period == "yearly"]
    return BudgetReport("year", year, None, start, end, today, lines)
