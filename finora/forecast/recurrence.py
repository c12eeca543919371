"""Expanding a recurring rule into dated occurrences: the one code path that serves both
posting to the ledger and projecting the forecast. Pure: no Flask, no database."""

from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass, field
from datetime import date, timedelta

from finora.dates import POLICIES, BusinessCalendar

FREQUENCIES = ("once", "daily", "weekly", "biweekly", "monthly", "quarterly", "yearly")
# Fixed-length steps in days, and calendar steps in months.
DAY_STEPS = {"daily": 1, "weekly": 7, "biweekly": 14}
MONTH_STEPS = {"monthly": 1, "quarterly": 3, "yearly": 12}


@dataclass(frozen=True)
class RuleSpec:
    """What the expansion needs to know about a rule.

    frequency: once | daily | weekly | biweekly | monthly | quarterly | yearly.
    anchor: the first occurrence; its day of month is kept (the 31st gives Feb 28/29,
    then Mar 31 again — never drifting). end: inclusive last nominal date, or None.
    policy: none | previous | next — where an occurrence falling on a non-business day
    moves. hold_until: no occurrence whose nominal date is before it. skips: nominal dates
    left out.
    """

    frequency: str
    anchor: date
    end: date | None = None
    policy: str = "none"
    hold_until: date | None = None
    skips: frozenset[date] = field(default_factory=frozenset)
    rule_id: int | None = None


@dataclass(frozen=True)
class Occurrence:
    rule_id: int | None
    nominal: date  # the unadjusted date: the key of skips and of posted entries
    date: date  # after the business-day policy


def occurrences(
    spec: RuleSpec, start: date, end: date, calendar: BusinessCalendar
) -> list[Occurrence]:
    """The rule's occurrences whose *adjusted* date falls in [start, end], in date order.

    Sorted by adjusted date, then nominal date. Nominal dates before `spec.hold_until`,
    after `spec.end` or in `spec.skips` are left out. A nominal date outside [start, end]
    is included when the policy moves it inside (a Saturday the 31st moved to Monday the
    2nd belongs to the next month), and one inside is left out when it is moved outside.
    """
    _check(spec)
    if start > end:
        return []
    policy = spec.policy
    # The nominal window that can land in [start, end]: with "next" a nominal date before
    # `start` lands in range exactly when every day from it up to `start` is a non-business
    # day, so the window reaches back over that run; "previous" mirrors it after `end`.
    lo, hi = start, end
    if policy == "next":
        lo = _run_edge(calendar, start, -1)
    elif policy == "previous":
        hi = _run_edge(calendar, end, 1)
    if spec.hold_until is not None and spec.hold_until > lo:
        lo = spec.hold_until
    if spec.end is not None and spec.end < hi:
        hi = spec.end

    result = []
    for nominal in _nominal_between(spec, lo, hi):
        if nominal in spec.skips:
            continue
        adjusted = calendar.shift(nominal, policy)
        if start <= adjusted <= end:
            result.append(Occurrence(rule_id=spec.rule_id, nominal=nominal, date=adjusted))
    result.sort(key=lambda occurrence: (occurrence.date, occurrence.nominal))
    return result


def nominal_dates(spec: RuleSpec, until: date) -> list[date]:
    """Every nominal date from the anchor up to `until` (inclusive), ignoring holds and skips.

    `spec.end` still bounds the dates (it is part of the schedule, not a hold).
    """
    _check(spec)
    if spec.end is not None and spec.end < until:
        until = spec.end
    return _nominal_between(spec, spec.anchor, until)


def nominal_dates_between(spec: RuleSpec, start: date, until: date) -> list[date]:
    """The nominal dates in [start, until] (and up to `spec.end`), ignoring holds and skips.

    Starts from the first date at or after `start` directly, without walking from the
    anchor: cheap for old rules.
    """
    _check(spec)
    if spec.end is not None and spec.end < until:
        until = spec.end
    return _nominal_between(spec, start, until)


def nth_month_date(anchor: date, months: int) -> date:
    """`anchor` plus `months` calendar months, the day of month clamped to the month's length.

    Always computed from the anchor, so a rule anchored on the 31st gives Feb 28/29 and
    then Mar 31 again, never drifting to the 28th.
    """
    index = anchor.year * 12 + anchor.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(anchor.day, monthrange(year, month)[1]))


def _check(spec: RuleSpec) -> None:
    if spec.frequency not in FREQUENCIES:
        raise ValueError(f"unknown frequency: {spec.frequency!r}")
    if spec.policy not in POLICIES:
        raise ValueError(f"unknown business-day policy: {spec.policy!r}")


def _run_edge(calendar: BusinessCalendar, day: date, direction: int) -> date:
    """The far end of the run of non-business days right next to `day` (before it when
    `direction` is -1, after it when 1), or `day` itself when its neighbour is a business day."""
    step = timedelta(days=direction)
    edge = day
    for _ in range(366):
        neighbour = edge + step
        if calendar.is_business_day(neighbour):
            return edge
        edge = neighbour
    return edge


def _nominal_between(spec: RuleSpec, start: date, until: date) -> list[date]:
    """The schedule's nominal dates in [max(start, anchor), until], in order."""
    anchor = spec.anchor
    if start < anchor:
        start = anchor
    if until < start:
        return []
    frequency = spec.frequency
    if frequency == "once":
        return [anchor] if start == anchor else []
    days = DAY_STEPS.get(frequency)
    if days is not None:
        first = -(-(start - anchor).days // days)  # ceiling division: the first n at/after start
        last = (until - anchor).days // days
        return [anchor + timedelta(days=n * days) for n in range(first, last + 1)]

    months = MONTH_STEPS[frequency]
    elapsed = (start.year - anchor.year) * 12 + start.month - anchor.month
    # The first step whose month is not before start's month: earlier steps fall in earlier
    # months (clamping only moves a date within its month), so none of them can qualify.
    n = max(0, -(-elapsed // months))
    result = []
    while True:
        nominal = nth_month_date(anchor, n * months)
        if nominal > until:
            return result
        if nominal >= start:
            result.append(nominal)
        n += 1
