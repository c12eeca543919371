"""Savings goals: create, edit, delete, contributions, and the pure progress arithmetic."""

from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_CEILING, ROUND_HALF_UP, ROUND_UP, Decimal

from flask_babel import get_locale
from flask_babel.speaklater import LazyString
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from finora.amounts import CENT
from finora.dates import check_date
from finora.dates import today as household_today
from finora.errors import FieldError, FinoraError
from finora.models import Account, Goal, GoalContribution, Household
from finora.money import ZERO, format_money
from finora.services.system import audit
from finora.translation import lazy_gettext as _l

NAME_MAX = 120
NOTE_MAX = 500


@dataclass(frozen=True)
class GoalData:
    name: str
    target_amount: Decimal
    target_date: date | None = None
    account_id: int | None = None


@dataclass(frozen=True)
class ContributionData:
    date: date
    amount: Decimal
    note: str | None = None


@dataclass(frozen=True)
class GoalProgress:
    saved: Decimal
    remaining: Decimal
    ratio: Decimal  # saved / target, uncapped (1.2 = 120 %), may be negative
    bar_percent: int  # 0..100 for the progress bar; 100 only once achieved
    achieved: bool
    overdue: bool
    months_left: int | None
    monthly_needed: Decimal | None
    average_monthly_rate: Decimal | None
    projected_completion: date | None
    # Projected to reach the target after its date (still before the date: not overdue).
    behind: bool = False


# Pure arithmetic


def _month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def add_months(day: date, months: int) -> date:
    """The same day-of-month `months` later, clamped to the month's end (Jan 31 + 1 = Feb 28)."""
    index = _month_index(day) + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def goal_progress(
    target: Decimal,
    target_date: date | None,
    contributions: list[tuple[date, Decimal]],
    today: date,
) -> GoalProgress:
    """Where a goal stands on `today`. Months are calendar months:

    - months left = month boundaries between today and the target date (Mar 15 → Sep 15
      is 6: one contribution in each of Apr..Sep), at least 1 when the date is this month;
      monthly needed = remaining ÷ months left, rounded up to the cent so that paying it
      reaches the target. Past the date and not achieved: all the remaining, overdue.
    - average rate = saved ÷ calendar months from the first contribution's month to this
      month, both counted (contributions in Jan, Feb and Mar, today in Mar: 3 months).
    - projected completion = today + ⌈remaining ÷ rate⌉ months, when the rate is positive;
      behind when that is after the target date (and the date has not passed yet).
    """
    saved = sum((amount for _, amount in contributions), ZERO).quantize(CENT)
    remaining = max(ZERO, target - saved).quantize(CENT)
    achieved = saved >= target
    ratio = saved / target
    bar_percent = int(max(ZERO, min(Decimal(100), ratio * 100)).quantize(Decimal(1), ROUND_HALF_UP))
    if not achieved:
        bar_percent = min(bar_percent, 99)  # a full bar would read as "done"

    overdue = False
    months_left = monthly_needed = None
    if target_date is not None and not achieved:
        if target_date < today:
            overdue, months_left, monthly_needed = True, 0, remaining
        else:
            months_left = max(1, _month_index(target_date) - _month_index(today))
            monthly_needed = (remaining / months_left).quantize(CENT, ROUND_UP)

    rate = projected = None
    if contributions:
        first = min(day for day, _ in contributions)
        elapsed = max(1, _month_index(today) - _month_index(first) + 1)
        rate = (saved / elapsed).quantize(CENT, ROUND_HALF_UP)
        if rate > ZERO and not achieved:
            months = int((remaining / rate).to_integral_value(ROUND_CEILING))
            if _month_index(today) + months < 10000 * 12:
                projected = add_months(today, months)

    behind = bool(
        not overdue and projected is not None and target_date is not None and projected > target_date
    )
    return GoalProgress(
        behind=behind,
        saved=saved,
        remaining=remaining,
        ratio=ratio,
        bar_percent=bar_percent,
        achieved=achieved,
        overdue=overdue,
        months_left=months_left,
        monthly_needed=monthly_needed,
        average_monthly_rate=rate,
        projected_completion=projected,
    )


# Goals


def _checked(
    session: Session, household: Household, data: GoalData, current_account_id=None
) -> GoalData:
    name = (data.name or "").strip()
    if not name:
        raise FieldError("name", _l("Name the goal."))
    if len(name) > NAME_MAX:
        raise FieldError("name", _l("Use at most %(count)d characters.", count=NAME_MAX))
    if data.target_amount is None or data.target_amount <= ZERO:
        raise FieldError("target_amount", _l("The target must be more than zero."))
    check_date(data.target_date, "target_date")
    if data.account_id is not None:
        account = session.get(Account, data.account_id)
        # An archived account stays on the goal that already has it, but is not offered anew.
        if (
            account is None
            or account.household_id != household.id
            or (account.archived and account.id != current_account_id)
        ):
            raise FieldError("account_id", _l("Choose one of your active accounts."))
    return GoalData(name, data.target_amount, data.target_date, data.account_id)


def create_goal(session: Session, household: Household, data: GoalData) -> Goal:
    data = _checked(session, household, data)
    goal = Goal(
        household_id=household.id,
        name=data.name,
        target_amount=data.target_amount,
        target_date=data.target_date,
        account_id=data.account_id,
    )
    session.add(goal)
    session.flush()
    audit.record(session, "goal.created", object=goal)
    return goal


