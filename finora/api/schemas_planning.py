"""The bodies of PyCashFlow's planning endpoints (schedules, scenarios, holds, skips):
PyCashFlow's own words ("Income", "BiWeekly", "Onetime") read into Finora's, money read as
a decimal string so a phone's float never rounds a cent away."""

from __future__ import annotations

import datetime as dt
import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import BeforeValidator, ConfigDict, Field, WithJsonSchema, field_validator

from finora.amounts import CENT, MAX_AMOUNT
from finora.api.schemas import Body
from finora.translation import gettext as _

# PyCashFlow's frequency words (and Finora's own) -> Finora's RecurringRule.frequency.
FREQUENCY_IN = {
    "monthly": "monthly",
    "weekly": "weekly",
    "biweekly": "biweekly",
    "quarterly": "quarterly",
    "yearly": "yearly",
    "onetime": "once",
    "once": "once",
    "daily": "daily",
}
# Finora's frequency -> the word PyCashFlow's client decodes.
FREQUENCY_OUT = {
    "monthly": "Monthly",
    "weekly": "Weekly",
    "biweekly": "BiWeekly",
    "quarterly": "Quarterly",
    "yearly": "Yearly",
    "once": "Onetime",
    "daily": "Daily",
}
TYPE_IN = {"income": "income", "expense": "expense"}
TYPE_OUT = {"income": "Income", "expense": "Expense"}

_DECIMAL = re.compile(r"\d{1,12}(\.\d{1,2})?")


def read_amount(value: Any) -> Decimal:
    """A positive amount with at most two decimal places, given as a decimal string
    ("1500.00", "1500", "1500.5") or a JSON number; never a float's noise, NaN or a value
    past MAX_AMOUNT."""
    if isinstance(value, bool) or value is None:
        raise ValueError(_("Enter an amount, such as \"1500.00\"."))
    if isinstance(value, int):
        text = str(value)
    elif isinstance(value, float):
        text = repr(value)
        if text.endswith(".0"):
            text = text[:-2]
    elif isinstance(value, str):
        text = value.strip()
    else:
        raise ValueError(_("Enter an amount, such as \"1500.00\"."))
    if text.startswith("-"):
        raise ValueError(_("Enter a positive amount."))
    if not _DECIMAL.fullmatch(text):
        if re.fullmatch(r"\d+\.\d{3,}", text):
            raise ValueError(_("Use at most two decimal places."))
        if re.fullmatch(r"\d{13,}(\.\d*)?", text):
            raise ValueError(_("The amount is too large."))
        raise ValueError(_("Enter an amount, such as \"1500.00\"."))
    try:
        amount = Decimal(text).quantize(CENT)
    except InvalidOperation:  # pragma: no cover - the pattern admits only plain decimals
        raise ValueError(_("Enter an amount, such as \"1500.00\".")) from None
    if amount > MAX_AMOUNT:
        raise ValueError(_("The amount is too large."))
    if amount <= 0:
        raise ValueError(_("Enter a positive amount."))
    return amount


def _read_type(value: Any) -> str:
    if isinstance(value, str) and value.strip().lower() in TYPE_IN:
        return TYPE_IN[value.strip().lower()]
    raise ValueError(_("Choose \"Income\" or \"Expense\"."))


def _read_frequency(value: Any) -> str:
    if isinstance(value, str):
        key = value.strip().lower().replace("-", "").replace("_", "").replace(" ", "")
        if key in FREQUENCY_IN:
            return FREQUENCY_IN[key]
    raise ValueError(_("Choose one of Monthly, Weekly, BiWeekly, Quarterly, Yearly, Onetime or Daily."))


# What the document says each accepts (the validators read more leniently: any case).
Amount = Annotated[Decimal, BeforeValidator(read_amount), WithJsonSchema({
    "anyOf": [
        {"type": "string", "pattern": r"^([1-9]\d{0,11}(\.\d{1,2})?|0\.([1-9]\d?|0[1-9]))$"},
        {"type": "number", "exclusiveMinimum": 0, "maximum": 999999999999.99},
    ],
    "description": "A positive amount: a decimal string with at most two places (preferred) "
                   "or a JSON number.",
    "examples": ["1500.00"],
})]
Kind = Annotated[str, BeforeValidator(_read_type), WithJsonSchema({
    "type": "string", "enum": ["Income", "Expense", "income", "expense", "INCOME", "EXPENSE"],
    "description": "Income or expense, in any case.",
})]
Frequency = Annotated[str, BeforeValidator(_read_frequency), WithJsonSchema({
    "type": "string",
    "enum": [*FREQUENCY_OUT.values(), *FREQUENCY_IN.keys()],
    "description": "PyCashFlow's words (and Finora's Daily), in any case; once = Onetime.",
})]
Id = Annotated[int, Field(ge=1, le=2**31 - 1)]


class ScheduleBody(Body):
    """POST /schedules and /scenarios. The rule's anchor (its first occurrence) is
    first_date when given, else start_date; one of them is required (the view says so)."""

    model_config = ConfigDict(json_schema_extra={
        "anyOf": [{"required": ["first_date"]}, {"required": ["start_date"]}]})

    name: str = Field(min_length=1, max_length=120)
    amount: Amount
    type: Kind
    frequency: Frequency
    start_date: date | None = None
    first_date: date | None = None
    end_date: date | None = None
    account_id: Id | None = None
    category_id: Id | None = None
    subcategory_id: Id | None = None

    @field_validator("name")
    @classmethod
    def _named(cls, value: str) -> str:
        if not value.strip():
            raise ValueError(_("Name the schedule."))
        return value.strip()


class ScheduleUpdateBody(Body):
    """PUT /schedules/<id> and /scenarios/<id>: only the fields sent change."""

    name: str | None = Field(default=None, min_length=1, max_length=120)
    amount: Amount | None = None
    type: Kind | None = None
    frequency: Frequency | None = None
    start_date: date | None = None
    first_date: date | None = None
    end_date: date | None = None
    account_id: Id | None = None
    category_id: Id | None = None
    subcategory_id: Id | None = None

    @field_validator("name")
    @classmethod
    def _named(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError(_("Name the schedule."))
        return value.strip() if value is not None else None


class HoldBody(Body):
    """POST /holds: pause a schedule until `until` (exclusive), or with no date until the
    hold is deleted."""

    schedule_id: Id
    until: date | None = None


class SkipBody(Body):
    """POST /skips: leave out one occurrence (its date as shown, or its nominal date);
    with no date, the schedule's next occurrence."""

    schedule_id: Id
    date: dt.date | None = None
