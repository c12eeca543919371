"""The cash-flow projection: recurring rules, unpaid entries and a starting balance turned
into a balance for every day of the horizon. Pure: no Flask, no database.

Dates come from `recurrence.Window` (the one rule expansion, shared with posting through
`recurrence.occurrences`), made once for the whole horizon so every rule reuses its tables;
each rule takes its part of a date sequence shared with the rules of the same schedule
(`Window.cut`). The balances are summed in integer cents per shared sequence and come from
one cumulative pass over the horizon (`_lines_in_cents`, or Decimal one by one when cents
would not give the same Decimals); the occurrences are built when first read
(`OccurrenceRows`). `make bench` times it (tests/bench/engine.py); docs/forecast.md, "The
engine's speed", says what was slow and what changed.
"""

from __future__ import annotations

import gc
from bisect import bisect_left, bisect_right
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import (
    MAX_EMAX,
    MAX_PREC,
    MIN_EMIN,
    ROUND_FLOOR,
    Context,
    Decimal,
    getcontext,
)
from itertools import accumulate, chain, repeat
from operator import add, attrgetter, call
from typing import Any, NamedTuple, cast

from finora.amounts import CENT, ZERO
from finora.business_days import BusinessCalendar
from finora.forecast.recurrence import RuleSpec, Window, take

KINDS = ("income", "expense")
# A rule's share of a projection: its part [low, high) of the nominal and adjusted date
# sequences (`Window.cut`) but the left-out positions, its signed amount, and the fields
# of its occurrences (rule_id, name, kind, amount, scenario).
Part = tuple[
    Sequence[int],
    Sequence[int],
    int,
    int,
    list[int],
    Decimal,
    tuple["int | None", str, str, Decimal, bool],
]
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


_Date = date  # `date` is also a field's name in the class below


class ProjectedOccurrence(NamedTuple):
    """One projected occurrence (its adjusted date).

    A named tuple: tens of thousands are built per projection, and a tuple is made in C
    (`OccurrenceRows` builds them with `tuple.__new__` over zipped columns, no Python call
    per occurrence), about half the cost of a dataclass's `__init__`. Read-only."""

    date: date
    rule_id: int | None
    name: str
    kind: str
    amount: Decimal
    scenario: bool
    # The unadjusted date as an ordinal (the key of skips); `nominal` gives the date.
    nominal_ordinal: int = 0

    @property
    def nominal(self) -> _Date:
        return date.fromordinal(self.nominal_ordinal)


