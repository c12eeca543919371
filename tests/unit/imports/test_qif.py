"""QIF: dates in the styles programs write (US, European, Quicken's apostrophe, ISO), the
date order asked for when the file cannot tell, categories, transfers and splits."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from finora.services.imports.formats import DateOrderNeeded, NumberStyleNeeded, parse_bank
from finora.services.imports.rows import ImportFileError, SplitPart

BANK = Path(__file__).resolve().parents[2] / "fixtures" / "imports" / "bank"


def parse(name: str, **options):
    return parse_bank((BANK / name).read_bytes(), "qif", **options)


def test_us_dates_categories_transfers_and_bad_rows():
    parsed = parse("us_dates.qif")
    assert parsed.format == "qif"
    rent, groceries, salary, transfer = parsed.rows
    assert (rent.line, rent.date, rent.amount) == (1, date(2025, 12, 28), Decimal("-1234.56"))
    assert (rent.category, rent.subcategory, rent.notes) == ("Housing", "Rent", "Check number 1042")
    assert (groceries.date, groceries.description, groceries.notes) == (
        date(2026, 1, 2),
        "SAFEWAY #1234",
        "Groceries for the week",
    )
    assert (groceries.category, groceries.subcategory) == ("Food", "Groceries")
    assert (salary.date, salary.amount, salary.category, salary.subcategory) == (
        date(2026, 1, 15),
        Decimal("3200.00"),
        "Salary",
        None,
    )
    # "[Savings]" is a transfer: the description stays, no category
    assert (transfer.description, transfer.category, transfer.amount) == (
        "Transfer to savings",
        None,
        Decimal("-500.00"),
    )
    assert all(row.bank_id is None for row in parsed.rows)
    assert [(error.line, error.reason) for error in parsed.errors] == [
        (5, "The amount is zero."),
        (6, "The date “02/30/2026” cannot be read."),
    ]
    assert parsed.errors[1].cells == ("D02/30/2026", "T-10.00", "PBROKEN DATE")


def test_european_dates_and_comma_decimals_in_cp1252():
    parsed = parse("european_dates.qif")
    rent, food, salary = parsed.rows
    assert (rent.date, rent.amount, rent.category, rent.subcategory) == (
        date(2025, 12, 31),
        Decimal("-1234.56"),
        "Wohnen",
        "Miete",
    )
    assert (food.date, food.amount) == (date(2026, 1, 2), Decimal("-42.17"))
    assert (salary.date, salary.amount, salary.description) == (
        date(2026, 1, 15),
        Decimal("2500.00"),
        "Gehalt Januar",
    )


def test_apostrophe_dates_that_fit_two_orders_are_asked_for():
    with pytest.raises(DateOrderNeeded) as caught:
        parse("quicken_apostrophe.qif")
    assert caught.value.possible == ("dmy", "mdy")
    assert caught.value.suggested == "mdy"  # Quicken's US order is offered first, not assumed
    assert "choose the date order" in str(caught.value)


def test_apostrophe_dates_with_the_order_given():
    parsed = parse("quicken_apostrophe.qif", date_order="mdy")
    food, netflix, payment = parsed.rows
    assert (food.date, food.amount, food.payment_method) == (
        date(2026, 1, 2),
        Decimal("-54.21"),
        "credit_card",
    )
    assert (netflix.date, netflix.category) == (date(2026, 1, 10), "Entertainment")
    assert (payment.date, payment.amount, payment.category) == (
        date(2026, 2, 3),
        Decimal("1250.00"),
        None,
    )
    other = parse("quicken_apostrophe.qif", date_order="dmy")
    assert [row.date for row in other.rows] == [
        date(2026, 2, 1),
        date(2026, 10, 1),
        date(2026, 3, 2),
    ]


def test_splits_import_the_total_with_its_lines_and_the_first_category():
    parsed = parse("splits.qif")
    costco, lunch = parsed.rows  # the !Type:Cat list is no transaction
    assert (costco.date, costco.amount, costco.description) == (
        date(2026, 3, 14),
        Decimal("-120.00"),
        "COSTCO WHOLESALE",
    )
    assert (costco.category, costco.subcategory) == ("Food", "Groceries")
    assert costco.notes == "Monthly stock-up"
    assert costco.splits == (
        SplitPart("Food", "Groceries", Decimal("-80.00"), "Food"),
        SplitPart("Household", "Supplies", Decimal("-30.00")),
        SplitPart("Gifts", None, Decimal("-10.00"), "Birthday card"),
    )
    assert (lunch.line, lunch.amount, lunch.category, lunch.splits) == (2, Decimal("-9.50"), None, ())


@pytest.mark.parametrize(("lines", "reason"), [
    ("SA\n$-60.00\nSB\n$-30.00", "The split lines add up to -90.00, not the transaction's -100.00."),
    ("SA\n$-120.00\nSB\n$20.00",
     "Split line 2 goes the other way from the transaction (20.00 of -100.00): every line of a split "
     "counts in the entry's direction."),
    ("SA\n$-100.00\nSB\n$abc", "Split line 2: the amount “abc” cannot be read."),
])
def test_a_split_that_does_not_add_up_is_a_row_error(lines, reason):
    data = f"!Type:Bank\nD2026-01-02\nT-100.00\nPShop\n{lines}\n^\nD2026-01-03\nT-2.00\nPKiosk\n^\n"
    parsed = parse_bank(data.encode(), "qif")
    assert [row.description for row in parsed.rows] == ["Kiosk"]
    assert [(error.line, error.reason) for error in parsed.errors] == [(1, reason)]


def test_iso_dates_memo_without_payee_and_a_missing_final_caret():
    data = b"!Type:Cash\nD2026-01-02\nT-3.50\nMBus ticket\nLTransport/Vacation\n^\nD2026-01-03\nT-2\nPKiosk"
    parsed = parse_bank(data, "qif")
    bus, kiosk = parsed.rows
    assert (bus.date, bus.description, bus.notes, bus.category) == (
        date(2026, 1, 2),
        "Bus ticket",
        None,
        "Transport",
    )
    assert bus.payment_method == "cash"
    assert (kiosk.date, kiosk.amount, kiosk.description) == (
        date(2026, 1, 3),
        Decimal("-2"),
        "Kiosk",
    )


def test_ambiguous_amounts_are_asked_for():
    data = b"!Type:Bank\nD2026-01-02\nT-1,500\nPX\n^\n"
    with pytest.raises(NumberStyleNeeded) as caught:
        parse_bank(data, "qif")
    assert set(caught.value.possible) == {"comma_decimal", "dot_decimal"}
    (row,) = parse_bank(data, "qif", number_style="dot_decimal").rows
    assert row.amount == Decimal("-1500")
    (row,) = parse_bank(data, "qif", number_style="comma_decimal").rows
    assert row.amount == Decimal("-1.5")


def test_rows_without_date_or_amount_are_errors():
    data = (
        b"!Type:Bank\nT-5.00\nPNo date\n^\nD2026-01-02\nPNo amount\n^\nD2026-01-03\nTabc\nPBad\n^\n"
    )
    parsed = parse_bank(data, "qif")
    assert [(error.line, error.reason) for error in parsed.errors] == [
        (1, "The transaction has no date (D line)."),
        (2, "The transaction has no amount (T line)."),
        (3, "The amount “abc” cannot be read."),
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ((BANK / "invest_only.qif").read_bytes(), "holds only investment transactions"),
        (b"!Type:Cat\nNFood\n^\n", "holds no transactions"),
        (
            b"!Option:AutoSwitch\n!Account\nNChecking\nTBank\n^\nNSavings\nTBank\n^\n!Clear:AutoSwitch\n"
            b"!Account\nNChecking\n^\n!Type:Bank\nD2026-01-02\nT-1\n^\n"
            b"!Account\nNSavings\n^\n!Type:Bank\nD2026-01-02\nT1\n^\n",
            "several accounts (Checking, Savings)",
        ),
    ],
)
def test_files_without_importable_transactions_are_refused(data, message):
    with pytest.raises(ImportFileError) as caught:
        parse_bank(data, "qif")
    assert message in str(caught.value)
