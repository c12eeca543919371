"""The command-line forecast's report: engine run, risk score and the JSON-ready dict.

Pure: no Flask, no database. Amounts are strings with exactly two decimals.

Decisions (documented in the README section of the CLI):
- The risk score is defined on 90 days, so the engine always projects at least 90 days;
  with ``--days`` below 90 the output is cut to the asked days while the risk still
  covers 90.
- "lowest" is the lowest end-of-day balance of the schedule line (scenarios left out)
  over the whole output horizon, the earliest date on ties. "first_below_zero" is the
  first day that line ends below zero within the horizon, else null.
- Each occurrence carries "scenario" (true for what-if rules), so the schedule line can
  be rebuilt from the list without the scenario occurrences.
"""

from __future__ import annotations

import time
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from finora.amounts import CENT
from finora.business_days import BusinessCalendar
from finora.forecast.projection import Forecast, ForecastInput, ForecastRule, project
from finora.forecast.risk import HORIZON_DAYS, RiskScore, cash_risk


def forecast_report(
    rules: list[ForecastRule],
    balance: Decimal,
    today: date,
    days: int,
    calendar: BusinessCalendar,
    *,
    timing: bool = False,
) -> dict[str, Any]:
    """Project `days` days from `today` (index 0 = today) and describe the result."""
    data = ForecastInput(
        rules=rules,
        starting_balance=balance,
        today=today,
        horizon_days=max(days, HORIZON_DAYS),
        calendar=calendar,
    )
    started = time.perf_counter()
    forecast = project(data)
    risk = cash_risk(
        balance, forecast.schedule[:HORIZON_DAYS], forecast.projected_expenses_90, today
    )
    elapsed_ms = (time.perf_counter() - started) * 1000
    report = describe(forecast, risk, days)
    if timing:
        report["timing"] = {"engine_ms": round(elapsed_ms, 3)}
    return report


def describe(forecast: Forecast, risk: RiskScore, days: int) -> dict[str, Any]:
    today = forecast.today
    stop = today + timedelta(days=days)
    schedule = forecast.schedule[:days]
    scenario = forecast.scenario_line[:days] if forecast.scenario_line is not None else None
    low = min(schedule)
    below = next((n for n, value in enumerate(schedule) if value < 0), None)
    return {
        "occurrences": [
            {
                "date": o.date.isoformat(),
                "name": o.name,
                "kind": o.kind,
                "amount": money(o.amount),
                "scenario": o.scenario,
            }
            for o in forecast.occurrences
            if o.date < stop
        ],
        "daily_balance": _line(schedule, today),
        "scenario_daily_balance": _line(scenario, today) if scenario is not None else None,
        "lowest": {
            "date": (today + timedelta(days=schedule.index(low))).isoformat(),
            "balance": money(low),
        },
        "first_below_zero": (today + timedelta(days=below)).isoformat() if below is not None else None,
        "risk": {
            "score": risk.score,
            "band": risk.band,
            "factors": {
                name: {
                    "value": _number(factor.value),
                    "score": _number(factor.score),
                    "weight": _number(factor.weight),
                }
                for name, factor in risk.factors.items()
            },
        },
    }


def money(amount: Decimal) -> str:
    """Two decimals, never "-0.00"."""
    text = str(amount.quantize(CENT, rounding=ROUND_HALF_UP))
    return "0.00" if text == "-0.00" else text


def _number(value: Decimal | int | None) -> str | None:
    """A factor's figure as a string: integers (days) as they are, decimals to two places."""
    if value is None:
        return None
    if isinstance(value, int):
        return str(value)
    return money(value)


def _line(balances: list[Decimal], today: date) -> list[dict[str, str]]:
    return [
        {"date": (today + timedelta(days=n)).isoformat(), "balance": money(balance)}
        for n, balance in enumerate(balances)
    ]
