"""Transfers between two accounts of a household: never income, never expense."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from finora.dates import check_date
from finora.errors import FieldError
from finora.models import Account, Household, Transfer, User
from finora.services.system import audit
from finora.translation import lazy_gettext as _l


@dataclass(frozen=True)
class TransferData:
    from_account_id: int
    to_account_id: int
    amount: Decimal
    date: date
    description: str | None = None


def _validate(session: Session, household: Household, data: TransferData, current: Transfer | None) -> None:
    if data.amount is None or data.amount <= 0:
        raise FieldError("amount", _l("Enter a positive amount."))
    check_date(data.date, "date")
    for field, account_id in (("from_account_id", data.from_account_id), ("to_account_id", data.to_account_id)):
        account = session.get(Account, account_id) if account_id is not None else None
        if account is None or account.household_id != household.id:
            raise FieldError(field, _l("Choose an account."))
        unchanged = current is not None and getattr(current, field) == account_id
        if account.archived and not unchanged:
            raise FieldError(field, _l("This account is archived; choose another one."))
    if data.from_account_id == data.to_account_id:
        raise FieldError("to_account_id", _l("Choose two different accounts."))


def create_transfer(session: Session, household: Household, data: TransferData, *, user: User | None = None) -> Transfer:
    _validate(session, household, data, None)
    transfer = Transfer(household_id=household.id, created_by_id=user.id if user else None)
    _apply(transfer, data)
    session.add(transfer)
    session.flush()
    audit.record(session, "transfer.created", object=transfer)
    return transfer


def update_transfer(session: Session, transfer: Transfer, data: TransferData) -> None:
    _validate(session, session.get_one(Household, transfer.household_id), data, transfer)
    _apply(transfer, data)
    session.flush()
    audit.record(session, "transfer.updated", object=transfer)


def delete_transfer(session: Session, transfer: Transfer) -> None:
    audit.record(session, "transfer.deleted", object=transfer)
    session.delete(transfer)
    session.flush()


def _apply(transfer: Transfer, data: TransferData) -> None:
    transfer.from_account_id = data.from_account_id
    transfer.to_account_id = data.to_account_id
    transfer.amount = data.amount
    transfer.date = data.date
    transfer.description = (data.description or "").strip() or None


def account_transfers(session: Session, account: Account, start: date, end: date) -> list[Transfer]:
    """Transfers in or out of one account between two dates, newest first."""
    return list(
        session.scalars(
            select(Transfer)
            .where(
                Transfer.household_id == account.household_id,
                or_(Transfer.from_account_id == account.id, Transfer.to_account_id == account.id),
                Transfer.date >= start,
                Transfer.date <= end,
            )
            .order_by(Transfer.date.desc(), Transfer.id.desc())
        )
    )