class OccurrenceRows:
    """The projected occurrences, built when first read.

    Most readers of a forecast (the dashboard card, the API's balances and risk, the
    reports) never look at its occurrences, and building tens of thousands of them is most
    of a projection's cost; so `project()` keeps what they are made of — each rule's
    dates and fields, in the rules' name order, all immutable — and the list is built on
    the first read of `Forecast.occurrences` (then kept: the same list every time, as a
    field would be). Nothing is read from the caller's objects later: the rules' fields
    are copied out while projecting, so editing the input afterwards changes nothing.
    """

    __slots__ = ("_built", "_horizon", "_ordinal0", "_parts")

    def __init__(self, parts: list[Part], ordinal0: int, horizon: int) -> None:
        self._parts = parts
        self._ordinal0 = ordinal0
        self._horizon = horizon
        self._built: list[ProjectedOccurrence] | None = None

    def all(self) -> list[ProjectedOccurrence]:
        built = self._built
        if built is None:
            with _collector_paused():
                built = self._built = self._build(self._ordinal0 + self._horizon - 1)
        return built

    def through(self, last: date) -> list[ProjectedOccurrence]:
        """The occurrences dated `last` or earlier (a new list), without building the rest."""
        if self._built is not None:
            return self._built[: bisect_right(self._built, last, key=_DATE)]
        with _collector_paused():
            return self._build(min(last.toordinal(), self._ordinal0 + self._horizon - 1))

    def _build(self, last: int) -> list[ProjectedOccurrence]:
        """Every occurrence up to ordinal `last`, by date and then in the rules' order.

        Built in C: the rules' columns are gathered (a list extended per rule, no loop per
        occurrence), the occurrences made by `tuple.__new__` over the zipped columns, and
        each appended to its day's list through a table of the lists' `append` methods,
        with no Python-level loop or call per occurrence.
        """
        ordinal0 = self._ordinal0
        days = last - ordinal0 + 1
        if days <= 0:
            return []
        adjusted_all: list[int] = []
        nominal_all: list[int] = []
        rule_ids: list[int | None] = []
        names: list[str] = []
        kinds: list[str] = []
        amounts: list[Decimal] = []
        scenarios: list[bool] = []
        for nominals, adjusted, low, high, removed, _, fields in self._parts:
            if adjusted[high - 1] > last:
                high = bisect_right(adjusted, last, low, high)
                if high == low:
                    continue
                removed = removed[: bisect_left(removed, high)]
            if removed:
                nominal_part, found = take(nominals, adjusted, low, high, removed)
            else:
                nominal_part, found = nominals[low:high], adjusted[low:high]
            count = len(found)
            if not count:
                continue
            adjusted_all += found
            nominal_all += nominal_part
            rule_id, name, kind, amount, scenario = fields
            rule_ids += repeat(rule_id, count)
            names += repeat(name, count)
            kinds += repeat(kind, count)
            amounts += repeat(amount, count)
            scenarios += repeat(scenario, count)
        ordinals = range(ordinal0, last + 1)
        date_of = dict(zip(ordinals, map(date.fromordinal, ordinals), strict=True)).__getitem__
        by_day: list[list[ProjectedOccurrence]] = [[] for _ in range(days)]
        append_to = dict(zip(ordinals, [day.append for day in by_day], strict=True)).__getitem__
        occurrences = map(
            tuple.__new__,
            repeat(ProjectedOccurrence),
            zip(
                map(date_of, adjusted_all),
                rule_ids,
                names,
                kinds,
                amounts,
                scenarios,
                nominal_all,
                strict=True,
            ),
        )
        deque(map(call, map(append_to, adjusted_all), occurrences), maxlen=0)
        return list(chain.from_iterable(by_day))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, OccurrenceRows):
            return NotImplemented
        return self.all() == other.all()

    __hash__ = None  # type: ignore[assignment]


_DATE = attrgetter("date")


