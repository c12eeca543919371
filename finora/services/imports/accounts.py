"""The account a statement is for: found by the number the bank writes, remembered after
the first import of a file that names it."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from finora.models import Account, Household
from finora.services.imports.categories import name_key
from finora.translation import gettext as _

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
    if account.number or number is None or not normalise_number(number):
        return False
    if account_for_number(session, household, number) is not None:
        return False
    account.number = number.strip()[:NUMBER_MAX_LENGTH]
    session.flush()
    return True


class AccountNames:
    """The household's accounts by name (case, accents and spacing ignored), for files that
    name each row's account (Finora's own export)."""

    def __init__(self, session: Session, household: Household) -> None:
        self._key = name_key
        self._by_name: dict[str, Account] = {}
        # An open account answers before an archived one of the same name.
        accounts = session.scalars(
            select(Account).where(Account.household_id == household.id).order_by(Account.archived.desc(), Account.id)
        )
        for account in accounts:
            self._by_name[name_key(account.name)] = account

    def find(self, name: str) -> Account | None:
        return self._by_name.get(self._key(name))

    def name_problem(self, name: str) -> str | None:
        """Why rows naming this account cannot go to it (None when they can)."""
        found = self.usable(name)
        return found if isinstance(found, str) else None

    def usable(self, name: str) -> Account | str:
        """The account rows naming `name` go to, else why they cannot go to it."""
        account = self.find(name)
        if account is None:
            return _("No account named “%(name)s” in this household.", name=" ".join(name.split()))
        if account.archived:
            return _("The account “%(name)s” is archived; restore it or choose another account.", name=account.name)
        return account
