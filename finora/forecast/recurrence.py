"""Expanding a recurring rule into dated occurrences: the one code path (`Window`) that serves
both posting to the ledger (through `occurrences`) and projecting the forecast. Pure: no
Flask, no database."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from calendar import monthrange
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import cast

from finora.business_days import POLICIES, BusinessCalendar

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
    nominals, adjusted = Window(start, end, calendar).expand(spec)
    rule_id = spec.rule_id
    fromordinal = date.fromordinal
    if nominals is adjusted:
        return [Occurrence(rule_id, day, day) for day in map(fromordinal, nominals)]
    return [
        Occurrence(rule_id, fromordinal(nominal), fromordinal(moved))
        for nominal, moved in zip(nominals, adjusted, strict=True)
    ]


class Window:
    """The adjusted-date window [start, end] under one calendar, for expanding rules into it.

    `occurrences()` makes one per call and works the rule's dates out directly. The
    projection makes one for all its rules with `tables=True`: the shift of every day the
    policies can move into the window is worked out once, and so are the dates of each
    (frequency, policy, phase), which rules sharing them cut to their own anchor, hold and
    end. Both modes share the nominal ranges, the shifting rule and the leaving out of
    skips; tests/unit/test_recurrence.py checks both against a plain reference. Works in
    proleptic ordinals (`date.toordinal()`): integer arithmetic, no date objects.
    """

    def __init__(
        self, start: date, end: date, calendar: BusinessCalendar, *, tables: bool = False
    ) -> None:
        self.start = start.toordinal()
        self.end = end.toordinal()
        self._start_date = start
        self._end_date = end
        self._calendar = calendar
        self._tables = tables
        self._bounds: dict[str, tuple[int, int]] = {"none": (self.start, self.end)}
        # Tables mode only: policy -> {nominal ordinal: adjusted ordinal} over the policy's
        # nominal range; day of month -> that day's ordinal in each month the ranges touch;
        # (frequency, policy, phase) -> its (nominal, adjusted) ordinals in the window.
        self._shifts: dict[str, dict[int, int]] = {}
        self._months: dict[int, tuple[int, list[int]]] = {}
        self._month_span: range | None = None
        self._shared: dict[tuple[str, str, int | tuple[int, int]], tuple[Sequence[int], Sequence[int]]] = {}

    def expand(
        self, spec: RuleSpec, excluded: set[int] | frozenset[int] | None = None
    ) -> tuple[Sequence[int], Sequence[int]]:
        """The nominal and adjusted ordinals of the rule's occurrences in the window, in
        (adjusted, nominal) order; the same object twice when no date moves.

        `excluded`: more nominal ordinals to leave out, besides `spec.skips`. The sequences
        may be shared with other rules' (tables mode): read them, do not change them.
        """
        _check(spec)
        if self._tables and spec.frequency != "once":
            nominals, adjusted = self._from_tables(spec)
        else:
            nominals, adjusted = self._direct(spec)
        if (spec.skips or excluded) and nominals:
            left_out = [day.toordinal() for day in spec.skips]
            if excluded:
                left_out.extend(excluded)
            return _leave_out(nominals, adjusted, left_out)
        return nominals, adjusted

    def _direct(self, spec: RuleSpec) -> tuple[Sequence[int], Sequence[int]]:
        """The rule's dates worked out for it alone."""
        policy = spec.policy
        lo, hi = self._bounds.get(policy) or self._nominal_bounds(policy)
        if spec.hold_until is not None:
            lo = max(lo, spec.hold_until.toordinal())
        if spec.end is not None:
            hi = min(hi, spec.end.toordinal())
        nominals = _nominal_ordinals(spec, lo, hi)
        if policy == "none" or not nominals:
            return nominals, nominals  # [lo, hi] lies inside [start, end]: nothing moves
        return self._shift_into(nominals, policy)

    def _from_tables(self, spec: RuleSpec) -> tuple[Sequence[int], Sequence[int]]:
        """The rule's dates cut out of those of every schedule with its step and phase.

        Past its anchor a schedule's dates depend only on its frequency and phase (see
        `_phase`): rules that differ in nothing else, such as all monthly rules due on the
        10th, share one expansion of the whole window, and each takes the part from its
        anchor (or hold) to its end.
        """
        key = (spec.frequency, spec.policy, _phase(spec))
        found = self._shared.get(key)
        if found is None:
            found = self._shared[key] = self._phase_dates(*key)
        nominals, adjusted = found
        first = spec.anchor.toordinal()
        if spec.hold_until is not None:
            first = max(first, spec.hold_until.toordinal())
        low = bisect_left(nominals, first) if nominals and first > nominals[0] else 0
        high = len(nominals)
        if spec.end is not None:
            high = bisect_right(nominals, spec.end.toordinal(), low)
        if low or high < len(nominals):
            if adjusted is nominals:
                part = nominals[low:high]
                return part, part
            return nominals[low:high], adjusted[low:high]
        return nominals, adjusted

    def _phase_dates(
        self, frequency: str, policy: str, phase: int | tuple[int, int]
    ) -> tuple[Sequence[int], Sequence[int]]:
        """Every date of the schedules with this frequency and phase that can land in the
        window, however far back they began, as immutable sequences."""
        lo, hi = self._bounds.get(policy) or self._nominal_bounds(policy)
        step = DAY_STEPS.get(frequency)
        if step is not None:
            nominals: Sequence[int] = range(lo + (cast(int, phase) - lo) % step, hi + 1, step)
        else:
            months = MONTH_STEPS[frequency]
            day, remainder = cast(tuple[int, int], phase)
            base, ordinals = self._month_days(day)
            steps = ordinals[(remainder - base) % months :: months]
            nominals = tuple(steps[bisect_left(steps, lo) : bisect_right(steps, hi)])
        if policy == "none" or not nominals:
            return nominals, nominals
        nominals, adjusted = self._shift_into(nominals, policy)
        return tuple(nominals), tuple(adjusted)

    def _shift_into(
        self, nominals: Sequence[int], policy: str
    ) -> tuple[Sequence[int], Sequence[int]]:
        """The dates shifted by `policy`, and the pairs that land in [start, end]."""
        adjusted = self._shift(nominals, policy)
        # Shifting never reorders (an earlier day never lands after a later one), so the
        # pairs are already in (adjusted, nominal) order and only the ends can fall outside.
        first = bisect_left(adjusted, self.start)
        last = bisect_right(adjusted, self.end)
        if first or last < len(adjusted):
            return nominals[first:last], adjusted[first:last]
        return nominals, adjusted

    def _nominal_bounds(self, policy: str) -> tuple[int, int]:
        """The nominal dates (ordinals) that can land in the window under `policy`."""
        # With "next" a nominal date before `start` lands in range exactly when every day
        # from it up to `start` is a non-business day, so the range reaches back over that
        # run; "previous" mirrors it after `end`.
        if policy == "next":
            bounds = _run_edge(self._calendar, self._start_date, -1).toordinal(), self.end
        else:
            bounds = self.start, _run_edge(self._calendar, self._end_date, 1).toordinal()
        self._bounds[policy] = bounds
        return bounds

    def _shift(self, nominals: Sequence[int], policy: str) -> list[int]:
        if not self._tables:
            shift = self._calendar.shift
            fromordinal = date.fromordinal
            return [shift(fromordinal(n), policy).toordinal() for n in nominals]
        table = self._shifts.get(policy)
        if table is None:
            table = self._shifts[policy] = self._shift_table(policy)
        return list(map(table.__getitem__, nominals))

    def _month_days(self, day: int) -> tuple[int, list[int]]:
        """The first month index of the window's nominal ranges, and from it on the ordinal
        of day `day` of each month (clamped to the month's length) up to the last."""
        found = self._months.get(day)
        if found is None:
            span = self._month_span
            if span is None:
                lo = (self._bounds.get("next") or self._nominal_bounds("next"))[0]
                hi = (self._bounds.get("previous") or self._nominal_bounds("previous"))[1]
                low, high = date.fromordinal(lo), date.fromordinal(hi)
                span = self._month_span = range(
                    low.year * 12 + low.month - 1, high.year * 12 + high.month
                )
            found = self._months[day] = (
                span.start,
                [
                    begin + (day if day <= length else length) - 1
                    for begin, length in map(_month, span)
                ],
            )
        return found

    def _shift_table(self, policy: str) -> dict[int, int]:
        """Where each day of the policy's nominal range lands: one pass over the range,
        carrying the nearest business day along (from the far end, against the policy's
        direction), so each day's business status is asked once."""
        lo, hi = self._bounds[policy]
        calendar = self._calendar
        is_business_day = calendar.is_business_day
        days = [date.fromordinal(n) for n in range(lo, hi + 1)]
        moved = {}
        if policy == "next":
            carried = calendar.shift(days[-1], policy).toordinal()
            for position in range(len(days) - 1, -1, -1):
                if is_business_day(days[position]):
                    carried = lo + position
                moved[lo + position] = carried
        else:
            carried = calendar.shift(days[0], policy).toordinal()
            for position, day in enumerate(days):
                if is_business_day(day):
                    carried = lo + position
                moved[lo + position] = carried
        return moved


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


