"""Each account over a period: its balance the day before, the money in and out, transfers
in and out, and its closing balance — by the balance rule of
`finora.services.ledger.accounts.account_balances` (DESIGN §4).

Money moves on the day an entry is paid (`paid_on`, not its due date) and on a transfer's
date; unpaid entries move nothing; money dated before an account's opening date is in its
opening balance, never counted again. The opening and closing balances are
`account_balances` of the day before the start and of the end. A balance snapshot dated in
the period replaces whatever the ledger computed that day: the gap between the two is the
line's `adjustment` (zero when no snapshot corrects the ledger), so for every account
closing = opening + money in − money out + transfers in − transfers out + adjustment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select, type_coerce
from sqlalchemy.orm import Session

from finora.business_days import add_days
from finora.models import Account, BalanceSnapshot, Entry, Household, Transfer
from finora.money import ZERO, Cents
from finora.services.ledger.accounts import account_balances, list_accounts


@dataclass(frozen=True)
class AccountLine:
    account: Account
    opening: Decimal  # the balance at the end of the day before the period
    money_in: Decimal  # income entries paid in the period
    money_out: Decimal  # expense entries paid in the period
    transfers_in: Decimal
    transfers_out: Decimal
    adjustment: Decimal  # balance snapshots' corrections in the period (usually zero)
    closing: Decimal  # = account_balances on the period's last day

    @property
    def change(self) -> Decimal:
        return self.closing - self.opening

    @property
    def moved(self) -> bool:
        return any((self.money_in, self.money_out, self.transfers_in, self.transfers_out, self.change))


@dataclass(frozen=True)
class AccountReport:
    start: date
    end: date
    lines: list[AccountLine]  # active accounts by name, then archived ones that moved

    def total(self, name: str) -> Decimal:
        """The sum of one column over the lines ("opening", "money_in", … "closing")."""
        return sum((getattr(line, name) for line in self.lines), ZERO)

    @property
    def empty(self) -> bool:
        return not self.lines


def _entry_flows(session: Session, household: Household, start: date, end: date) -> dict[tuple[int, str], Decimal]:
    """Paid entries per (account, kind) paid in the period, from each account's opening date."""
    rows = session.execute(
        select(Entry.account_id, Entry.kind, type_coerce(func.sum(Entry.amount), Cents()))
        .join(Account, Account.id == Entry.account_id)
        .where(
            Entry.household_id == household.id,
            Entry.paid_on.is_not(None),
            Entry.paid_on >= start,
            Entry.paid_on <= end,
            Entry.paid_on >= Account.opening_date,
        )
        .group_by(Entry.account_id, Entry.kind)
    )
    return {(account_id, kind): total for account_id, kind, total in rows}


def _transfer_flows(session: Session, household: Household, start: date, end: date, column) -> dict[int, Decimal]:
    """Transfers per account (into it: to_account_id; out of it: from_account_id) dated in
    the period, from the account's opening date."""
    rows = session.execute(
        select(column, type_coerce(func.sum(Transfer.amount), Cents()))
        .join(Account, Account.id == column)
        .where(
            Transfer.household_id == household.id,
            Transfer.date >= start,
            Transfer.date <= end,
            Transfer.date >= Account.opening_date,
        )
        .group_by(column)
    )
    return dict(rows.all())


def _snapshot_accounts(session: Session, household: Household, after: date, end: date) -> set[int]:
    """The accounts with a balance snapshot dated after `after` up to `end`."""
    return set(
        session.scalars(
            select(BalanceSnapshot.account_id)
            .where(
                BalanceSnapshot.household_id == household.id,
                BalanceSnapshot.date > after,
                BalanceSnapshot.date <= end,
            )
            .distinct()
        )
    )


def account_report(session: Session, household: Household, start: date, end: date) -> AccountReport:
    """Every active account, and the archived ones that moved in the period. A constant
    number of queries whatever the data: the accounts, account_balances the day before,
    the sums of the period, and — only when a snapshot is dated in the period —
    account_balances at the end (without one, the closing balance is the opening balance
    plus the period's money, which is exactly what account_balances would add)."""
    before_start = add_days(start, -1)
    accounts = list_accounts(session, household)
    opening = account_balances(session, household, before_start)
    entries = _entry_flows(session, household, start, end)
    incoming = _transfer_flows(session, household, start, end, Transfer.to_account_id)
    outgoing = _transfer_flows(session, household, start, end, Transfer.from_account_id)
    corrected = _snapshot_accounts(session, household, before_start, end)
    closing = account_balances(session, household, end) if corrected else {}
    lines = []
    for account in accounts:
        before = opening.get(account.id, ZERO)
        money_in = entries.get((account.id, "income"), ZERO)
        money_out = entries.get((account.id, "expense"), ZERO)
        t_in, t_out = incoming.get(account.id, ZERO), outgoing.get(account.id, ZERO)
        moved = before + money_in - money_out + t_in - t_out
        after = closing.get(account.id, moved) if account.id in corrected else moved
        line = AccountLine(
            account=account,
            opening=before,
            money_in=money_in,
            money_out=money_out,
            transfers_in=t_in,
            transfers_out=t_out,
            adjustment=after - moved,
            closing=after,
        )
        if not account.archived or line.moved:
            lines.append(line)
    return AccountReport(start, end, lines)
