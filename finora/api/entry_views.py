"""Entries (docs/api.md, "Accounts, entries and transfers"): a month's entries with the
dashboard's filters (the same SQL conditions, entry_filters.entry_conditions), paged in
SQL; added, edited, deleted and marked paid or unpaid through the entries service the
pages call."""

from __future__ import annotations

from datetime import date

from flask import request
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from finora.api import bp
from finora.api import ledger_json as out
from finora.api.access import caller
from finora.api.body import ApiValidationError, read_json, read_query
from finora.api.envelope import many, no_content, one
from finora.api.ledger_json import EntryOut
from finora.api.pagination import page_params
from finora.api.schemas_ledger import EntryBody, EntryQuery, EntryUpdateBody, PaidBody
from finora.api.spec import documented
from finora.dates import today
from finora.extensions import db
from finora.models import Account, Category, Entry, Household, Payee, Tag
from finora.services.imports.suggest import default_pair
from finora.services.ledger.accounts import primary_account
from finora.services.ledger.catalogue import category_tree
from finora.services.ledger.entries import (
    EntryData,
    create_entry,
    delete_entry,
    set_entry_paid,
    update_entry,
)
from finora.services.ledger.entry_filters import entry_conditions
from finora.services.ledger.entry_list import EntryFilters
from finora.services.ledger.ledger_refs import validate_ledger_refs
from finora.services.ledger.splits import SplitLine, split_entry, unsplit_entry
from finora.services.planning.periods import month_bounds
from finora.tenancy import get_owned_or_404
from finora.translation import lazy_gettext as _l

TAG = "Entries"
NOT_IN_HOUSEHOLD = _l("Nothing in this household has this id.")


def _household() -> Household:
    return caller().membership.household


# ---- the month's list ------------------------------------------------------------------


def _check_owned(model, field: str, object_id: int | None) -> None:
    """A filter naming another household's (or no) account or category: 422 on it."""
    if object_id is None:
        return
    row = db.session.get(model, object_id)
    if row is None or row.household_id != _household().id:
        raise ApiValidationError({field: NOT_IN_HOUSEHOLD})


@bp.get("/entries")
@documented(_l("A month's entries, with the dashboard's filters"), tag=TAG, query=EntryQuery,
            response=EntryOut, many=True)
def list_entry_items():
    household = _household()
    query = read_query(EntryQuery)
    page = page_params()
    _check_owned(Account, "account_id", query.account_id)
    _check_owned(Category, "category_id", query.category_id)
    _check_owned(Tag, "tag_id", query.tag_id)
    _check_owned(Payee, "payee_id", query.payee_id)
    day = today(household)
    start, end = month_bounds(query.year or day.year, query.month or day.month)
    filters = EntryFilters(
        kind=query.kind or "",
        status="" if query.status in (None, "unpaid") else query.status,
        account_id=query.account_id,
        category_id=query.category_id,
        payment_method=query.payment_method or "",
        search=query.search or "",
        tag_id=query.tag_id,
        payee_id=query.payee_id,
    )
    conditions = [Entry.household_id == household.id, Entry.date >= start, Entry.date <= end,
                  *entry_conditions(filters, day)]
    if query.status == "unpaid":  # pending and overdue together
        conditions.append(Entry.paid_on.is_(None))
    total = db.session.scalar(select(func.count(Entry.id)).where(*conditions))
    rows = db.session.scalars(
        select(Entry).where(*conditions).options(selectinload(Entry.splits), selectinload(Entry.tags))
        .order_by(Entry.date.desc(), Entry.id.desc())  # the dashboard's default order
        .limit(page.limit).offset(page.offset)
    ).unique()
    return many([out.entry(row, day) for row in rows], total=total, limit=page.limit,
                offset=page.offset)


@bp.get("/entries/<int:entry_id>")
@documented(_l("One entry"), tag=TAG, response=EntryOut)
def get_entry(entry_id: int):
    entry = get_owned_or_404(Entry, entry_id)
    return one(out.entry(entry, today(_household())))


# ---- writes ----------------------------------------------------------------------------


def _default_category(household: Household, kind: str) -> tuple[int | None, int | None]:
    """The kind's catch-all category, as imports and schedules choose it."""
    categories = []
    for node in category_tree(db.session, household, kind):
        categories.append(node.category)
        categories.extend(node.children)
    return default_pair(categories, kind) or (None, None)


def _description(household: Household, given: str | None, kind: str, account_id: int | None,
                 category_id: int | None, subcategory_id: int | None) -> str:
    """What was sent, else the name of the (sub)category: checked first, so a wrong
    category is refused on category_id rather than on a description nobody sent."""
    text = (given or "").strip()
    if text:
        return text
    validate_ledger_refs(db.session, household, kind=kind, account_id=account_id,
                         category_id=category_id, subcategory_id=subcategory_id)
    named = db.session.get(Category, subcategory_id or category_id)
    return named.label


def _lines(lines) -> list[SplitLine]:
    return [SplitLine(line.category_id, line.amount, line.subcategory_id, line.note) for line in lines]


