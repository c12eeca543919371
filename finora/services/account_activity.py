"""One account's movements in a period: its entries and its transfers, merged by date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from finora.models import Account, Entry, Transfer
from finora.services.transfers import account_transfers


@dataclass(frozen=True)
class Movement:
    day: date
    description: str
    signed_amount: Decimal
    entry: Entry | None = None
    transfer: Transfer | None = None


def account_activity(session: Session, account: Account, start: date, end: date) -> list[Movement]:
    """Entries dated in the period (paid or not) and transfers, newest first."""
    entries = session.scalars(
        select(Entry)
        .where(
            Entry.household_id == account.household_id,
            Entry.account_id == account.id,
            Entry.date >= start,
            Entry.date <= end,
        )
        .order_by(Entry.date.desc(), Entry.id.desc())
    ).unique()
    movements = [
        Movement(
            e.date, e.description, e.amount if e.kind == "income" else -e.amount, entry=e
        )
        for e in entries
    ]
    for t in account_transfers(session, account, start, end):
        incoming = t.to_account_id == account.id
        movements.append(
            Movement(t.date, t.description or "", t.amount if incoming else -t.amount, transfer=t)
        )
    movements.sort(key=lambda m: m.day, reverse=True)
    return movements
