"""Rules as CSV, service level: the export round-trips exactly through the import in every
language, formula-like cells are neutralised, every bad row is reported with its row
number and reason, and nothing of a refused file is kept."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from finora.extensions import db
from finora.models import RecurringRule
from finora.services.planning.rules import RuleData, create_rule
from finora.services.planning.rules_csv import RulesCsvError, export_rules_csv, import_rules_csv
from finora.services.planning.rules_csv_format import neutralise, restore
from tests.factories import create_user
from tests.ledger_factories import category, checking_account, household_of
from tests.rules_csv_factories import WORDS, furnish, make_awkward_rules, rule_fields

LOCALES = ("pt", "en", "es")


@pytest.fixture
def home(app):
    household = household_of(create_user())
    furnish(household)
    return household


@pytest.fixture
def other(app):
    household = household_of(create_user())
    furnish(household)
    return household


def export(household, locale: str) -> str:
    return export_rules_csv(db.session, household, locale, WORDS)


def do_import(household, text: str, locale: str = "en", *, bom: bool = False):
    content = text.encode("utf-8")
    if bom:
        content = b"\xef\xbb\xbf" + content
    return import_rules_csv(db.session, household, content, locale, WORDS)


def count(household) -> int:
    db.session.expire_all()
    return db.session.scalar(
        select(func.count(RecurringRule.id)).where(RecurringRule.household_id == household.id)
    )


def refused(household, text: str, locale: str = "en") -> list[tuple[int, str, str]]:
    """Import a file that must be refused; roll back as the view does; (row, column, reason)."""
    before = count(household)
    with pytest.raises(RulesCsvError) as caught:
        do_import(household, text, locale)
    db.session.rollback()
    assert count(household) == before, "a refused file left rules behind"
    return [(p.row, p.column, p.message) for p in caught.value.problems]


@pytest.mark.parametrize("locale", LOCALES)
def test_export_then_import_round_trips_every_field_exactly(home, other, locale):
    make_awkward_rules(home)
    text = export(home, locale)
    rules = do_import(other, text.removeprefix("\ufeff"), locale, bom=True)
    db.session.commit()
    assert len(rules) == 7
    assert rule_fields(other) == rule_fields(home)
    # And the copy exports to the very same bytes.
    assert export(other, locale) == text


@pytest.mark.parametrize(
    ("locale", "delimiter", "amount", "header"),
    [
        ("pt", ";", "1500,00", "Nome"),
        ("es", ";", "1500,00", "Nombre"),
        ("en", ",", "1500.00", "Name"),
    ],
)
def test_the_export_is_written_in_the_users_locale(home, locale, delimiter, amount, header):
    make_awkward_rules(home)
    text = export(home, locale)
    assert text.startswith("\ufeff" + header + delimiter)
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=delimiter))
    rent = next(row for row in rows if row[0] == "Rent")
    assert rent[1] == amount
    assert rent[4] == "2026-01-31"
    with force_locale(locale):
        assert rent[2] == str(WORDS.kinds["expense"])
        assert rent[3] == str(WORDS.frequencies["monthly"])
    salary = next(row for row in rows if row[0].startswith("Salary"))
    assert salary[6] == "'+Extras"  # neutralised: see below


def test_formula_like_text_is_neutralised_and_restored(home, other):
    make_awkward_rules(home)
    rows = list(csv.reader(io.StringIO(export(home, "en").removeprefix("\ufeff"))))
    cells = [cell for row in rows[1:] for cell in (row[0], row[6], row[7])]
    assert not any(cell.startswith(("=", "+", "-", "@", "\t")) for cell in cells)
    assert '\'=HYPERLINK("http://evil.example","click")' in cells
    assert "'=Reserve" in cells and "'+Extras" in cells and "''quoted" in cells
    for text in ("=1+1", "+x", "-5", "@a", "'", "''", "'=", "plain", "it's", "\tx"):
        assert restore(neutralise(text)) == text


def test_categories_show_the_users_language_and_subcategories(home):
    make_awkward_rules(home)
    text = export(home, "pt")
    with force_locale("pt"):
        groceries = f"{category(home, 'expense.food').label} / "
        groceries += category(home, "expense.food.groceries").label
    assert groceries in text
    assert 'Pets / Vet, ""24h""' in text  # quoted by the CSV writer


def test_scenarios_and_other_households_are_not_exported(home, other):
    make_awkward_rules(other)
    create_rule(
        db.session,
        home,
        RuleData(
            name="What if",
            kind="expense",
            amount=Decimal("5.00"),
            account_id=checking_account(home).id,
            category_id=category(home, "expense.housing").id,
            frequency="monthly",
            anchor_date=date(2026, 1, 1),
        ),
        scenario=True,
    )
    db.session.commit()
    lines = export(home, "en").splitlines()
    assert len(lines) == 1  # the header only


def test_import_adds_to_the_existing_rules(home):
    make_awkward_rules(home)
    text = export(home, "en")
    do_import(home, text.removeprefix("\ufeff"))
    db.session.commit()
    assert count(home) == 14
    fields = rule_fields(home)
    assert fields[::2] == fields[1::2]  # every rule now twice


HEADER = "Name,Amount,Type,Frequency,Start date,End date,Category,Account\n"
GOOD = "Rent,1500.00,expense,monthly,2026-01-31,,Housing,Checking account\n"


@pytest.mark.parametrize(
    ("row", "column", "reason"),
    [
        (
            "Vet,10.00,expense,monthly,2026-01-31,,Pets / Vet,Checking account",
            "Category",
            "The category “Pets / Vet” does not exist.",
        ),
        (
            "Rent,10.00,expense,monthly,2026-01-31,,Housing,Wallet",
            "Account",
            "The account “Wallet” does not exist.",
        ),
        (
            "Rent,ten,expense,monthly,2026-01-31,,Housing,Checking account",
            "Amount",
            "Enter a number, such as 1,234.56.",
        ),
        (
            "Rent,-10.00,expense,monthly,2026-01-31,,Housing,Checking account",
            "Amount",
            "Enter a positive amount.",
        ),
        (
            "Rent,0,expense,monthly,2026-01-31,,Housing,Checking account",
            "Amount",
            "Enter a positive amount.",
        ),
        (
            "Rent,10.00,expense,monthly,2026-02-30,,Housing,Checking account",
            "Start date",
            "Enter a real date, such as 2026-03-31.",
        ),
        (
            "Rent,10.00,expense,monthly,2026-01-31,2026-01-30,Housing,Checking account",
            "End date",
            "The end date cannot be before the first occurrence.",
        ),
        (
            "Rent,10.00,expense,fortnightly,2026-01-31,,Housing,Checking account",
            "Frequency",
            "Enter how often it repeats: Once, Daily, Weekly, Every two weeks, "
            "Monthly, Quarterly, Yearly.",
        ),
        (",10.00,expense,monthly,2026-01-31,,Housing,Checking account", "Name", "Name the rule."),
        (
            "Rent,10.00,gift,monthly,2026-01-31,,Housing,Checking account",
            "Type",
            "Enter the type: Income, Expense.",
        ),
        (
            "Rent,10.00,income,monthly,2026-01-31,,Housing,Checking account",
            "Category",
            "“Housing” is an expense category, not an income one.",
        ),
        (
            "Rent,10.00,expense,monthly,,,Housing,Checking account",
            "Start date",
            "Enter the date of the first occurrence.",
        ),
        (
            "Rent,10.00,expense,monthly,2026-01-31,,Housing,Checking account,surplus",
            "",
            "This row has more cells than the header.",
        ),
    ],
)
def test_a_bad_row_is_reported_with_its_number_and_nothing_is_written(app, row, column, reason):
    household = household_of(create_user())
    # Good rows before and after the bad one: neither may be kept.
    text = HEADER + GOOD + "\n" + row + "\n" + GOOD
    with force_locale("en"):
        assert refused(household, text) == [(4, column, reason)]


def test_every_bad_row_is_reported_in_order(app):
    household = household_of(create_user())
    text = (
        HEADER
        + "A,1.00,expense,monthly,2026-01-31,,Nowhere,Checking account\n"
        + GOOD
        + ",x,expense,monthly,soon,,Housing,Checking account\n"
    )
    with force_locale("en"):
        problems = refused(household, text)
    assert [(row, column) for row, column, _ in problems] == [
        (2, "Category"),
        (4, "Name"),
        (4, "Amount"),
        (4, "Start date"),
    ]


def test_an_archived_account_is_refused_as_the_form_refuses_it(app):
    household = household_of(create_user())
    from tests.ledger_factories import make_account

    make_account(household, name="Old", archived=True)
    text = HEADER + "Rent,1.00,expense,monthly,2026-01-31,,Housing,Old\n"
    with force_locale("en"):
        assert refused(household, text) == [
            (2, "Account", "This account is archived; choose another one.")
        ]


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        (
            "Name,Amount,Type,Frequency,Start date,End date,Category,Account,Colour\n",
            "Unknown column “Colour”.",
        ),
        ("Name,Amount,Type,Frequency,Start date,End date,Category\n", "Missing columns: Account."),
        (
            "Name,Name,Amount,Type,Frequency,Start date,End date,Category,Account\n",
            "The column “Name” appears twice.",
        ),
    ],
)
def test_a_bad_header_refuses_the_file(app, header, reason):
    household = household_of(create_user())
    with force_locale("en"):
        problems = refused(household, header + GOOD)
    assert len(problems) == 1
    assert problems[0][0] == 1
    assert problems[0][2].startswith(reason)


def test_files_that_are_not_csv_or_are_empty_are_refused(app):
    household = household_of(create_user())
    with force_locale("en"):
        assert refused(household, "") == [(1, "", "The file is empty.")]
        assert refused(household, "Rent\n") == [
            (
                1,
                "",
                "Unknown column “Rent”. The columns are: Name, Amount, Type, Frequency, "
                "Start date, End date, Category, Account, Payment method, On weekends and "
                "holidays, Paused until, Auto-post, Mark as paid.",
            )
        ]
        assert refused(household, "Name\n") == [
            (
                1,
                "",
                "Missing columns: Amount, Type, Frequency, Start date, End date, Category, "
                "Account.",
            )
        ]
        assert refused(household, HEADER + "\n ,,\n") == [
            (1, "", "The file has no rules to import.")
        ]
        assert refused(household, HEADER + "\x00\x01") == [(1, "", "This is not a CSV file.")]


def test_hand_made_files_are_read_too(app):
    """Columns in any order, codes and English words, a semicolon file in English, optional
    columns, blank lines, spreadsheet dates, a Windows code-page file in Portuguese."""
    household = household_of(create_user())
    text = (
        "account;category;start date;frequency;kind;amount;name;mark_paid;payment method;end_date\n"
        "\n"
        "checking  ACCOUNT;housing;1/31/2026;Every two weeks;EXPENSE;1,234.50;Rent;yes;cash\n"
    )
    (rule,) = do_import(household, text, "en")
    assert (rule.anchor_date, rule.frequency, rule.amount) == (
        date(2026, 1, 31),
        "biweekly",
        Decimal("1234.50"),
    )
    assert (rule.mark_paid, rule.payment_method, rule.auto_post) == (True, "cash", True)
    assert rule.business_day_policy == "next"  # the default for an expense
    # Portuguese headers and words ("Moradia" is Housing), saved in Windows-1252.
    content = (
        "Nome;Valor;Tipo;frequency;start_date;end_date;Categoria;Conta\n"
        "Aluguel;1.234,56;Despesa;Mensal;31/01/2026;;Moradia;Checking account\n"
    ).encode("cp1252")
    (rule,) = import_rules_csv(db.session, household, content, "pt", WORDS)
    assert (rule.amount, rule.anchor_date, rule.frequency) == (
        Decimal("1234.56"),
        date(2026, 1, 31),
        "monthly",
    )
