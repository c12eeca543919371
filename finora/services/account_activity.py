"""One account's history in a period: its entries, its transfers and its balance snapshots,
merged by date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from finora.models import Account, BalanceSnapshot, Entry, Transfer
from finora.services.snapshots import Reconciliation, list_snapshots, reconcile
from finora.services.transfers import account_transfers


@dataclass(frozen=True)
class Movement:
    day: date
    description: str
    signed_amount: Decimal
    entry: Entry | None = None
    transfer: Transfer | None = None
    # A snapshot row: signed_amount is the balance set; the reconciliation says what the
    # ledger computed for that day without it and the gap between the two.
    snapshot: BalanceSnapshot | None = None
    reconciliation: Reconciliation | None = None


def account_activity(session: Session, account: Account, start: date, end: date) -> list[Movement]:
    """Entries dated in the period (paid or not), transfers and balance snapshots, newest
    first; a snapshot (the balance at the end of its day) comes before that day's rows."""
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
    snapshots = list_snapshots(session, account, start, end)
    reconciliations = reconcile(session, account, snapshots)
    for s in snapshots:
        movements.append(
            Movement(s.date, "", s.amount, snapshot=s, reconciliation=reconciliations[s.id])
        )
    # Stable sort: within a day, snapshots first (newest recorded first), then the rest in
    # the order they were loaded.
    movements.sort(key=lambda m: (m.day, m.snapshot is not None), reverse=True)
    return movements
