"""The cash risk score (forecast issue, item 3): a deterministic 0–100 score of the next 90 days.

Pure arithmetic over plain data — no Flask, no database, no AI — in Decimal throughout,
including the linear interpolations, under a fixed local Decimal context so the result
never depends on the caller's context.

Four factors, each scored 0–100 and weighted:

- ``runway`` (40 %): runway_days = current balance ÷ average daily expense, where the
  average daily expense = projected expenses over the 90 days ÷ 90.
  ≥ 90 → 100; 45–90 → 50–100; 0–45 → 0–50 (linear); no projected expense → 100.
- ``lowest`` (25 %): r = lowest balance ÷ (average daily expense × 30).
  r ≥ 1.5 → 100; 1–1.5 → 75–100; 0.5–1 → 40–75; 0–0.5 → 0–40; r < 0 → 0.
  No projected expense: 100 if the lowest balance ≥ 0, else 0.
- ``days_to_lowest`` (20 %): when the lowest balance is not below the current balance → 100;
  else d = days from today to the (earliest) lowest day: ≥ 30 → 100; 14–30 → 40–100;
  0–14 → 0–40.
- ``volatility`` (15 %): v = (highest − lowest balance over the 90 days) ÷ current balance.
  v ≤ 0.25 → 100; 0.25–1 → 100 down to 40; 1–2 → 40 down to 0; > 2 → 0.

The score is the weighted sum rounded half-up to an integer and kept within 0–100.

Decisions where item 3 is silent:

- A current balance ≤ 0 gives score 0 (band "critical") whatever the factors say. The
  factors are still filled in for the breakdown: runway_days is the plain quotient (≤ 0,
  so its score is 0; None with no projected expense, scored 100 as the rule says), the
  lowest and days-to-lowest factors follow their own rules, and volatility — which would
  divide by the current balance — has value None and score 0. Nothing divides by zero.
- The factor values are: runway → runway_days (None = infinite), lowest → r (None when
  there is no projected expense), days_to_lowest → d (days from today to the lowest day,
  also when that factor scores 100 because the low is not below today's balance),
  volatility → v (None when the current balance ≤ 0).
- Factor scores are exact Decimals (not rounded); only the weighted sum is rounded.
- balances_90 must hold exactly 90 end-of-day balances (index 0 = today); projected
  expenses must not be negative (expenses are a positive total). Anything else is a
  caller's bug and raises ValueError.

The family's own minimum (issue 12, item 1): when the household has a minimum safe balance
and the lowest balance of the 90 days is below it, the score is capped at ``MINIMUM_CAP``
(59, the top of "watch"): a projection under the family's own floor is never "stable" or
"safe", whatever the other factors say. The score before the cap is kept
(``uncapped_score``) for the breakdown.

Whether a score is shown at all is a separate decision, ``score_status``: a household with
nothing to score (no account counted, or no balance, no rule and no unpaid entry) and a
balance of zero or less with no projected expense are explained, not scored 0 — "critical"
would be a verdict on missing data. docs/forecast.md describes the whole rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Context, Decimal, localcontext
from types import MappingProxyType

HORIZON_DAYS = 90
_D = Decimal
_ZERO = _D(0)
_HUNDRED = _D(100)
# 28 significant digits, the default, pinned so a caller's context cannot change results.
_CONTEXT = Context(prec=28, rounding=ROUND_HALF_EVEN)

WEIGHTS: Mapping[str, Decimal] = MappingProxyType(
    {
        "runway": _D("0.40"),
        "lowest": _D("0.25"),
        "days_to_lowest": _D("0.20"),
        "volatility": _D("0.15"),
    }
)

BANDS = ("critical", "risk", "watch", "stable", "safe")
# The highest score of a projection that falls below the household's minimum safe balance.
MINIMUM_CAP = 59

# score_status: whether the score means something, and if not, why.
SCORED = "scored"
NO_ACCOUNTS = "no_accounts"  # no account is counted in the forecast
NO_DATA = "no_data"  # a zero balance, no rule and no unpaid entry: nothing entered yet
NOTHING_TO_PAY = "nothing_to_pay"  # balance ≤ 0 and no expense projected in 90 days
STATUSES = (SCORED, NO_ACCOUNTS, NO_DATA, NOTHING_TO_PAY)


@dataclass(frozen=True)
class Factor:
    value: Decimal | int | None
    score: Decimal
    weight: Decimal


@dataclass(frozen=True)
class RiskScore:
    score: int
    band: str
    runway_days: Decimal | None
    average_daily_expense: Decimal
    lowest_balance: Decimal
    lowest_date: date
    days_until_lowest: int
    volatility: Decimal | None
    factors: dict[str, Factor] = field(default_factory=dict)
    minimum_safe_balance: Decimal | None = None
    below_minimum: bool = False  # the 90-day low is below the minimum: score capped
    uncapped_score: int | None = None  # with below_minimum: the score before the cap

    @property
    def capped(self) -> bool:
        return self.uncapped_score is not None and self.uncapped_score > self.score


def score_status(
    *,
    accounts: int,
    current_balance: Decimal,
    has_rules: bool,
    has_unpaid: bool,
    projected_expenses_90: Decimal,
) -> str:
    """Whether the cash risk score of a household's forecast is shown, and if not, why.

    - NO_ACCOUNTS: no account is counted in the forecast (there is no cash to score);
    - NO_DATA: the counted balance is exactly zero and there is no (non-scenario) rule and
      no unpaid entry: nothing has been entered yet, so there is nothing to judge;
    - NOTHING_TO_PAY: the balance is zero or negative but no expense is projected in the
      90 days: an empty or overdrawn account with no bills known is explained (set the
      balance, add the bills), not called a crisis;
    - SCORED otherwise, including a zero or negative balance with expenses to pay, which
      is a real shortfall and scores 0.
    """
    if accounts <= 0:
        return NO_ACCOUNTS
    if current_balance == 0 and not has_rules and not has_unpaid:
        return NO_DATA
    if current_balance <= 0 and projected_expenses_90 == 0:
        return NOTHING_TO_PAY
    return SCORED


def band_of(score: int) -> str:
    """80–100 safe, 60–79 stable, 40–59 watch, 20–39 risk, 0–19 critical."""
    if isinstance(score, bool) or not isinstance(score, int) or not 0 <= score <= 100:
        raise ValueError(f"a risk score is an integer from 0 to 100, not {score!r}")
    if score >= 80:
        return "safe"
    if score >= 60:
        return "stable"
    if score >= 40:
        return "watch"
    if score >= 20:
        return "risk"
    return "critical"


def _lerp(x: Decimal, x0: Decimal, x1: Decimal, y0: Decimal, y1: Decimal) -> Decimal:
    """The straight line through (x0, y0) and (x1, y1) at x."""
    return y0 + (x - x0) * (y1 - y0) / (x1 - x0)


def runway_score(runway_days: Decimal | None) -> Decimal:
    """None means no projected expense (an infinite runway)."""
    with localcontext(_CONTEXT):
        if runway_days is None or runway_days >= 90:
            return _HUNDRED
        if runway_days >= 45:
            return _lerp(runway_days, _D(45), _D(90), _D(50), _HUNDRED)
        if runway_days > 0:
            return _lerp(runway_days, _ZERO, _D(45), _ZERO, _D(50))
        return _ZERO


def lowest_score(r: Decimal) -> Decimal:
    """r = lowest balance ÷ (average daily expense × 30)."""
    with localcontext(_CONTEXT):
        if r >= _D("1.5"):
            return _HUNDRED
        if r >= 1:
            return _lerp(r, _D(1), _D("1.5"), _D(75), _HUNDRED)
        if r >= _D("0.5"):
            return _lerp(r, _D("0.5"), _D(1), _D(40), _D(75))
        if r > 0:
            return _lerp(r, _ZERO, _D("0.5"), _ZERO, _D(40))
        return _ZERO


def days_to_lowest_score(days: int) -> Decimal:
    """Days from today to the lowest day, when the low is below today's balance."""
    with localcontext(_CONTEXT):
        d = _D(days)
        if d >= 30:
            return _HUNDRED
        if d >= 14:
            return _lerp(d, _D(14), _D(30), _D(40), _HUNDRED)
        if d > 0:
            return _lerp(d, _ZERO, _D(14), _ZERO, _D(40))
        return _ZERO