@dataclass(frozen=True)
class Forecast:
    today: date
    horizon_days: int
    starting_balance: Decimal
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
    rows: OccurrenceRows = field(default_factory=lambda: OccurrenceRows([], 0, 0), repr=False)

    @property
    def occurrences(self) -> list[ProjectedOccurrence]:
        """By date then name; scenario ones flagged. Built on first read (`OccurrenceRows`)."""
        return self.rows.all()

    def occurrences_through(self, last: date) -> list[ProjectedOccurrence]:
        """The first of `occurrences`, those dated `last` or earlier, without building the
        rest when they have not been read yet (the 90-day table needs a quarter of them)."""
        return self.rows.through(last)


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

    A projection (and the first read of its occurrences) allocates tens of thousands of
    objects and no reference cycles; with the collector on, every 700 allocations trigger a
    pass, and the survivors push the process into full collections over everything it holds
    (measured with 2,000 rules: a third of the time or more, growing with the size of the
    process). Nothing is lost: the
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
    window_end = ordinal0 + window  # first day after the 90-day window

    # Per rule with occurrences, in name order: its part of the (shared) date sequences
    # (`Window.cut`) and its fields, from which the occurrences are built when read
    # (`OccurrenceRows`) and the lines are summed.
    parts: list[Part] = []
    has_scenario = False  # a scenario line even when the scenario rules fall outside
    expenses_90 = ZERO
    cut = expansion.cut

    for rule in sorted(data.rules, key=_NAME):
        kind = rule.kind
        if kind not in KINDS:
            raise ValueError(f"unknown kind for rule {rule.name!r}: {kind!r}")
        spec = rule.spec
        rule_id = spec.rule_id
        scenario = rule.scenario
        if scenario:
            has_scenario = True
        nominals, adjusted, low, high, removed = cut(
            spec, posted.get(rule_id) if rule_id is not None else None
        )
        if high - low <= len(removed):
            continue
        amount = rule.amount
        parts.append(
            (
                nominals,
                adjusted,
                low,
                high,
                removed,
                amount if kind == "income" else -amount,
                (rule_id, rule.name, kind, amount, scenario),
            )
        )
        if kind == "expense" and not scenario:  # `adjusted` is in date order
            before = bisect_left(adjusted, window_end, low, high)
            expenses_90 += amount * (before - low - bisect_left(removed, before))

    for entry in data.pending:
        if entry.kind not in KINDS:
            raise ValueError(f"unknown kind for pending entry: {entry.kind!r}")
        index = max(0, entry.date.toordinal() - ordinal0)  # overdue: counts today
        if index < window and entry.kind == "expense":
            expenses_90 += entry.amount

    lines = _lines_in_cents(data, parts, has_scenario, ordinal0)
    if lines is None:
        lines = _lines_in_decimal(data, parts, has_scenario, ordinal0)
    schedule, line = lines
    minimum = data.minimum_safe_balance
    result: dict[str, Any] = {
        "today": today,
        "horizon_days": horizon,
        "starting_balance": data.starting_balance,
        "rows": OccurrenceRows(parts, ordinal0, horizon),
        "schedule": schedule,
        "scenario_line": None,
        "lowest_90": _lowest(schedule, window, today),
        "lowest_horizon": _lowest(schedule, horizon, today),
        "first_below_zero": _first_below(schedule, ZERO, today),
        "first_below_minimum": _first_below(schedule, minimum, today),
        "projected_expenses_90": expenses_90,
    }
    if line is not None:
        result.update(
            scenario_line=line,
            scenario_lowest_90=_lowest(line, window, today),
            scenario_lowest_horizon=_lowest(line, horizon, today),
            scenario_first_below_zero=_first_below(line, ZERO, today),
            scenario_first_below_minimum=_first_below(line, minimum, today),
        )
    return Forecast(**result)


Lines = tuple[list[Decimal], list[Decimal] | None]


