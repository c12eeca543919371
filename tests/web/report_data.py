"""A household whose March 2026 is known by hand, for the report and export page tests.

Accounts (opened 2026-01-01): Main account, Savings box, Wallet (and the household's own
empty Checking account). Today is 2026-03-15 (São Paulo). March 2026:
  income   Salary      5,000.00  paid 03-05           Work › Salary     main
  income   Freelance   1,234.56  pending, due 03-25   Work (no sub)     main
  expense  Supermarket   300.00  paid 03-02           Food › Groceries  main, debit card
  expense  Rent        1,500.00  overdue (03-10)      Housing › Rent    main, bank transfer
  expense  Internet       99.90  pending, due 03-20   Telecom › Internet  wallet, credit card
  transfer 700.00 main -> savings on 03-08 (never income or expense)
=> income 6,234.56, expenses 1,899.90, net 4,334.66, savings rate 69.5 % (4334.66 / 6234.56).
February 2026: one expense of 200.00 (Food › Groceries). March 2025: one income of 3,000.00.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from tests.ledger_factories import make_account, make_entry, make_transfer

NOW = datetime(2026, 3, 15, 12, tzinfo=UTC)
INCOME, EXPENSE, NET = Decimal("6234.56"), Decimal("1899.90"), Decimal("4334.66")


def fill_march(household) -> dict:
    checking = make_account(household, name="Main account", kind="checking")
    savings = make_account(household, name="Savings box", kind="savings")
    wallet = make_account(household, name="Wallet", kind="cash")
    rows = {
        "salary": make_entry(
            household, kind="income", description="Salary", amount="5000.00", date=date(2026, 3, 5),
            paid_on=date(2026, 3, 5), category="income.work", subcategory="income.work.salary",
            account=checking, payment_method="bank_transfer",
        ),
        "freelance": make_entry(
            household, kind="income", description="Freelance", amount="1234.56", date=date(2026, 3, 25),
            category="income.work", subcategory=None, account=checking,
        ),
        "supermarket": make_entry(
            household, description="Supermarket", amount="300.00", date=date(2026, 3, 2),
            paid_on=date(2026, 3, 2), category="expense.food", subcategory="expense.food.groceries",
            account=checking, payment_method="debit_card",
        ),
        "rent": make_entry(
            household, description="Rent", amount="1500.00", date=date(2026, 3, 10),
            category="expense.housing", subcategory="expense.housing.rent", account=checking,
            payment_method="bank_transfer",
        ),
        "internet": make_entry(
            household, description="Internet", amount="99.90", date=date(2026, 3, 20),
            category="expense.telecom", subcategory="expense.telecom.internet", account=wallet,
            payment_method="credit_card",
        ),
        "february": make_entry(
            household, description="February shop", amount="200.00", date=date(2026, 2, 12),
            paid_on=date(2026, 2, 12), category="expense.food", subcategory="expense.food.groceries",
            account=checking,
        ),
        "last_year": make_entry(
            household, kind="income", description="Old salary", amount="3000.00", date=date(2025, 3, 5),
            paid_on=date(2025, 3, 5), category="income.work", subcategory="income.work.salary",
            account=checking,
        ),
    }
    make_transfer(household, checking, savings, amount="700.00", date=date(2026, 3, 8), description="To savings")
    return {"checking": checking, "savings": savings, "wallet": wallet, **rows}
