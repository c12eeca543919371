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
from itertools import chain
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
        self._shared: dict[
            tuple[str, str, int | tuple[int, int]], tuple[Sequence[int], Sequence[int]]
        ] = {}
        self._business: dict[int, bool] = {}  # ordinal -> is a business day (tables mode)

    def expand(
        self, spec: RuleSpec, excluded: set[int] | frozenset[int] | None = None
    ) -> tuple[Sequence[int], Sequence[int]]:
        """The nominal and adjusted ordinals of the rule's occurrences in the window, in
        (adjusted, nominal) order; the same object twice when no date moves.

        `excluded`: more nominal ordinals to leave out, besides `spec.skips`. The sequences
        may be shared with other rules' (tables mode): read them, do not change them.
        """
        return take(*self.cut(spec, excluded))

    def cut(
        self, spec: RuleSpec, excluded: set[int] | frozenset[int] | None = None
    ) -> tuple[Sequence[int], Sequence[int], int, int, list[int]]:
        """The rule's occurrences as a part of sequences that may be shared, copying
        nothing: the nominal and adjusted ordinals, the positions [low, high) the rule
        takes, and the positions in it that are left out (sorted; `spec.skips` and
        `excluded`). `take` makes them `expand`'s pair of sequences.

        In tables mode the rule's dates are cut out of those of every schedule with its
        step and phase. Past its anchor a schedule's dates depend only on its frequency and
        phase (the anchor's day of month and its month modulo the step in months, or its
        day number modulo the step in days): rules that differ in nothing else, such as
        all monthly rules due on the 10th, share one expansion of the whole window, and
        each takes the part from its anchor (or hold) to its end — so summing per sequence
        and per part is cheaper than per date. The rule is checked (`_check`) when its
        schedule is first met: a key found in the tables was made from a valid frequency
        and policy.
        """
        frequency = spec.frequency
        if self._tables and frequency != "once":
            anchor = spec.anchor
            first = anchor.toordinal()
            months = MONTH_STEPS.get(frequency)
            if months is not None:
                phase: int | tuple[int, int] = (
                    anchor.day,
                    (anchor.year * 12 + anchor.month - 1) % months,
                )
            else:
                step = DAY_STEPS.get(frequency)
                phase = first % step if step is not None else 0
            key = (frequency, spec.policy, phase)
            found = self._shared.get(key)
            if found is None:
                _check(spec)
                found = self._shared[key] = self._phase_dates(*key)
            nominals, adjusted = found
            hold = spec.hold_until
            if hold is not None and hold.toordinal() > first:
                first = hold.toordinal()
            low = bisect_left(nominals, first) if nominals and first > nominals[0] else 0
            end = spec.end
            high = len(nominals) if end is None else bisect_right(nominals, end.toordinal(), low)
        else:
            _check(spec)
            nominals, adjusted = self._direct(spec)
            low, high = 0, len(nominals)
        skips = spec.skips
        if (skips or excluded) and low < high:
            return nominals, adjusted, low, high, _positions(nominals, low, high, skips, excluded)
        return nominals, adjusted, low, high, []

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
        table = self._shifts.get(policy)
        if table is None:
            table = self._shifts[policy] = self._shift_table(policy)
        adjusted = tuple(map(table.__getitem__, nominals))
        # Shifting never reorders, so only the ends can fall outside [start, end].
        first = bisect_left(adjusted, self.start)
        last = bisect_right(adjusted, self.end)
        return tuple(nominals[first:last]), adjusted[first:last]

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
        direction), so each day's business status is asked once per window (both
        policies share the answers)."""
        lo, hi = self._bounds[policy]
        calendar = self._calendar
        business = self._business
        days = range(lo, hi + 1)
        unknown = [day for day in days if day not in business]
        if unknown:
            business.update(
                zip(unknown, map(calendar.is_business_day, map(date.fromordinal, unknown)), strict=True)
            )
        moved = {}
        if policy == "next":
            carried = calendar.shift(date.fromordinal(hi), policy).toordinal()
            for day in reversed(days):
                if business[day]:
                    carried = day
                moved[day] = carried
        else:
            carried = calendar.shift(date.fromordinal(lo), policy).toordinal()
            for day in days:
                if business[day]:
                    carried = day
                moved[day] = carried
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


_FREQUENCIES = frozenset(FREQUENCIES)
_POLICIES = frozenset(POLICIES)


def _check(spec: RuleSpec) -> None:
    if spec.frequency not in _FREQUENCIES:
        raise ValueError(f"unknown frequency: {spec.frequency!r}")
    if spec.policy not in _POLICIES:
        raise ValueError(f"unknown business-day policy: {spec.policy!r}")


def take(
    nominals: Sequence[int],
    adjusted: Sequence[int],
    low: int,
    high: int,
    removed: Sequence[int] = (),
) -> tuple[Sequence[int], Sequence[int]]:
    """The pairs at positions [low, high) but `removed` (sorted positions), as `expand`
    gives them: the same sequence twice when `adjusted` is `nominals` (no date moves), and
    the sequences themselves when the part is all of them."""
    if removed:
        left_out = set(removed)
        kept = [position for position in range(low, high) if position not in left_out]
        picked = [nominals[position] for position in kept]
        if adjusted is nominals:
            return picked, picked
        return picked, [adjusted[position] for position in kept]
    if low or high < len(nominals):
        part = nominals[low:high]
        if adjusted is nominals:
            return part, part
        return part, adjusted[low:high]
    return nominals, adjusted


def _positions(
    nominals: Sequence[int],
    low: int,
    high: int,
    skips: frozenset[date],
    excluded: set[int] | frozenset[int] | None,
) -> list[int]:
    """The positions in [low, high) of the nominal ordinals in `skips` (dates) or
    `excluded` (ordinals), sorted: a few dates, usually, each found by bisection (the
    nominal dates are strictly increasing)."""
    first, last = nominals[low], nominals[high - 1]
    found: list[int] = []
    for nominal in chain(map(date.toordinal, skips), excluded or ()):
        if first <= nominal <= last:
            position = bisect_left(nominals, nominal, low, high)
            if nominals[position] == nominal:
                found.append(position)
    # A date both skipped and excluded is one position.
    return sorted(set(found)) if len(found) > 1 else found


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
