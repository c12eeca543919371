"""Balance snapshots: a known balance of an account at the end of a day (DESIGN §4).

A snapshot replaces the opening balance as the starting point of the balance on the days
from its date on; the difference between the snapshot and the balance the ledger computes
for that day without it is the reconciliation gap.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask_babel import format_date
from flask_babel.speaklater import LazyString
from sqlalchemy import and_, case, func, or_, select, type_coerce
from sqlalchemy.orm import Session

from finora.dates import check_date
from finora.errors import FieldError
from finora.models import Account, BalanceSnapshot, Entry, Transfer
from finora.models.snapshot import SNAPSHOT_SOURCES
from finora.money import ZERO, Cents
from finora.translation import lazy_gettext as _l


def set_balance(
    session: Session,
    account: Account,
    day: date,
    amount: Decimal,
    source: str = "manual",
    external_ref: str | None = None,
) -> BalanceSnapshot:
    """Record the balance of `account` at the end of `day`.

    A manual snapshot is one per account and day: setting it again replaces the amount.
    An e-mail or import snapshot with an `external_ref` already seen for this account is
    a no-op that returns the existing row. A day before the account's opening date is
    refused (FieldError on "date"), whoever asks."""
    if source not in SNAPSHOT_SOURCES:
        raise ValueError(f"unknown snapshot source {source!r}")
    if amount is None:
        raise FieldError("amount", _l("Enter the balance."))
    if day is None:
        raise FieldError("date", _l("Enter the date."))
    check_date(day, "date")
    if day < account.opening_date:
        # The balance rule starts from the latest snapshot on or before a day: one dated
        # before the opening would silently replace the opening balance.
        raise FieldError(
            "date",
            _l(
                "This account opened on %(date)s: set a balance for that day or a later one.",
                date=LazyString(format_date, account.opening_date, "long"),
            ),
        )
    external_ref = (external_ref or "").strip() or None
    if external_ref is not None:
        existing = session.scalar(
            select(BalanceSnapshot).where(
                BalanceSnapshot.account_id == account.id,
                BalanceSnapshot.external_ref == external_ref,
            )
        )
        if existing is not None:
            return existing
    elif source == "manual":
        existing = session.scalar(
            select(BalanceSnapshot)
            .where(
                BalanceSnapshot.account_id == account.id,
                BalanceSnapshot.date == day,
                BalanceSnapshot.source == "manual",
                BalanceSnapshot.external_ref.is_(None),
            )
            .order_by(BalanceSnapshot.id)
            .limit(1)
        )
        if existing is not None:
            existing.amount = amount
            session.flush()
            return existing
    snapshot = BalanceSnapshot(
        household_id=account.household_id,
        account_id=account.id,
        date=day,
        amount=amount,
        source=source,
        external_ref=external_ref,
    )
    session.add(snapshot)
    session.flush()
    return snapshot


def delete_snapshot(session: Session, snapshot: BalanceSnapshot) -> None:
    session.delete(snapshot)
    session.flush()


def list_snapshots(
    session: Session, account: Account, start: date | None = None, end: date | None = None
) -> list[BalanceSnapshot]:
    """The account's snapshots (optionally between two dates), newest first."""
    stmt = select(BalanceSnapshot).where(
        BalanceSnapshot.household_id == account.household_id,
        BalanceSnapshot.account_id == account.id,
    )
    if start is not None:
        stmt = stmt.where(BalanceSnapshot.date >= start)
    if end is not None:
        stmt = stmt.where(BalanceSnapshot.date <= end)
    return list(session.scalars(stmt.order_by(BalanceSnapshot.date.desc(), BalanceSnapshot.id.desc())))


@dataclass(frozen=True)
class Reconciliation:
    snapshot: BalanceSnapshot
    ledger_balance: Decimal  # the balance on the snapshot's day computed without it
    gap: Decimal  # snapshot.amount - ledger_balance


def reconciliation_gap(session: Session, account: Account, snapshot: BalanceSnapshot) -> Decimal:
    """The snapshot's amount minus the balance the ledger computes on its date without it."""
    return reconcile(session, account, [snapshot])[snapshot.id].gap


def reconcile(
    session: Session, account: Account, snapshots: list[BalanceSnapshot]
) -> dict[int, Reconciliation]:
    """The reconciliation of each of these snapshots of one account, in three queries
    whatever their number: the snapshot before the earliest one, then one entries and one
    transfers query of conditional sums, one sum per interval between snapshots."""
    if not snapshots:
        return {}
    ordered = sorted(snapshots, key=lambda s: (s.date, s.id))
    first = ordered[0]
    # The starting point of the first one: the snapshot just before it (an earlier day, or
    # the same day recorded before it), else the opening balance.
    previous = session.scalar(
        select(BalanceSnapshot)
        .where(
            BalanceSnapshot.account_id == account.id,
            or_(
                BalanceSnapshot.date < first.date,
                and_(BalanceSnapshot.date == first.date, BalanceSnapshot.id < first.id),
            ),
        )
        .order_by(BalanceSnapshot.date.desc(), BalanceSnapshot.id.desc())
        .limit(1)
    )
    # Interval i runs from the start (exclusive snapshot day, or inclusive opening date)
    # to snapshot i's day; each later one starts after the snapshot before it.
    if previous is not None:
        starts = [(previous.date, False)]
        base = previous.amount
    else:
        starts = [(account.opening_date, True)]
        base = account.opening_balance
    starts += [(s.date, False) for s in ordered[:-1]]
    intervals = [(after, inclusive, s.date) for (after, inclusive), s in zip(starts, ordered, strict=True)]

    def within(column, after, inclusive, upto):
        return and_(column >= after if inclusive else column > after, column <= upto)

    low = min(after for after, _inclusive, _upto in intervals)
    high = max(upto for _after, _inclusive, upto in intervals)
    signed = case((Entry.kind == "income", Entry.amount), else_=-Entry.amount)
    entry_sums = session.execute(
        select(
            *(
                type_coerce(func.sum(case((within(Entry.paid_on, *interval), signed), else_=0)), Cents())
                for interval in intervals
            )
        ).where(
            Entry.account_id == account.id,
            Entry.paid_on.is_not(None),
            Entry.paid_on >= low,
            Entry.paid_on <= high,
        )
    ).one()
    moved = case((Transfer.to_account_id == account.id, Transfer.amount), else_=-Transfer.amount)
    transfer_sums = session.execute(
        select(
            *(
                type_coerce(func.sum(case((within(Transfer.date, *interval), moved), else_=0)), Cents())
                for interval in intervals
            )
        ).where(
            Transfer.household_id == account.household_id,
            or_(Transfer.from_account_id == account.id, Transfer.to_account_id == account.id),
            Transfer.date >= low,
            Transfer.date <= high,
        )
    ).one()

    result = {}
    for snapshot, from_entries, from_transfers in zip(ordered, entry_sums, transfer_sums, strict=True):
        ledger = base + (from_entries or ZERO) + (from_transfers or ZERO)
        result[snapshot.id] = Reconciliation(snapshot, ledger, snapshot.amount - ledger)
        base = snapshot.amount
    return result
