"""The month's entries table: server-side filters, search, sorting and pages."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from finora.models import Entry, Household

PER_PAGE = 50
SORTS = {
    "date_desc": (Entry.date.desc(), Entry.id.desc()),
    "date_asc": (Entry.date.asc(), Entry.id.asc()),
    "amount_desc": (Entry.amount.desc(), Entry.id.desc()),
    "amount_asc": (Entry.amount.asc(), Entry.id.asc()),
}
STATUSES = ("paid", "pending", "overdue")


@dataclass(frozen=True)
class EntryFilters:
    kind: str = ""
    status: str = ""
    account_id: int | None = None
    category_id: int | None = None
    payment_method: str = ""
    search: str = ""
    sort: str = "date_desc"
    page: int = 1

    def with_page(self, page: int) -> EntryFilters:
        return replace(self, page=page)

    @property
    def active(self) -> bool:
        return bool(
            self.kind or self.status or self.account_id or self.category_id
            or self.payment_method or self.search
        )


@dataclass(frozen=True)
class EntryPage:
    items: list[Entry]
    total: int
    page: int
    pages: int


def _escape_like(text: str) -> str:
    """What the user typed, matched literally: % and _ are not wildcards to them."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _filtered(household: Household, start: date, end: date, filters: EntryFilters, today: date) -> Select:
    stmt = select(Entry).where(
        Entry.household_id == household.id, Entry.date >= start, Entry.date <= end
    )
    if filters.kind in ("income", "expense"):
        stmt = stmt.where(Entry.kind == filters.kind)
    if filters.status == "paid":
        stmt = stmt.where(Entry.paid_on.is_not(None))
    elif filters.status == "pending":
        stmt = stmt.where(Entry.paid_on.is_(None), Entry.date >= today)
    elif filters.status == "overdue":
        stmt = stmt.where(Entry.paid_on.is_(None), Entry.date < today)
    if filters.account_id:
        stmt = stmt.where(Entry.account_id == filters.account_id)
    if filters.category_id:
        stmt = stmt.where(
            or_(Entry.category_id == filters.category_id, Entry.subcategory_id == filters.category_id)
        )
    if filters.payment_method:
        stmt = stmt.where(Entry.payment_method == filters.payment_method)
    if filters.search.strip():
        pattern = f"%{_escape_like(filters.search.strip().lower())}%"
        stmt = stmt.where(
            or_(
                func.lower(Entry.description).like(pattern, escape="\\"),
                func.lower(Entry.notes).like(pattern, escape="\\"),
            )
        )
    return stmt


def list_entries(
    session: Session, household: Household, start: date, end: date, filters: EntryFilters, today: date
) -> EntryPage:
    """One page of the filtered entries of a period, plus the total count (three queries).

    The page's ids are chosen by a plain query on the entries table alone, then loaded with
    their account and categories: planners (MariaDB's especially) pick the
    (household_id, date) index for the first, which they may not for one with the joins.
    """
    stmt = _filtered(household, start, end, filters, today)
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    pages = max(1, -(-total // PER_PAGE))
    page = min(max(1, filters.page), pages)
    order = SORTS.get(filters.sort, SORTS["date_desc"])
    ids = list(
        session.scalars(
            stmt.with_only_columns(Entry.id).order_by(*order).offset((page - 1) * PER_PAGE).limit(PER_PAGE)
        )
    )
    loaded = {e.id: e for e in session.scalars(select(Entry).where(Entry.id.in_(ids))).unique()} if ids else {}
    return EntryPage(items=[loaded[i] for i in ids], total=total, page=page, pages=pages)
