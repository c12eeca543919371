"""The forecast engine's shortcuts (issue 20, item 2) give what a plain projection gives.

A plain reference here expands each rule date by date from its anchor (the brute-force
`reference` of test_recurrence), buckets the occurrences per day in name order and sums
Decimals one by one, as the engine did before it summed integer cents per shared date
sequence and built the occurrences on first read. Hypothesis compares the two on random
households; other tests pin the exact-Decimal fallback (contexts where cents would not give
the same Decimals), the occurrences built when read and never stale, and that an edit
shows at once in the next projection.
"""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from decimal import ROUND_FLOOR, Decimal, localcontext
from types import SimpleNamespace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from finora.amounts import ZERO
from finora.business_days import BusinessCalendar
from finora.forecast import projection
from finora.forecast.projection import (
    ForecastInput,
    ForecastRule,
    PendingEntry,
    ProjectedOccurrence,
    project,
)
from finora.forecast.recurrence import RuleSpec, Window
from tests.unit.test_forecast_equivalence import case, fingerprint
from tests.unit.test_recurrence import BASE, reference, spec_strategy

CALENDARS = {None: BusinessCalendar(), "BR": BusinessCalendar("BR"), "US": BusinessCalendar("US")}


def reference_project(data: ForecastInput) -> SimpleNamespace:
    """The projection done the plain way: every field `fingerprint` reads."""
    today, horizon = data.today, data.horizon_days
    last = today + timedelta(days=horizon - 1)
    window = min(90, horizon)
    deltas = [ZERO] * horizon
    extra: list[Decimal] | None = None
    by_day: list[list[ProjectedOccurrence]] = [[] for _ in range(horizon)]
    expenses = ZERO
    for rule in sorted(data.rules, key=lambda rule: rule.name):
        spec = rule.spec
        if rule.scenario and extra is None:
            extra = [ZERO] * horizon
        found = [
            o
            for o in reference(spec, today, last, data.calendar)
            if spec.rule_id is None or (spec.rule_id, o.nominal) not in data.posted
        ]
        if not found:
            continue
        signed = rule.amount if rule.kind == "income" else -rule.amount
        line = extra if rule.scenario and extra is not None else deltas
        for o in found:
            index = (o.date - today).days
            line[index] += signed
            by_day[index].append(
                ProjectedOccurrence(
                    o.date, spec.rule_id, rule.name, rule.kind, rule.amount, rule.scenario,
                    o.nominal.toordinal(),
                )
            )
        if rule.kind == "expense" and not rule.scenario:
            expenses += rule.amount * sum(1 for o in found if (o.date - today).days < window)
    for entry in data.pending:
        index = max(0, (entry.date - today).days)
        if index >= horizon:
            continue
        deltas[index] += entry.amount if entry.kind == "income" else -entry.amount
        if entry.kind == "expense" and index < window:
            expenses += entry.amount

    def running(start: Decimal, steps: list[Decimal]) -> list[Decimal]:
        out = []
        for step in steps:
            start += step
            out.append(start)
        return out

    def lowest(line: list[Decimal], length: int) -> tuple[date, Decimal]:
        low = min(line[:length])
        return today + timedelta(days=line.index(low)), low

    def below(line: list[Decimal], threshold: Decimal | None) -> date | None:
        if threshold is None:
            return None
        return next((today + timedelta(days=n) for n, b in enumerate(line) if b < threshold), None)

    schedule = running(data.starting_balance, deltas)
    minimum = data.minimum_safe_balance
    result = SimpleNamespace(
        today=today,
        horizon_days=horizon,
        starting_balance=data.starting_balance,
        occurrences=[o for day in by_day for o in day],
        schedule=schedule,
        scenario_line=None,
        lowest_90=lowest(schedule, window),
        lowest_horizon=lowest(schedule, horizon),
        first_below_zero=below(schedule, ZERO),
        first_below_minimum=below(schedule, minimum),
        projected_expenses_90=expenses,
        scenario_lowest_90=None,
        scenario_lowest_horizon=None,
        scenario_first_below_zero=None,
        scenario_first_below_minimum=None,
    )
    if extra is not None:
        line = [base + more for base, more in zip(schedule, running(ZERO, extra), strict=True)]
        result.scenario_line = line
        result.scenario_lowest_90 = lowest(line, window)
        result.scenario_lowest_horizon = lowest(line, horizon)
        result.scenario_first_below_zero = below(line, ZERO)
        result.scenario_first_below_minimum = below(line, minimum)
    return result


