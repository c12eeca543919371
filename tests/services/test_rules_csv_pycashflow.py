"""The rules CSV import reads PyCashFlow's schedule export: its header and words, its plain
decimals, the household's primary account and catch-all categories for what it lacks, and
a problem per bad row named by the file's own column, with nothing kept."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from finora.dates import today
from finora.extensions import db
from finora.models import Category, RecurringRule
from finora.services.planning.rules_csv import (
    DuplicateRulesFound,
    RulesCsvError,
    import_rules,
    import_rules_csv,
)
from finora.services.planning.rules_csv_pycashflow import pycashflow_columns
from tests.factories import create_user
from tests.ledger_factories import checking_account, household_of, make_account
from tests.rules_csv_factories import WORDS


@pytest.fixture
def home(app):
    return household_of(create_user())


def pycashflow_export(rows: list[list[str]], *, first_date: bool = True) -> bytes:
    """A file as PyCashFlow's export writes it (csv.writer: commas, CRLF, its header)."""
    out = io.StringIO()
    writer = csv.writer(out)
    header = ["Name", "Amount", "Type", "Frequency", "Next Date"]
    writer.writerow([*header, "First Date"] if first_date else header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def rules_of(household) -> dict[str, RecurringRule]:
    db.session.expire_all()
    found = db.session.scalars(
        select(RecurringRule).where(RecurringRule.household_id == household.id)
    )
    return {rule.name: rule for rule in found}


def code_of(category_id) -> str | None:
    return db.session.get(Category, category_id).code if category_id else None


def test_a_pycashflow_export_becomes_rules_with_the_households_defaults(home):
    day = today(home)
    savings = make_account(home, name="Savings", kind="savings")  # not the primary account
    rows = [
        ["Paycheck", "4250.00", "Income", "BiWeekly", str(day + timedelta(days=4)),
         str(day - timedelta(days=360))],
        ["Mortgage", "1875.42", "Expense", "Monthly", str(day + timedelta(days=10)),
         str(day - timedelta(days=700))],
        ["Car Insurance", "612.5", "Expense", "Quarterly", str(day + timedelta(days=40)),
         str(day - timedelta(days=50))],
        ["'+Gym", "39.99", "Expense", "Weekly", str(day + timedelta(days=2)),
         str(day - timedelta(days=5))],
        ["Amazon Prime", "139", "Expense", "Yearly", str(day + timedelta(days=200)),
         str(day - timedelta(days=165))],
        ["Tax refund", "812.00", "Income", "Onetime", str(day + timedelta(days=30)),
         str(day + timedelta(days=30))],
    ]
    created = import_rules_csv(db.session, home, pycashflow_export(rows), "pt", WORDS)
    db.session.commit()
    assert len(created) == 6
    rules = rules_of(home)
    expected = {
        "Paycheck": ("income", Decimal("4250.00"), "biweekly", 4),
        "Mortgage": ("expense", Decimal("1875.42"), "monthly", 10),
        "Car Insurance": ("expense", Decimal("612.50"), "quarterly", 40),
        "+Gym": ("expense", Decimal("39.99"), "weekly", 2),
        "Amazon Prime": ("expense", Decimal("139.00"), "yearly", 200),
        "Tax refund": ("income", Decimal("812.00"), "once", 30),
    }
    assert set(rules) == set(expected)
    primary = checking_account(home)
    for name, (kind, amount, frequency, days) in expected.items():
        rule = rules[name]
        assert (rule.kind, rule.amount, rule.frequency) == (kind, amount, frequency), name
        assert rule.anchor_date == day + timedelta(days=days), name  # the Next Date
        assert rule.account_id == primary.id != savings.id
        assert code_of(rule.category_id) == f"{kind}.other"
        assert code_of(rule.subcategory_id) == f"{kind}.other.misc"
        assert rule.end_date is None and rule.hold_until is None
        assert not rule.is_scenario


def test_the_older_export_without_first_date_and_with_a_time_of_day(home):
    day = today(home)
    content = pycashflow_export(
        [["Rent", "1200.00", "Expense", "Monthly", f"{day + timedelta(days=3)} 00:00:00"]],
        first_date=False,
    )
    import_rules_csv(db.session, home, content, "en", WORDS)
    db.session.commit()
    assert rules_of(home)["Rent"].anchor_date == day + timedelta(days=3)


def test_the_name_amount_frequency_type_day_variant(home):
    """Hand-written: lower-case header, the columns in another order, Day as the day of the
    month (the next such day from today; the 31st waits for a month that has one)."""
    day = today(home)
    content = (
        "name,amount,frequency,type,day\n"
        "Salary,5000.00,monthly,income,31\n"
        "Internet,99.90,MONTHLY,expense,1\n"
        f"Dentist,250.00,onetime,expense,{day + timedelta(days=9)}\n"
    ).encode()
    import_rules_csv(db.session, home, content, "en", WORDS)
    db.session.commit()
    rules = rules_of(home)
    salary = rules["Salary"].anchor_date
    assert salary.day == 31 and day <= salary < day + timedelta(days=62)
    internet = rules["Internet"].anchor_date
    assert internet.day == 1 and day <= internet <= day + timedelta(days=31)
    assert rules["Dentist"].anchor_date == day + timedelta(days=9)
    assert rules["Dentist"].frequency == "once"


def test_bad_rows_are_reported_by_row_and_the_files_column_and_nothing_is_kept(home):
    day = today(home)
    soon = str(day + timedelta(days=5))
    content = pycashflow_export([
        ["Paycheck", "4250.00", "Income", "Fortnightly", soon, soon],
        ["Transfer", "100.00", "Transfer", "Monthly", soon, soon],
        ["Gym", "-39.99", "Expense", "Weekly", soon, soon],
        ["Phone", "sixty", "Expense", "Monthly", soon, soon],
        ["Water", "80.00", "Expense", "Monthly", "2026-02-30", soon],
        ["", "10.00", "Expense", "Monthly", soon, soon],
        ["Power", "120.00", "Expense", "Monthly", soon, soon],  # fine, yet not kept
    ])
    with pytest.raises(RulesCsvError) as caught:
        import_rules_csv(db.session, home, content, "en", WORDS)
    db.session.rollback()
    problems = [(p.row, p.column, p.message) for p in caught.value.problems]
    assert problems == [
        (2, "Frequency",
         "Enter how often it repeats: Monthly, Weekly, BiWeekly, Quarterly, Yearly, Onetime."),
        (3, "Type", "Enter the type: Income, Expense."),
        (4, "Amount", "Enter a positive amount."),
        (5, "Amount", "Enter a number, such as 1,234.56."),
        (6, "Next Date", "Enter a real date, such as 2026-03-31."),
        (7, "Name", "Name the rule."),
    ]
    assert rules_of(home) == {}


def test_importing_the_same_export_again_finds_the_duplicates(home):
    soon = str(today(home) + timedelta(days=6))
    content = pycashflow_export([["Mortgage", "1875.42", "Expense", "Monthly", soon, soon]])
    import_rules_csv(db.session, home, content, "en", WORDS)
    db.session.commit()
    with pytest.raises(DuplicateRulesFound) as caught:
        import_rules(db.session, home, content, "en", WORDS)
    db.session.rollback()
    assert [d.name for d in caught.value.duplicates] == ["Mortgage"]


@pytest.mark.parametrize("header", [
    ["Name", "Amount", "Type", "Frequency", "Start date", "End date", "Category", "Account"],
    ["Name", "Amount", "Type", "Frequency"],  # no date column
    ["Name", "Amount", "Type", "Frequency", "Next Date", "Day"],  # two dates
    ["Name", "Amount", "Type", "Frequency", "Next Date", "Account"],  # not PyCashFlow's
])
def test_only_pycashflows_header_is_read_as_pycashflows(header):
    assert pycashflow_columns(header) is None


def test_pycashflows_header_in_any_case_and_spacing():
    assert pycashflow_columns(["\ufeffNAME", " amount", "Type", "frequency ", "next  date"]) == {
        "name": 0, "amount": 1, "kind": 2, "frequency": 3, "start_date": 4,
    }