def volatility_score(v: Decimal) -> Decimal:
    """v = (highest − lowest balance) ÷ current balance (never negative)."""
    with localcontext(_CONTEXT):
        if v <= _D("0.25"):
            return _HUNDRED
        if v <= 1:
            return _lerp(v, _D("0.25"), _D(1), _HUNDRED, _D(40))
        if v <= 2:
            return _lerp(v, _D(1), _D(2), _D(40), _ZERO)
        return _ZERO


def cash_risk(
    current_balance: Decimal,
    balances_90: list[Decimal],
    projected_expenses_90: Decimal,
    today: date,
    minimum_safe_balance: Decimal | None = None,
) -> RiskScore:
    """The cash risk score of the 90-day schedule line.

    balances_90: end-of-day balances of the schedule line for the 90 days starting today
    (index 0 = today). projected_expenses_90: the sum of the projected expenses over those
    90 days (a non-negative total). minimum_safe_balance: the household's own floor (None:
    not set); a low below it caps the score at MINIMUM_CAP.
    """
    for name, value in (
        ("current_balance", current_balance),
        ("projected_expenses_90", projected_expenses_90),
    ):
        if not isinstance(value, Decimal) or not value.is_finite():
            raise ValueError(f"{name} must be a finite Decimal, not {value!r}")
    if len(balances_90) != HORIZON_DAYS:
        raise ValueError(
            f"balances_90 must hold {HORIZON_DAYS} daily balances, not {len(balances_90)}"
        )
    if not all(isinstance(b, Decimal) and b.is_finite() for b in balances_90):
        raise ValueError("balances_90 must hold finite Decimals")
    if projected_expenses_90 < 0:
        raise ValueError("projected_expenses_90 is a total of expenses and cannot be negative")
    if minimum_safe_balance is not None and (
        not isinstance(minimum_safe_balance, Decimal) or not minimum_safe_balance.is_finite()
    ):
        raise ValueError(f"minimum_safe_balance must be a finite Decimal, not {minimum_safe_balance!r}")

    with localcontext(_CONTEXT):
        has_expense = projected_expenses_90 > 0
        average_daily_expense = projected_expenses_90 / HORIZON_DAYS

        lowest_balance = min(balances_90)
        lowest_index = balances_90.index(lowest_balance)  # the earliest on ties
        highest_balance = max(balances_90)

        runway_days = current_balance / average_daily_expense if has_expense else None

        if has_expense:
            r = lowest_balance / (average_daily_expense * 30)
            lowest_factor_score = lowest_score(r)
        else:
            r = None
            lowest_factor_score = _HUNDRED if lowest_balance >= 0 else _ZERO

        if lowest_balance < current_balance:
            days_factor_score = days_to_lowest_score(lowest_index)
        else:
            days_factor_score = _HUNDRED

        if current_balance > 0:
            volatility = (highest_balance - lowest_balance) / current_balance
            volatility_factor_score = volatility_score(volatility)
        else:
            volatility = None
            volatility_factor_score = _ZERO

        factors = {
            "runway": Factor(runway_days, runway_score(runway_days), WEIGHTS["runway"]),
            "lowest": Factor(r, lowest_factor_score, WEIGHTS["lowest"]),
            "days_to_lowest": Factor(lowest_index, days_factor_score, WEIGHTS["days_to_lowest"]),
            "volatility": Factor(volatility, volatility_factor_score, WEIGHTS["volatility"]),
        }

        if current_balance <= 0:
            score = 0
        else:
            weighted = sum((f.score * f.weight for f in factors.values()), _ZERO)
            score = int(weighted.quantize(_D(1), rounding=ROUND_HALF_UP))
            score = max(0, min(100, score))
        uncapped = score
        below_minimum = minimum_safe_balance is not None and lowest_balance < minimum_safe_balance
        if below_minimum:
            score = min(score, MINIMUM_CAP)

    return RiskScore(
        score=score,
        band=band_of(score),
        runway_days=runway_days,
        average_daily_expense=average_daily_expense,
        lowest_balance=lowest_balance,
        lowest_date=today + timedelta(days=lowest_index),
        days_until_lowest=lowest_index,
        volatility=volatility,
        factors=factors,
        minimum_safe_balance=minimum_safe_balance,
        below_minimum=below_minimum,
        uncapped_score=uncapped if below_minimum else None,
    )
