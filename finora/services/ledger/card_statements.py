"""Credit-card statements ("faturas"), computed from the ledger, never stored (docs/cards.md).

A statement's total is the card's expenses minus its refunds (income entries) dated in its
cycle, paid or not. What is paid comes from the transfers into the card (less those out
of it) dated up to today, plus a negative total (a credit), applied oldest statement
first: a debt the card was opened with (a negative opening balance) is settled first, then
each statement in due-date order. So paying a statement early, late or in two parts
settles it the same way, and a payment never counts for two statements.

Status: "upcoming" before its cycle starts (future installments), "open" until the closing
date has passed; then "paid" when nothing is left,
"overdue" after the due date, "partly_paid" when some was paid, else "closed".

Two grouped queries for any number of cards and entries: the card entries summed by
(account, date), and the transfers in and out of the cards summed by account.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import case, func, select, type_coerce
from sqlalchemy.orm import Session

from finora.models import Account, Entry, Transfer
from finora.money import ZERO, Cents
from finora.services.ledger.card_cycles import (
    closing_date,
    cycle_start,
    due_date,
    next_statement,
    statement_of,
)

STATUSES = ("upcoming", "open", "closed", "partly_paid", "paid", "overdue")


@dataclass(frozen=True)
class Statement:
    account_id: int
    year: int
    month: int
    start: date  # first day of the cycle
    closing: date  # last day of the cycle
    due: date
    total: Decimal  # purchases minus refunds in the cycle
    paid: Decimal
    entries: int  # how many entries fall in the cycle
    status: str

    @property
    def key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def outstanding(self) -> Decimal:
        return max(self.total - self.paid, ZERO)


def card_statements(session: Session, account: Account, today: date) -> list[Statement]:
    """The statements of one card, oldest first ([] when it has none)."""
    return statements_by_card(session, [account], today).get(account.id, [])


def statements_by_card(
    session: Session, accounts: list[Account], today: date
) -> dict[int, list[Statement]]:
    """The statements of each card with statement days among `accounts` (one household's),
    oldest first: every cycle from the first with an entry to the last with one (future
    installments), and always the current one."""
    cards = [a for a in accounts if a.has_statements]
    if not cards:
        return {}
    ids = [a.id for a in cards]
    signed = case((Entry.kind == "expense", Entry.amount), else_=-Entry.amount)
    by_day: dict[int, list[tuple[date, Decimal, int]]] = {a.id: [] for a in cards}
    for account_id, day, total, count in session.execute(
        select(Entry.account_id, Entry.date, type_coerce(func.sum(signed), Cents()), func.count())
        .where(Entry.account_id.in_(ids))
        .group_by(Entry.account_id, Entry.date)
    ):
        by_day[account_id].append((day, total or ZERO, count))
    paid_in: dict[int, Decimal] = {a.id: ZERO for a in cards}
    household_id = cards[0].household_id
    for column, sign in ((Transfer.to_account_id, 1), (Transfer.from_account_id, -1)):
        for account_id, total in session.execute(
            select(column, type_coerce(func.sum(Transfer.amount), Cents()))
            .where(Transfer.household_id == household_id, column.in_(ids), Transfer.date <= today)
            .group_by(column)
        ):
            paid_in[account_id] += sign * (total or ZERO)
    return {
        card.id: _statements(card, by_day[card.id], paid_in[card.id], today) for card in cards
    }


def _statements(
    card: Account, days: list[tuple[date, Decimal, int]], payments: Decimal, today: date
) -> list[Statement]:
    closing_day = card.closing_day or 1  # set: only cards with statement days come here
    totals: dict[tuple[int, int], tuple[Decimal, int]] = {}
    for day, amount, count in days:
        key = statement_of(day, closing_day)
        total, entries = totals.get(key, (ZERO, 0))
        totals[key] = (total + amount, entries + count)
    current = statement_of(today, closing_day)
    keys = [current, *totals]
    first, last = min(keys), max(keys)
    # The pool that settles statements: net payments and credits; an opening debt first.
    pool = payments + min(card.opening_balance, ZERO)
    pool += sum((-t for t, _n in totals.values() if t < 0), ZERO)
    found = []
    key = first
    while key <= last:
        total, entries = totals.get(key, (ZERO, 0))
        if entries or key == current:
            owed = max(total, ZERO)
            paid = min(max(pool, ZERO), owed)
            pool -= paid
            found.append(_statement(card, key, total, paid, entries, today))
        key = next_statement(key)
    return found


def _statement(
    card: Account, key: tuple[int, int], total: Decimal, paid: Decimal, entries: int, today: date
) -> Statement:
    closing_day, due_day = card.closing_day or 1, card.due_day or 1
    start = cycle_start(*key, closing_day)
    closing = closing_date(*key, closing_day)
    due = due_date(*key, closing_day, due_day)
    if today < start:
        status = "upcoming"
    elif today <= closing:
        status = "open"
    elif paid >= total:
        status = "paid"
    elif today > due:
        status = "overdue"
    elif paid > 0:
        status = "partly_paid"
    else:
        status = "closed"
    return Statement(
        account_id=card.id,
        year=key[0],
        month=key[1],
        start=start,
        closing=closing,
        due=due,
        total=total,
        paid=paid,
        entries=entries,
        status=status,
    )


def find_statement(statements: list[Statement], key: str) -> Statement | None:
    return next((s for s in statements if s.key == key), None)
