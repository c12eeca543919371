"""Dates and amounts as files write them, and the detection of a column's date order and
number style (never a silent guess when two readings differ)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from finora.services.imports.values import (
    DATE_ORDERS,
    NUMBER_STYLES,
    DateDoesNotExist,
    detect_date_order,
    detect_number_style,
    parse_amount,
    parse_date,
)


@pytest.mark.parametrize(
    ("text", "order", "expected"),
    [
        ("31/12/2026", "dmy", date(2026, 12, 31)),
        ("12-31-26", "mdy", date(2026, 12, 31)),
        ("2026-12-31", "ymd", date(2026, 12, 31)),
        ("2026-12-31", "dmy", date(2026, 12, 31)),  # a four-digit year first is never d/m
        ("1/ 2'26", "mdy", date(2026, 1, 2)),  # QIF
        ("1/ 2'26", "dmy", date(2026, 2, 1)),
        ("20261231", "dmy", date(2026, 12, 31)),
        ("31122026", "dmy", date(2026, 12, 31)),
        ("31.12.2026", "dmy", date(2026, 12, 31)),
        ("2026-12-31 00:00:00", "ymd", date(2026, 12, 31)),
        ("2026-12-31T09:15:00Z", "dmy", date(2026, 12, 31)),
        ("5/1/2026 10:30 PM", "mdy", date(2026, 5, 1)),
        ("46387", "serial", date(2026, 12, 31)),
        ("46387.5", "serial", date(2026, 12, 31)),
        ("31/12/69", "dmy", date(2069, 12, 31)),
        ("31/12/70", "dmy", date(1970, 12, 31)),
        ("01/01/00", "dmy", date(2000, 1, 1)),
        ("31 Dec 2026", "dmy", date(2026, 12, 31)),
        ("05-dez-2026", "dmy", date(2026, 12, 5)),
        ("Dec 31, 2026", "mdy", date(2026, 12, 31)),
        ("3 enero 2026", "dmy", date(2026, 1, 3)),
        ("  7/3/2026 ", "dmy", date(2026, 3, 7)),
    ],
)
def test_parse_date_reads_every_style(text, order, expected):
    assert parse_date(text, order) == expected


@pytest.mark.parametrize(
    ("text", "order"),
    [
        ("", "dmy"),
        ("abc", "dmy"),
        ("31/12", "dmy"),
        ("2026", "ymd"),
        ("1/2/3/4", "dmy"),
        ("31/12/202", "dmy"),
        ("123/1/2026", "dmy"),
        ("2026-12-31", "serial"),
        ("0", "serial"),
        ("9999999", "serial"),
        ("31 Foo 2026", "dmy"),
        ("1234567", "dmy"),
        ("31/12/2026", "xyz"),
    ],
)
def test_parse_date_refuses_what_is_not_a_date(text, order):
    with pytest.raises(ValueError):
        parse_date(text, order)


def test_a_well_formed_day_the_calendar_lacks_is_told_apart():
    with pytest.raises(DateDoesNotExist):
        parse_date("31/02/2026", "dmy")
    with pytest.raises(DateDoesNotExist):
        parse_date("02/30/2026", "mdy")
    with pytest.raises(DateDoesNotExist):
        parse_date("29/02/2027", "dmy")
    assert parse_date("29/02/2028", "dmy") == date(2028, 2, 29)


def test_the_order_decides_a_day_and_month_that_both_fit():
    assert parse_date("10/11/2026", "dmy") == date(2026, 11, 10)
    assert parse_date("10/11/2026", "mdy") == date(2026, 10, 11)
    assert set(DATE_ORDERS) == {"dmy", "mdy", "ymd", "serial"}


def test_a_day_above_twelve_decides_the_order():
    guess = detect_date_order(["10/11/2026", "01/02/2026", "13/02/2026"])
    assert (guess.order, guess.ambiguous, guess.possible) == ("dmy", False, ("dmy",))
    guess = detect_date_order(["10/11/2026", "02/13/2026", ""])
    assert (guess.order, guess.ambiguous, guess.possible) == ("mdy", False, ("mdy",))


def test_no_day_above_twelve_is_ambiguous_and_asks():
    guess = detect_date_order(["10/11/2026", "01/02/2026", "12/03/2026"])
    assert guess.order is None
    assert guess.ambiguous is True
    assert guess.possible == ("dmy", "mdy")


def test_two_digit_years_everywhere_can_be_three_orders():
    guess = detect_date_order(["10/11/12"])
    assert guess.ambiguous and guess.possible == ("dmy", "mdy", "ymd")


def test_orders_that_agree_on_every_date_are_not_ambiguous():
    guess = detect_date_order(["2026-01-02", "2026-11-10"])
    assert guess.order == "ymd" and not guess.ambiguous
    guess = detect_date_order(["05/05/2026", "01/01/2026"])
    assert not guess.ambiguous and guess.order in ("dmy", "mdy")


def test_serial_numbers_are_dates_only_in_plausible_years():
    guess = detect_date_order(["46387", "46388", "46022"])
    assert (guess.order, guess.ambiguous) == ("serial", False)
    assert parse_date("46023", "serial") == date(2026, 1, 1)
    # Amounts are not dates of 1900.
    assert detect_date_order(["120", "45", "7"]).order is None


def test_a_column_that_is_not_dates_has_no_order():
    guess = detect_date_order(["Coffee", "Rent", "", "Salary"])
    assert (guess.order, guess.ambiguous, guess.possible) == (None, False, ())
    assert detect_date_order([]).order is None


def test_a_stray_value_does_not_hide_the_order():
    guess = detect_date_order(["Saldo anterior", "13/02/2026", "14/02/2026", "15/02/2026"])
    assert guess.order == "dmy"


@pytest.mark.parametrize(
    ("text", "style", "expected"),
    [
        ("-12,30", "comma_decimal", "-12.30"),
        ("(12.30)", "dot_decimal", "-12.30"),
        ("12.30-", "dot_decimal", "-12.30"),
        ("+5", "dot_decimal", "5"),
        ("R$ 1.234,56", "comma_decimal", "1234.56"),
        ("-R$ 1.234,56", "comma_decimal", "-1234.56"),
        ("R$ -1.234,56", "comma_decimal", "-1234.56"),
        ("€1,234.56", "dot_decimal", "1234.56"),
        ("1.234,56 €", "comma_decimal", "1234.56"),
        ("USD 1,234.56", "dot_decimal", "1234.56"),
        ("US$ 5.00", "dot_decimal", "5.00"),
        ("1 234,56", "comma_decimal", "1234.56"),
        ("1\u00a0234,56", "comma_decimal", "1234.56"),
        ("1'234.56", "dot_decimal", "1234.56"),
        ("1.234.567,89", "comma_decimal", "1234567.89"),
        ("1234.56", "dot_decimal", "1234.56"),
        ("\u221212.30", "dot_decimal", "-12.30"),
        ("12.300", "dot_decimal", "12.30"),
        ("1,5", "comma_decimal", "1.5"),
        ("0,00", "comma_decimal", "0"),
        ("-0,00", "comma_decimal", "0"),
        ("(R$ 50,00)", "comma_decimal", "-50.00"),
    ],
)
def test_parse_amount_reads_every_style(text, style, expected):
    value = parse_amount(text, style)
    assert isinstance(value, Decimal)
    assert value == Decimal(expected)
    if value:
        assert str(value) == expected


@pytest.mark.parametrize(
    ("text", "style"),
    [
        ("", "dot_decimal"),
        ("abc", "dot_decimal"),
        ("--5", "dot_decimal"),
        ("12.345", "dot_decimal"),
        ("1,234.56", "comma_decimal"),
        ("1.234,56", "dot_decimal"),
        ("1,23,456.00", "dot_decimal"),
        ("12a34", "dot_decimal"),
        ("(-12.30)", "dot_decimal"),
        ("1.2.3", "dot_decimal"),
        ("12,", "comma_decimal"),
        ("1.234 567,00", "comma_decimal"),
        ("5", "octal"),
    ],
)
def test_parse_amount_refuses_what_is_not_an_amount(text, style):
    with pytest.raises(ValueError):
        parse_amount(text, style)


def test_number_style_detected_from_the_separators():
    guess = detect_number_style(["1.234,56", "-12,30", "", "5"])
    assert (guess.style, guess.ambiguous, guess.possible) == (
        "comma_decimal",
        False,
        ("comma_decimal",),
    )
    guess = detect_number_style(["1,234.56", "(12.30)", "$5.00"])
    assert (guess.style, guess.ambiguous, guess.possible) == (
        "dot_decimal",
        False,
        ("dot_decimal",),
    )
    assert set(NUMBER_STYLES) == {"comma_decimal", "dot_decimal"}


def test_whole_numbers_read_the_same_in_both_styles():
    guess = detect_number_style(["12", "-5", "1234"])
    assert guess.style == "dot_decimal" and not guess.ambiguous
    assert guess.possible == ("comma_decimal", "dot_decimal")


def test_thousands_alone_are_ambiguous():
    guess = detect_number_style(["1.500", "2.000"])
    assert (guess.style, guess.ambiguous) == (None, True)
    assert parse_amount("1.500", "comma_decimal") == Decimal("1500")
    assert parse_amount("1.500", "dot_decimal") == Decimal("1.5")


def test_words_have_no_number_style():
    assert detect_number_style(["Coffee", "Rent"]).style is None


def test_one_stray_value_does_not_undo_the_columns_style():
    # "1,234" reads only as dot decimals, every other value only as comma decimals: the
    # column is comma decimals and "1,234" becomes that row's error.
    values = ["-1,00", "0,00", "12,50", "1.234,56", "7,00", "1,234"]
    guess = detect_number_style(values)
    assert (guess.style, guess.ambiguous, guess.possible) == ("comma_decimal", False, ("comma_decimal",))
    # Half and half decides nothing.
    assert detect_number_style(["-1,00", "2,00", "1,234.56", "3.50"]).style is None


@pytest.mark.parametrize(
    ("text", "style", "expected"),
    [
        ("12,30 D", "comma_decimal", "-12.30"),
        ("1.234,56 C", "comma_decimal", "1234.56"),
        ("45.00 CR", "dot_decimal", "45.00"),
        ("45.00DR", "dot_decimal", "-45.00"),
        ("R$ 12,30 D", "comma_decimal", "-12.30"),
    ],
)
def test_a_trailing_debit_or_credit_mark_gives_the_sign(text, style, expected):
    assert parse_amount(text, style) == Decimal(expected)


@pytest.mark.parametrize("text", ["-12,30 D", "12 abc", "D", "12,30 X"])
def test_marks_that_contradict_or_are_unknown_are_refused(text):
    with pytest.raises(ValueError):
        parse_amount(text, "comma_decimal")
