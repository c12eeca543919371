"""Money parsing, formatting and cent conversion: exact, locale-aware, never float."""

from __future__ import annotations

from decimal import Decimal

import pytest
from babel.numbers import format_currency
from hypothesis import given, settings
from hypothesis import strategies as st

from finora.money import (
    MAX_AMOUNT,
    MoneyError,
    _money_layout,
    format_amount_input,
    format_money,
    from_cents,
    parse_amount,
    to_cents,
)


@pytest.mark.parametrize(
    ("text", "locale", "expected"),
    [
        ("1.234,56", "pt", "1234.56"),
        ("1234,56", "pt", "1234.56"),
        ("1.234", "pt", "1234.00"),
        ("1.234.567,8", "pt", "1234567.80"),
        ("12.5", "pt", "12.50"),  # a lone "." with 1-2 digits is a decimal mark
        ("0,10", "pt", "0.10"),
        (" 1 234,56 ", "pt", "1234.56"),
        ("1,234.56", "en", "1234.56"),
        ("1234.56", "en", "1234.56"),
        ("1,234", "en", "1234.00"),
        ("12,50", "en", "12.50"),
        (".5", "en", "0.50"),
        ("1.234,56", "es", "1234.56"),
        ("+7", "en", "7.00"),
        ("999.999.999.999,99", "pt", "999999999999.99"),
    ],
)
def test_parse_amount_reads_the_locale(text, locale, expected):
    assert parse_amount(text, locale) == Decimal(expected)


@pytest.mark.parametrize(
    ("text", "locale", "message"),
    [
        ("", "pt", "Enter an amount."),
        ("   ", "en", "Enter an amount."),
        (None, "en", "Enter an amount."),
        ("abc", "en", "Enter a number"),
        ("12a", "pt", "Enter a number"),
        ("1,234.567", "en", "at most two decimal places"),
        ("0,001", "pt", "at most two decimal places"),
        ("1,23,4", "en", "Enter a number"),
        ("1.2.3", "en", "Enter a number"),
        ("12.34.56,7", "pt", "Enter a number"),
        ("-5", "pt", "positive"),
        ("1.000.000.000.000,00", "pt", "too large"),
        ("1e5", "en", "Enter a number"),
        ("NaN", "en", "Enter a number"),
    ],
)
def test_parse_amount_refuses_bad_input_with_a_clear_message(text, locale, message):
    with pytest.raises(MoneyError) as caught:
        parse_amount(text, locale)
    assert message in str(caught.value)


def test_the_error_shows_an_example_in_the_users_locale():
    with pytest.raises(MoneyError) as caught:
        parse_amount("abc", "pt")
    assert "1.234,56" in str(caught.value)


def test_negative_amounts_when_allowed():
    assert parse_amount("-1.234,50", "pt", allow_negative=True) == Decimal("-1234.50")


def test_cents_conversion_is_exact():
    assert to_cents(Decimal("0.10")) + to_cents(Decimal("0.20")) == 30
    assert from_cents(30) == Decimal("0.30")
    assert to_cents(MAX_AMOUNT) == 99999999999999
    assert from_cents(-12345) == Decimal("-123.45")


def test_cents_conversion_refuses_float_and_sub_cent_values():
    with pytest.raises(TypeError):
        to_cents(0.1)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        to_cents(Decimal("0.001"))


@pytest.mark.parametrize(
    ("locale", "currency", "expected"),
    [
        ("pt", "BRL", "R$\xa01.234,56"),
        ("en", "USD", "$1,234.56"),
        ("es", "EUR", "1.234,56\xa0€"),
        ("en", "BRL", "R$1,234.56"),
    ],
)
def test_format_money_uses_babel(locale, currency, expected):
    assert format_money(Decimal("1234.56"), currency, locale) == expected


def test_format_large_amounts():
    assert format_money(Decimal("999999999999.99"), "BRL", "pt") == "R$\xa0999.999.999.999,99"


def test_amount_input_round_trips():
    for locale in ("pt", "en", "es"):
        for value in ("0.10", "1234.50", "-7.00"):
            amount = Decimal(value)
            text = format_amount_input(amount, locale)
            assert parse_amount(text, locale, allow_negative=True) == amount


# format_money learns each layout from Babel once and then writes amounts itself; it must
# write exactly what Babel writes, for every locale we serve and a few we do not.
LAYOUT_LOCALES = ["pt", "pt_BR", "pt_PT", "en", "en_GB", "es", "es_ES", "es_MX", "de_CH", "fr", "ar"]
LAYOUT_CURRENCIES = ["BRL", "EUR", "USD", "JPY", "KWD", "CHF"]


@given(
    amount=st.decimals(
        min_value=Decimal("-999999999999.999"), max_value=Decimal("999999999999.999"),
        places=3, allow_nan=False, allow_infinity=False,
    ),
    locale=st.sampled_from(LAYOUT_LOCALES),
    currency=st.sampled_from(LAYOUT_CURRENCIES),
)
@settings(max_examples=600, deadline=None)
def test_format_money_writes_exactly_what_babel_writes(amount, locale, currency):
    assert format_money(amount, currency, locale) == format_currency(amount, currency, locale=locale)


@pytest.mark.parametrize(
    "amount", ["0", "-0", "0.00", "-0.00", "0.004", "-0.004", "0.005", "-0.005", "0.015", "-1234.565"]
)
@pytest.mark.parametrize("locale", ["pt", "en", "es", "de_CH"])
def test_format_money_zero_and_rounding_edges_match_babel(amount, locale):
    value = Decimal(amount)
    assert format_money(value, "BRL", locale) == format_currency(value, "BRL", locale=locale)


def test_a_locale_that_groups_otherwise_is_left_to_babel():
    # Indian grouping (12,34,567) is not groups of three: no learnt layout, Babel writes it.
    assert _money_layout("INR", "en_IN") is None
    assert format_money(Decimal("1234567.5"), "INR", "en_IN") == "₹12,34,567.50"
    assert _money_layout("BRL", "pt") is not None
