"""The entries an export writes: a period of one household, with the dashboard table's
filters, streamed in (date, id) order in chunks, every name resolved without a query per
row. A split entry is written as one row per line: the entry's date, description, account,
status and so on, with the line's category, subcategory and (signed) amount, and the line's
note after the entry's notes — so the file's amounts by category are the reports' own. Each
line says which line of how many it is ("2/3"), so the import can put the entry back together."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from decimal import Decimal
from typing import Any, NamedTuple

from flask_babel import force_locale
from sqlalchemy import String, and_, case, func, or_, select, type_coerce
from sqlalchemy.orm import Session, aliased

from finora.dates import today as household_today
from finora.models import (
    Account,
    Category,
    Entry,
    EntrySplit,
    Household,
    ImportBatch,
    Payee,
    RecurringRule,
)
from finora.services.ledger.category_amounts import (
    LINE_AMOUNT,
    LINE_CATEGORY,
    LINE_SUBCATEGORY,
    line_in_category,
    with_lines,
)
from finora.services.ledger.entry_filters import entry_conditions
from finora.services.ledger.tags import tag_names_by_entry

# Rows read per query: big enough that 100,000 rows are 50 queries, small enough that a
# chunk's objects are a few hundred kilobytes.
CHUNK_ROWS = 2_000

# An unsplit entry's one row comes before any line (lines count from 0).
_POSITION = func.coalesce(EntrySplit.position, -1)

# How many lines the row's entry has: 0 for an unsplit entry (its one row has no line).
_LINE = aliased(EntrySplit)
_LINE_COUNT = case(
    (EntrySplit.id.is_(None), 0),
    else_=select(func.count(_LINE.id)).where(_LINE.entry_id == Entry.id).correlate(Entry).scalar_subquery(),
)

# Dates are read as the driver gives them: SQLite's text is parsed here, once per distinct
# day, instead of by SQLAlchemy's per-value parser (a third of the read time on SQLite).
_COLUMNS = (
    Entry.id,
    type_coerce(Entry.date, String).label("date"),
    Entry.description,
    LINE_AMOUNT.label("amount"),
    Entry.kind,
    LINE_CATEGORY.label("category_id"),
    LINE_SUBCATEGORY.label("subcategory_id"),
    Entry.account_id,
    Entry.payment_method,
    type_coerce(Entry.paid_on, String).label("paid_on"),
    Entry.notes,
    Entry.rule_id,
    Entry.import_batch_id,
    Entry.payee_id,
    EntrySplit.note.label("line_note"),
    _POSITION.label("position"),
    _LINE_COUNT.label("line_count"),
)


# The field ExportRow.date hides the type in the annotations after it.
_Date = date


class ExportRow(NamedTuple):
    """One entry as the files write it: the amount is signed (an expense is negative),
    names are resolved ("" for none), payment_method and status are codes (the writers
    label them). A named tuple: 100,000 of them are built per export, and a tuple is the
    cheapest object to build."""

    id: int
    date: date
    description: str
    amount: Decimal
    kind: str
    category: str
    subcategory: str
    account: str
    payment_method: str
    status: str
    paid_on: _Date | None
    notes: str
    rule: str
    import_batch: str
    payee: str = ""
    tags: str = ""  # the names joined by ", "
    split: str = ""  # a split entry's line: "2/3" (its second line of three); "" unsplit


def batch_name(file_name: str, batch_id: int) -> str:
    return f"{file_name} #{batch_id}"


def export_rows(
    session: Session,
    household: Household,
    start: date,
    end: date,
    filters=None,
    *,
    today: date | None = None,
    locale: str | None = None,
    chunk_rows: int = CHUNK_ROWS,
) -> Iterator[ExportRow]:
    """The household's entries dated start..end that pass `filters` (an EntryFilters, or
    None for all), ordered by date then id.

    Reads `chunk_rows` at a time by keyset on (date, id), so memory does not grow with the
    period. Accounts, categories and payees are read once; rules and import batches once
    per chunk for the ids the chunk names, and the chunk's tags in one query. Category
    labels are the ledger's (a seeded category
    in `locale`, else the current language). Transfers are not entries: a kind filter of
    "transfer" gives no rows."""
    today = today or household_today(household)
    conditions = entry_conditions(filters, today)
    if conditions is None:
        return
    accounts = dict(
        session.execute(select(Account.id, Account.name).where(Account.household_id == household.id)).all()
    )
    categories = _category_labels(session, household, locale)
    payees = dict(
        session.execute(select(Payee.id, Payee.name).where(Payee.household_id == household.id)).all()
    )
    rules: dict[int, str] = {}
    batches: dict[int, str] = {}
    days: dict = {}
    category_id = getattr(filters, "category_id", None)
    if category_id:  # a split entry's lines of that category only
        conditions = [*conditions, line_in_category(category_id)]
    base = (
        with_lines(select(*_COLUMNS))
        .where(Entry.household_id == household.id, Entry.date >= start, Entry.date <= end, *conditions)
        .order_by(Entry.date, Entry.id, _POSITION)
        .limit(chunk_rows)
    )
    after: tuple[date, int, int] | None = None
    while True:
        stmt = base
        if after is not None:
            # An index range on the date, then the id breaks the tie on the cursor's day.
            # A split entry's lines may straddle two chunks: its position breaks that tie.
            stmt = stmt.where(
                Entry.date >= after[0],
                or_(Entry.date > after[0], Entry.id > after[1], and_(Entry.id == after[1], _POSITION > after[2])),
            )
        # Plain rows through the session's connection: no ORM bookkeeping per row.
        # Plain driver values: a day may come as ISO text (SQLite), see _day.
        chunk: Sequence[Any] = session.connection().execute(stmt).all()
        if not chunk:
            return
        _learn_names(session, household, chunk, rules, batches)
        tags = tag_names_by_entry(session, [row.id for row in chunk])
        for (entry_id, day, description, amount, kind, category_id, subcategory_id, account_id,
             payment_method, paid_on, notes, rule_id, batch_id, payee_id, line_note,
             position, line_count) in chunk:
            day = days.get(day) or _day(days, day)
            if paid_on is not None:
                paid_on = days.get(paid_on) or _day(days, paid_on)
            yield ExportRow(
                entry_id,
                day,
                description,
                -amount if kind == "expense" else amount,
                kind,
                categories.get(category_id, ""),
                categories.get(subcategory_id, "") if subcategory_id else "",
                accounts.get(account_id, ""),
                payment_method,
                # Entry.status(today): paid, else overdue before today, else pending.
                "paid" if paid_on is not None else ("overdue" if day < today else "pending"),
                paid_on,
                (notes or "") if line_note is None else (f"{notes} · {line_note}" if notes else line_note),
                rules.get(rule_id, "") if rule_id else "",
                batches.get(batch_id, "") if batch_id else "",
                payees.get(payee_id, "") if payee_id else "",
                ", ".join(tags.get(entry_id, ())),
                f"{position + 1}/{line_count}" if line_count else "",
            )
        if len(chunk) < chunk_rows:
            return
        after = (day, entry_id, chunk[-1].position)


def _day(days: dict, value) -> date:
    """A day as a date, whether the driver gave a date or ISO text (SQLite)."""
    day = value if isinstance(value, date) else date.fromisoformat(value[:10])
    days[value] = day
    return day


def _category_labels(session: Session, household: Household, locale: str | None) -> dict[int, str]:
    found = session.scalars(select(Category).where(Category.household_id == household.id)).all()
    if locale is None:
        return {category.id: category.label for category in found}
    with force_locale(locale):
        return {category.id: category.label for category in found}


def _learn_names(session: Session, household: Household, chunk, rules: dict, batches: dict) -> None:
    """The names of the chunk's rules and batches not met yet: one query each at most."""
    rule_ids = {row.rule_id for row in chunk if row.rule_id is not None} - rules.keys()
    if rule_ids:
        rules.update(
            session.execute(
                select(RecurringRule.id, RecurringRule.name)
                .where(RecurringRule.household_id == household.id, RecurringRule.id.in_(rule_ids))
            ).all()
        )
    batch_ids = {row.import_batch_id for row in chunk if row.import_batch_id is not None} - batches.keys()
    if batch_ids:
        found = session.execute(
            select(ImportBatch.id, ImportBatch.file_name)
            .where(ImportBatch.household_id == household.id, ImportBatch.id.in_(batch_ids))
        ).all()
        batches.update({batch_id: batch_name(name, batch_id) for batch_id, name in found})
