"""One account's history in a period, as a statement: its entries, its transfers and its
balance snapshots merged by day, each with the account's balance after it.

The running balance follows the balance rule of DESIGN §4 exactly as
`finora.services.ledger.accounts.account_balances` computes it: money moves on the day an entry
is paid and on a transfer's date, from the opening date on; a snapshot is the balance at
the end of its day (it replaces whatever came before it). So the last running figure up
to a day equals `account_balances` on that day.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from finora.business_days import add_days
from finora.models import Account, BalanceSnapshot, Entry, Household, Transfer
from finora.services.ledger.accounts import account_balances
from finora.services.ledger.snapshots import Reconciliation, list_snapshots, reconcile
from finora.services.ledger.transfers import account_transfers

# Why a row has no running balance.
UNPAID = "unpaid"  # an entry not paid yet: no money moved
LATER = "later"  # dated after the day the balances are shown for
BEFORE_OPENING = "before_opening"  # paid before the account's opening date: not counted


@dataclass(frozen=True)
class Movement:
    day: date  # the day money moved: an entry's paid day (its date while unpaid)
    description: str
    signed_amount: Decimal
    entry: Entry | None = None
    transfer: Transfer | None = None
    # A snapshot row: signed_amount is the balance set; the reconciliation says what the
    # ledger computed for that day without it and the gap between the two.
    snapshot: BalanceSnapshot | None = None
    reconciliation: Reconciliation | None = None
    opening: bool = False  # the account's opening balance, on its opening date
    balance: Decimal | None = None  # the account's balance after this row
    no_balance: str | None = None  # UNPAID, LATER or BEFORE_OPENING when balance is None


def account_activity(
    session: Session, account: Account, start: date, end: date, *, upto: date | None = None
) -> list[Movement]:
    """The period's rows, newest first, each with the balance after it: entries paid in the
    period (on their paid day) and unpaid ones dated in it, transfers, snapshots, and the
    opening balance when the account opened in the period. Within a day a snapshot (the
    balance at the END of the day) comes above that day's other rows.

    Rows after `upto` (default `end`; the page passes today) get no running balance: the
    balance shown for the page is the one on `upto`."""
    upto = end if upto is None else upto
    entries = session.scalars(
        select(Entry)
        .where(
            Entry.household_id == account.household_id,
            Entry.account_id == account.id,
            or_(
                and_(Entry.paid_on.is_not(None), Entry.paid_on >= start, Entry.paid_on <= end),
                and_(Entry.paid_on.is_(None), Entry.date >= start, Entry.date <= end),
            ),
        )
        .order_by(Entry.id)
    ).unique()
    movements = [
        Movement(
            e.paid_on or e.date, e.description, e.amount if e.kind == "income" else -e.amount, entry=e
        )
        for e in entries
    ]
    for t in reversed(account_transfers(session, account, start, end)):
        incoming = t.to_account_id == account.id
        movements.append(
            Movement(t.date, t.description or "", t.amount if incoming else -t.amount, transfer=t)
        )
    if start <= account.opening_date <= end:
        movements.append(Movement(account.opening_date, "", account.opening_balance, opening=True))
    snapshots = list_snapshots(session, account, start, end)
    reconciliations = reconcile(session, account, snapshots)
    for s in reversed(snapshots):
        movements.append(
            Movement(s.date, "", s.amount, snapshot=s, reconciliation=reconciliations[s.id])
        )
    # Oldest first: within a day the opening, then the money that moved, then the
    # snapshots in the order they were recorded (the last one recorded wins).
    movements.sort(key=lambda m: (m.day, 0 if m.opening else 2 if m.snapshot else 1))
    movements = _with_balances(session, account, start, upto, movements)
    movements.reverse()
    return movements


def _with_balances(
    session: Session, account: Account, start: date, upto: date, movements: list[Movement]
) -> list[Movement]:
    """The running balance along `movements` (oldest first), from the balance at the end of
    the day before `start` by the same rule as account_balances."""
    household = session.get_one(Household, account.household_id)
    before = add_days(start, -1)
    running = account_balances(session, household, before)[account.id]
    # Counting from a snapshot, every later day counts; from the opening balance, only the
    # days from the opening date on (account_balances' rule).
    from_snapshot = (
        session.scalar(
            select(BalanceSnapshot.id)
            .where(BalanceSnapshot.account_id == account.id, BalanceSnapshot.date <= before)
            .limit(1)
        )
        is not None
    )
    result = []
    for m in movements:
        if m.day > upto:
            result.append(replace(m, no_balance=LATER))
        elif m.snapshot is not None:
            running, from_snapshot = m.snapshot.amount, True
            result.append(replace(m, balance=running))
        elif m.opening:
            result.append(m if from_snapshot else replace(m, balance=running))
        elif m.entry is not None and m.entry.paid_on is None:
            result.append(replace(m, no_balance=UNPAID))
        elif not from_snapshot and m.day < account.opening_date:
            result.append(replace(m, no_balance=BEFORE_OPENING))
        else:
            running += m.signed_amount
            result.append(replace(m, balance=running))
    return result
