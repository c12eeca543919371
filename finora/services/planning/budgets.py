"""Budgets per expense category or subcategory: create, edit, delete, and where each stands."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal
from typing import cast

from sqlalchemy import and_, case, func, or_, select, type_coerce
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from finora.business_days import BusinessCalendar, add_days
from finora.dates import today as household_today
from finora.errors import FieldError
from finora.forecast.recurrence import RuleSpec, occurrences
from finora.models import Budget, Category, Entry, Household, RecurringRule, Skip
from finora.models.budget import BUDGET_PERIODS
from finora.money import ZERO, Cents
from finora.services.ledger.category_amounts import (
    LINE_AMOUNT,
    LINE_CATEGORY,
    LINE_SUBCATEGORY,
    with_lines,
)
from finora.services.planning import budget_rollover as rollover
from finora.services.planning.periods import month_bounds
from finora.services.system import audit
from finora.translation import lazy_gettext as _l

WARNING_FROM = Decimal("0.8")  # 80 % used: warning, up to and including 100 %
HUNDRED = Decimal(100)


class DuplicateBudgetError(FieldError):
    def __init__(self) -> None:
        super().__init__("category_id", _l("This category already has a budget for this period."))


@dataclass(frozen=True)
class BudgetData:
    category_id: int | None
    period: str
    amount: Decimal | None
    rollover: bool = False  # carry what each period leaves (or overspends) into the next


# Pure arithmetic


@dataclass(frozen=True)
class Usage:
    ratio: Decimal  # spent / amount, uncapped (1.2 = 120 %); Infinity when nothing was available
    percent: Decimal | None  # ratio × 100 to a tenth, rounded down (79.99 % shows as 79.9,
    # not 80); None when nothing was available (a rollover budget overspent before)
    bar_percent: int  # 0..100: the filled width of a bar
    state: str  # ok (< 80 %) | warning (80 % to 100 %) | over (> 100 %)

    @property
    def fraction(self) -> Decimal | None:
        """The shown percentage as a fraction, for the `percent` filter (0.799 → 79.9 %)."""
        return None if self.percent is None else self.percent / HUNDRED


def budget_usage(spent: Decimal, amount: Decimal) -> Usage:
    """How much of a budget `spent` uses. `amount` is what is available: the budget's
    amount (positive: a database constraint), plus a rollover budget's carry, which may
    leave zero or less; then no share can be given and any spending is over."""
    if amount <= 0:
        if spent <= 0 and amount == 0:
            return Usage(Decimal(1), HUNDRED, 100, "warning")  # nothing left, nothing spent
        return Usage(Decimal("Infinity"), None, 100, "over")
    ratio = spent / amount
    if ratio > 1:
        state = "over"
    elif ratio >= WARNING_FROM:
        state = "warning"
    else:
        state = "ok"
    percent = (ratio * HUNDRED).quantize(Decimal("0.1"), rounding=ROUND_DOWN)
    return Usage(ratio, percent, max(0, min(100, int(percent))), state)


def period_bounds(period: str, year: int, month: int) -> tuple[date, date]:
    """A monthly budget covers the month, a yearly one the whole year."""
    if period == "yearly":
        return date(year, 1, 1), date(year, 12, 31)
    return month_bounds(year, month)


# Create, edit, delete


def _check(session: Session, household: Household, data: BudgetData, budget: Budget | None = None) -> Category:
    category = session.get(Category, data.category_id) if data.category_id is not None else None
    if (
        category is None
        or category.household_id != household.id
        or category.kind != "expense"
        # An archived category is not offered for new budgets; a budget that has one keeps it.
        or (category.archived and (budget is None or budget.category_id != category.id))
    ):
        raise FieldError("category_id", _l("Choose one of your expense categories."))
    if data.period not in BUDGET_PERIODS:
        raise FieldError("period", _l("Choose monthly or yearly."))
    if data.amount is None or data.amount <= 0:
        raise FieldError("amount", _l("Enter an amount greater than zero."))
    clash = session.scalar(
        select(Budget.id).where(
            Budget.household_id == household.id,
            Budget.category_id == category.id,
            Budget.period == data.period,
        )
    )
    if clash is not None and (budget is None or clash != budget.id):
        raise DuplicateBudgetError()
    return category


def _flush(session: Session) -> None:
    """A concurrent save of the same category and period reads as the duplicate error."""
    try:
        session.flush()
    except IntegrityError as error:
        raise DuplicateBudgetError() from error


def create_budget(session: Session, household: Household, data: BudgetData) -> Budget:
    category = _check(session, household, data)
    budget = Budget(
        household_id=household.id, category_id=category.id, period=data.period, amount=data.amount,
        rollover=data.rollover,
    )
    if data.rollover:
        rollover.restart_chain(budget, data.period, household_today(household))
    session.add(budget)
    _flush(session)
    audit.record(session, "budget.created", object=budget)
    return budget


def update_budget(session: Session, budget: Budget, data: BudgetData) -> None:
    household = session.get_one(Household, budget.household_id)
    category = _check(session, household, data, budget)
    _rollover_change(session, household, budget, data, category)
    budget.category_id = category.id
    budget.category = category
    budget.period = data.period
    budget.amount = cast(Decimal, data.amount)  # _check refused None
    _flush(session)
    audit.record(session, "budget.updated", object=budget)


def _rollover_change(
    session: Session, household: Household, budget: Budget, data: BudgetData, category: Category
) -> None:
    """Switching rollover on starts a chain this period; a new amount, period or category
    starts a new one whose opening is what the old settings carry into this period (a new
    period length starts from zero); switching it off forgets the chain."""
    day = household_today(household)
    if not data.rollover:
        budget.rollover, budget.rollover_since, budget.rollover_opening = False, None, ZERO
    elif not budget.rollover or budget.period != data.period:
        budget.rollover = True
        rollover.restart_chain(budget, data.period, day)
    elif budget.amount != data.amount or budget.category_id != category.id:
        current = rollover.period_start(budget.period, day)
        if budget.rollover_since is None or budget.rollover_since <= current:
            opening = rollover.carried_into(session, household, [budget], {budget.period: current})
            rollover.restart_chain(budget, budget.period, day, opening[budget.id])


def delete_budget(session: Session, budget: Budget) -> None:
    audit.record(session, "budget.deleted", object=budget)
    session.delete(budget)
    session.flush()


# Where each budget stands


@dataclass(frozen=True)
class BudgetStatus:
    budget: Budget
    label: str  # "Food" or "Food › Groceries"
    start: date
    end: date
    amount: Decimal
    spent: Decimal
    projected: Decimal  # spent + the rules' occurrences still to come in the period
    usage: Usage  # spent against what is available
    projected_usage: Usage
    carried: Decimal = ZERO  # rollover: what earlier periods left (negative: overspent)

    @property
    def available(self) -> Decimal:
        """The amount plus what rollover carried in (the amount when rollover is off)."""
        return self.amount + self.carried

    @property
    def remaining(self) -> Decimal:
        """Negative when over budget."""
        return self.available - self.spent

    @property
    def state(self) -> str:
        """Now: what is spent so far (every expense recorded in the period)."""
        return self.usage.state

    @property
    def projected_state(self) -> str:
        """Projected: spent plus what the rules still plan in the period. Pages show it
        beside `state`, each named, never one of them alone as "the" state."""
        return self.projected_usage.state


def budget_statuses(
    session: Session, household: Household, year: int, month: int, today: date
) -> list[BudgetStatus]:
    """Every budget of the household for the month (monthly ones) or its year (yearly ones),
    monthly first, then by label. A constant number of queries, whatever the data (rollover
    adds one for all its budgets' past periods: budget_rollover.carried_into)."""
    parent = aliased(Category)
    rows = session.execute(
        select(Budget, parent.id)
        .join(Category, Category.id == Budget.category_id)
        .outerjoin(parent, parent.id == Category.parent_id)
        .where(Budget.household_id == household.id)
    ).all()
    if not rows:
        return []
    parent_labels = _labels(session, {parent_id for _, parent_id in rows if parent_id is not None})
    budgets = [budget for budget, _ in rows]
    bounds = {period: period_bounds(period, year, month) for period in BUDGET_PERIODS}
    spent = _spent(session, household, budgets, bounds)
    upcoming = _upcoming(session, household, budgets, bounds, today)
    carried = rollover.carried_into(session, household, budgets, {p: bounds[p][0] for p in BUDGET_PERIODS})

    result = []
    for budget in budgets:
        category = budget.category
        key = ("sub" if category.parent_id is not None else "top", category.id, budget.period)
        label = category.label
        if category.parent_id is not None:
            label = f"{parent_labels.get(category.parent_id, '?')} › {label}"
        used = spent.get(key, ZERO)
        projected = used + upcoming.get(key, ZERO)
        start, end = bounds[budget.period]
        carry = carried.get(budget.id, ZERO)
        result.append(
            BudgetStatus(
                budget=budget,
                label=label,
                start=start,
                end=end,
                amount=budget.amount,
                spent=used,
                projected=projected,
                usage=budget_usage(used, budget.amount + carry),
                projected_usage=budget_usage(projected, budget.amount + carry),
                carried=carry,
            )
        )
    result.sort(key=lambda s: (s.budget.period != "monthly", s.label.casefold()))
    return result


def budget_highlights(
    session: Session, household: Household, year: int, month: int, today: date, limit: int = 5
) -> list[BudgetStatus]:
    """The dashboard's few budgets: the most used first."""
    statuses = budget_statuses(session, household, year, month, today)
    return sorted(statuses, key=lambda s: (-s.usage.ratio, s.label.casefold()))[:limit]


def _labels(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return {c.id: c.label for c in session.scalars(select(Category).where(Category.id.in_(ids)))}


def _spent(session: Session, household: Household, budgets, bounds) -> dict[tuple, Decimal]:
    """Expense entries (any status) per budgeted category and column: one grouped query
    over the widest date range, with one conditional sum per column. `bounds` maps each
    column to its first and last day: a budget period's name (summed only when one of the
    budgets has that period) or any other key (budget_rollover's past periods). A split
    entry counts each line under its own category (category_amounts)."""
    periods = {b.period for b in budgets}
    columns = {key: span for key, span in bounds.items() if key in periods or key not in BUDGET_PERIODS}
    start = min(first for first, _ in columns.values())
    end = max(last for _, last in columns.values())
    tops = {b.category_id for b in budgets if b.category.parent_id is None}
    subs = {b.category_id for b in budgets if b.category.parent_id is not None}
    sums = [
        type_coerce(
            func.coalesce(
                func.sum(
                    case(
                        (and_(Entry.date >= first, Entry.date <= last), LINE_AMOUNT),
                        else_=0,
                    )
                ),
                0,
            ),
            Cents(),
        )
        for first, last in columns.values()
    ]
    matches = []
    if tops:
        matches.append(LINE_CATEGORY.in_(tops))
    if subs:
        matches.append(LINE_SUBCATEGORY.in_(subs))
    rows = session.execute(
        with_lines(select(LINE_CATEGORY, LINE_SUBCATEGORY, *sums))
        .where(
            Entry.household_id == household.id,
            Entry.date >= start,
            Entry.date <= end,
            Entry.kind == "expense",
            or_(*matches),
        )
        .group_by(LINE_CATEGORY, LINE_SUBCATEGORY)
    ).all()
    totals: dict[tuple, Decimal] = defaultdict(lambda: ZERO)
    for category_id, subcategory_id, *amounts in rows:
        for column, amount in zip(columns, amounts, strict=True):
            totals[("top", category_id, column)] += amount
            if subcategory_id is not None:
                totals[("sub", subcategory_id, column)] += amount
    return totals


def _upcoming(session: Session, household: Household, budgets, bounds, today: date) -> dict[tuple, Decimal]:
    """The amounts of the household's expense rules (not what-if scenarios) still to come
    in each period: occurrences dated after today, leaving out those already posted as
    entries (they are in `spent`) and those the posting job has already handled."""
    periods = {b.period for b in budgets if bounds[b.period][1] > today}
    if not periods:
        return {}
    start = max(today + timedelta(days=1), min(bounds[p][0] for p in periods))
    end = max(bounds[p][1] for p in periods)
    tops = {b.category_id for b in budgets if b.category.parent_id is None}
    subs = {b.category_id for b in budgets if b.category.parent_id is not None}
    rules = list(
        session.scalars(
            select(RecurringRule).where(
                RecurringRule.household_id == household.id,
                RecurringRule.kind == "expense",
                RecurringRule.is_scenario.is_(False),
                RecurringRule.anchor_date <= end,
                or_(RecurringRule.end_date.is_(None), RecurringRule.end_date >= add_days(start, -7)),
                or_(RecurringRule.category_id.in_(tops), RecurringRule.subcategory_id.in_(subs)),
            )
        )
    )
    if not rules:
        return {}
    ids = [rule.id for rule in rules]
    skips: dict[int, set[date]] = defaultdict(set)
    for rule_id, day in session.execute(
        select(Skip.rule_id, Skip.occurrence_date).where(Skip.rule_id.in_(ids))
    ):
        skips[rule_id].add(day)
    # A business-day policy moves a date by a few days at most; a week each side is ample.
    posted: set[tuple[int | None, date | None]] = {
        (rule_id, day)
        for rule_id, day in session.execute(
            select(Entry.rule_id, Entry.occurrence_date).where(
                Entry.rule_id.in_(ids),
                # add_days: a budget month of December 9999 (the URL allows it) has no week after.
                Entry.occurrence_date >= add_days(start, -7),
                Entry.occurrence_date <= add_days(end, 7),
            )
        )
    }
    calendar = BusinessCalendar(household.country)
    totals: dict[tuple, Decimal] = defaultdict(lambda: ZERO)
    for rule in rules:
        spec = RuleSpec(
            frequency=rule.frequency,
            anchor=rule.anchor_date,
            end=rule.end_date,
            policy=rule.business_day_policy,
            hold_until=rule.hold_until,
            skips=frozenset(skips[rule.id]),
            rule_id=rule.id,
        )
        for occurrence in occurrences(spec, start, end, calendar):
            if (rule.id, occurrence.nominal) in posted:
                continue
            if rule.posted_through is not None and occurrence.nominal <= rule.posted_through:
                continue
            for period in periods:
                period_start, period_end = bounds[period]
                if period_start <= occurrence.date <= period_end:
                    totals[("top", rule.category_id, period)] += rule.amount
                    if rule.subcategory_id is not None:
                        totals[("sub", rule.subcategory_id, period)] += rule.amount
    return totals
