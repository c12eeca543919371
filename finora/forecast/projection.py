"""The cash-flow projection: recurring rules, unpaid entries and a starting balance turned
into a balance for every day of the horizon. Pure: no Flask, no database.

Dates come from `recurrence.Window` (the one rule expansion, shared with posting through
`recurrence.occurrences`), made once for the whole horizon so every rule reuses its tables.
Amounts are bucketed per day index and the balances come from one cumulative pass over the
horizon, so the cost grows with the number of occurrences plus the horizon, not their product.
`make bench` times it (tests/bench/engine.py).
"""

from __future__ import annotations

import datetime
import gc
from bisect import bisect_left
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from itertools import chain
from operator import attrgetter
from typing import Any

from finora.amounts import ZERO
from finora.business_days import BusinessCalendar
from finora.forecast.recurrence import RuleSpec, Window

KINDS = ("income", "expense")
DEFAULT_HORIZON_DAYS = 365
MAX_HORIZON_DAYS = 730
WINDOW_DAYS = 90  # the "next 90 days" of the cards and of the risk score


@dataclass(frozen=True)
class ForecastRule:
    """A rule to project. `spec.rule_id` identifies it (skips, posted entries)."""

    name: str
    kind: str  # income | expense
    amount: Decimal  # positive; the kind gives the sign
    spec: RuleSpec
    scenario: bool = False  # what-if only: on the scenario line, never on the schedule line


@dataclass(frozen=True)
class PendingEntry:
    """An unpaid ledger entry: counts on its date, or today when overdue."""

    date: date
    kind: str
    amount: Decimal


@dataclass(frozen=True)
class ForecastInput:
    rules: list[ForecastRule]
    starting_balance: Decimal  # today's balance of the accounts included in the forecast
    today: date
    horizon_days: int = DEFAULT_HORIZON_DAYS
    calendar: BusinessCalendar = field(default_factory=BusinessCalendar)
    pending: list[PendingEntry] = field(default_factory=list)
    # (rule_id, nominal date) of occurrences already posted as entries: never projected.
    posted: frozenset[tuple[int, date]] = frozenset()
    minimum_safe_balance: Decimal | None = None


@dataclass(slots=True)
class ProjectedOccurrence:
    """One projected occurrence (its adjusted date). Not frozen: tens of thousands are built
    per projection and a frozen dataclass's __init__ costs four times as much."""

    date: date
    rule_id: int | None
    name: str
    kind: str
    amount: Decimal
    scenario: bool
    # The unadjusted date as an ordinal (the key of skips); `nominal` gives the date.
    nominal_ordinal: int = 0

    @property
    def nominal(self) -> datetime.date:  # `date` here is the field
        return date.fromordinal(self.nominal_ordinal)


@dataclass(frozen=True)
class Forecast:
    today: date
    horizon_days: int
    starting_balance: Decimal
    occurrences: list[ProjectedOccurrence]  # by date then name; scenario ones flagged
    schedule: list[Decimal]  # balance at the end of each day, index 0 = today
    scenario_line: list[Decimal] | None  # schedule + scenarios; None without scenario rules
    lowest_90: tuple[date, Decimal]
    lowest_horizon: tuple[date, Decimal]
    first_below_zero: date | None
    first_below_minimum: date | None
    projected_expenses_90: Decimal  # schedule-line expenses (occurrences + pending), 90 days
    scenario_lowest_90: tuple[date, Decimal] | None = None
    scenario_lowest_horizon: tuple[date, Decimal] | None = None
    scenario_first_below_zero: date | None = None
    scenario_first_below_minimum: date | None = None


def days(forecast: Forecast) -> list[date]:
    """The dates of the horizon, aligned with `schedule` and `scenario_line`."""
    start = forecast.today
    return [start + timedelta(days=n) for n in range(forecast.horizon_days)]


