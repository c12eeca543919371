"""A household with varied entries for the export tests, and a neighbour whose rows must
never appear in its files."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import insert, select

from finora.extensions import db
from finora.models import Account, Category, Entry, Household, ImportBatch
from tests.factories import create_user
from tests.ledger_factories import (
    category,
    checking_account,
    household_of,
    make_account,
    make_entry,
    make_transfer,
)
from tests.planning_factories import make_rule

TODAY = date(2026, 3, 15)
D = Decimal


@dataclass
class Ledger:
    household: Household
    checking: Account
    savings: Account
    pets: Category
    vet: Category
    rule_name: str
    batch: ImportBatch
    entries: dict  # name -> Entry
    neighbour: Household


def build_ledger() -> Ledger:
    """March 2026 (today the 15th) of a household: paid, pending and overdue entries,
    a custom category with a subcategory, a second account, a rule's entry, an imported
    entry, text that looks like formulas, a transfer (not an entry); February and April
    have one entry each; a neighbour household has entries on the same days."""
    household = household_of(create_user())
    checking = checking_account(household)
    savings = make_account(household, name="Caixinha ação")
    pets = Category(household_id=household.id, kind="expense", name="Pets")
    db.session.add(pets)
    db.session.flush()
    vet = Category(household_id=household.id, kind="expense", name="Veterinário", parent_id=pets.id)
    db.session.add(vet)
    batch = ImportBatch(household_id=household.id, account_id=checking.id, file_name="extrato março.csv",
                        format="csv")
    db.session.add(batch)
    db.session.commit()
    rule = make_rule(household, name="Aluguel", amount=D("1500.00"))
    e = {}
    e["salary"] = make_entry(household, kind="income", amount="5000.00", date=date(2026, 3, 5),
                             paid_on=date(2026, 3, 6), description="Salário", payment_method="bank_transfer")
    e["rent"] = make_entry(household, amount="1500.00", date=date(2026, 3, 10), paid_on=date(2026, 3, 10),
                           description="Aluguel março", category="expense.housing", subcategory=None,
                           payment_method="bank_transfer")
    e["rent"].rule_id, e["rent"].occurrence_date = rule.id, date(2026, 3, 10)
    e["big"] = make_entry(household, amount="1234.56", date=date(2026, 3, 12), description="Mercado",
                          notes='Nota; com "aspas" e acentuação', payment_method="credit_card")
    e["imported"] = make_entry(household, amount="0.10", date=date(2026, 3, 12), paid_on=date(2026, 3, 12),
                               description="Tarifa", payment_method="debit_card")
    e["imported"].import_batch_id = batch.id
    e["vet"] = make_entry(household, amount="80.00", date=date(2026, 3, 14), description="Consulta",
                          category=pets, subcategory=vet, account=savings, payment_method="cash")
    e["pending"] = make_entry(household, amount="99.90", date=date(2026, 3, 31), description="Internet",
                              category="expense.housing", subcategory=None)
    e["overdue_income"] = make_entry(household, kind="income", amount="120.00", date=date(2026, 3, 1),
                                     description="Freela")
    e["february"] = make_entry(household, amount="5.00", date=date(2026, 2, 28), description="Fevereiro")
    e["april"] = make_entry(household, amount="7.00", date=date(2026, 4, 1), description="Abril")
    make_transfer(household, checking, savings, amount="300.00", date=date(2026, 3, 11), description="Guardar")
    db.session.commit()
    neighbour = household_of(create_user())
    make_entry(neighbour, amount="666.00", date=date(2026, 3, 12), description="Vizinho")
    make_entry(neighbour, kind="income", amount="777.00", date=date(2026, 3, 5), description="Vizinho renda")
    return Ledger(household, checking, savings, pets, vet, "Aluguel", batch, e, neighbour)


def bulk_entries(household: Household, count: int, start: date, days: int, seed: int = 15) -> None:
    """`count` entries spread over `days` days from `start`, inserted in bulk (no services:
    the streaming tests need many rows fast)."""
    rng = random.Random(seed)
    account = checking_account(household)
    food = category(household, "expense.food")
    groceries = category(household, "expense.food.groceries")
    work = category(household, "income.work")
    base = {"household_id": household.id, "account_id": account.id, "payment_method": "debit_card"}
    batch = []
    for n in range(count):
        income = n % 10 == 0
        batch.append({
            **base,
            "kind": "income" if income else "expense",
            "amount": D(rng.randint(100, 500_000)) / 100,
            "date": start + timedelta(days=n % days),
            "paid_on": None if n % 7 == 0 else start + timedelta(days=n % days),
            "description": f"Compra número {n} no mercado",
            "notes": "observação" if n % 3 == 0 else None,
            "category_id": work.id if income else food.id,
            "subcategory_id": None if income else groceries.id,
        })
        if len(batch) == 5_000:
            db.session.execute(insert(Entry), batch)
            batch = []
    if batch:
        db.session.execute(insert(Entry), batch)
    db.session.commit()


def entry_count(household: Household) -> int:
    return len(db.session.scalars(select(Entry.id).where(Entry.household_id == household.id)).all())
