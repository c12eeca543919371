"""RULES.json parsing for the command-line forecast: rules built, bad input named by rule and field."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from finora.forecast.recurrence import FREQUENCIES
from finora.forecast.report import money
from finora.forecast.rules_json import RulesError, load_rules, parse_amount, parse_date


def rule(**fields) -> dict:
    base = {
        "name": "Rent",
        "amount": "800.00",
        "kind": "expense",
        "frequency": "monthly",
        "start": "2026-03-10",
    }
    base.update(fields)
    return {key: value for key, value in base.items() if value is not ...}


def load(*rules: dict):
    return load_rules(json.dumps(list(rules)))


def error_of(text: str) -> str:
    with pytest.raises(RulesError) as caught:
        load_rules(text)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_a_full_rule_becomes_a_forecast_rule():
    [parsed] = load(
        rule(
            end="2026-12-31",
            day_policy="none",
            hold_until="2026-05-01",
            skips=["2026-06-10", "2026-07-10"],
            scenario=True,
        )
    )
    assert parsed.name == "Rent" and parsed.kind == "expense" and parsed.scenario is True
    assert parsed.amount == Decimal("800.00")
    spec = parsed.spec
    assert (spec.frequency, spec.anchor, spec.end) == (
        "monthly",
        date(2026, 3, 10),
        date(2026, 12, 31),
    )
    assert spec.policy == "none" and spec.hold_until == date(2026, 5, 1)
    assert spec.skips == frozenset({date(2026, 6, 10), date(2026, 7, 10)})
    assert spec.rule_id == 1


@pytest.mark.parametrize("frequency", FREQUENCIES)
def test_every_frequency_is_accepted(frequency):
    [parsed] = load(rule(frequency=frequency))
    assert parsed.spec.frequency == frequency


@pytest.mark.parametrize(("kind", "policy"), [("income", "previous"), ("expense", "next")])
def test_without_day_policy_the_kind_decides(kind, policy):
    [parsed] = load(rule(kind=kind))
    assert parsed.spec.policy == policy
    [explicit] = load(rule(kind=kind, day_policy="none"))
    assert explicit.spec.policy == "none"


def test_numbers_are_read_as_decimal_never_float():
    parsed = load_rules(
        '[{"name": "A", "amount": 0.1, "kind": "income", "frequency": "once",'
        ' "start": "2026-01-01"}, {"name": "B", "amount": 12, "kind": "income",'
        ' "frequency": "once", "start": "2026-01-01"}]'
    )
    assert [str(p.amount) for p in parsed] == ["0.10", "12.00"]
    assert all(type(p.amount) is Decimal for p in parsed)


def test_an_empty_list_is_no_rules():
    assert load_rules("[]") == []


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (
            {"frequency": "fortnightly"},
            "rule 1 (Rent): field 'frequency': unknown value 'fortnightly' (expected once, daily, "
            "weekly, biweekly, monthly, quarterly, yearly)",
        ),
        ({"kind": "transfer"}, "rule 1 (Rent): field 'kind': unknown value 'transfer'"),
        ({"kind": 1}, "rule 1 (Rent): field 'kind': got 1"),
        ({"day_policy": "nearest"}, "rule 1 (Rent): field 'day_policy': unknown value 'nearest'"),
        (
            {"start": "2026-02-30"},
            "rule 1 (Rent): field 'start': not a date in YYYY-MM-DD form: '2026-02-30'",
        ),
        ({"start": "20260210"}, "rule 1 (Rent): field 'start': not a date"),
        (
            {"start": 20260210},
            "rule 1 (Rent): field 'start': expected a date as a YYYY-MM-DD string",
        ),
        ({"start": ...}, "rule 1 (Rent): field 'start': missing"),
        ({"start": None}, "rule 1 (Rent): field 'start': expected a date as a YYYY-MM-DD string, got null"),
        (
            {"end": "2026-03-09"},
            "rule 1 (Rent): field 'end': 2026-03-09 is before start 2026-03-10",
        ),
        ({"end": "10/03/2026"}, "rule 1 (Rent): field 'end': not a date"),
        (
            {"hold_until": "soon"},
            "rule 1 (Rent): field 'hold_until': not a date in YYYY-MM-DD form: 'soon'",
        ),
        (
            {"skips": "2026-04-10"},
            "rule 1 (Rent): field 'skips': expected a list of YYYY-MM-DD dates",
        ),
        ({"skips": ["2026-04-10", "x"]}, "rule 1 (Rent): field 'skips': item 2: not a date"),
        (
            {"skips": ["2026-04-11"]},
            "rule 1 (Rent): field 'skips': item 1: 2026-04-11 is not an unadjusted occurrence date",
        ),
        ({"scenario": "yes"}, "rule 1 (Rent): field 'scenario': must be true or false, got 'yes'"),
        ({"amount": "-5"}, "rule 1 (Rent): field 'amount': must be positive"),
        ({"amount": 0}, "rule 1 (Rent): field 'amount': must be positive"),
        ({"amount": "12.345"}, "rule 1 (Rent): field 'amount': more than 2 decimals"),
        ({"amount": 12.345}, "rule 1 (Rent): field 'amount': more than 2 decimals"),
        ({"amount": "1e3"}, "rule 1 (Rent): field 'amount': not an amount like 1250.50: '1e3'"),
        ({"amount": "12,50"}, "rule 1 (Rent): field 'amount': not an amount"),
        (
            {"amount": True},
            "rule 1 (Rent): field 'amount': expected an amount (string or number), got a boolean",
        ),
        ({"amount": "1000000000000.00"}, "rule 1 (Rent): field 'amount': too large"),
        ({"amount": ...}, "rule 1 (Rent): field 'amount': missing"),
        ({"name": ""}, "rule 1: field 'name': must be a non-empty string"),
        ({"name": 7}, "rule 1: field 'name': must be a non-empty string, got 7"),
        ({"name": ...}, "rule 1: field 'name': missing"),
        ({"amout": "5"}, "rule 1 (Rent): field 'amout': unknown field (expected name, amount"),
    ],
)
def test_bad_fields_name_the_rule_and_the_field(fields, expected):
    assert error_of(json.dumps([rule(**fields)])).startswith(expected)


def test_the_rule_number_counts_from_one_in_file_order():
    text = json.dumps(
        [rule(), rule(name="Salary", kind="income"), rule(name="Gym", frequency="yearly ")]
    )
    assert error_of(text).startswith("rule 3 (Gym): field 'frequency': unknown value 'yearly '")


def test_a_key_given_twice_is_refused():
    text = (
        '[{"name": "Rent", "amount": "800", "amount": "80", "kind": "expense",'
        ' "frequency": "monthly", "start": "2026-03-10"}]'
    )
    assert error_of(text) == "rule 1 (Rent): field 'amount': given more than once"


def test_a_name_with_a_newline_stays_on_one_line():
    message = error_of(json.dumps([rule(name="Rent\nflat", frequency="x")]))
    assert message.startswith("rule 1 (Rent\\nflat): field 'frequency'")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"name": "Rent"}', "RULES.json: expected a list of rules, got an object"),
        ("[1]", "rule 1: expected an object, got a number"),
        ('[{"name": "A"}, "x"]', "rule 1 (A): field 'amount': missing"),
        ("[", "RULES.json: not valid JSON: Expecting value at line 1 column 2"),
        ('[{"name": "A", "amount": NaN}]', "RULES.json: NaN is not a number JSON allows"),
        ("", "RULES.json: not valid JSON"),
    ],
)
def test_bad_files(text, expected):
    assert error_of(text).startswith(expected)


def test_parse_date_and_amount_for_the_options():
    assert parse_date("2026-02-28") == date(2026, 2, 28)
    assert parse_amount("-80.5", allow_negative=True) == Decimal("-80.50")
    with pytest.raises(ValueError, match="more than 2 decimals"):
        parse_amount("1.001", allow_negative=True)
    with pytest.raises(ValueError, match="must be positive"):
        parse_amount("-1")


@pytest.mark.parametrize(
    ("amount", "text"),
    [("0", "0.00"), ("-0", "0.00"), ("12.5", "12.50"), ("-3", "-3.00"), ("1E+3", "1000.00")],
)
def test_money_always_has_two_places(amount, text):
    assert money(Decimal(amount)) == text


def test_null_optional_fields_mean_absent():
    [parsed] = load(rule(end=None, day_policy=None, hold_until=None, skips=None, scenario=None))
    assert parsed.spec.end is None and parsed.spec.policy == "next"
    assert parsed.spec.hold_until is None and parsed.spec.skips == frozenset()
    assert parsed.scenario is False
