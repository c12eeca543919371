"""Every transaction of a household — entries and transfers — filtered, sorted and paged.

The one place the ledger's list is computed: the Transactions page pages it by keyset
(`list_transactions`: no OFFSET, so page 2,000 costs what page 1 does), the month dashboard
by page number (`transactions_by_offset`: a month is small and its pages are numbered).

Rows are ordered by (sort value, source, id) in one direction, where source is 0 for an
entry and 1 for a transfer: the pair (source, id) is unique, so ties on a date, an amount or
a description never repeat or lose a row between pages. Entries and transfers are chosen by
one UNION ALL of two keyset queries, each on its own table's (household_id, column) index,
then loaded by id with their accounts and categories.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Integer,
    Select,
    SQLColumnExpression,
    func,
    literal_column,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session, selectinload

from finora.models import Entry, Household, Transfer
from finora.money import from_cents, to_cents
from finora.services.ledger.entry_filters import entry_conditions, search_pattern
from finora.services.ledger.text_search import folded_like

PER_PAGE = 50
KINDS = ("income", "expense", "transfer")
STATUSES = ("paid", "pending", "overdue")
SORT_COLUMNS = ("date", "amount", "description")
SORTS = tuple(f"{column}_{way}" for column in SORT_COLUMNS for way in ("desc", "asc"))
ENTRY, TRANSFER = 0, 1
MAX_DESCRIPTION = 200


@dataclass(frozen=True)
class TransactionFilters:
    search: str = ""
    kind: str = ""
    status: str = ""
    account_id: int | None = None
    category_id: int | None = None
    payment_method: str = ""
    tag_id: int | None = None
    payee_id: int | None = None
    amount_min: Decimal | None = None
    amount_max: Decimal | None = None
    date_from: date | None = None
    date_to: date | None = None
    sort: str = "date_desc"

    @property
    def active(self) -> bool:
        """Whether anything but the order narrows the list."""
        return any(getattr(self, f.name) not in (None, "") for f in fields(self) if f.name != "sort")

    @property
    def column(self) -> str:
        return self.sort.rsplit("_", 1)[0] if self.sort in SORTS else "date"

    @property
    def descending(self) -> bool:
        return not self.sort.endswith("_asc")


@dataclass(frozen=True)
class Cursor:
    """Where a page starts or ends: a row's sort value, source and id."""

    value: date | Decimal | str
    source: int
    id: int

    def token(self) -> str:
        if isinstance(self.value, Decimal):
            value = str(to_cents(self.value))
        elif isinstance(self.value, date):
            value = self.value.isoformat()
        else:
            value = self.value
        return f"{self.source}.{self.id}.{value}"


class CursorError(ValueError):
    """A page link that names no position in this list."""


def parse_cursor(token: str | None, sort: str) -> Cursor | None:
    """The cursor written by Cursor.token() for this sort; None for none; else CursorError."""
    if not token:
        return None
    parts = token.split(".", 2)
    if len(parts) != 3 or parts[0] not in ("0", "1") or not parts[1].isascii() or not parts[1].isdigit():
        raise CursorError(token)
    source, row_id, raw = int(parts[0]), int(parts[1]), parts[2]
    if not 1 <= row_id <= 2**31 - 1 or "\x00" in raw:
        raise CursorError(token)
    column = TransactionFilters(sort=sort).column
    try:
        if column == "date":
            value: date | Decimal | str = date.fromisoformat(raw)
        elif column == "amount":
            if not (raw.isascii() and raw.isdigit() and len(raw) <= 15):
                raise CursorError(token)
            value = from_cents(int(raw))
        else:
            if len(raw) > MAX_DESCRIPTION:
                raise CursorError(token)
            value = raw
    except ValueError as error:
        raise CursorError(token) from error
    return Cursor(value, source, row_id)


@dataclass(frozen=True)
class TransactionRow:
    """One line of the list: an entry or a transfer."""

    entry: Entry | None = None
    transfer: Transfer | None = None

    @property
    def kind(self) -> str:
        return self.entry.kind if self.entry is not None else "transfer"

    def cursor(self, column: str) -> Cursor:
        values: dict[str, date | Decimal | str]
        if self.entry is not None:
            values = {"date": self.entry.date, "amount": self.entry.amount, "description": self.entry.description}
            return Cursor(values[column], ENTRY, self.entry.id)
        if self.transfer is not None:
            t = self.transfer
            values = {"date": t.date, "amount": t.amount, "description": t.description or ""}
            return Cursor(values[column], TRANSFER, t.id)
        raise ValueError("a row holds an entry or a transfer")


