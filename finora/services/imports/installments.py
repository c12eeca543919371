"""Installment rows of a card statement ("LOJA X PARCELA 02/12", "MAGAZINE 3/10",
"NETSHOES 02 DE 06"): each becomes an entry of its purchase's installment group, the
group the manual "12x" feature uses (services/ledger/installments.py).

The bank sends one installment a month; importing one never creates the others. The
rows of one purchase (same card, same number of installments, the same description
without its "k/N", amounts within a cent per installment of each other — the rounding a
bank or Finora puts on one of them) share a group across imports. When the purchase is
already in the ledger as installments (entered as 12x in Finora, or an earlier statement
imported) and its installment k has not come from the bank yet, the row k/N is offered
as a match for that entry instead of a twin. A purchase typed in Finora under another
name is still found when its first (or its k-th) installment is dated within five days
of the row: banks list an installment under the purchase's own date.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from finora.amounts import CENT
from finora.models import Account, Entry, Household
from finora.services.imports.keys import normalise_description
from finora.services.ledger.installments import MAX_INSTALLMENTS, MIN_INSTALLMENTS

NEAR_DAYS = 5
# "PARCELA 02/12", "PARC 2/12", "PARC.02/12", "PRC 02/12", "02 DE 06", a bare "3/10";
# at the end of the description, after a space.
_MARK = re.compile(
    r"(?:^|\s)(?:(?:parcela|parc|prc)\.?\s*)?(\d{1,2})\s*(?:/|\s+de\s+)\s*(\d{1,2})\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Installment:
    stem: str  # the description without its "k/N", normalised
    number: int
    count: int


def installment_of(description: str | None) -> Installment | None:
    """The "k/N" a description ends with, or None (no mark, k above N, N out of the range
    the installments feature takes, nothing left to name the purchase)."""
    match = _MARK.search(description or "")
    if match is None:
        return None
    number, count = int(match.group(1)), int(match.group(2))
    if not (1 <= number <= count and MIN_INSTALLMENTS <= count <= MAX_INSTALLMENTS):
        return None
    stem = normalise_description(description[: match.start()])  # type: ignore[index]
    if not stem:
        return None
    return Installment(stem, number, count)


@dataclass
class _Group:
    id: str
    count: int
    stems: set[str] = field(default_factory=set)
    amounts: list[Decimal] = field(default_factory=list)
    # number -> the entry already in the ledger (None: a row of this file takes it)
    numbers: dict[int, Entry | None] = field(default_factory=dict)

    def near(self, when: date, number: int) -> bool:
        for k in (1, number):
            entry = self.numbers.get(k)
            if entry is not None and abs((entry.date - when).days) <= NEAR_DAYS:
                return True
        return False

    def fits(self, amount: Decimal) -> bool:
        return any(abs(amount - known) <= CENT * self.count for known in self.amounts)


@dataclass(frozen=True)
class Placed:
    """Where a row goes: a group (new or existing) and its number, or an entry of the
    group already in the ledger that it matches."""

    group: str
    number: int
    count: int
    match: Entry | None = None


class InstallmentGroups:
    """The card accounts' installment groups, read once per account, and the ones the
    rows of this file make; rows are placed in file order."""

    def __init__(self, session: Session, household: Household) -> None:
        self.session, self.household = session, household
        self._groups: dict[int, list[_Group]] = {}

    def _load(self, account: Account) -> list[_Group]:
        if account.id not in self._groups:
            groups: dict[str, _Group] = {}
            entries = self.session.scalars(
                select(Entry)
                .where(
                    Entry.household_id == self.household.id, Entry.account_id == account.id,
                    Entry.installment_group.is_not(None), Entry.kind == "expense",
                )
                .order_by(Entry.installment_group, Entry.installment_number, Entry.id)
            )
            for entry in entries:
                if entry.installment_group is None or entry.installment_count is None:
                    continue
                group = groups.setdefault(
                    entry.installment_group, _Group(entry.installment_group, entry.installment_count)
                )
                mark = installment_of(entry.description)
                group.stems.add(mark.stem if mark else normalise_description(entry.description))
                group.amounts.append(entry.amount)
                if entry.installment_number is not None:
                    group.numbers.setdefault(entry.installment_number, entry)
            self._groups[account.id] = list(groups.values())
        return self._groups[account.id]

    def place(self, account: Account, when: date, amount: Decimal, mark: Installment) -> Placed:
        """The group of the row's purchase (made when none fits) and, when its installment
        is already in the ledger without having come from the bank, that entry."""
        groups = self._load(account)
        candidates = [
            group for group in groups
            if group.count == mark.count and group.fits(amount)
            and (mark.stem in group.stems or group.near(when, mark.number))
            and (mark.number not in group.numbers or _open(group.numbers[mark.number]))
        ]
        # The purchase named alike before one found by its date; then the oldest group.
        candidates.sort(key=lambda group: mark.stem not in group.stems)
        if candidates:
            group = candidates[0]
            entry = group.numbers.get(mark.number)
            group.numbers[mark.number] = None  # taken by this row
            group.stems.add(mark.stem)
            return Placed(group.id, mark.number, mark.count, entry)
        group = _Group(uuid.uuid4().hex, mark.count, {mark.stem}, [amount], {mark.number: None})
        groups.append(group)
        return Placed(group.id, mark.number, mark.count)


def _open(entry: Entry | None) -> bool:
    """An installment in the ledger that no bank row has claimed yet."""
    return entry is not None and entry.import_key is None