def _lines_in_cents(
    data: ForecastInput, parts: list[Part], has_scenario: bool, ordinal0: int
) -> Lines | None:
    """The schedule and scenario lines summed in integer cents: the same Decimals as
    `_lines_in_decimal`, or None when they might not be.

    They are the same when every amount and the starting balance is a whole number of
    cents (exponent -2 or more: then every sum has exponent -2, from ZERO's), and when
    the caller's decimal context sums them exactly (no partial sum longer than its
    precision; the largest possible is the sum of all magnitudes) and never makes a
    negative zero (ROUND_FLOOR does, for x + -x).

    Rules sharing a date sequence (`Window`'s tables: every rule with the same schedule)
    are summed per sequence, not per date: each rule adds its amount at the start of its
    part and takes it off after the end (a difference list over the sequence's
    positions), and its left-out dates are taken off one by one; then one pass over each
    sequence adds the running total to its days.
    """
    context = getcontext()
    if context.rounding == ROUND_FLOOR or context.Emin > -2 or context.Emax < context.prec:
        return None
    horizon = data.horizon_days
    start = _cents(data.starting_balance)
    if start is None:
        return None
    deltas = [0] * horizon
    extra = [0] * horizon if has_scenario else None
    bound = abs(start)
    # id(adjusted sequence) -> (the sequence, its difference lists: schedule, scenario).
    # Holding the sequence keeps its id from being reused while it is a key.
    shared: dict[int, tuple[Sequence[int], list[int], list[int]]] = {}
    if parts:
        signeds = [part[5] for part in parts]
        if all(map(CENT.same_quantum, signeds)):  # all in cents: converted in C
            amounts: list[int] = list(map(int, map(_EXACT.scaleb, signeds, repeat(2))))
        else:
            converted = list(map(_cents, signeds))
            if None in converted:
                return None
            amounts = cast(list[int], converted)
        get = shared.get
        for (_, adjusted, low, high, removed, _, fields), amount in zip(parts, amounts, strict=True):
            bound += abs(amount) * (high - low)
            found = get(id(adjusted))
            if found is None:
                size = len(adjusted) + 1
                found = shared[id(adjusted)] = (adjusted, [0] * size, [0] * size)
            differences = found[2] if fields[4] else found[1]
            differences[low] += amount
            differences[high] -= amount
            if removed:
                taken_from = extra if fields[4] and extra is not None else deltas
                for position in removed:
                    taken_from[adjusted[position] - ordinal0] -= amount
    for adjusted, schedule_differences, scenario_differences in shared.values():
        for line, differences in ((deltas, schedule_differences), (extra, scenario_differences)):
            if line is None or not any(differences):
                continue
            for ordinal, total in zip(adjusted, accumulate(differences), strict=False):
                if total:
                    line[ordinal - ordinal0] += total
    for entry in data.pending:
        index = max(0, entry.date.toordinal() - ordinal0)
        if index >= horizon:
            continue
        cents = _cents(entry.amount)
        if cents is None:
            return None
        bound += abs(cents)
        deltas[index] += cents if entry.kind == "income" else -cents
    if len(str(bound)) > context.prec:
        return None
    balances = list(accumulate(deltas, initial=start))[1:]
    schedule = _from_cents(balances)
    if extra is None:
        return schedule, None
    return schedule, _from_cents(map(add, balances, accumulate(extra)))


def _lines_in_decimal(
    data: ForecastInput, parts: list[Part], has_scenario: bool, ordinal0: int
) -> Lines:
    """The schedule and scenario lines summed in Decimal, occurrence by occurrence in the
    rules' name order and then the unpaid entries, in the caller's decimal context."""
    horizon = data.horizon_days
    deltas = [ZERO] * horizon
    scenario_deltas = [ZERO] * horizon if has_scenario else None
    for nominals, adjusted, low, high, removed, signed, fields in parts:
        bucket = scenario_deltas if fields[4] and scenario_deltas is not None else deltas
        for ordinal in take(nominals, adjusted, low, high, removed)[1]:
            bucket[ordinal - ordinal0] += signed
    for entry in data.pending:
        index = max(0, entry.date.toordinal() - ordinal0)  # overdue: counts today
        if index >= horizon:
            continue
        deltas[index] += entry.amount if entry.kind == "income" else -entry.amount
    schedule = _running(data.starting_balance, deltas)
    if scenario_deltas is None:
        return schedule, None
    line = _running(ZERO, scenario_deltas)
    return schedule, [base + extra for base, extra in zip(schedule, line, strict=True)]


# Exact: a precision no sum of amounts reaches, and no trap.
_EXACT = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN, traps=[])


def _cents(amount: Decimal) -> int | None:
    """The amount in cents, when it is a finite Decimal with exponent -2 or more."""
    if not isinstance(amount, Decimal):
        return None
    if amount.same_quantum(CENT):  # exponent -2 (and finite): the common case
        return int(amount.scaleb(2, _EXACT))
    if not amount.is_finite():
        return None
    exponent = amount.as_tuple().exponent
    if not isinstance(exponent, int) or exponent < -2:
        return None
    return int(amount.scaleb(2, _EXACT))


def _from_cents(cents: Iterable[int]) -> list[Decimal]:
    """Cents as Decimals with exponent -2, exactly (the same as sums starting at ZERO)."""
    return list(map(_EXACT.scaleb, map(Decimal, cents), repeat(-2)))


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
