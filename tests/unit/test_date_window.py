"""Dates at the calendar's edges: the window every input is checked against, and the engine
(expansion, business-day shifts, projection, next occurrences) never overflowing, whatever
date a rule saved before the window existed may hold."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest

from finora.business_days import BusinessCalendar, add_days
from finora.dates import check_date, date_window, in_window
from finora.errors import FieldError
from finora.forecast.projection import ForecastInput, ForecastRule, project
from finora.forecast.recurrence import FREQUENCIES, RuleSpec, Window, occurrences
from finora.services.planning.rules import next_occurrences

CALENDARS = (BusinessCalendar(), BusinessCalendar("BR"), BusinessCalendar("US"))
POLICIES = ("none", "next", "previous")


def test_the_default_window_is_1900_to_2199():
    assert date_window() == (date(1900, 1, 1), date(2199, 12, 31))
    assert in_window(date(1900, 1, 1)) and in_window(date(2199, 12, 31))
    assert not in_window(date(1899, 12, 31)) and not in_window(date(2200, 1, 1))
    assert not in_window(date.min) and not in_window(date.max)


def test_check_date_names_the_field_and_the_range():
    check_date(None, "date")
    check_date(date(2026, 3, 1), "date")
    with pytest.raises(FieldError) as caught:
        check_date(date.min, "anchor_date")
    assert caught.value.field == "anchor_date"
    assert "1900" in str(caught.value.message) and "2199" in str(caught.value.message)


def test_add_days_stops_at_the_calendar_edges():
    assert add_days(date.max, 31) == date.max
    assert add_days(date.min, -10) == date.min
    assert add_days(date(2026, 1, 31), 1) == date(2026, 2, 1)


@pytest.mark.parametrize("calendar", CALENDARS, ids=repr)
@pytest.mark.parametrize("policy", POLICIES)
def test_shifting_at_the_edges_stays_on_the_calendar(calendar, policy):
    for day in (date.min, date(1, 1, 2), date.max, date(9999, 12, 30)):
        assert date.min <= calendar.shift(day, policy) <= date.max


@pytest.mark.parametrize("calendar", CALENDARS, ids=repr)
@pytest.mark.parametrize("policy", POLICIES)
@pytest.mark.parametrize("frequency", FREQUENCIES)
def test_expanding_rules_at_the_edges_does_not_overflow(calendar, policy, frequency):
    first = RuleSpec(frequency, date.min, None, policy)
    last = RuleSpec(frequency, date(9999, 12, 1), date.max, policy)
    occurrences(first, date.min, date(1, 3, 1), calendar)
    found = occurrences(last, date(9999, 11, 1), date.max, calendar)
    assert all(o.date <= date.max for o in found)
    for tables in (False, True):
        Window(date(9999, 10, 1), date.max, calendar, tables=tables).expand(last)
        Window(date.min, date(1, 2, 1), calendar, tables=tables).expand(first)


@pytest.mark.parametrize("policy", POLICIES)
@pytest.mark.parametrize("frequency", FREQUENCIES)
def test_a_projection_with_rules_from_year_one_to_9999(policy, frequency):
    spec = RuleSpec(frequency, date.min, date.max, policy, rule_id=1)
    forecast = project(
        ForecastInput(
            [ForecastRule("Edge", "expense", Decimal("1.00"), spec)],
            Decimal("100.00"),
            date(2026, 12, 4),
            calendar=BusinessCalendar("BR"),
        )
    )
    assert len(forecast.schedule) == forecast.horizon_days


@pytest.mark.parametrize("policy", POLICIES)
@pytest.mark.parametrize("frequency", FREQUENCIES)
def test_next_occurrences_of_a_rule_ending_on_9999_12_31(policy, frequency):
    rule = SimpleNamespace(
        id=1, frequency=frequency, anchor_date=date(2026, 1, 10), end_date=date.max,
        business_day_policy=policy, hold_until=None, posted_through=None,
    )
    found = next_occurrences(rule, date(2026, 12, 4), BusinessCalendar("US"))
    assert len(found) == (0 if frequency == "once" else 5)
    late = SimpleNamespace(**{**vars(rule), "anchor_date": date(9999, 12, 31)})
    assert len(next_occurrences(late, date(9999, 12, 1), BusinessCalendar("US"))) <= 1


def test_the_window_comes_from_the_environment(monkeypatch, tmp_path):
    from config import ConfigError, load_config

    monkeypatch.setenv("FINORA_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DATE_MIN_YEAR", "1950")
    monkeypatch.setenv("DATE_MAX_YEAR", "2100")
    config = load_config("development")
    assert (config.DATE_MIN_YEAR, config.DATE_MAX_YEAR) == (1950, 2100)
    monkeypatch.setenv("DATE_MIN_YEAR", "2200")
    with pytest.raises(ConfigError, match="DATE_MIN_YEAR"):
        load_config("development")
