"""`flask finora forecast`: RULES.json in, the forecast as JSON out; bad input is one line."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest

import finora.cli_forecast  # noqa: F401  registers the command until cli.py imports it
from finora.forecast.recurrence import FREQUENCIES

# Today 2026-03-02 is a Monday; the horizon of 90 days ends on Saturday 2026-05-30.
WORKED = [
    {
        "name": "Salary",
        "amount": "2000.00",
        "kind": "income",
        "frequency": "monthly",
        "start": "2026-03-05",
    },
    {
        "name": "Rent",
        "amount": 800,
        "kind": "expense",
        "frequency": "monthly",
        "start": "2026-01-10",
    },
    {
        "name": "Insurance",
        "amount": "1500.25",
        "kind": "expense",
        "frequency": "once",
        "start": "2026-03-21",
    },
    {
        "name": "New car",
        "amount": "5000",
        "kind": "expense",
        "frequency": "once",
        "start": "2026-04-15",
        "scenario": True,
    },
]


def run(app, rules, *options: str, stdin: str | None = None):
    runner = app.test_cli_runner()
    if stdin is None:
        stdin = rules if isinstance(rules, str) else json.dumps(rules)
    return runner.invoke(args=["finora", "forecast", "--input", "-", *options], input=stdin)


def forecast(app, rules, *options: str) -> dict:
    result = run(app, rules, *options)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def balance_on(report: dict, day: str, line: str = "daily_balance") -> str:
    return next(row["balance"] for row in report[line] if row["date"] == day)


def occurrence_rows(report: dict) -> list[tuple[str, str, str, str]]:
    return [(o["date"], o["name"], o["kind"], o["amount"]) for o in report["occurrences"]]


def test_worked_example_checked_by_hand(app):
    report = forecast(app, WORKED, "--today", "2026-03-02", "--balance", "300", "--days", "90")
    # Sun 5 Apr: income moves back to Fri 3 Apr; Sat 21 Mar and Sun 10 May: expenses move on.
    assert occurrence_rows(report) == [
        ("2026-03-05", "Salary", "income", "2000.00"),
        ("2026-03-10", "Rent", "expense", "800.00"),
        ("2026-03-23", "Insurance", "expense", "1500.25"),
        ("2026-04-03", "Salary", "income", "2000.00"),
        ("2026-04-10", "Rent", "expense", "800.00"),
        ("2026-04-15", "New car", "expense", "5000.00"),
        ("2026-05-05", "Salary", "income", "2000.00"),
        ("2026-05-11", "Rent", "expense", "800.00"),
    ]
    assert [o["scenario"] for o in report["occurrences"]] == [False] * 5 + [True] + [False] * 2
    line = report["daily_balance"]
    assert len(line) == 90
    assert (line[0], line[-1]) == (
        {"date": "2026-03-02", "balance": "300.00"},
        {"date": "2026-05-30", "balance": "2399.75"},
    )
    expected = {
        "2026-03-04": "300.00",
        "2026-03-05": "2300.00",
        "2026-03-10": "1500.00",
        "2026-03-22": "1500.00",
        "2026-03-23": "-0.25",
        "2026-04-02": "-0.25",
        "2026-04-03": "1999.75",
        "2026-04-10": "1199.75",
        "2026-04-15": "1199.75",
        "2026-05-05": "3199.75",
        "2026-05-11": "2399.75",
    }
    assert {day: balance_on(report, day) for day in expected} == expected
    # The scenario line is the schedule line less the new car from 15 April on.
    assert balance_on(report, "2026-04-14", "scenario_daily_balance") == "1199.75"
    assert balance_on(report, "2026-04-15", "scenario_daily_balance") == "-3800.25"
    assert balance_on(report, "2026-05-30", "scenario_daily_balance") == "-2600.25"
    assert report["lowest"] == {"date": "2026-03-23", "balance": "-0.25"}
    assert report["first_below_zero"] == "2026-03-23"
    # Risk (schedule line only): expenses 3 × 800 + 1500.25 = 3900.25 → 43.336…/day;
    # runway 300 ÷ 43.336 = 6.92 days → 7.69; lowest −0.25 < 0 → 0; the low is 21 days
    # away → 40 + 7 × 60/16 = 66.25; volatility (3199.75 + 0.25) ÷ 300 > 2 → 0.
    # 0.40 × 7.69 + 0.20 × 66.25 = 16.33 → 16, critical.
    risk = report["risk"]
    assert (risk["score"], risk["band"]) == (16, "critical")
    assert risk["factors"] == {
        "runway": {"value": "6.92", "score": "7.69", "weight": "0.40"},
        # −0.25 ÷ (43.336 × 30) = −0.0002: shown to two places.
        "lowest": {"value": "0.00", "score": "0.00", "weight": "0.25"},
        "days_to_lowest": {"value": "21", "score": "66.25", "weight": "0.20"},
        "volatility": {"value": "10.67", "score": "0.00", "weight": "0.15"},
    }
    assert "timing" not in report


def test_every_amount_has_two_places(app):
    report = forecast(app, WORKED, "--today", "2026-03-02", "--balance", "-7.5", "--days", "120")
    amounts = [o["amount"] for o in report["occurrences"]]
    amounts += [
        row["balance"] for key in ("daily_balance", "scenario_daily_balance") for row in report[key]
    ]
    amounts.append(report["lowest"]["balance"])
    assert amounts and all(re.fullmatch(r"-?\d+\.\d\d", amount) for amount in amounts)
    assert report["daily_balance"][0]["balance"] == "-7.50"


@pytest.mark.parametrize("frequency", FREQUENCIES)
def test_every_frequency_projects(app, frequency):
    rules = [
        {
            "name": "Tick",
            "amount": "1",
            "kind": "income",
            "frequency": frequency,
            "start": "2026-03-02",
            "day_policy": "none",
        }
    ]
    report = forecast(app, rules, "--today", "2026-03-02", "--balance", "0", "--days", "730")
    expected = {
        "once": 1,
        "daily": 730,
        "weekly": 105,
        "biweekly": 53,
        "monthly": 24,
        "quarterly": 8,
        "yearly": 2,
    }[frequency]
    assert len(report["occurrences"]) == expected
    assert report["daily_balance"][-1]["balance"] == f"{expected}.00"


def test_the_kind_decides_the_default_policy(app):
    # Sunday 2026-04-05: income lands on Friday the 3rd, an expense on Monday the 6th.
    rules = [
        {"name": "In", "amount": "1", "kind": "income", "frequency": "once", "start": "2026-04-05"},
        {
            "name": "Out",
            "amount": "1",
            "kind": "expense",
            "frequency": "once",
            "start": "2026-04-05",
        },
        {
            "name": "Stay",
            "amount": "1",
            "kind": "expense",
            "frequency": "once",
            "start": "2026-04-05",
            "day_policy": "none",
        },
    ]
    report = forecast(app, rules, "--today", "2026-03-02", "--balance", "0")
    assert [(o["date"], o["name"]) for o in report["occurrences"]] == [
        ("2026-04-03", "In"),
        ("2026-04-05", "Stay"),
        ("2026-04-06", "Out"),
    ]


def test_country_moves_a_rule_off_a_public_holiday(app):
    # Friday 2026-04-03 is Good Friday in Brazil; Tuesday 2026-04-21 is Tiradentes.
    rules = [
        {
            "name": "Salary",
            "amount": "10",
            "kind": "income",
            "frequency": "once",
            "start": "2026-04-05",
        },
        {
            "name": "Bill",
            "amount": "3",
            "kind": "expense",
            "frequency": "once",
            "start": "2026-04-21",
        },
    ]
    plain = forecast(app, rules, "--today", "2026-03-02", "--balance", "0")
    brazil = forecast(app, rules, "--today", "2026-03-02", "--balance", "0", "--country", "br")
    assert [o["date"] for o in plain["occurrences"]] == ["2026-04-03", "2026-04-21"]
    assert [o["date"] for o in brazil["occurrences"]] == ["2026-04-02", "2026-04-22"]


def test_skips_and_hold_until(app):
    rules = [
        {
            "name": "Rent",
            "amount": "100",
            "kind": "expense",
            "frequency": "monthly",
            "start": "2026-01-10",
            "day_policy": "next",
            "skips": ["2026-05-10"],
            "hold_until": "2026-04-01",
        }
    ]
    report = forecast(app, rules, "--today", "2026-03-02", "--balance", "1000", "--days", "120")
    # March is held; the May occurrence (nominal Sunday 10th, moved to the 11th) is skipped by
    # its unadjusted date.
    assert [o["date"] for o in report["occurrences"]] == ["2026-04-10", "2026-06-10"]
    assert report["daily_balance"][-1]["balance"] == "800.00"


def test_the_scenario_line_only_with_scenario_rules(app):
    plain = [rule for rule in WORKED if not rule.get("scenario")]
    without = forecast(app, plain, "--today", "2026-03-02", "--balance", "300")
    assert without["scenario_daily_balance"] is None
    with_scenario = forecast(app, WORKED, "--today", "2026-03-02", "--balance", "300")
    assert len(with_scenario["scenario_daily_balance"]) == 365
    # Scenarios never touch the schedule line, its lowest or the risk.
    assert with_scenario["daily_balance"] == without["daily_balance"]
    assert (with_scenario["lowest"], with_scenario["risk"]) == (without["lowest"], without["risk"])


def test_timing_only_with_the_flag(app):
    timed = forecast(app, WORKED, "--today", "2026-03-02", "--balance", "300", "--timing")
    assert set(timed["timing"]) == {"engine_ms"} and timed["timing"]["engine_ms"] >= 0
    plain = forecast(app, WORKED, "--today", "2026-03-02", "--balance", "300")
    assert list(plain) == [
        "occurrences",
        "daily_balance",
        "scenario_daily_balance",
        "lowest",
        "first_below_zero",
        "risk",
    ]


def test_a_short_horizon_still_scores_90_days(app):
    short = forecast(app, WORKED, "--today", "2026-03-02", "--balance", "300", "--days", "10")
    full = forecast(app, WORKED, "--today", "2026-03-02", "--balance", "300", "--days", "90")
    assert len(short["daily_balance"]) == 10
    assert [o["date"] for o in short["occurrences"]] == ["2026-03-05", "2026-03-10"]
    assert short["lowest"] == {"date": "2026-03-02", "balance": "300.00"}
    assert short["first_below_zero"] is None
    assert short["risk"] == full["risk"]


def test_input_from_a_file(app, tmp_path):
    path = tmp_path / "rules.json"
    path.write_text(json.dumps(WORKED), encoding="utf-8")
    result = app.test_cli_runner().invoke(
        args=[
            "finora",
            "forecast",
            "--input",
            str(path),
            "--today",
            "2026-03-02",
            "--balance",
            "300",
            "--days",
            "90",
        ]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["lowest"]["balance"] == "-0.25"


GOOD = ["--today", "2026-03-02", "--balance", "300"]


@pytest.mark.parametrize(
    ("rules", "options", "expected"),
    [
        (
            [dict(WORKED[1], frequency="fortnightly")],
            GOOD,
            "rule 1 (Rent): field 'frequency': unknown value 'fortnightly'",
        ),
        (
            [WORKED[0], dict(WORKED[1], start="2026-02-30")],
            GOOD,
            "rule 2 (Rent): field 'start': not a date in YYYY-MM-DD form: '2026-02-30'",
        ),
        (
            [dict(WORKED[0], amount="12.345")],
            GOOD,
            "rule 1 (Salary): field 'amount': more than 2 decimals",
        ),
        (
            [dict(WORKED[0], kind="gift")],
            GOOD,
            "rule 1 (Salary): field 'kind': unknown value 'gift'",
        ),
        ([dict(WORKED[0], day_policy="soon")], GOOD, "rule 1 (Salary): field 'day_policy'"),
        (
            [dict(WORKED[0], end="2026-01-01")],
            GOOD,
            "rule 1 (Salary): field 'end': 2026-01-01 is before",
        ),
        ([dict(WORKED[0], hold_until="later")], GOOD, "rule 1 (Salary): field 'hold_until'"),
        (
            [dict(WORKED[0], skips=["2026-04-03"])],
            GOOD,
            "rule 1 (Salary): field 'skips': item 1: 2026-04-03 is not an unadjusted occurrence date",
        ),
        ([dict(WORKED[0], scenario="no")], GOOD, "rule 1 (Salary): field 'scenario'"),
        ([dict(WORKED[0], colour="red")], GOOD, "rule 1 (Salary): field 'colour': unknown field"),
        ([{"amount": "1"}], GOOD, "rule 1: field 'name': missing"),
        ("[{", GOOD, "RULES.json: not valid JSON"),
        ({"rules": []}, GOOD, "RULES.json: expected a list of rules"),
        (WORKED, ["--today", "2026-03-02"], "Missing option '--balance'"),
        (WORKED, ["--balance", "1"], "Missing option '--today'"),
        (WORKED, ["--today", "2026-13-01", "--balance", "1"], "Invalid value for '--today'"),
        (WORKED, ["--today", "2026-03-02", "--balance", "1,50"], "Invalid value for '--balance'"),
        (WORKED, ["--today", "2026-03-02", "--balance", "1.505"], "more than 2 decimals"),
        (WORKED, [*GOOD, "--days", "0"], "Invalid value for '--days'"),
        (WORKED, [*GOOD, "--days", "731"], "Invalid value for '--days'"),
        (WORKED, [*GOOD, "--country", "XX"], "Invalid value for '--country'"),
        (WORKED, [*GOOD, "--colour"], "No such option"),
    ],
)
def test_bad_input_fails_with_one_line(app, rules, options, expected):
    result = run(app, rules, *options)
    assert result.exit_code != 0
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith("Error: ") and expected in lines[0]


def test_a_missing_input_file_fails_with_one_line(app, tmp_path):
    result = app.test_cli_runner().invoke(
        args=["finora", "forecast", "--input", str(tmp_path / "none.json"), *GOOD]
    )
    assert result.exit_code != 0
    assert result.output.strip().splitlines() == [
        f"Error: Invalid value for '--input': '{tmp_path / 'none.json'}': No such file or directory"
    ]


def test_a_negative_balance_is_accepted(app):
    report = forecast(app, [], "--today", "2026-03-02", "--balance", "-120.40", "--days", "1")
    assert report["daily_balance"] == [{"date": "2026-03-02", "balance": "-120.40"}]
    assert report["risk"]["score"] == 0 and report["risk"]["band"] == "critical"
    assert Decimal(report["lowest"]["balance"]) == Decimal("-120.40")