def _leave_out(
    nominals: Sequence[int], adjusted: Sequence[int], left_out: list[int]
) -> tuple[Sequence[int], Sequence[int]]:
    """The pairs without those whose nominal date is in `left_out` (a few dates, usually;
    the nominal dates are strictly increasing, so each is found by bisection)."""
    low, high = nominals[0], nominals[-1]
    # The sequences may be shared: the first date left out makes copies, which change.
    kept: list[int] | None = None
    kept_adjusted: list[int] | None = None  # stays None while adjusted is nominals
    for nominal in left_out:
        if not low <= nominal <= high:
            continue
        current = nominals if kept is None else kept
        position = bisect_left(current, nominal)
        if position == len(current) or current[position] != nominal:
            continue
        if kept is None:
            kept = list(nominals)
            kept_adjusted = None if adjusted is nominals else list(adjusted)
        del kept[position]
        if kept_adjusted is not None:
            del kept_adjusted[position]
    if kept is None:
        return nominals, adjusted
    return kept, kept if kept_adjusted is None else kept_adjusted


def _phase(spec: RuleSpec) -> int | tuple[int, int]:
    """What sets a schedule's dates apart from others of its frequency after its anchor:
    the anchor's day of month and month modulo the step, or its day modulo the step."""
    anchor = spec.anchor
    months = MONTH_STEPS.get(spec.frequency)
    if months is not None:
        return anchor.day, (anchor.year * 12 + anchor.month - 1) % months
    return anchor.toordinal() % DAY_STEPS[spec.frequency]


