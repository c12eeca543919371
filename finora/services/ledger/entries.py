"""Income and expense entries: add, edit, duplicate, delete, mark paid or unpaid."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from finora.dates import check_date
from finora.errors import FieldError
from finora.models import Entry, Household, User
from finora.models.entry import PAYMENT_METHODS
from finora.services.ledger.categorisation import rule_payee
from finora.services.ledger.ledger_refs import validate_ledger_refs
from finora.services.ledger.payees import clean_payee_name, set_entry_payee
from finora.services.ledger.splits import check_entry_change
from finora.services.ledger.tags import parse_tags, set_entry_tags
from finora.services.system import audit
from finora.translation import lazy_gettext as _l

# The field EntryData.date hides the type in the annotations after it.
_Date = date


@dataclass(frozen=True)
class EntryData:
    kind: str
    amount: Decimal
    date: date
    description: str
    account_id: int
    category_id: int
    subcategory_id: int | None = None
    paid_on: _Date | None = None
    notes: str | None = None
    payment_method: str = "other"
    # None leaves the entry's payee / tags as they are (an API update that omits them).
    payee: str | None = None
    tags: tuple[str, ...] | None = None


def _validate(session: Session, household: Household, data: EntryData, current: Entry | None) -> None:
    if data.kind not in ("income", "expense"):
        raise FieldError("kind", _l("Choose income or expense."))
    if data.amount is None or data.amount <= 0:
        raise FieldError("amount", _l("Enter a positive amount."))
    if not data.description.strip():
        raise FieldError("description", _l("Describe the entry."))
    if data.payment_method not in PAYMENT_METHODS:
        raise FieldError("payment_method", _l("Choose a payment method."))
    check_date(data.date, "date")
    check_date(data.paid_on, "paid_on")
    clean_payee_name(data.payee)
    parse_tags(data.tags)

    validate_ledger_refs(
        session,
        household,
        kind=data.kind,
        account_id=data.account_id,
        category_id=data.category_id,
        subcategory_id=data.subcategory_id,
        current=current,
    )


def _apply(entry: Entry, data: EntryData) -> None:
    entry.kind = data.kind
    entry.amount = data.amount
    entry.date = data.date
    entry.paid_on = data.paid_on
    entry.description = data.description.strip()
    entry.notes = (data.notes or "").strip() or None
    entry.account_id = data.account_id
    entry.category_id = data.category_id
    entry.subcategory_id = data.subcategory_id
    entry.payment_method = data.payment_method


def _apply_payee_and_tags(session: Session, household: Household, entry: Entry, data: EntryData) -> None:
    if data.payee is not None:
        set_entry_payee(session, household, entry, data.payee)
    if data.tags is not None:
        set_entry_tags(session, household, entry, parse_tags(data.tags))


def create_entry(
    session: Session, household: Household, data: EntryData, *, user: User | None = None,
    apply_rules: bool = False,
) -> Entry:
    """`apply_rules`: a person typed it; a payee left empty is filled by the household's
    categorisation rules (services/ledger/categorisation.py), nothing else is."""
    _validate(session, household, data, None)
    if apply_rules and not (data.payee or "").strip():
        payee = rule_payee(session, household, description=data.description, amount=data.amount,
                           account_id=data.account_id, kind=data.kind)
        if payee:
            data = replace(data, payee=payee)
    entry = Entry(household_id=household.id, created_by_id=user.id if user else None)
    _apply(entry, data)
    session.add(entry)
    _apply_payee_and_tags(session, household, entry, data)
    session.flush()
    audit.record(session, "entry.created", object=entry)
    return entry


def update_entry(session: Session, entry: Entry, data: EntryData) -> None:
    household = session.get_one(Household, entry.household_id)
    check_entry_change(
        entry,
        kind=data.kind,
        amount=data.amount,
        category_id=data.category_id,
        subcategory_id=data.subcategory_id,
    )
    _validate(session, household, data, entry)
    _apply(entry, data)
    _apply_payee_and_tags(session, household, entry, data)
    session.flush()
    audit.record(session, "entry.updated", object=entry)


def delete_entry(session: Session, entry: Entry) -> None:
    audit.record(session, "entry.deleted", object=entry)
    session.delete(entry)
    session.flush()


def set_entry_paid(session: Session, entry: Entry, paid_on: date | None) -> None:
    """Mark paid on a day (None marks it unpaid). An entry already paid keeps the day it
    was paid on: a second click from a stale page must not move it."""
    if paid_on is not None and entry.paid_on is not None:
        return
    check_date(paid_on, "paid_on")
    entry.paid_on = paid_on
    session.flush()
    audit.record(
        session, "entry.updated", object=entry,
        details={"paid_on": paid_on.isoformat() if paid_on else None},
    )


def entry_data(entry: Entry) -> EntryData:
    """The entry's values, e.g. to prefill a duplicate."""
    return EntryData(
        kind=entry.kind,
        amount=entry.amount,
        date=entry.date,
        description=entry.description,
        account_id=entry.account_id,
        category_id=entry.category_id,
        subcategory_id=entry.subcategory_id,
        paid_on=entry.paid_on,
        notes=entry.notes,
        payment_method=entry.payment_method,
        payee=entry.payee.name if entry.payee else None,
        tags=tuple(tag.name for tag in entry.tags),
    )
