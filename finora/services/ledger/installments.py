"""Installment purchases on a credit card ("12x", docs/cards.md).

One purchase of `amount` in N installments becomes N expense entries on the card, a month
apart from the purchase date (the day of month kept, clamped to shorter months), so each
falls in its own statement. Each is amount/N rounded down to the cent; the cents left over
go on the first, so the installments add up to the purchase exactly. They share an
`installment_group` id and say "k/N" after the description.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from decimal import ROUND_DOWN, Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from finora.amounts import CENT
from finora.errors import FieldError
from finora.forecast.recurrence import nth_month_date
from finora.models import Account, Entry, Household, User
from finora.services.ledger.entries import EntryData, create_entry
from finora.translation import lazy_gettext as _l

MIN_INSTALLMENTS = 2
MAX_INSTALLMENTS = 48
_DESCRIPTION_MAX = 200


def split_amount(amount: Decimal, count: int) -> list[Decimal]:
    """`count` amounts adding up to `amount` exactly: the rounding remainder on the first."""
    each = (amount / count).quantize(CENT, rounding=ROUND_DOWN)
    return [amount - each * (count - 1)] + [each] * (count - 1)


def create_installments(
    session: Session, household: Household, data: EntryData, count: int, *, user: User | None = None
) -> list[Entry]:
    """The purchase's installments, first to last. `data.paid_on` set: each installment is
    paid on its own date (the first on `data.paid_on`), as a card purchase is."""
    if not MIN_INSTALLMENTS <= count <= MAX_INSTALLMENTS:
        raise FieldError(
            "installments",
            _l("Enter from %(low)d to %(high)d installments.", low=MIN_INSTALLMENTS, high=MAX_INSTALLMENTS),
        )
    account = session.get(Account, data.account_id) if data.account_id is not None else None
    if account is None or account.household_id != household.id or account.kind != "credit_card":
        raise FieldError("installments", _l("Installments are for purchases on a credit-card account."))
    if data.kind != "expense":
        raise FieldError("installments", _l("Installments are for expenses."))
    if data.amount is None or data.amount < count * CENT:
        raise FieldError("amount", _l("The amount is too small for this many installments."))
    group = uuid.uuid4().hex
    entries = []
    for index, amount in enumerate(split_amount(data.amount, count)):
        suffix = f" {index + 1}/{count}"
        day = nth_month_date(data.date, index)
        paid_on = None
        if data.paid_on is not None:
            paid_on = data.paid_on if index == 0 else day
        entry = create_entry(
            session,
            household,
            replace(
                data,
                amount=amount,
                date=day,
                paid_on=paid_on,
                description=data.description.strip()[: _DESCRIPTION_MAX - len(suffix)] + suffix,
            ),
            user=user,
        )
        entry.installment_group = group
        entry.installment_number = index + 1
        entry.installment_count = count
        entries.append(entry)
    session.flush()
    return entries


def installment_group(session: Session, entry: Entry) -> list[Entry]:
    """The installments of the entry's purchase, first to last ([entry] when it is not one)."""
    if entry.installment_group is None:
        return [entry]
    return list(
        session.scalars(
            select(Entry)
            .where(Entry.household_id == entry.household_id, Entry.installment_group == entry.installment_group)
            .order_by(Entry.installment_number, Entry.id)
        )
    )
