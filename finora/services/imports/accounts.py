"""The account a statement is for: found by the number the bank writes, remembered after
the first import of a file that names it."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from finora.models import Account, Household

_NOT_ALNUM = re.compile(r"[^0-9a-z]")
NUMBER_MAX_LENGTH = 64  # accounts.number is String(64)


def normalise_number(number: str | None) -> str:
    """Letters and digits only, case ignored: "PT50 0002-0123" and "pt5000020123" agree."""
    return _NOT_ALNUM.sub("", (number or "").casefold())


def _numbered_accounts(session: Session, household: Household) -> list[Account]:
    return list(
        session.scalars(
            select(Account)
            .where(Account.household_id == household.id, Account.number.is_not(None))
            .order_by(Account.archived, Account.id)
        )
    )


def account_for_number(session: Session, household: Household, number: str | None) -> Account | None:
    """The household's account that carries this number (an open one before an archived
    one), else None."""
    wanted = normalise_number(number)
    if not wanted:
        return None
    for account in _numbered_accounts(session, household):
        if normalise_number(account.number) == wanted:
            return account
    return None


def remember_account_number(
    session: Session, household: Household, account: Account, number: str | None
) -> bool:
    """Keep the number on the account when it has none and no other account of the
    household carries it; True when it was stored."""
    if account.number or not normalise_number(number):
        return False
    if account_for_number(session, household, number) is not None:
        return False
    account.number = number.strip()[:NUMBER_MAX_LENGTH]
    session.flush()
    return True
