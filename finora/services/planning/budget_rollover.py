"""Budget rollover: what each period of a budget leaves (or overspends) carried into the next.

A budget with rollover on receives, in each period, a carry:

    carry(first period) = rollover_opening                (0 when rollover is switched on)
    carry(next period)  = amount + carry(period) − spent(period)

so what is available in a period is amount + carry, and overspending carries a negative
amount. The chain starts at `rollover_since`, the first day of the period in which rollover
was switched on: earlier periods are never looked at, so switching it on does not pour
years of history into this month. Changing the amount, the period or the category while
rollover is on starts a new chain in the current period whose opening is what the old
settings carried into it (a new period length starts from zero), so a new limit never
rewrites what earlier periods carried. Switching rollover off forgets the chain.

Spending comes from planning.budgets' own grouped sum (the budgets page, its card and the
budget report use it), one conditional sum per past period, so every past period of every
budget costs one query together (a new query per CHUNK periods, ~20 years of months).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from finora.dates import date_window
from finora.models import Budget, Household
from finora.money import ZERO

CHUNK = 240  # columns per query: far below every engine's limit on columns and parameters


def period_start(period: str, day: date) -> date:
    """The first day of the budget period (a month, or a year) that holds `day`."""
    return date(day.year, 1, 1) if period == "yearly" else date(day.year, day.month, 1)


def _following(period: str, start: date) -> date | None:
    """The next period's first day; None past the end of the calendar."""
    if start.year == 9999 and (period == "yearly" or start.month == 12):
        return None
    if period == "yearly":
        return date(start.year + 1, 1, 1)
    return date(start.year + (start.month == 12), start.month % 12 + 1, 1)


def _last_day(period: str, start: date) -> date:
    following = _following(period, start)
    return date(9999, 12, 31) if following is None else date.fromordinal(following.toordinal() - 1)


def _count(period: str, first: date, stop: date) -> int:
    """How many periods begin on or after `first` and before `stop` (both first days)."""
    if period == "yearly":
        return max(0, stop.year - first.year)
    return max(0, (stop.year - first.year) * 12 + stop.month - first.month)


def _key(budget: Budget) -> tuple[str, int]:
    return ("sub" if budget.category.parent_id is not None else "top", budget.category_id)


def carried_into(
    session: Session, household: Household, budgets: Iterable[Budget], starts: dict[str, date]
) -> dict[int, Decimal]:
    """The carry each budget with rollover receives in the period beginning on
    `starts[budget.period]`, by budget id; budgets without rollover are left out. Periods
    before the chain's start receive nothing (0)."""
    from finora.services.planning import budgets as planning  # it imports this module

    carries: dict[int, Decimal] = {}
    chained: list[Budget] = []
    for budget in budgets:
        if not budget.rollover:
            continue
        since = budget.rollover_since
        target = starts[budget.period]
        if since is None or target < since:
            carries[budget.id] = ZERO
        elif target == since:
            carries[budget.id] = budget.rollover_opening
        else:
            chained.append(budget)
    if not chained:
        return carries

    # Past periods that may hold spending: none begins after the calendar's last day.
    last_allowed = date_window()[1]
    columns: dict[tuple[str, date], tuple[date, date]] = {}
    for budget in chained:
        start: date | None = budget.rollover_since
        while start is not None and start < starts[budget.period] and start <= last_allowed:
            key = (budget.period, start)
            if key in columns:  # another budget of this period already walked from here on
                break
            columns[key] = (start, _last_day(budget.period, start))
            start = _following(budget.period, start)
    spent: dict[tuple, Decimal] = {}
    ordered = sorted(columns.items(), key=lambda item: item[1])
    for offset in range(0, len(ordered), CHUNK):
        spent.update(planning._spent(session, household, chained, dict(ordered[offset:offset + CHUNK])))

    for budget in chained:
        carry = budget.rollover_opening
        period_key = _key(budget)
        start = budget.rollover_since
        target = starts[budget.period]
        while start is not None and start < target and start <= last_allowed:
            carry += budget.amount - spent.get((*period_key, (budget.period, start)), ZERO)
            start = _following(budget.period, start)
        if start is not None and start < target:  # beyond the calendar: nothing is spent there
            carry += budget.amount * _count(budget.period, start, target)
        carries[budget.id] = carry
    return carries


def year_carry_of_monthly(budget: Budget, january_carry: Decimal, year: int) -> Decimal:
    """What a monthly budget carries into the year's report line: the carry into January,
    or, when its chain starts later in that year, the chain's opening."""
    since = budget.rollover_since
    if not budget.rollover or since is None:
        return ZERO
    if since.year == year and since.month > 1:
        return budget.rollover_opening
    return january_carry


def restart_chain(budget: Budget, period: str, today: date, opening: Decimal = ZERO) -> None:
    """Start the budget's chain in the current period of `period` with `opening`."""
    budget.rollover_since = period_start(period, today)
    budget.rollover_opening = opening