def project(data: ForecastInput) -> Forecast:
    with _collector_paused():
        return _project(data)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector off while projecting.

    A projection allocates tens of thousands of occurrences and no reference cycles; with
    the collector on, every 700 allocations trigger a pass, and the survivors push the
    process into full collections over everything it holds (measured with 2,000 rules: a
    third of the time or more, growing with the size of the process). Nothing is lost: the
    collector runs as usual once it is back on. Turned back on only if it was on, so a
    caller that disabled it keeps it disabled.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _project(data: ForecastInput) -> Forecast:
    horizon = data.horizon_days
    if isinstance(horizon, bool) or not isinstance(horizon, int):
        raise ValueError(f"horizon_days must be an integer, not {horizon!r}")
    if not 1 <= horizon <= MAX_HORIZON_DAYS:
        raise ValueError(f"horizon_days must be within 1..{MAX_HORIZON_DAYS}, not {horizon}")
    today = data.today
    last = today + timedelta(days=horizon - 1)
    ordinal0 = today.toordinal()
    window = min(WINDOW_DAYS, horizon)
    expansion = Window(today, last, data.calendar, tables=True)
    posted = _posted_by_rule(data.posted)

    # Signed amounts per day index, for the schedule line and for the scenarios alone.
    deltas = [ZERO] * horizon
    scenario_deltas: list[Decimal] | None = None
    expenses_90 = ZERO
    # Occurrences per day index; rules are taken in name order, so each day's list is
    # already sorted by name and no sort of the whole list is needed.
    by_day: list[list[ProjectedOccurrence]] = [[] for _ in range(horizon)]
    dates = [today + timedelta(days=n) for n in range(horizon)]
    window_end = ordinal0 + window  # first day after the 90-day window

    for rule in sorted(data.rules, key=_NAME):
        kind = rule.kind
        if kind not in KINDS:
            raise ValueError(f"unknown kind for rule {rule.name!r}: {kind!r}")
        spec = rule.spec
        rule_id = spec.rule_id
        scenario = rule.scenario
        if scenario:
            if scenario_deltas is None:  # a scenario line even when its rules fall outside
                scenario_deltas = [ZERO] * horizon
            bucket = scenario_deltas
        else:
            bucket = deltas
        nominals, found = expansion.expand(
            spec, posted.get(rule_id) if rule_id is not None else None
        )
        if not found:
            continue
        amount = rule.amount
        signed = amount if kind == "income" else -amount
        name = rule.name
        for ordinal, nominal in zip(found, nominals, strict=True):
            index = ordinal - ordinal0
            bucket[index] += signed
            by_day[index].append(
                ProjectedOccurrence(dates[index], rule_id, name, kind, amount, scenario, nominal)
            )
        if kind == "expense" and not scenario:  # `found` is in date order
            expenses_90 += amount * bisect_left(found, window_end)

    for entry in data.pending:
        if entry.kind not in KINDS:
            raise ValueError(f"unknown kind for pending entry: {entry.kind!r}")
        index = max(0, entry.date.toordinal() - ordinal0)  # overdue: counts today
        if index >= horizon:
            continue
        deltas[index] += entry.amount if entry.kind == "income" else -entry.amount
        if entry.kind == "expense" and index < window:
            expenses_90 += entry.amount

    projected = list(chain.from_iterable(by_day))
    schedule = _running(data.starting_balance, deltas)
    minimum = data.minimum_safe_balance
    result: dict[str, Any] = {
        "today": today,
        "horizon_days": horizon,
        "starting_balance": data.starting_balance,
        "occurrences": projected,
        "schedule": schedule,
        "scenario_line": None,
        "lowest_90": _lowest(schedule, window, today),
        "lowest_horizon": _lowest(schedule, horizon, today),
        "first_below_zero": _first_below(schedule, ZERO, today),
        "first_below_minimum": _first_below(schedule, minimum, today),
        "projected_expenses_90": expenses_90,
    }
    if scenario_deltas is not None:
        line = _running(ZERO, scenario_deltas)
        line = [base + extra for base, extra in zip(schedule, line, strict=True)]
        result.update(
            scenario_line=line,
            scenario_lowest_90=_lowest(line, window, today),
            scenario_lowest_horizon=_lowest(line, horizon, today),
            scenario_first_below_zero=_first_below(line, ZERO, today),
            scenario_first_below_minimum=_first_below(line, minimum, today),
        )
    return Forecast(**result)


_NAME = attrgetter("name")


def _posted_by_rule(posted: frozenset[tuple[int, date]]) -> dict[int, set[int]]:
    """The posted (rule_id, nominal date) pairs as each rule's set of nominal ordinals."""
    by_rule: dict[int, set[int]] = {}
    for rule_id, nominal in posted:
        by_rule.setdefault(rule_id, set()).add(nominal.toordinal())
    return by_rule


def _running(start: Decimal, deltas: list[Decimal]) -> list[Decimal]:
    balances = []
    balance = start
    for delta in deltas:
        balance += delta
        balances.append(balance)
    return balances


def _lowest(line: list[Decimal], length: int, today: date) -> tuple[date, Decimal]:
    """The lowest balance among the first `length` days and its date (earliest on ties)."""
    head = line[:length]
    low = min(head)
    return today + timedelta(days=head.index(low)), low


def _first_below(line: list[Decimal], threshold: Decimal | None, today: date) -> date | None:
    if threshold is None:
        return None
    for index, balance in enumerate(line):
        if balance < threshold:
            return today + timedelta(days=index)
    return None
