"""The cash risk score (forecast issue, item 3): band edges, every factor breakpoint and
midpoint, the special cases and a worked example computed by hand."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal, localcontext

import pytest

from finora.forecast.risk import (
    Factor,
    RiskScore,
    band_of,
    cash_risk,
    days_to_lowest_score,
    lowest_score,
    runway_score,
    volatility_score,
)

D = Decimal
TODAY = date(2026, 11, 21)


def flat(balance: str, days: int = 90) -> list[Decimal]:
    return [D(balance)] * days


def with_low(base: str, low: str, at: int) -> list[Decimal]:
    """90 days at `base` except `low` on day `at`."""
    balances = flat(base)
    balances[at] = D(low)
    return balances


# --- bands -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("score", "band"),
    [
        (0, "critical"),
        (19, "critical"),
        (20, "risk"),
        (39, "risk"),
        (40, "watch"),
        (59, "watch"),
        (60, "stable"),
        (79, "stable"),
        (80, "safe"),
        (100, "safe"),
    ],
)
def test_band_edges(score, band):
    assert band_of(score) == band


@pytest.mark.parametrize("bad", [-1, 101, 50.0, D(50), True])
def test_band_of_refuses_anything_but_an_integer_score(bad):
    with pytest.raises(ValueError):
        band_of(bad)


# --- factor curves -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("runway", "expected"),
    [
        ("-5", "0"),
        ("0", "0"),
        ("22.5", "25"),
        ("45", "50"),
        ("67.5", "75"),
        ("90", "100"),
        ("120", "100"),
    ],
)
def test_runway_curve(runway, expected):
    assert runway_score(D(runway)) == D(expected)


def test_runway_without_expense_is_100():
    assert runway_score(None) == 100


@pytest.mark.parametrize(
    ("r", "expected"),
    [
        ("-0.1", "0"),
        ("0", "0"),
        ("0.25", "20"),
        ("0.5", "40"),
        ("0.75", "57.5"),
        ("1", "75"),
        ("1.25", "87.5"),
        ("1.5", "100"),
        ("2", "100"),
    ],
)
def test_lowest_curve(r, expected):
    assert lowest_score(D(r)) == D(expected)


@pytest.mark.parametrize(
    ("days", "expected"),
    [(0, "0"), (7, "20"), (14, "40"), (22, "70"), (30, "100"), (45, "100")],
)
def test_days_to_lowest_curve(days, expected):
    assert days_to_lowest_score(days) == D(expected)


@pytest.mark.parametrize(
    ("v", "expected"),
    [
        ("0", "100"),
        ("0.25", "100"),
        ("0.625", "70"),
        ("1", "40"),
        ("1.5", "20"),
        ("2", "0"),
        ("3", "0"),
    ],
)
def test_volatility_curve(v, expected):
    assert volatility_score(D(v)) == D(expected)


# --- the same breakpoints through cash_risk ----------------------------------------------
# projected expenses 9,000.00 over 90 days = 100.00 a day; 30 days of it = 3,000.00.


@pytest.mark.parametrize(
    ("balance", "runway", "expected"),
    [
        ("0.00", "0", "0"),
        ("2250.00", "22.5", "25"),
        ("4500.00", "45", "50"),
        ("6750.00", "67.5", "75"),
        ("9000.00", "90", "100"),
        ("12000.00", "120", "100"),
    ],
)
def test_runway_factor(balance, runway, expected):
    risk = cash_risk(D(balance), flat(balance), D("9000.00"), TODAY)
    assert risk.average_daily_expense == D(100)
    assert risk.runway_days == D(runway)
    assert risk.factors["runway"] == Factor(D(runway), D(expected), D("0.40"))


@pytest.mark.parametrize(
    ("low", "r", "expected"),
    [
        ("-300.00", "-0.1", "0"),
        ("0.00", "0", "0"),
        ("750.00", "0.25", "20"),
        ("1500.00", "0.5", "40"),
        ("2250.00", "0.75", "57.5"),
        ("3000.00", "1", "75"),
        ("3750.00", "1.25", "87.5"),
        ("4500.00", "1.5", "100"),
        ("6000.00", "2", "100"),
    ],
)
def test_lowest_factor(low, r, expected):
    risk = cash_risk(D("10000.00"), with_low("10000.00", low, 40), D("9000.00"), TODAY)
    assert risk.lowest_balance == D(low)
    assert risk.factors["lowest"] == Factor(D(r), D(expected), D("0.25"))


@pytest.mark.parametrize(
    ("days", "expected"),
    [(0, "0"), (7, "20"), (14, "40"), (22, "70"), (30, "100"), (45, "100")],
)
def test_days_to_lowest_factor(days, expected):
    risk = cash_risk(D("1000.00"), with_low("1000.00", "900.00", days), D("900.00"), TODAY)
    assert risk.days_until_lowest == days
    assert risk.lowest_date == TODAY + timedelta(days=days)
    assert risk.factors["days_to_lowest"] == Factor(days, D(expected), D("0.20"))


@pytest.mark.parametrize("low", ["1000.00", "1200.00"])
def test_days_to_lowest_is_100_when_the_low_is_not_below_today(low):
    # Day 0 is the low but it is not below the current balance: nothing to count down to.
    balances = [D(low)] + flat("1500.00", 89)
    risk = cash_risk(D("1000.00"), balances, D("900.00"), TODAY)
    assert risk.days_until_lowest == 0
    assert risk.factors["days_to_lowest"].score == 100


@pytest.mark.parametrize(
    ("high", "v", "expected"),
    [
        ("1000.00", "0", "100"),
        ("1250.00", "0.25", "100"),
        ("1625.00", "0.625", "70"),
        ("2000.00", "1", "40"),
        ("2500.00", "1.5", "20"),
        ("3000.00", "2", "0"),
        ("4000.00", "3", "0"),
    ],
)
def test_volatility_factor(high, v, expected):
    balances = flat("1000.00")
    balances[60] = D(high)
    risk = cash_risk(D("1000.00"), balances, D("900.00"), TODAY)
    assert risk.volatility == D(v)
    assert risk.factors["volatility"] == Factor(D(v), D(expected), D("0.15"))


# --- special cases -----------------------------------------------------------------------


def test_no_projected_expense():
    risk = cash_risk(D("500.00"), flat("500.00"), D("0.00"), TODAY)
    assert risk.runway_days is None
    assert risk.average_daily_expense == 0
    assert risk.factors["runway"] == Factor(None, D(100), D("0.40"))
    assert risk.factors["lowest"] == Factor(None, D(100), D("0.25"))
    assert risk.score == 100 and risk.band == "safe"


def test_no_projected_expense_with_a_negative_low_scores_lowest_0():
    # Income only, but a negative day still comes (e.g. an overdraft already booked).
    balances = with_low("500.00", "-10.00", 30)
    risk = cash_risk(D("500.00"), balances, D("0.00"), TODAY)
    assert risk.factors["lowest"].score == 0
    assert risk.factors["lowest"].value is None
    # runway 40 + lowest 0 + days (30 → 100) 20 + volatility (510/500 = 1.02 → 39.2) 5.88
    assert risk.volatility == D("1.02")
    assert risk.factors["volatility"].score == D("39.2")
    assert risk.score == 66 and risk.band == "stable"


@pytest.mark.parametrize("balance", ["0.00", "-0.01", "-2500.00"])
def test_current_balance_not_positive_scores_0(balance):
    risk = cash_risk(D(balance), flat(balance), D("900.00"), TODAY)
    assert risk.score == 0 and risk.band == "critical"
    # The factors are still filled in for the breakdown, without dividing by zero.
    assert risk.runway_days == D(balance) / 10
    assert risk.factors["runway"].score == 0
    assert risk.volatility is None
    assert risk.factors["volatility"] == Factor(None, D(0), D("0.15"))


@pytest.mark.parametrize("balance", ["0.00", "-50.00"])
def test_current_balance_not_positive_without_expense_still_scores_0(balance):
    # Every factor could score 100 here except volatility; the rule still gives 0.
    risk = cash_risk(D(balance), flat("100.00"), D("0.00"), TODAY)
    assert risk.runway_days is None and risk.volatility is None
    assert risk.score == 0 and risk.band == "critical"


def test_lowest_date_is_the_earliest_on_ties():
    balances = flat("1000.00")
    for day in (12, 20, 75):
        balances[day] = D("300.00")
    risk = cash_risk(D("1000.00"), balances, D("900.00"), TODAY)
    assert risk.lowest_balance == D("300.00")
    assert risk.days_until_lowest == 12
    assert risk.lowest_date == date(2026, 12, 3)
    assert risk.factors["days_to_lowest"].value == 12


# --- rounding ----------------------------------------------------------------------------


def test_weighted_sum_rounds_half_up():
    # No expense: runway 100 × 0.40 = 40; lowest (250 ≥ 0) 100 × 0.25 = 25;
    # low on day 7 below today's 1,000 → 20 × 0.20 = 4;
    # v = (2,000 − 250) ÷ 1,000 = 1.75 → 40 − 0.75 × 40 = 10 → 10 × 0.15 = 1.5.
    # Sum 70.5 → 71 (half-even would give 70).
    balances = flat("2000.00")
    balances[7] = D("250.00")
    risk = cash_risk(D("1000.00"), balances, D("0.00"), TODAY)
    assert risk.factors["volatility"].score == 10
    assert sum(f.score * f.weight for f in risk.factors.values()) == D("70.5")
    assert risk.score == 71 and risk.band == "stable"


def test_weighted_sum_just_below_half_rounds_down():
    # As above with v = 1.7625 → 40 − 0.7625 × 40 = 9.5 → 1.425; sum 70.425 → 70.
    balances = flat("2012.50")
    balances[7] = D("250.00")
    risk = cash_risk(D("1000.00"), balances, D("0.00"), TODAY)
    assert sum(f.score * f.weight for f in risk.factors.values()) == D("70.425")
    assert risk.score == 70


def test_result_does_not_depend_on_the_callers_decimal_context():
    balances = flat("2000.00")
    balances[7] = D("250.00")
    expected = cash_risk(D("1000.00"), balances, D("0.00"), TODAY)
    with localcontext() as ctx:
        ctx.prec = 3
        assert cash_risk(D("1000.00"), balances, D("0.00"), TODAY) == expected


# --- a full worked example ---------------------------------------------------------------


def test_worked_example():
    # Today's balance 3,600.00; projected expenses over the 90 days 4,500.00.
    # Schedule line: 3,500 for days 0–4, 4,500 for days 5–19, 1,800 on day 20, 2,500 after.
    #
    # average daily expense = 4,500 ÷ 90 = 50
    # runway   = 3,600 ÷ 50 = 72 days        → 50 + (72 − 45) ÷ 45 × 50 = 80      × 0.40 = 32
    # lowest   = 1,800 on day 20 (2026-12-11)
    #            r = 1,800 ÷ (50 × 30) = 1.2  → 75 + (1.2 − 1) ÷ 0.5 × 25 = 85    × 0.25 = 21.25
    # days     = 20 (low below 3,600)         → 40 + (20 − 14) ÷ 16 × 60 = 62.5   × 0.20 = 12.5
    # volatility v = (4,500 − 1,800) ÷ 3,600 = 0.75
    #                                         → 100 − (0.75 − 0.25) ÷ 0.75 × 60 = 60 × 0.15 = 9
    # weighted sum = 32 + 21.25 + 12.5 + 9 = 74.75 → 75, band "stable"
    balances = flat("3500.00", 5) + flat("4500.00", 15) + [D("1800.00")] + flat("2500.00", 69)
    risk = cash_risk(D("3600.00"), balances, D("4500.00"), TODAY)

    assert risk == RiskScore(
        score=75,
        band="stable",
        runway_days=D(72),
        average_daily_expense=D(50),
        lowest_balance=D("1800.00"),
        lowest_date=date(2026, 12, 11),
        days_until_lowest=20,
        volatility=D("0.75"),
        factors={
            "runway": Factor(D(72), D(80), D("0.40")),
            "lowest": Factor(D("1.2"), D(85), D("0.25")),
            "days_to_lowest": Factor(20, D("62.5"), D("0.20")),
            "volatility": Factor(D("0.75"), D(60), D("0.15")),
        },
    )


def test_score_is_within_0_and_100_at_the_extremes():
    best = cash_risk(D("1000000.00"), flat("1000000.00"), D("90.00"), TODAY)
    assert best.score == 100 and best.band == "safe"
    worst = cash_risk(D("0.01"), with_low("0.01", "-99999.00", 0), D("999999.00"), TODAY)
    assert worst.score == 0 and worst.band == "critical"


def test_risk_score_is_frozen():
    risk = cash_risk(D("100.00"), flat("100.00"), D("0.00"), TODAY)
    with pytest.raises(AttributeError):
        risk.score = 5


# --- bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize("days", [0, 89, 91])
def test_needs_exactly_90_balances(days):
    with pytest.raises(ValueError, match="90"):
        cash_risk(D("100.00"), flat("100.00", days), D("0.00"), TODAY)


def test_refuses_negative_expenses_and_floats():
    with pytest.raises(ValueError):
        cash_risk(D("100.00"), flat("100.00"), D("-1.00"), TODAY)
    with pytest.raises(ValueError):
        cash_risk(100.0, flat("100.00"), D("0.00"), TODAY)
    with pytest.raises(ValueError):
        cash_risk(D("100.00"), [100.0] * 90, D("0.00"), TODAY)