def update_goal(session: Session, goal: Goal, data: GoalData) -> None:
    household = session.get_one(Household, goal.household_id)
    data = _checked(session, household, data, current_account_id=goal.account_id)
    goal.name = data.name
    goal.target_amount = data.target_amount
    goal.target_date = data.target_date
    goal.account_id = data.account_id
    session.flush()
    audit.record(session, "goal.updated", object=goal)


def delete_goal(session: Session, goal: Goal) -> None:
    """The goal and its contributions (explicitly: not every engine cascades the same)."""
    audit.record(session, "goal.deleted", object=goal)
    session.execute(delete(GoalContribution).where(GoalContribution.goal_id == goal.id))
    session.delete(goal)
    session.flush()


# Contributions


class GoalBelowZeroError(FinoraError):
    message = _l(
        "This deposit cannot be deleted: the withdrawals after it would take the goal below "
        "zero. Delete those withdrawals first."
    )


def _lowest_saved_from(contributions: list[tuple[date, Decimal]], day: date) -> Decimal:
    """The least the goal holds at the end of `day` or of any later day with a contribution:
    what a withdrawal dated `day` may take without taking the goal below zero then."""
    saved_before = sum((amount for when, amount in contributions if when < day), ZERO)
    lowest = running = saved_before + sum((a for when, a in contributions if when == day), ZERO)
    for when in sorted({when for when, _ in contributions if when > day}):
        running += sum((a for w, a in contributions if w == when), ZERO)
        lowest = min(lowest, running)
    return lowest


def _amounts(session: Session, goal: Goal, leave_out: int | None = None) -> list[tuple[date, Decimal]]:
    return [
        (day, amount)
        for id_, day, amount in session.execute(
            select(GoalContribution.id, GoalContribution.date, GoalContribution.amount).where(
                GoalContribution.goal_id == goal.id
            )
        )
        if id_ != leave_out
    ]


def _money_text(amount: Decimal, currency: str) -> LazyString:
    """The amount in the reader's language, written when the message is shown."""
    return LazyString(lambda: format_money(amount, currency, str(get_locale() or "en")))


def add_contribution(session: Session, goal: Goal, data: ContributionData) -> GoalContribution:
    """A deposit (positive) or a withdrawal (negative) on a day up to today. A withdrawal
    may take at most what the goal holds on its day and on every later one (a progress
    below zero means nothing)."""
    if data.amount is None or data.amount == ZERO:
        raise FieldError("amount", _l("Enter an amount other than zero."))
    check_date(data.date, "date")
    household = session.get_one(Household, goal.household_id)
    if data.date > household_today(household):
        raise FieldError("date", _l("A contribution cannot be dated in the future."))
    note = (data.note or "").strip() or None
    if note is not None and len(note) > NOTE_MAX:
        raise FieldError("note", _l("Use at most %(count)d characters.", count=NOTE_MAX))
    if data.amount < ZERO:
        available = max(ZERO, _lowest_saved_from(_amounts(session, goal), data.date))
        if -data.amount > available:
            raise FieldError(
                "amount",
                _l(
                    "This goal holds %(amount)s on that day: a withdrawal can take at most that.",
                    amount=_money_text(available, household.currency),
                ),
            )
    contribution = GoalContribution(
        household_id=goal.household_id,
        goal_id=goal.id,
        date=data.date,
        amount=data.amount,
        note=note,
    )
    session.add(contribution)
    session.flush()
    audit.record(
        session, "goal.updated", object=goal,
        details={"contribution_added": str(contribution.amount), "contribution_date": contribution.date.isoformat()},
    )
    return contribution


def delete_contribution(session: Session, contribution: GoalContribution) -> None:
    """Refused (GoalBelowZeroError) for a deposit whose later withdrawals need it."""
    goal = session.get_one(Goal, contribution.goal_id)
    if contribution.amount > ZERO:
        rest = _amounts(session, goal, leave_out=contribution.id)
        if rest and _lowest_saved_from(rest, min(day for day, _ in rest)) < ZERO:
            raise GoalBelowZeroError()
    audit.record(
        session, "goal.updated", object=goal,
        details={"contribution_removed": str(contribution.amount), "contribution_date": contribution.date.isoformat()},
    )
    session.delete(contribution)
    session.flush()


# Reading


def goal_contributions(session: Session, goal: Goal) -> list[GoalContribution]:
    """Newest first."""
    return list(
        session.scalars(
            select(GoalContribution)
            .where(GoalContribution.goal_id == goal.id)
            .order_by(GoalContribution.date.desc(), GoalContribution.id.desc())
        )
    )


def progress_of(goal: Goal, contributions: list[GoalContribution], today: date) -> GoalProgress:
    return goal_progress(
        goal.target_amount, goal.target_date, [(c.date, c.amount) for c in contributions], today
    )


def list_goals(
    session: Session, household: Household, today: date
) -> list[tuple[Goal, GoalProgress]]:
    """Every goal with its progress (two queries): open goals by target date, achieved last."""
    goals = list(session.scalars(select(Goal).where(Goal.household_id == household.id)))
    amounts: dict[int, list[tuple[date, Decimal]]] = defaultdict(list)
    rows = session.execute(
        select(GoalContribution.goal_id, GoalContribution.date, GoalContribution.amount).where(
            GoalContribution.household_id == household.id
        )
    )
    for goal_id, day, amount in rows:
        amounts[goal_id].append((day, amount))
    pairs = [
        (goal, goal_progress(goal.target_amount, goal.target_date, amounts[goal.id], today))
        for goal in goals
    ]
    pairs.sort(
        key=lambda pair: (
            pair[1].achieved,
            pair[0].target_date is None,
            pair[0].target_date or date.max,
            pair[0].name.casefold(),
            pair[0].id,
        )
    )
    return pairs
