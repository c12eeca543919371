"""A household for the AI insights tests, full of personal data that must never be sent:
its members' names and e-mails, the household's name, account names and numbers."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from finora.extensions import db
from finora.models import Household, User
from finora.services.integrations.ai.settings import AiSettingsData, save_settings
from tests.factories import create_user
from tests.ledger_factories import checking_account, household_of
from tests.planning_factories import make_rule

API_KEY = "sk-test-9f8e7d6c5b4a"
PERSONAL = ("Zélia Quaresma", "zelia.quaresma@example.com", "Casa Quaresma",
            "Nubank da Zélia", "0001-98765-4")


def ai_owner() -> User:
    return create_user(name=PERSONAL[0], email=PERSONAL[1], household_name=PERSONAL[2])


def ai_household(user: User) -> Household:
    """The owner's household: an account with a name and number, a salary and two bills."""
    household = household_of(user)
    account = checking_account(household)
    account.name, account.number = PERSONAL[3], PERSONAL[4]
    account.opening_balance = Decimal("2400.00")
    account.opening_date = date(2026, 1, 1)
    db.session.commit()
    make_rule(household, name="Salary", kind="income", amount=Decimal("5200.00"),
              anchor_date=date(2026, 1, 5))
    make_rule(household, name="Rent", amount=Decimal("1800.00"), anchor_date=date(2026, 1, 10))
    make_rule(household, name="Car (what-if)", frequency="once", amount=Decimal("900.00"),
              anchor_date=date(2026, 2, 1), is_scenario=True, auto_post=False)
    return household


def configure(household: Household, base_url: str, *, model: str = "", key: str = API_KEY) -> None:
    save_settings(db.session, household, AiSettingsData(key, model, base_url))
    db.session.commit()
