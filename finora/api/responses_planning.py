"""What the planning endpoints answer (docs/api.md, "Schedules, scenarios, holds and
skips"): schedules, holds and skips as planning_json.py writes them."""

from __future__ import annotations

from typing import Literal

from finora.api.spec import Day, Money, Out

Kind = Literal["Income", "Expense"]
FrequencyWord = Literal["Monthly", "Weekly", "BiWeekly", "Quarterly", "Yearly", "Onetime", "Daily"]


class ScheduleOut(Out):
    """A recurring rule (a schedule, or a scenario with `is_scenario`)."""

    id: int
    name: str
    amount: Money
    type: Kind
    frequency: FrequencyWord
    start_date: Day
    first_date: Day
    end_date: Day | None
    account_id: int
    category_id: int
    subcategory_id: int | None
    hold_until: Day | None
    is_scenario: bool


class HoldOut(Out):
    """A paused schedule (the hold's id is the schedule's); `until` null: no end date."""

    id: int
    schedule_id: int
    name: str
    amount: Money
    type: Kind
    until: Day | None


class SkipOut(Out):
    """One occurrence left out: `date` as the forecast shows it, `occurrence_date` the
    schedule's own date."""

    id: int
    schedule_id: int
    name: str
    date: Day
    occurrence_date: Day
    amount: Money
    type: Kind