def _paid_on(household: Household, paid: bool | None, paid_on: date | None,
             current: date | None) -> date | None:
    if paid is False:
        return None
    if paid_on is not None:
        return paid_on
    if paid:
        return current or today(household)
    return current


@bp.post("/entries")
@documented(_l("Add an entry"), tag=TAG, body=EntryBody, response=EntryOut, status=201)
def create_entry_item():
    household = _household()
    body = read_json(EntryBody)
    account_id = body.account_id
    if account_id is None:
        primary = primary_account(db.session, household)
        account_id = primary.id if primary is not None else None
    category_id, subcategory_id = body.category_id, body.subcategory_id
    if body.lines:  # a split entry's own category is its first line's
        category_id, subcategory_id = body.lines[0].category_id, body.lines[0].subcategory_id
    elif category_id is None:
        category_id, default_sub = _default_category(household, body.type)
        if "subcategory_id" not in body.model_fields_set:
            subcategory_id = default_sub
    data = EntryData(
        kind=body.type,
        amount=body.amount,
        date=body.date or today(household),
        description=_description(household, body.description, body.type, account_id,
                                 category_id, subcategory_id),
        account_id=account_id,
        category_id=category_id,
        subcategory_id=subcategory_id,
        paid_on=_paid_on(household, body.paid, body.paid_on, None),
        notes=body.notes,
        payment_method=body.payment_method or "other",
        payee=body.payee,
        tags=tuple(body.tags) if body.tags is not None else None,
    )
    entry = create_entry(db.session, household, data, user=caller().user, apply_rules=True)
    if body.lines:
        split_entry(db.session, entry, _lines(body.lines))
    db.session.commit()
    return one(out.entry(entry, today(household)), 201)


@bp.put("/entries/<int:entry_id>")
@documented(_l("Change an entry"), tag=TAG, body=EntryUpdateBody, response=EntryOut)
def update_entry_item(entry_id: int):
    entry = get_owned_or_404(Entry, entry_id)
    household = _household()
    body = read_json(EntryUpdateBody)
    sent = body.model_fields_set
    kind = body.type or entry.kind
    category_id, subcategory_id = entry.category_id, entry.subcategory_id
    if "category_id" in sent and body.category_id is not None:
        category_id = body.category_id
        subcategory_id = body.subcategory_id if "subcategory_id" in sent else None
    elif "subcategory_id" in sent:
        subcategory_id = body.subcategory_id
    relines = "lines" in sent
    if relines and body.lines:
        category_id, subcategory_id = body.lines[0].category_id, body.lines[0].subcategory_id
    if relines:  # the new lines (or none) replace the old ones below, with the amount
        unsplit_entry(db.session, entry)
    if kind != entry.kind and "category_id" not in sent and not (relines and body.lines):
        # A new type without a category: the new kind's catch-all, as for schedules.
        category_id, subcategory_id = _default_category(household, kind)
    account_id = body.account_id or entry.account_id
    description = body.description if "description" in sent else entry.description
    paid_on = entry.paid_on
    if "paid_on" in sent or "paid" in sent:
        paid_on = _paid_on(household, body.paid, body.paid_on, entry.paid_on)
        if "paid_on" in sent and body.paid_on is None and body.paid is not True:
            paid_on = None  # paid_on: null marks it unpaid
    data = EntryData(
        kind=kind,
        amount=body.amount or entry.amount,
        date=body.date or entry.date,
        description=_description(household, description, kind, account_id, category_id,
                                 subcategory_id),
        account_id=account_id,
        category_id=category_id,
        subcategory_id=subcategory_id,
        paid_on=paid_on,
        notes=body.notes if "notes" in sent else entry.notes,
        payment_method=body.payment_method or entry.payment_method,
        payee=(body.payee or "") if "payee" in sent else None,
        tags=tuple(body.tags or ()) if "tags" in sent else None,
    )
    update_entry(db.session, entry, data)
    if relines and body.lines:
        split_entry(db.session, entry, _lines(body.lines))
    db.session.commit()
    return one(out.entry(entry, today(household)))


@bp.delete("/entries/<int:entry_id>")
@documented(_l("Delete an entry"), tag=TAG)
def delete_entry_item(entry_id: int):
    entry = get_owned_or_404(Entry, entry_id)
    delete_entry(db.session, entry)
    db.session.commit()
    return no_content()


@bp.post("/entries/<int:entry_id>/paid")
@documented(_l("Mark an entry paid (or received)"), tag=TAG, body=PaidBody, response=EntryOut)
def mark_entry_paid(entry_id: int):
    entry = get_owned_or_404(Entry, entry_id)
    household = _household()
    # The body is optional: none at all is paid today, as the page's button.
    body = read_json(PaidBody) if request.get_data(cache=True) else PaidBody()
    set_entry_paid(db.session, entry, body.paid_on or today(household))
    db.session.commit()
    return one(out.entry(entry, today(household)))


@bp.delete("/entries/<int:entry_id>/paid")
@documented(_l("Mark an entry not paid (or not received)"), tag=TAG)
def mark_entry_unpaid(entry_id: int):
    entry = get_owned_or_404(Entry, entry_id)
    set_entry_paid(db.session, entry, None)
    db.session.commit()
    return no_content()
