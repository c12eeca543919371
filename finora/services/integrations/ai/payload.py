"""Exactly what is sent to the model, and nothing else: the current balance, the rules
(name, amount, frequency, kind), the lowest balance of the next 90 days and its date, the
cash risk score and its factors, the currency and the language to answer in.

Never sent: e-mail addresses, people's names, account names or numbers, the household's
name. Built from the HouseholdForecast the forecast page shows (one computation)."""

from __future__ import annotations

from decimal import Decimal

from finora.services.planning.household_forecast import HouseholdForecast

LANGUAGE_NAMES = {"pt": "Brazilian Portuguese", "en": "English", "es": "Spanish"}

# The page lists these (templates/ai/_sent.html); keep both in step.
SENT_FIELDS = ("current_balance", "rules", "lowest_balance_90_days", "lowest_balance_date",
               "risk", "currency", "language")


def _number(value: Decimal | int | None) -> str | None:
    return None if value is None else str(value)


def _risk(result: HouseholdForecast) -> dict | None:
    if not result.scored:
        return None
    risk = result.risk
    return {
        "score": risk.score,
        "band": risk.band,
        "capped_by_minimum_safe_balance": risk.below_minimum,
        "factors": {
            name: {"value": _number(factor.value), "score": str(round(factor.score, 1)),
                   "weight": str(factor.weight)}
            for name, factor in risk.factors.items()
        },
    }


def build_payload(result: HouseholdForecast, *, currency: str, locale: str) -> dict:
    """The JSON object sent as the user message. Scenario (what-if) rules are left out:
    the insights are about the plan the family actually has."""
    lowest_date, lowest_amount = result.forecast.lowest_90
    rules = sorted(
        (rule for rule in result.rules.values() if not rule.is_scenario),
        key=lambda rule: (rule.kind, -rule.amount, rule.name.casefold()),
    )
    return {
        "current_balance": str(result.current_balance),
        "rules": [
            {"name": rule.name, "amount": str(rule.amount), "frequency": rule.frequency,
             "kind": rule.kind}
            for rule in rules
        ],
        "lowest_balance_90_days": str(lowest_amount),
        "lowest_balance_date": lowest_date.isoformat(),
        "risk": _risk(result),
        "currency": currency,
        "language": LANGUAGE_NAMES.get(locale, "English"),
    }