@dataclass(frozen=True)
class TransactionPage:
    rows: list[TransactionRow]
    next_cursor: Cursor | None
    previous_cursor: Cursor | None


@dataclass(frozen=True)
class _Part:
    """One table's filtered rows: the statement and the columns its keyset reads."""

    source: int
    stmt: Select
    value: SQLColumnExpression[Any]
    id: SQLColumnExpression[int]


def _entries(household: Household, f: TransactionFilters, today: date) -> _Part | None:
    """The filtered entries, or None when the filters leave none."""
    conditions = entry_conditions(f, today)
    if conditions is None:
        return None
    columns: dict[str, SQLColumnExpression[Any]] = {
        "date": Entry.date, "amount": Entry.amount, "description": Entry.description,
    }
    value = columns[f.column]
    stmt: Select = select(
        value.label("sort_value"), literal_column(str(ENTRY), Integer).label("source"), Entry.id.label("id")
    ).where(Entry.household_id == household.id, *conditions)
    return _Part(ENTRY, _common(stmt, Entry, f), value, Entry.id)


def _transfers(household: Household, f: TransactionFilters) -> _Part | None:
    """The filtered transfers, or None when the filters leave none.

    A transfer has no category, payment method, paid status, tag or payee: any of those
    filters (or the kind income/expense) leaves transfers out.
    """
    if (f.kind in ("income", "expense") or f.status or f.category_id or f.payment_method
            or f.tag_id or f.payee_id):
        return None
    description = func.coalesce(Transfer.description, "")
    columns: dict[str, SQLColumnExpression[Any]] = {
        "date": Transfer.date, "amount": Transfer.amount, "description": description,
    }
    value = columns[f.column]
    stmt: Select = select(
        value.label("sort_value"), literal_column(str(TRANSFER), Integer).label("source"),
        Transfer.id.label("id"),
    ).where(Transfer.household_id == household.id)
    if f.account_id:
        stmt = stmt.where(
            or_(Transfer.from_account_id == f.account_id, Transfer.to_account_id == f.account_id)
        )
    pattern = search_pattern(f.search)
    if pattern:
        stmt = stmt.where(folded_like(description, pattern))
    return _Part(TRANSFER, _common(stmt, Transfer, f), value, Transfer.id)


def _common(stmt: Select, model, f: TransactionFilters) -> Select:
    if f.amount_min is not None:
        stmt = stmt.where(model.amount >= f.amount_min)
    if f.amount_max is not None:
        stmt = stmt.where(model.amount <= f.amount_max)
    if f.date_from is not None:
        stmt = stmt.where(model.date >= f.date_from)
    if f.date_to is not None:
        stmt = stmt.where(model.date <= f.date_to)
    return stmt


def _after(part: _Part, cursor: Cursor, descending: bool) -> Select:
    """Only the part's rows that come after the cursor in this order.

    The source is constant within one table's query, so the condition is a range on the
    sort column (an index range) plus, on the cursor's own value, the id.
    """
    value, row_id = part.value, part.id
    if descending:
        reach, beyond = value <= cursor.value, value < cursor.value
        later_source, later_id = part.source < cursor.source, row_id < cursor.id
    else:
        reach, beyond = value >= cursor.value, value > cursor.value
        later_source, later_id = part.source > cursor.source, row_id > cursor.id
    if part.source == cursor.source:
        return part.stmt.where(reach, or_(beyond, later_id))
    # Rows of this table on the cursor's value come after it, or all before it.
    return part.stmt.where(reach if later_source else beyond)


def _union(stmts: list[Select]):
    if len(stmts) == 1:
        return stmts[0].subquery()
    return union_all(*(select(stmt.subquery()) for stmt in stmts)).subquery()


def _in_order(union, descending: bool) -> tuple:
    way = (lambda c: c.desc()) if descending else (lambda c: c.asc())
    return way(union.c.sort_value), way(union.c.source), way(union.c.id)


