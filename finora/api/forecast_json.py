"""The forecast's figures as PyCashFlow's mobile client reads them (docs/api.md): the risk
object (legacy `risk` with JSON numbers, `risk_v2` and /risk-score with money as decimal
strings), upcoming transactions and projection points.

Everything here reads a HouseholdForecast the service already computed (the same one the
forecast page and the dashboard card show): no figure is worked out twice. The few numbers
PyCashFlow has and Finora's score does not (days below a month's reserve, recovery, the
14-day buffer) are read off the same 90-day balance line.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from finora.api.serialize import day, money
from finora.forecast.risk import HORIZON_DAYS
from finora.money import ZERO
from finora.services.planning.household_forecast import HouseholdForecast, UpcomingRow
from finora.translation import gettext, ngettext

# PyCashFlow's status words and colours by Finora's band (its clients match the words).
STATUS_WORDS = {
    "safe": ("Safe", "green"),
    "stable": ("Stable", "blue"),
    "watch": ("Watch", "yellow"),
    "risk": ("Risk", "orange"),
    "critical": ("Critical", "red"),
}
NEAR_TERM_DAYS = 14
RESERVE_DAYS = 30  # the threshold: a month of the average daily expense


def kind_word(kind: str) -> str:
    """PyCashFlow's `type`: "Income" or "Expense"."""
    return "Income" if kind == "income" else "Expense"


def _number(value: Decimal | None, places: str = "0.01") -> float | None:
    """A JSON number for PyCashFlow's legacy `risk` object only (its clients read Doubles);
    Finora's own fields never carry money as a number."""
    if value is None:
        return None
    return float(Decimal(value).quantize(Decimal(places), rounding=ROUND_HALF_UP))


def _threshold_figures(result: HouseholdForecast) -> dict:
    """Days below a month's reserve, their share of the 90 days, the days from the lowest
    point back to the reserve (0: never below; None: does not recover within the 90 days)
    and the lowest balance of the next 14 days."""
    line = result.forecast.schedule[:HORIZON_DAYS]
    threshold = result.risk.average_daily_expense * RESERVE_DAYS
    below = [balance < threshold for balance in line]
    days_below = sum(below)
    recovery: int | None = 0
    if days_below:
        lowest = result.risk.days_until_lowest
        recovery = next(
            (index - lowest for index in range(lowest, len(line)) if not below[index]), None
        )
    return {
        "days_below_threshold": days_below,
        "pct_below_threshold": float(
            (Decimal(days_below) / Decimal(len(line) or 1)).quantize(Decimal("0.0001"))
        ),
        "recovery_days": recovery,
        "near_term_buffer": min(line[:NEAR_TERM_DAYS], default=ZERO),
    }


def risk_v2(result: HouseholdForecast) -> dict:
    """The full breakdown, money as decimal strings. While the household has nothing to
    score (`score_status` says why: no account counted, nothing entered yet, nothing to
    pay), score, status and color are null rather than a verdict on missing data."""
    risk = result.risk
    word, color = STATUS_WORDS[risk.band] if result.scored else (None, None)
    extra = _threshold_figures(result)
    return {
        "score": risk.score if result.scored else None,
        "status": word,
        "color": color,
        "band": risk.band if result.scored else None,
        "score_status": result.status,
        "runway_days": _number(risk.runway_days, "0.1"),
        "lowest_balance": money(risk.lowest_balance),
        "lowest_date": day(risk.lowest_date),
        "days_to_lowest": risk.days_until_lowest,
        "avg_daily_expense": money(risk.average_daily_expense),
        "days_below_threshold": extra["days_below_threshold"],
        "pct_below_threshold": extra["pct_below_threshold"],
        "recovery_days": extra["recovery_days"],
        "near_term_buffer": money(extra["near_term_buffer"]),
        "minimum_safe_balance": money(risk.minimum_safe_balance),
        "below_minimum": risk.below_minimum,
        "volatility": _number(risk.volatility, "0.0001"),
        "factors": {
            name: {
                "value": _number(factor.value, "0.0001"),
                "score": _number(factor.score, "0.01"),
                "weight": _number(factor.weight, "0.01"),
            }
            for name, factor in risk.factors.items()
        },
    }


def legacy_risk(result: HouseholdForecast) -> dict:
    """PyCashFlow's deprecated `risk` object inside /dashboard: the same figures as
    risk_v2, its money as JSON numbers (that client's old contract)."""
    full = risk_v2(result)
    return {
        "score": full["score"],
        "status": full["status"],
        "color": full["color"],
        "runway_days": full["runway_days"],
        "lowest_balance": _number(result.risk.lowest_balance),
        "days_to_lowest": full["days_to_lowest"],
        "avg_daily_expense": _number(result.risk.average_daily_expense),
        "days_below_threshold": full["days_below_threshold"],
        "pct_below_threshold": full["pct_below_threshold"],
        "recovery_days": full["recovery_days"],
        "near_term_buffer": _number(Decimal(full["near_term_buffer"])),
    }


def transaction_json(row: UpcomingRow) -> dict:
    """One upcoming transaction: PyCashFlow's name, type, amount, date (never null), and
    Finora's schedule_id / entry_id / overdue."""
    name = row.name
    if row.statement_key is not None:  # a credit card's statement (docs/cards.md)
        name = gettext("%(card)s statement", card=row.name)
    elif not name:
        name = (ngettext("%(num)d older unpaid entry", "%(num)d older unpaid entries", row.count)
                if row.count > 1 else kind_word(row.kind))
    return {
        "name": name,
        "type": kind_word(row.kind),
        "amount": money(row.amount),
        "date": day(row.date),
        "schedule_id": row.rule.id if row.rule is not None else None,
        "entry_id": row.entry_id,
        "overdue": row.overdue,
    }


def upcoming_json(rows: list[UpcomingRow]) -> list[dict]:
    """The rows that move money (a skipped occurrence is shown on the page, not here)."""
    return [transaction_json(row) for row in rows if not row.skipped]


def projection_points(line: list[Decimal], today: date) -> list[dict]:
    """The balance line as chart points: today, then each day the balance changes (and the
    last day, so the chart reaches the horizon)."""
    points = []
    previous: Decimal | None = None
    for index, balance in enumerate(line):
        if previous is None or balance != previous or index == len(line) - 1:
            points.append({"date": day(today + timedelta(days=index)), "amount": money(balance)})
        previous = balance
    return points
