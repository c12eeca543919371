"""The amount in a bank e-mail: each common bank style, negatives, the household's locale
deciding first, and text that holds no amount."""

from __future__ import annotations

from decimal import Decimal

import pytest

from finora.services.integrations.email_import.amounts import AmountError, read_amount


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("R$ 1.234,56", "1234.56"),
        ("-1.234,56", "-1234.56"),
        ("1,234.56", "1234.56"),
        ("(1,234.56)", "-1234.56"),
        ("USD 1,234.56", "1234.56"),
        ("R$ -1.234,56", "-1234.56"),
        ("-R$ 1.234,56", "-1234.56"),
        ("R$1.234,56", "1234.56"),
        ("1.234,56-", "-1234.56"),
        ("(R$ 10,00)", "-10.00"),
        ("-$ 5", "-5.00"),
        ("US$ 1,234.56", "1234.56"),
        ("1 234,56 €", "1234.56"),
        ("\u22121.234,56", "-1234.56"),  # a typographic minus
        ("EUR 1.234.567,89", "1234567.89"),
        ("0,07", "0.07"),
        ("12.5", "12.50"),
    ],
)
@pytest.mark.parametrize("locale", ["pt", "en", "es"])
def test_each_bank_style_reads_the_same_in_every_locale(text, expected, locale):
    assert read_amount(text, locale) == Decimal(expected)


def test_the_first_amount_in_the_text_is_read_whatever_surrounds_it():
    assert read_amount("disponível em conta: R$ 2.500,00 até 05/12", "pt") == Decimal("2500.00")
    assert read_amount("Balance USD 99.90 as of today", "en") == Decimal("99.90")


def test_an_amount_written_as_money_wins_over_a_date_or_a_count_before_it():
    assert read_amount("em 05/12 às 10h: R$ 10,00", "pt") == Decimal("10.00")
    assert read_amount("conta 1234-5 saldo 2.000,50", "pt") == Decimal("2000.50")
    assert read_amount("3 lançamentos; saldo USD 7", "en") == Decimal("7.00")
    assert read_amount("3 items: $ 7", "en") == Decimal("7.00")
    assert read_amount("DIA 05/12 SALDO R$ 10,00", "pt") == Decimal("10.00")
    assert read_amount("conta 1234", "pt") == Decimal("1234.00")  # nothing else: the number


def test_a_lone_group_of_three_digits_is_a_thousand_in_either_convention():
    # Banks write two decimal places: "1.234" and "1,234" are both one thousand and more.
    assert read_amount("1.234", "pt") == Decimal("1234.00")
    assert read_amount("1.234", "en") == Decimal("1234.00")
    assert read_amount("1,234", "pt") == Decimal("1234.00")
    assert read_amount("1,234", "en") == Decimal("1234.00")


def test_the_locale_decides_first():
    # Two groups of three with dots are a grouping in pt and in en alike; a comma with two
    # decimals is the decimal mark in pt and in es.
    assert read_amount("1.234.567", "en") == Decimal("1234567.00")
    assert read_amount("1.234,5", "es") == Decimal("1234.50")


@pytest.mark.parametrize("text", ["", "saldo indisponível", "R$ ,", "1234567.891", "1.2.3,4,5"])
def test_text_without_an_amount_is_refused(text):
    with pytest.raises(AmountError):
        read_amount(text, "pt")
