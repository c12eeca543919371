"""Accounts and their balances (DESIGN §4 balance rule)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, select, type_coerce
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from finora.errors import FinoraError
from finora.models import Account, Entry, Household, Transfer
from finora.models.account import ACCOUNT_KINDS
from finora.money import ZERO, Cents


class DuplicateAccountError(FinoraError):
    message = _l("You already have an account with this name.")
    status = 409
    field = "name"


class InvalidAccountError(FinoraError):
    message = _l("Choose a valid account type.")
    field = "kind"


@dataclass(frozen=True)
class AccountData:
    name: str
    kind: str
    opening_balance: Decimal
    opening_date: date
    include_in_forecast: bool = True


def _check(session: Session, household: Household, data: AccountData, exclude_id=None) -> None:
    if data.kind not in ACCOUNT_KINDS:
        raise InvalidAccountError()
    # Compared in Python: the same rule on every engine (MariaDB's collation would also
    # call "Poupanca" and "Poupança" equal; SQLite's lower() alone ignores accents' case).
    wanted = data.name.strip().casefold()
    names = session.execute(
        select(Account.id, Account.name).where(Account.household_id == household.id)
    )
    if any(name.strip().casefold() == wanted and id_ != exclude_id for id_, name in names):
        raise DuplicateAccountError()


def create_account(session: Session, household: Household, data: AccountData) -> Account:
    _check(session, household, data)
    account = Account(
        household_id=household.id,
        name=data.name.strip(),
        kind=data.kind,
        opening_balance=data.opening_balance,
        opening_date=data.opening_date,
        include_in_forecast=data.include_in_forecast,
    )
    session.add(account)
    _flush_names(session)
    return account


def _flush_names(session: Session) -> None:
    """Flush; a clash on the unique name (a collation that ignores accents, as MariaDB's
    usually does, or a concurrent save) reads as the duplicate-name error, not a crash."""
    try:
        session.flush()
    except IntegrityError as error:
        raise DuplicateAccountError() from error


def update_account(session: Session, account: Account, data: AccountData) -> None:
    household = session.get(Household, account.household_id)
    _check(session, household, data, exclude_id=account.id)
    account.name = data.name.strip()
    account.kind = data.kind
    account.opening_balance = data.opening_balance
    account.opening_date = data.opening_date
    account.include_in_forecast = data.include_in_forecast
    _flush_names(session)


def set_account_archived(session: Session, account: Account, archived: bool) -> None:
    account.archived = archived
    session.flush()


def list_accounts(session: Session, household: Household, *, include_archived: bool = True) -> list[Account]:
    stmt = select(Account).where(Account.household_id == household.id)
    if not include_archived:
        stmt = stmt.where(Account.archived.is_(False))
    return list(session.scalars(stmt.order_by(Account.archived, Account.name)))


def account_balances(session: Session, household: Household, on: date) -> dict[int, Decimal]:
    """Each account's balance at the end of day `on`: opening balance plus the money that
    actually moved (entries by the day they were paid, transfers by their date) from the
    opening date on. Three aggregate queries, whatever the number of entries."""
    accounts = {
        a.id: a for a in session.scalars(select(Account).where(Account.household_id == household.id))
    }
    balances = {a.id: a.opening_balance for a in accounts.values()}
    if not accounts:
        return balances

    signed = case((Entry.kind == "income", Entry.amount), else_=-Entry.amount)
    rows = session.execute(
        select(Entry.account_id, type_coerce(func.sum(signed), Cents()))
        .join(Account, Account.id == Entry.account_id)
        .where(
            # By account, not household: the (account_id, paid_on, kind, amount) index covers it.
            Entry.account_id.in_(list(accounts)),
            Entry.paid_on.is_not(None),
            Entry.paid_on >= Account.opening_date,
            Entry.paid_on <= on,
        )
        .group_by(Entry.account_id)
    )
    for account_id, total in rows:
        balances[account_id] += total or ZERO

    for column, sign in ((Transfer.to_account_id, 1), (Transfer.from_account_id, -1)):
        rows = session.execute(
            select(column, type_coerce(func.sum(Transfer.amount), Cents()))
            .join(Account, Account.id == column)
            .where(
                and_(
                    Transfer.household_id == household.id,
                    Transfer.date >= Account.opening_date,
                    Transfer.date <= on,
                )
            )
            .group_by(column)
        )
        for account_id, total in rows:
            balances[account_id] += sign * (total or ZERO)
    return balances


def consolidated_balance(balances: dict[int, Decimal], accounts: list[Account]) -> Decimal:
    """Sum of the balances of the accounts that are not archived."""
    return sum((balances[a.id] for a in accounts if not a.archived), ZERO)