cents = st.integers(min_value=0, max_value=10**9).map(lambda n: Decimal(n).scaleb(-2))
odd_amounts = st.sampled_from(
    [Decimal("0"), Decimal("7"), Decimal("1E+2"), Decimal("0.005"), Decimal("-3.10"), Decimal("2.5")]
)
rule_strategy = st.builds(
    lambda spec, name, kind, amount, scenario: ForecastRule(name, kind, amount, spec, scenario),
    spec=spec_strategy,
    name=st.sampled_from(["Rent", "Gym", "Salary", "rent", "Water"]),  # duplicates too
    kind=st.sampled_from(["income", "expense"]),
    amount=cents | odd_amounts,
    scenario=st.booleans() | st.just(False),
)


@st.composite
def households(draw: st.DrawFn) -> ForecastInput:
    rules = draw(st.lists(rule_strategy, max_size=12))
    today = BASE + timedelta(days=draw(st.integers(min_value=-40, max_value=40)))
    horizon = draw(st.sampled_from([1, 2, 30, 90, 91, 200, 365, 730]))
    posted = set()
    for rule in rules:
        spec = rule.spec
        if spec.rule_id is not None and draw(st.booleans()):
            upcoming = reference(spec, today - timedelta(days=5), today + timedelta(days=60), BusinessCalendar())
            posted.update((spec.rule_id, o.nominal) for o in upcoming[: draw(st.integers(0, 3))])
    pending = draw(
        st.lists(
            st.builds(
                PendingEntry,
                date=st.integers(min_value=-60, max_value=horizon + 10).map(lambda n: today + timedelta(days=n)),
                kind=st.sampled_from(["income", "expense"]),
                amount=cents | odd_amounts,
            ),
            max_size=4,
        )
    )
    return ForecastInput(
        rules=rules,
        starting_balance=draw(cents | odd_amounts | st.just(Decimal("-0.00"))),
        today=today,
        horizon_days=horizon,
        calendar=CALENDARS[draw(st.sampled_from([None, "BR", "US"]))],
        pending=pending,
        posted=frozenset(posted),
        minimum_safe_balance=draw(st.none() | cents),
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(households())
def test_the_engine_matches_a_plain_projection(data):
    assert fingerprint(project(data)) == fingerprint(reference_project(data))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(households(), st.sampled_from(["floor", "short", "both"]))
def test_contexts_where_cents_would_differ_fall_back_to_decimal_sums(data, kind):
    """ROUND_FLOOR makes x + -x a negative zero, and a short precision rounds: the engine
    then sums in Decimal, in the caller's context, exactly as the plain projection does."""
    with localcontext() as context:
        if kind in ("floor", "both"):
            context.rounding = ROUND_FLOOR
        if kind in ("short", "both"):
            context.prec = 6
        expected = fingerprint(reference_project(data))
        assert fingerprint(project(data)) == expected


def test_a_floor_context_keeps_its_negative_zero():
    rules = [
        ForecastRule("In", "income", Decimal("5.00"), RuleSpec("once", BASE)),
        ForecastRule("Out", "expense", Decimal("5.00"), RuleSpec("once", BASE)),
    ]
    data = ForecastInput(rules=rules, starting_balance=Decimal("0.00"), today=BASE, horizon_days=3)
    assert repr(project(data).schedule[0]) == "Decimal('0.00')"
    with localcontext() as context:
        context.rounding = ROUND_FLOOR
        assert repr(project(data).schedule[0]) == "Decimal('-0.00')"


def test_a_short_precision_rounds_as_the_plain_sums_do():
    rule = ForecastRule("Big", "income", Decimal("123456789.01"), RuleSpec("daily", BASE))
    data = ForecastInput(rules=[rule], starting_balance=Decimal("0.00"), today=BASE, horizon_days=5)
    with localcontext() as context:
        context.prec = 8
        schedule = project(data).schedule
        assert schedule == reference_project(data).schedule
    assert schedule[0] == Decimal("123456790")  # rounded to 8 digits, as before


def test_the_cents_sums_equal_the_decimal_sums_on_every_golden_case():
    checked = 0
    for seed in range(80):
        data = case(seed)
        forecast = project(data)
        parts = forecast.rows._parts
        scenario = forecast.scenario_line is not None
        ordinal0 = data.today.toordinal()
        in_cents = projection._lines_in_cents(data, parts, scenario, ordinal0)
        in_decimal = projection._lines_in_decimal(data, parts, scenario, ordinal0)
        if in_cents is not None:
            checked += 1
            assert repr(in_cents) == repr(in_decimal), seed
    assert checked >= 60  # the odd-amount cases fall back; the rest are summed in cents


def household(amount: str = "100.00", anchor: date = BASE) -> ForecastInput:
    return ForecastInput(
        rules=[
            ForecastRule("Rent", "expense", Decimal(amount), RuleSpec("monthly", anchor, rule_id=1)),
            ForecastRule("Pay", "income", Decimal("900.00"), RuleSpec("weekly", BASE, rule_id=2, policy="previous")),
        ],
        starting_balance=Decimal("50.00"),
        today=BASE,
        horizon_days=120,
        calendar=CALENDARS["BR"],
    )


def test_occurrences_are_built_once_and_then_the_same_list():
    forecast = project(household())
    first = forecast.occurrences
    assert first and forecast.occurrences is first
    assert forecast == project(household())  # the rows compare by their occurrences


def test_the_first_days_alone_match_the_whole_list_before_and_after_it_is_built():
    forecast = project(household())
    last = BASE + timedelta(days=30)
    early = forecast.occurrences_through(last)
    assert forecast.rows._built is None  # the rest was not built
    whole = forecast.occurrences
    assert early == [o for o in whole if o.date <= last]
    assert forecast.occurrences_through(last) == early
    assert forecast.occurrences_through(BASE - timedelta(days=1)) == []
    assert forecast.occurrences_through(BASE + timedelta(days=999)) == whole


def test_an_edit_shows_at_once_in_the_next_projection():
    """Nothing is kept between projections: a changed amount, date or new rule shows."""
    before = project(household())
    assert [o.amount for o in before.occurrences if o.name == "Rent"][0] == Decimal("100.00")
    edited = project(household(amount="250.00"))
    assert [o.amount for o in edited.occurrences if o.name == "Rent"][0] == Decimal("250.00")
    assert edited.schedule != before.schedule
    moved = project(household(anchor=BASE + timedelta(days=3)))
    assert [o.date for o in moved.occurrences if o.name == "Rent"][0] == BASE + timedelta(days=3)
    data = household()
    added = dataclasses.replace(
        data,
        rules=[*data.rules, ForecastRule("Gym", "expense", Decimal("30.00"), RuleSpec("once", BASE))],
    )
    assert "Gym" in {o.name for o in project(added).occurrences}
    assert fingerprint(project(household())) == fingerprint(before)


def test_changing_the_input_after_projecting_changes_nothing_read_later():
    """The occurrences are built on first read from what was copied while projecting."""
    data = household()
    forecast = project(data)
    expected = fingerprint(reference_project(household()))
    data.rules.append(ForecastRule("Late", "expense", Decimal("1.00"), RuleSpec("daily", BASE)))
    data.rules[0] = ForecastRule("Rent", "expense", Decimal("999.00"), data.rules[0].spec)
    data.pending.append(PendingEntry(BASE, "expense", Decimal("5.00")))
    assert fingerprint(forecast) == expected


def test_a_window_cut_and_take_give_what_expand_gives():
    window = Window(BASE, BASE + timedelta(days=200), CALENDARS["BR"], tables=True)
    # Weekly from day -30: days 5, 12, 19, 26... Day 12 is skipped, day 13 is not on the
    # schedule, day 26 is excluded, and day 19 both skipped and excluded (one position).
    spec = RuleSpec(
        "weekly", BASE - timedelta(days=30), policy="next", rule_id=4,
        skips=frozenset(BASE + timedelta(days=n) for n in (12, 13, 19)),
    )
    excluded = {(BASE + timedelta(days=n)).toordinal() for n in (19, 26)}
    nominals, adjusted, low, high, removed = window.cut(spec, excluded)
    assert [date.fromordinal(nominals[p]) - BASE for p in removed] == [
        timedelta(days=n) for n in (12, 19, 26)
    ]
    part = window.expand(spec, excluded)
    assert [nominals[p] for p in range(low, high) if p not in removed] == list(part[0])
    assert [adjusted[p] for p in range(low, high) if p not in removed] == list(part[1])
    assert (BASE + timedelta(days=5)).toordinal() in part[0]