def _chosen(session: Session, parts: list[_Part], descending: bool,
            cursor: Cursor | None, limit: int) -> list[tuple[int, int]]:
    """(source, id) of the first `limit` rows after the cursor, in order."""
    limited = []
    for part in parts:
        stmt = part.stmt if cursor is None else _after(part, cursor, descending)
        order = (part.value.desc(), part.id.desc()) if descending else (part.value.asc(), part.id.asc())
        limited.append(stmt.order_by(*order).limit(limit))
    union = _union(limited)
    query = select(union.c.source, union.c.id).order_by(*_in_order(union, descending)).limit(limit)
    return [(int(source), row_id) for source, row_id in session.execute(query)]


def _parts(household: Household, f: TransactionFilters, today: date) -> list[_Part]:
    return [part for part in (_entries(household, f, today), _transfers(household, f)) if part]


def _load(session: Session, keys: list[tuple[int, int]]) -> list[TransactionRow]:
    """The rows for these (source, id) keys, in the same order: one query per table."""
    entry_ids = [row_id for source, row_id in keys if source == ENTRY]
    transfer_ids = [row_id for source, row_id in keys if source == TRANSFER]
    entries = (
        {
            e.id: e
            for e in session.scalars(
                select(Entry).where(Entry.id.in_(entry_ids)).options(selectinload(Entry.tags))
            ).unique()
        }
        if entry_ids else {}
    )
    transfers = (
        {t.id: t for t in session.scalars(select(Transfer).where(Transfer.id.in_(transfer_ids))).unique()}
        if transfer_ids else {}
    )
    rows = []
    for source, row_id in keys:
        if source == ENTRY and row_id in entries:
            rows.append(TransactionRow(entry=entries[row_id]))
        elif source == TRANSFER and row_id in transfers:
            rows.append(TransactionRow(transfer=transfers[row_id]))
    return rows


def list_transactions(
    session: Session,
    household: Household,
    filters: TransactionFilters,
    today: date,
    *,
    after: Cursor | None = None,
    before: Cursor | None = None,
    per_page: int = PER_PAGE,
) -> TransactionPage:
    """One page of the household's transactions after (or before) a cursor: two queries to
    choose the rows (at most), one per table to load them."""
    parts = _parts(household, filters, today)
    if not parts:
        return TransactionPage([], None, None)
    descending = filters.descending
    column = filters.column
    if before is not None:
        # Read backwards from the cursor, then show in the page's order.
        keys = _chosen(session, parts, not descending, before, per_page + 1)
        more_before = len(keys) > per_page
        rows = _load(session, keys[:per_page][::-1])
        previous = rows[0].cursor(column) if more_before and rows else None
        following = rows[-1].cursor(column) if rows else None
        return TransactionPage(rows, following, previous)
    keys = _chosen(session, parts, descending, after, per_page + 1)
    more_after = len(keys) > per_page
    rows = _load(session, keys[:per_page])
    following = rows[-1].cursor(column) if more_after and rows else None
    previous = rows[0].cursor(column) if after is not None and rows else None
    return TransactionPage(rows, following, previous)


def has_transactions(session: Session, household: Household) -> bool:
    """Whether the household recorded anything at all (for the empty page's wording)."""
    exists_entry = select(Entry.id).where(Entry.household_id == household.id).limit(1)
    exists_transfer = select(Transfer.id).where(Transfer.household_id == household.id).limit(1)
    return session.scalar(exists_entry) is not None or session.scalar(exists_transfer) is not None


def transactions_by_offset(
    session: Session,
    household: Household,
    filters: TransactionFilters,
    today: date,
    page: int,
    per_page: int = PER_PAGE,
) -> tuple[list[TransactionRow], int, int]:
    """A numbered page (for a short period such as a month): rows, total, the page shown
    (clamped to the last). Three queries plus one per table loaded."""
    parts = _parts(household, filters, today)
    if not parts:
        return [], 0, 1
    union = _union([part.stmt for part in parts])
    total: int = session.execute(select(func.count()).select_from(union)).scalar_one()
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    keys = [
        (int(source), row_id)
        for source, row_id in session.execute(
            select(union.c.source, union.c.id)
            .order_by(*_in_order(union, filters.descending))
            .offset((page - 1) * per_page)
            .limit(per_page)
        )
    ]
    return _load(session, keys), total, page
