"""A household's cash-flow forecast: the ledger and the rules read from the database and
handed to the pure engine (finora/forecast), then the risk score and the 90-day table.

What counts (DESIGN §4, forecast issue item 1):
- the starting balance is today's balance of the accounts included in the forecast
  (`include_in_forecast` and not archived);
- unpaid entries of those accounts count on their date, overdue ones today;
- rules of those accounts are projected from today; occurrences already posted as entries,
  or already handled by the posting job (nominal date up to `posted_through`), never count
  again, and skipped ones not at all;
- scenario rules (what-if) count only on the scenario line;
- a credit card with statement days (docs/cards.md) never counts its balance or its
  entries on their own dates: each of its statements with something left to pay is one
  outflow on its due date (overdue ones today), paid from the card's paying account (the
  household's primary account unless the card names one), when that account is counted.
  Paying a statement lowers what is left of it, so the money leaves the counted accounts
  once: as the payment, or as the projected statement.

Whether the risk score is shown (`status`, decided by `finora.forecast.risk.score_status`)
and the warnings the forecast page and the dashboard card show (`forecast_warnings`) are
worked out here once, so both pages say the same (docs/forecast.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import cast

from sqlalchemy import select
from sqlalchemy.orm import Session, lazyload

from finora.business_days import BusinessCalendar
from finora.dates import today
from finora.forecast.projection import (
    WINDOW_DAYS,
    Forecast,
    ForecastInput,
    ForecastRule,
    PendingEntry,
    project,
)
from finora.forecast.recurrence import RuleSpec
from finora.forecast.risk import SCORED, RiskScore, cash_risk, score_status
from finora.models import Account, Entry, Household, RecurringRule, Skip
from finora.money import ZERO
from finora.services.ledger.accounts import account_balances, paying_account
from finora.services.ledger.card_statements import Statement, statements_by_card
from finora.services.planning.posting import SHIFT_MARGIN
from finora.services.planning.rules import calendar_of

HORIZONS = (30, 90, 180, 365)
# Overdue unpaid entries listed one by one in the 90-day table (the most recent); older
# ones are summed into one line.
OVERDUE_SHOWN = 20
DEFAULT_HORIZON = 365
# How far ahead the warnings and the first shortfall look, wherever they are shown.
WARNING_DAYS = 365


# The field UpcomingRow.date hides the type in the annotations after it.
_Date = date


@dataclass(frozen=True)
class UpcomingRow:
    """One line of the 90-day table: a projected occurrence, an unpaid entry or a skipped
    occurrence (which moves no money and can be restored)."""

    date: date
    name: str
    kind: str
    amount: Decimal
    balance: Decimal | None  # running balance after this line; None for a skipped one
    rule: RecurringRule | None = None
    nominal: _Date | None = None  # the occurrence's key, with `rule`
    entry_id: int | None = None  # an unpaid ledger entry
    entry_date: _Date | None = None  # its own date (before today when overdue)
    overdue: bool = False
    skipped: bool = False
    count: int = 1  # > 1: older overdue entries summed into one line (`name` is empty)
    # A credit-card statement (`name` is the card's): its card and key ("2026-03").
    statement_account_id: int | None = None
    statement_key: str | None = None


@dataclass(frozen=True)
class HouseholdForecast:
    today: date
    forecast: Forecast
    risk: RiskScore
    current_balance: Decimal
    minimum_safe_balance: Decimal | None
    rules: dict[int, RecurringRule]
    accounts: list[Account]  # the accounts the forecast includes
    # The posted occurrence keys and the skips (by rule) the engine was given.
    posted: frozenset[tuple[int, date]]
    skips: dict[int, frozenset[date]]
    unpaid: list  # (id, date, kind, amount, description) of the unpaid entries, by date
    # Every active account (counted or not) and the balances at the end of today.
    active_accounts: tuple[Account, ...] = ()
    balances: dict[int, Decimal] | None = None
    status: str = SCORED  # risk.score_status: whether the score is shown, else why not
    # The credit-card statements counted on their due dates, with their card's name.
    card_bills: tuple[tuple[Statement, str], ...] = ()

    @property
    def scored(self) -> bool:
        return self.status == SCORED

    @property
    def warnings(self) -> list[ForecastWarning]:
        return forecast_warnings(self)

    @property
    def has_scenarios(self) -> bool:
        return self.forecast.scenario_line is not None

    @property
    def first_shortfall(self) -> date | None:
        return self.forecast.first_below_zero

    @property
    def holds(self) -> list[RecurringRule]:
        """The rules paused past today, the soonest to resume first."""
        return sorted(
            (r for r in self.rules.values() if r.hold_until and r.hold_until > self.today),
            key=lambda r: (r.hold_until, r.name.casefold()),
        )


@dataclass(frozen=True)
class ForecastWarning:
    """A warning over the schedule line: `kind` "below_zero" or "below_minimum", from `date`."""

    kind: str
    date: date
    minimum: Decimal | None = None


def forecast_warnings(result: HouseholdForecast) -> list[ForecastWarning]:
    """The shortfall and minimum-balance warnings of the forecast's horizon, as the forecast
    page and the dashboard card show them. None while there is nothing to judge (no
    account counted, no data yet, or an empty balance with nothing to pay: the status
    explains those); the minimum's warning only when it comes on another day than the
    shortfall (below zero on a day is also below a minimum of zero or more)."""
    if not result.scored:
        return []
    forecast = result.forecast
    found = []
    if forecast.first_below_zero is not None:
        found.append(ForecastWarning("below_zero", forecast.first_below_zero))
    below_minimum = forecast.first_below_minimum
    if below_minimum is not None and below_minimum != forecast.first_below_zero:
        found.append(ForecastWarning("below_minimum", below_minimum, result.minimum_safe_balance))
    return found


def _active_accounts(session: Session, household: Household) -> list[Account]:
    return list(
        session.scalars(
            select(Account)
            .where(Account.household_id == household.id, Account.archived.is_(False))
            .order_by(Account.name)
        )
    )


def _rules(session: Session, household: Household, account_ids: set[int]) -> list[RecurringRule]:
    if not account_ids:
        return []
    return list(
        session.scalars(
            select(RecurringRule)
            .where(
                RecurringRule.household_id == household.id,
                RecurringRule.account_id.in_(account_ids),
            )
            .order_by(RecurringRule.name, RecurringRule.id)
            # The forecast reads the rule's own columns only: no joined account/categories.
            .options(lazyload("*"))
        )
    )


def _skips(session: Session, household: Household, since: date) -> dict[int, frozenset[date]]:
    found: dict[int, set[date]] = {}
    for rule_id, day in session.execute(
        select(Skip.rule_id, Skip.occurrence_date).where(
            Skip.household_id == household.id, Skip.occurrence_date >= since
        )
    ):
        found.setdefault(rule_id, set()).add(day)
    return {rule_id: frozenset(days) for rule_id, days in found.items()}


def _posted(session: Session, rule_ids: list[int], since: date) -> frozenset[tuple[int, date]]:
    """(rule id, nominal date) of the entries the rules posted whose nominal date can still
    land within the horizon (a "next business day" move reaches a few days forward). On the
    unique (rule_id, occurrence_date) index."""
    if not rule_ids:
        return frozenset()
    rows = session.execute(
        select(Entry.rule_id, Entry.occurrence_date).where(
            Entry.rule_id.in_(rule_ids), Entry.occurrence_date >= since
        )
    )
    pairs = frozenset((rule_id, day) for rule_id, day in rows)
    return cast("frozenset[tuple[int, date]]", pairs)  # the WHERE leaves no NULL in either


def _pending(session: Session, account_ids: set[int], last: date) -> list:
    """The unpaid entries of these (the household's) accounts dated up to `last`, as
    (id, date, kind, amount, description): on the (account_id, paid_on, ...) index."""
    if not account_ids:
        return []
    return list(
        session.execute(
            select(Entry.id, Entry.date, Entry.kind, Entry.amount, Entry.description)
            .where(
                Entry.account_id.in_(account_ids),
                Entry.paid_on.is_(None),
                Entry.date <= last,
            )
            .order_by(Entry.date, Entry.id)
        )
    )


def _is_past(rule: RecurringRule, day: date, calendar: BusinessCalendar) -> bool:
    """Whether the rule has nothing left from `day` on: a one-time rule or an ended one whose
    last date (moved by its business-day policy) is past. A scenario like that is ignored
    (not deleted) and draws no scenario line."""
    last = rule.anchor_date if rule.frequency == "once" else rule.end_date
    if last is None or last >= day:
        return False
    return last < day - SHIFT_MARGIN or calendar.shift(last, rule.business_day_policy) < day


def rule_spec_for_forecast(rule: RecurringRule, skips: frozenset[date]) -> RuleSpec:
    """The rule's schedule as the forecast sees it: occurrences the posting job has handled
    (nominal date up to `posted_through`) are ledger entries now, or were deleted from the
    ledger on purpose, so the projection starts after them."""
    hold = rule.hold_until
    if rule.posted_through is not None:
        after = rule.posted_through + timedelta(days=1)
        hold = after if hold is None else max(hold, after)
    return RuleSpec(
        frequency=rule.frequency,
        anchor=rule.anchor_date,
        end=rule.end_date,
        policy=rule.business_day_policy,
        hold_until=hold,
        skips=skips,
        rule_id=rule.id,
    )


def household_forecast(
    session: Session,
    household: Household,
    *,
    horizon_days: int = DEFAULT_HORIZON,
    on: date | None = None,
    calendar: BusinessCalendar | None = None,
    balances: dict[int, Decimal] | None = None,
) -> HouseholdForecast:
    """The forecast from today (the household's day) over `horizon_days`, and never less
    than a year (`WARNING_DAYS`): the shortfall and minimum-balance warnings, and the first
    shortfall, look a year ahead on every page that shows them (the forecast page and the
    dashboard card say the same), which costs a millisecond or two more than the 90 days
    the risk score needs. `balances`: the accounts' balances at the end of today, when the
    caller has them already."""
    day = on or today(household)
    horizon = max(horizon_days, WARNING_DAYS)
    last = day + timedelta(days=horizon - 1)
    calendar = calendar or calendar_of(household)
    active = _active_accounts(session, household)
    included = [account for account in active if account.include_in_forecast]
    # A card with statements counts through its statements, never by its balance or entries.
    accounts = [account for account in included if not account.has_statements]
    account_ids = {account.id for account in accounts}
    if balances is None:
        balances = account_balances(session, household, day)
    current = sum((balances.get(account_id, ZERO) for account_id in account_ids), ZERO)

    rules = _rules(session, household, {account.id for account in included})
    since = day - SHIFT_MARGIN
    skips = _skips(session, household, since)
    forecast_rules = [
        ForecastRule(
            name=rule.name,
            kind=rule.kind,
            amount=rule.amount,
            spec=rule_spec_for_forecast(rule, skips.get(rule.id, frozenset())),
            scenario=rule.is_scenario,
        )
        for rule in rules
        if not (rule.is_scenario and _is_past(rule, day, calendar))
    ]
    posted = _posted(session, [rule.id for rule in rules], since)
    unpaid = _pending(session, account_ids, last)
    pending = [
        PendingEntry(date=entry_day, kind=kind, amount=amount)
        for _id, entry_day, kind, amount, _description in unpaid
    ]
    bills = _card_bills(session, active, account_ids, day, last)
    pending += [
        PendingEntry(date=statement.due, kind="expense", amount=statement.outstanding)
        for statement, _card in bills
    ]
    forecast = project(
        ForecastInput(
            rules=forecast_rules,
            starting_balance=current,
            today=day,
            horizon_days=horizon,
            calendar=calendar,
            pending=pending,
            posted=posted,
            minimum_safe_balance=household.minimum_safe_balance,
        )
    )
    risk = cash_risk(
        current, forecast.schedule[:WINDOW_DAYS], forecast.projected_expenses_90, day,
        household.minimum_safe_balance,
    )
    status = score_status(
        accounts=len(accounts),
        current_balance=current,
        has_rules=any(not rule.is_scenario for rule in rules),
        has_unpaid=bool(unpaid or bills),
        projected_expenses_90=forecast.projected_expenses_90,
    )
    return HouseholdForecast(
        today=day,
        forecast=forecast,
        risk=risk,
        current_balance=current,
        minimum_safe_balance=household.minimum_safe_balance,
        rules={rule.id: rule for rule in rules},
        accounts=accounts,
        posted=posted,
        skips=skips,
        unpaid=unpaid,
        active_accounts=tuple(active),
        balances=balances,
        status=status,
        card_bills=tuple(bills),
    )


def _card_bills(
    session: Session, active: list[Account], counted: set[int], day: date, last: date
) -> list[tuple[Statement, str]]:
    """The statements with something left to pay, due up to `last`, of the active cards with
    statement days whose paying account (the card's own, else the primary one) is counted."""
    cards = [
        card for card in active
        if card.has_statements and (payer := paying_account(card, active)) is not None and payer.id in counted
    ]
    if not cards:
        return []
    names = {a.id: a.name for a in cards}
    return [
        (statement, names[account_id])
        for account_id, statements in statements_by_card(session, cards, day).items()
        for statement in statements
        if statement.outstanding > 0 and statement.due <= last
    ]


def upcoming_rows(
    result: HouseholdForecast, calendar: BusinessCalendar, *, days: int = WINDOW_DAYS
) -> list[UpcomingRow]:
    """The schedule line's next `days` days, line by line, with the running balance:
    unpaid entries first on each day (overdue ones today: the last `OVERDUE_SHOWN` one by
    one, older ones summed in one line), then the rules' occurrences in name order, and
    skipped occurrences where they would have fallen."""
    day0 = result.today
    end = day0 + timedelta(days=days - 1)
    lines: list[tuple[date, int, UpcomingRow]] = []
    pending = [row for row in result.unpaid if row[1] <= end]
    overdue = [row for row in pending if row[1] < day0]
    older, recent = overdue[:-OVERDUE_SHOWN] if len(overdue) > OVERDUE_SHOWN else [], overdue[-OVERDUE_SHOWN:]
    if older:
        net = sum((a if k == "income" else -a for _i, _d, k, a, _t in older), ZERO)
        lines.append(
            (
                day0,
                -1,
                UpcomingRow(
                    date=day0,
                    name="",
                    kind="income" if net > 0 else "expense",
                    amount=abs(net),
                    balance=None,
                    overdue=True,
                    count=len(older),
                ),
            )
        )
    for entry_id, entry_day, kind, amount, description in recent + pending[len(overdue):]:
        lines.append(
            (
                max(entry_day, day0),
                0,
                UpcomingRow(
                    date=max(entry_day, day0),
                    name=description,
                    kind=kind,
                    amount=amount,
                    balance=None,
                    entry_id=entry_id,
                    entry_date=entry_day,
                    overdue=entry_day < day0,
                ),
            )
        )
    for statement, card in result.card_bills:
        if statement.due > end:
            continue
        lines.append(
            (
                max(statement.due, day0),
                0,
                UpcomingRow(
                    date=max(statement.due, day0),
                    name=card,
                    kind="expense",
                    amount=statement.outstanding,
                    balance=None,
                    entry_date=statement.due,
                    overdue=statement.due < day0,
                    statement_account_id=statement.account_id,
                    statement_key=statement.key,
                ),
            )
        )
    for occurrence in result.forecast.occurrences_through(end):  # builds only these days'
        if occurrence.scenario:
            continue
        lines.append(
            (
                occurrence.date,
                1,
                UpcomingRow(
                    date=occurrence.date,
                    name=occurrence.name,
                    kind=occurrence.kind,
                    amount=occurrence.amount,
                    balance=None,
                    rule=result.rules[cast(int, occurrence.rule_id)],  # a saved rule's occurrence
                    nominal=occurrence.nominal,
                ),
            )
        )
    for rule_id, skipped in result.skips.items():
        rule = result.rules.get(rule_id)
        if rule is None or rule.is_scenario:
            continue
        for nominal in skipped:
            moved = calendar.shift(nominal, rule.business_day_policy)
            if day0 <= moved <= end:
                lines.append(
                    (
                        moved,
                        2,
                        UpcomingRow(
                            date=moved,
                            name=rule.name,
                            kind=rule.kind,
                            amount=rule.amount,
                            balance=None,
                            rule=rule,
                            nominal=nominal,
                            skipped=True,
                        ),
                    )
                )
    # By day; on a day, entries (in their own date order: overdue ones all fall today)
    # before occurrences, then by name.
    lines.sort(key=lambda line: (line[0], line[1], line[2].entry_date or line[0], line[2].name.casefold()))
    rows = []
    balance = result.current_balance
    for _day, _order, row in lines:
        if row.skipped:
            rows.append(row)
            continue
        balance += row.amount if row.kind == "income" else -row.amount
        rows.append(_with_balance(row, balance))
    return rows


def _with_balance(row: UpcomingRow, balance: Decimal) -> UpcomingRow:
    return UpcomingRow(**{**row.__dict__, "balance": balance})

