"""RULES.json (the command-line forecast's input) parsed and checked into ForecastRule objects.

Pure: no Flask, no database. JSON numbers are read as Decimal (never float). Every error is
one line naming the rule (1-based, with its name when it has one) and the field:
``rule 3 (Rent): field 'frequency': unknown value 'fortnightly' (expected once, ...)``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal

from finora.amounts import CENT, MAX_AMOUNT
from finora.business_days import POLICIES, BusinessCalendar
from finora.forecast.projection import KINDS, ForecastRule
from finora.forecast.recurrence import FREQUENCIES, RuleSpec, nominal_dates_between

FIELDS = (
    "name",
    "amount",
    "kind",
    "frequency",
    "start",
    "end",
    "day_policy",
    "hold_until",
    "skips",
    "scenario",
)
REQUIRED = ("name", "amount", "kind", "frequency", "start")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_AMOUNT = re.compile(r"-?\d+(\.\d+)?", re.ASCII)


class RulesError(ValueError):
    """Bad input; str() is the one-line message."""


_Fail = Callable[[str, str], RulesError]  # (field, reason) -> the error naming the rule


class _Object(dict[str, object]):
    """A JSON object that remembers keys given more than once (the last value wins in json)."""

    duplicates: tuple[str, ...] = ()


def _object(pairs: list[tuple[str, object]]) -> _Object:
    found = _Object(pairs)
    if len(found) != len(pairs):
        seen: set[str] = set()
        repeated: list[str] = []
        for key, _ in pairs:
            if key in seen:
                repeated.append(key)
            seen.add(key)
        found.duplicates = tuple(repeated)
    return found


def _no_constant(name: str) -> object:
    raise RulesError(f"RULES.json: {name} is not a number JSON allows")


def load_rules(text: str) -> list[ForecastRule]:
    """Parse the text of RULES.json into rules, in file order."""
    try:
        data = json.loads(
            text, parse_float=Decimal, parse_constant=_no_constant, object_pairs_hook=_object
        )
    except json.JSONDecodeError as error:
        raise RulesError(
            f"RULES.json: not valid JSON: {error.msg} at line {error.lineno} column {error.colno}"
        ) from None
    except RecursionError:
        raise RulesError("RULES.json: nested too deeply") from None
    return parse_rules(data)


def parse_rules(data: object) -> list[ForecastRule]:
    if not isinstance(data, list):
        raise RulesError(f"RULES.json: expected a list of rules, got {_type(data)}")
    return [_rule(number, item) for number, item in enumerate(data, start=1)]


def parse_date(value: object) -> date:
    """A YYYY-MM-DD string; ValueError with the reason otherwise."""
    if not isinstance(value, str):
        raise ValueError(f"expected a date as a YYYY-MM-DD string, got {_type(value)}")
    if _DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError(f"not a date in YYYY-MM-DD form: {_show(value)}")


def parse_amount(value: object, *, allow_negative: bool = False) -> Decimal:
    """A decimal string or JSON number with at most two decimals, e.g. "1250.50" or 1250.5."""
    if isinstance(value, str):
        if not _AMOUNT.fullmatch(value):
            raise ValueError(f"not an amount like 1250.50: {_show(value)}")
        amount = Decimal(value)
    elif isinstance(value, int | Decimal) and not isinstance(value, bool):
        amount = Decimal(value)
        if not amount.is_finite():  # pragma: no cover - parse_constant refuses NaN/Infinity
            raise ValueError(f"not a number: {value}")
    else:
        raise ValueError(f"expected an amount (string or number), got {_type(value)}")
    if abs(amount) > MAX_AMOUNT:  # checked first: quantizing a huge number would overflow
        raise ValueError(f"too large (at most {MAX_AMOUNT}): {value}")
    if amount != amount.quantize(CENT):
        raise ValueError(f"more than 2 decimals: {value}")
    if not allow_negative and amount <= 0:
        raise ValueError(f"must be positive, got {value}")
    return amount.quantize(CENT)


def _rule(number: int, item: object) -> ForecastRule:
    if not isinstance(item, dict):
        raise RulesError(f"rule {number}: expected an object, got {_type(item)}")
    name = item.get("name")
    label = f"rule {number}" + (
        f" ({_label(name)})" if isinstance(name, str) and name.strip() else ""
    )

    def fail(field: str, reason: str) -> RulesError:
        return RulesError(f"{label}: field '{field}': {reason}")

    for key in item:
        if key not in FIELDS:
            raise fail(_label(key), f"unknown field (expected {', '.join(FIELDS)})")
    for key in getattr(item, "duplicates", ()):
        raise fail(key, "given more than once")
    for key in REQUIRED:
        if key not in item:
            raise fail(key, "missing")

    if not isinstance(name, str) or not name.strip():
        raise fail("name", f"must be a non-empty string, got {_show(name)}")
    try:
        amount = parse_amount(item["amount"])
    except ValueError as error:
        raise fail("amount", str(error)) from None
    kind = _choice(item["kind"], KINDS, "kind", fail)
    frequency = _choice(item["frequency"], FREQUENCIES, "frequency", fail)
    try:
        start = parse_date(item["start"])  # required: null is not a date either
    except ValueError as error:
        raise fail("start", str(error)) from None
    end = _date(item, "end", fail)
    if end is not None and end < start:
        raise fail("end", f"{end} is before start {start}")
    policy = item.get("day_policy")
    if policy is None:  # absent or null: the kind's default (income → previous, expense → next)
        policy = BusinessCalendar.default_policy(kind)
    else:
        policy = _choice(policy, POLICIES, "day_policy", fail)
    hold_until = _date(item, "hold_until", fail)
    scenario = item.get("scenario")
    if scenario is None:
        scenario = False
    elif not isinstance(scenario, bool):
        raise fail("scenario", f"must be true or false, got {_show(scenario)}")

    spec = RuleSpec(
        frequency=frequency,
        anchor=start,
        end=end,
        policy=policy,
        hold_until=hold_until,
        rule_id=number,
    )
    skips = _skips(item.get("skips"), spec, fail)
    if skips:
        spec = RuleSpec(
            frequency=frequency,
            anchor=start,
            end=end,
            policy=policy,
            hold_until=hold_until,
            skips=skips,
            rule_id=number,
        )
    return ForecastRule(name=name.strip(), kind=kind, amount=amount, spec=spec, scenario=scenario)


def _choice(value: object, allowed: tuple[str, ...], field: str, fail: _Fail) -> str:
    if isinstance(value, str) and value in allowed:
        return value
    shown = f"unknown value {_show(value)}" if isinstance(value, str) else f"got {_show(value)}"
    raise fail(field, f"{shown} (expected {', '.join(allowed)})")


def _date(item: dict[str, object], field: str, fail: _Fail) -> date | None:
    value = item.get(field)
    if value is None:
        return None
    try:
        return parse_date(value)
    except ValueError as error:
        raise fail(field, str(error)) from None


def _skips(value: object, spec: RuleSpec, fail: _Fail) -> frozenset[date]:
    if value is None:
        return frozenset()
    if not isinstance(value, list):
        raise fail("skips", f"expected a list of YYYY-MM-DD dates, got {_type(value)}")
    found = set()
    for position, text in enumerate(value, start=1):
        try:
            day = parse_date(text)
        except ValueError as error:
            raise fail("skips", f"item {position}: {error}") from None
        # A skip names the unadjusted date; one that is not on the schedule is a mistake
        # (often the adjusted date was given) that would otherwise be silently ignored.
        if not nominal_dates_between(spec, day, day):
            raise fail(
                "skips", f"item {position}: {day} is not an unadjusted occurrence date of this rule"
            )
        found.add(day)
    return frozenset(found)


def _type(value: object) -> str:
    if value is None:
        return "null"
    names = {
        bool: "a boolean",
        str: "a string",
        list: "a list",
        int: "a number",
        Decimal: "a number",
    }
    return names.get(type(value), "an object" if isinstance(value, dict) else type(value).__name__)


def _show(value: object) -> str:
    """The value as JSON would write it, shortened, on one line."""
    if isinstance(value, Decimal):
        text = str(value)
    else:
        try:
            text = json.dumps(value, ensure_ascii=False, default=str)
        except (TypeError, ValueError):
            text = repr(value)
    if isinstance(value, str):
        text = "'" + text[1:-1] + "'"
    return text if len(text) <= 60 else text[:57] + "..."


def _label(text: str) -> str:
    """A name fit for a one-line message."""
    text = text.strip()
    if not text.isprintable():
        text = json.dumps(text, ensure_ascii=False)[1:-1]
    return text if len(text) <= 60 else text[:57] + "..."