def _run_edge(calendar: BusinessCalendar, day: date, direction: int) -> date:
    """The far end of the run of non-business days right next to `day` (before it when
    `direction` is -1, after it when 1), or `day` itself when its neighbour is a business day."""
    step = timedelta(days=direction)
    limit = date.max if direction > 0 else date.min
    edge = day
    for _ in range(366):
        if edge == limit:
            return edge  # the calendar ends here: no neighbour to look at
        neighbour = edge + step
        if calendar.is_business_day(neighbour):
            return edge
        edge = neighbour
    return edge


def _nominal_between(spec: RuleSpec, start: date, until: date) -> list[date]:
    """The schedule's nominal dates in [max(start, anchor), until], in order."""
    return list(
        map(date.fromordinal, _nominal_ordinals(spec, start.toordinal(), until.toordinal()))
    )


def _nominal_ordinals(spec: RuleSpec, start: int, until: int) -> Sequence[int]:
    """The ordinals of the schedule's nominal dates in [max(start, anchor), until], in order.

    Each is computed from the anchor (see `nth_month_date`), directly from the first one at
    or after `start`, never by walking from the anchor.
    """
    anchor = spec.anchor
    first_day = anchor.toordinal()
    if start < first_day:
        start = first_day
    if until < start:
        return ()
    frequency = spec.frequency
    if frequency == "once":
        return (first_day,) if start == first_day else ()
    step = DAY_STEPS.get(frequency)
    if step is not None:
        first = first_day + -(-(start - first_day) // step) * step  # first at/after start
        return range(first, until + 1, step)

    months = MONTH_STEPS[frequency]
    origin = anchor.year * 12 + anchor.month - 1
    day = anchor.day
    # Steps whose month lies in [start's month, until's month]; clamping only moves a date
    # within its month, so only the first and the last of them can fall outside.
    low = date.fromordinal(start)
    high = date.fromordinal(until)
    first = max(0, -(-(low.year * 12 + low.month - 1 - origin) // months))
    last = (high.year * 12 + high.month - 1 - origin) // months
    if last < first:
        return ()
    steps = range(origin + first * months, origin + last * months + 1, months)
    result = [
        begin + (day if day <= length else length) - 1 for begin, length in map(_month, steps)
    ]
    if result[0] < start:
        del result[0]
    if result and result[-1] > until:
        del result[-1]
    return result


@lru_cache(maxsize=4096)
def _month(index: int) -> tuple[int, int]:
    """The ordinal of the month's 1st and the month's length, for month `index` counted as
    `year * 12 + month - 1`."""
    year, month = divmod(index, 12)
    return date(year, month + 1, 1).toordinal(), monthrange(year, month + 1)[1]
