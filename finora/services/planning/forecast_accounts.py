"""Which accounts the cash-flow forecast counts: the list the forecast page shows and the
switch it offers (DESIGN §4; docs/forecast.md "Which accounts count")."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.orm import Session

from finora.models import Account
from finora.money import ZERO
from finora.services.system import audit


@dataclass(frozen=True)
class ForecastAccount:
    """An active account as the forecast page lists it."""

    account: Account
    balance: Decimal  # at the end of the household's today
    included: bool


def forecast_accounts(accounts: list[Account], balances: dict[int, Decimal]) -> list[ForecastAccount]:
    """The active accounts, counted ones first, each by name, with today's balance."""
    active = [a for a in accounts if not a.archived]
    active.sort(key=lambda a: (not a.include_in_forecast, a.name.casefold()))
    return [
        ForecastAccount(account=a, balance=balances.get(a.id, ZERO), included=a.include_in_forecast)
        for a in active
    ]


def set_included_in_forecast(session: Session, account: Account, included: bool) -> bool:
    """Count the account in the forecast, or leave it out. Returns whether anything changed
    (a repeated click changes nothing and records nothing). Audited like any account edit."""
    if account.include_in_forecast == included:
        return False
    account.include_in_forecast = included
    session.flush()
    audit.record(
        session, "account.updated", object=account, details={"include_in_forecast": included}
    )
    return True
