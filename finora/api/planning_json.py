"""Schedules, holds and skips as PyCashFlow's client decodes them (docs/api.md,
"Schedules, scenarios, holds and skips"): every non-optional field present and never null,
money as decimal strings, Finora's extra fields alongside."""

from __future__ import annotations

from datetime import date
from typing import Any

from finora.api.schemas_planning import FREQUENCY_OUT, TYPE_OUT
from finora.api.serialize import day, money
from finora.business_days import BusinessCalendar
from finora.models import RecurringRule, Skip


def schedule(rule: RecurringRule, start: date) -> dict[str, Any]:
    """A rule as a schedule. `first_date` is the rule's anchor (its first occurrence);
    `start_date` is the nominal date of its next occurrence not yet past or posted (the
    anchor once there is none) — PyCashFlow moves its start date forward the same way."""
    return {
        "id": rule.id,
        "name": rule.name,
        "amount": money(rule.amount),
        "type": TYPE_OUT[rule.kind],
        "frequency": FREQUENCY_OUT[rule.frequency],
        "start_date": day(start),
        "first_date": day(rule.anchor_date),
        "end_date": day(rule.end_date),
        "account_id": rule.account_id,
        "category_id": rule.category_id,
        "subcategory_id": rule.subcategory_id,
        "hold_until": day(rule.hold_until),
        "is_scenario": bool(rule.is_scenario),
    }


def hold(rule: RecurringRule, *, indefinite: date) -> dict[str, Any]:
    """A held schedule. Finora keeps the hold on the rule, so the hold's id is the
    schedule's id; `until` is null for a hold with no end date."""
    return {
        "id": rule.id,
        "schedule_id": rule.id,
        "name": rule.name,
        "amount": money(rule.amount),
        "type": TYPE_OUT[rule.kind],
        "until": None if rule.hold_until is None or rule.hold_until >= indefinite else day(rule.hold_until),
    }


def skip(row: Skip, rule: RecurringRule, calendar: BusinessCalendar) -> dict[str, Any]:
    """A skipped occurrence: `date` as the forecast shows it (after the business-day rule),
    `occurrence_date` the rule's own (nominal) date that keys it."""
    return {
        "id": row.id,
        "schedule_id": rule.id,
        "name": rule.name,
        "date": day(calendar.shift(row.occurrence_date, rule.business_day_policy)),
        "occurrence_date": day(row.occurrence_date),
        "amount": money(rule.amount),
        "type": TYPE_OUT[rule.kind],
    }
