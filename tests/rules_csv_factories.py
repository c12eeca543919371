"""Households with awkward rules for the CSV tests: formula-like and quoted names, custom,
renamed and slashed categories, every frequency, policy and payment method."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from finora.extensions import db
from finora.models import Account, Category, Household, RecurringRule
from finora.services.ledger.catalogue import create_category, rename_category
from finora.services.planning.rules import RuleData, create_rule, hold_rule
from finora.services.planning.rules_csv_format import Vocabulary
from finora.web.labels import ENTRY_KINDS, FREQUENCIES, PAYMENT_METHODS
from finora.web.rules.forms import POLICIES
from tests.ledger_factories import category, checking_account, make_account

WORDS = Vocabulary(
    kinds=ENTRY_KINDS, frequencies=FREQUENCIES, policies=POLICIES, payment_methods=PAYMENT_METHODS
)


def furnish(household: Household) -> None:
    """The same accounts and categories, by name, in any household it is given."""
    make_account(household, name="=Reserve", kind="savings", commit=False)
    make_account(household, name="Poupança; conjunta", kind="savings", commit=False)
    pets = create_category(db.session, household, kind="expense", name="Pets")
    create_category(db.session, household, kind="expense", name='Vet, "24h"', parent=pets)
    create_category(db.session, household, kind="expense", name="Bills/Utilities")
    create_category(db.session, household, kind="income", name="+Extras")
    rename_category(db.session, category(household, "expense.housing"), "Casa própria")
    db.session.commit()


def _account(household: Household, name: str) -> Account:
    return db.session.scalar(
        select(Account).where(Account.household_id == household.id, Account.name == name)
    )


def _named(household: Household, name: str) -> Category:
    return db.session.scalar(
        select(Category).where(Category.household_id == household.id, Category.name == name)
    )


def make_awkward_rules(household: Household) -> list[RecurringRule]:
    """Rules covering every column's values; two are paused. The household is furnished."""
    checking = checking_account(household)
    reserve = _account(household, "=Reserve")
    joint = _account(household, "Poupança; conjunta")
    pets = _named(household, "Pets")
    vet = _named(household, 'Vet, "24h"')
    specs = [
        dict(
            name="Rent",
            kind="expense",
            amount="1500.00",
            account=checking,
            category=category(household, "expense.housing"),
            frequency="monthly",
            anchor=date(2026, 1, 31),
            policy="none",
            payment="bank_transfer",
        ),
        dict(
            name='=HYPERLINK("http://evil.example","click")',
            kind="expense",
            amount="12.34",
            account=reserve,
            category=pets,
            sub=vet,
            frequency="weekly",
            anchor=date(2026, 2, 3),
            end=date(2026, 12, 29),
            policy="next",
            payment="credit_card",
            mark_paid=True,
            hold=date(2026, 4, 1),
        ),
        dict(
            name='Salary; main, "job"',
            kind="income",
            amount="12345.67",
            account=joint,
            category=_named(household, "+Extras"),
            frequency="biweekly",
            anchor=date(2026, 1, 5),
            policy="previous",
            payment="bank_transfer",
        ),
        dict(
            name="'quoted",
            kind="expense",
            amount="0.01",
            account=checking,
            category=_named(household, "Bills/Utilities"),
            frequency="yearly",
            anchor=date(2026, 2, 28),
            policy="next",
            payment="cash",
            auto_post=False,
        ),
        dict(
            name="-5 discount",
            kind="expense",
            amount="999999999999.99",
            account=checking,
            category=category(household, "expense.food"),
            sub=category(household, "expense.food.groceries"),
            frequency="daily",
            anchor=date(2026, 3, 1),
            end=date(2026, 3, 1),
            policy="none",
            payment="debit_card",
        ),
        dict(
            name="@mention ção Ñandú",
            kind="income",
            amount="1000.50",
            account=checking,
            category=category(household, "income.work"),
            sub=category(household, "income.work.salary"),
            frequency="quarterly",
            anchor=date(2026, 1, 15),
            policy="previous",
            payment="other",
            hold=date(2026, 6, 1),
        ),
        dict(
            name="Tax\tonce",
            kind="expense",
            amount="77.00",
            account=reserve,
            category=category(household, "expense.housing"),
            frequency="once",
            anchor=date(2026, 7, 7),
            policy="none",
            payment="other",
            mark_paid=True,
        ),
    ]
    rules = []
    for spec in specs:
        rule = create_rule(
            db.session,
            household,
            RuleData(
                name=spec["name"],
                kind=spec["kind"],
                amount=Decimal(spec["amount"]),
                account_id=spec["account"].id,
                category_id=spec["category"].id,
                subcategory_id=spec["sub"].id if spec.get("sub") else None,
                payment_method=spec["payment"],
                frequency=spec["frequency"],
                anchor_date=spec["anchor"],
                end_date=spec.get("end"),
                business_day_policy=spec["policy"],
                auto_post=spec.get("auto_post", True),
                mark_paid=spec.get("mark_paid", False),
            ),
        )
        if spec.get("hold"):
            hold_rule(db.session, rule, spec["hold"])
        rules.append(rule)
    db.session.commit()
    return rules


def rule_fields(household: Household) -> list[tuple]:
    """Everything the rule form holds, for every regular rule, in a household-neutral form
    (accounts by name, categories by code or own name)."""
    db.session.expire_all()
    rules = db.session.scalars(
        select(RecurringRule).where(
            RecurringRule.household_id == household.id, RecurringRule.is_scenario.is_(False)
        )
    ).unique()

    def ref(found: Category | None):
        return None if found is None else (found.code, found.name)

    return sorted(
        (
            rule.name,
            rule.kind,
            rule.amount,
            rule.account.name,
            ref(rule.category),
            ref(rule.subcategory),
            rule.payment_method,
            rule.frequency,
            rule.anchor_date,
            rule.end_date,
            rule.business_day_policy,
            rule.hold_until,
            rule.auto_post,
            rule.mark_paid,
        )
        for rule in rules
    )
