"""The cash risk score's two issue-12 rules: a 90-day low under the household's minimum safe
balance caps the score at 59 (never "stable" or "safe"), and when there is nothing to judge
(no account counted, no data, an empty balance with nothing to pay) no score is shown."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from finora.forecast.risk import (
    MINIMUM_CAP,
    NO_ACCOUNTS,
    NO_DATA,
    NOTHING_TO_PAY,
    SCORED,
    band_of,
    cash_risk,
    score_status,
)

D = Decimal
TODAY = date(2026, 11, 21)
FLAT = [D("10000.00")] * 90


def test_without_a_minimum_a_comfortable_line_is_safe():
    risk = cash_risk(D("10000.00"), FLAT, D("900.00"), TODAY)
    assert (risk.score, risk.band) == (100, "safe")
    assert not risk.below_minimum and not risk.capped and risk.uncapped_score is None


def test_a_minimum_the_line_stays_above_changes_nothing():
    risk = cash_risk(D("10000.00"), FLAT, D("900.00"), TODAY, D("10000.00"))
    assert (risk.score, risk.band) == (100, "safe")
    assert risk.minimum_safe_balance == D("10000.00") and not risk.below_minimum


def test_a_low_under_the_minimum_caps_the_score_at_watch():
    risk = cash_risk(D("10000.00"), FLAT, D("900.00"), TODAY, D("10000.01"))
    assert risk.below_minimum and risk.capped
    assert (risk.score, risk.band, risk.uncapped_score) == (MINIMUM_CAP, "watch", 100)
    assert band_of(MINIMUM_CAP) == "watch"


def test_the_cap_never_raises_a_lower_score():
    balances = [D("100.00")] * 10 + [D("-500.00")] * 80
    without = cash_risk(D("100.00"), balances, D("9000.00"), TODAY)
    capped = cash_risk(D("100.00"), balances, D("9000.00"), TODAY, D("50.00"))
    assert capped.score == without.score < MINIMUM_CAP
    assert capped.below_minimum and not capped.capped


def test_a_minimum_of_zero_caps_a_line_that_goes_negative():
    balances = [D("5000.00")] * 89 + [D("-1.00")]
    assert cash_risk(D("5000.00"), balances, D("100.00"), TODAY).band in ("safe", "stable")
    assert cash_risk(D("5000.00"), balances, D("100.00"), TODAY, D("0")).score <= MINIMUM_CAP


def test_the_minimum_must_be_a_decimal():
    with pytest.raises(ValueError):
        cash_risk(D("1.00"), FLAT, D("1.00"), TODAY, 100.0)


def status(**overrides) -> str:
    values = {
        "accounts": 1,
        "current_balance": D("0"),
        "has_rules": False,
        "has_unpaid": False,
        "projected_expenses_90": D("0"),
    }
    values.update(overrides)
    return score_status(**values)


def test_no_account_counted():
    assert status(accounts=0, current_balance=D("500"), has_rules=True) == NO_ACCOUNTS


def test_a_zero_balance_without_rules_or_unpaid_entries_is_no_data():
    assert status() == NO_DATA


@pytest.mark.parametrize(
    "overrides",
    [{"has_rules": True}, {"has_unpaid": True}],
    ids=["a rule", "an unpaid entry"],
)
def test_any_rule_or_unpaid_entry_is_data(overrides):
    # Still nothing to pay: explained rather than scored, but not "no data".
    assert status(**overrides) == NOTHING_TO_PAY


@pytest.mark.parametrize("balance", ["0", "-0.01", "-2500.00"])
def test_an_empty_or_negative_balance_with_nothing_to_pay_is_explained(balance):
    assert status(current_balance=D(balance), has_rules=True) == NOTHING_TO_PAY


@pytest.mark.parametrize("balance", ["0", "-50.00", "0.01", "800.00"])
def test_with_expenses_to_pay_the_score_is_shown(balance):
    # A zero balance with bills to pay is a real shortfall: it scores (0, critical).
    assert status(current_balance=D(balance), has_rules=True, projected_expenses_90=D("10")) == SCORED


def test_a_positive_balance_without_rules_is_scored():
    assert status(current_balance=D("800.00")) == SCORED
