"""Rows as JSON for an undo record, and everything a deletion takes with it.

What a delete removes is read from the models' foreign keys, not listed by hand: the rows
of every table that points to a deleted row with ON DELETE CASCADE go into the snapshot
too (an entry's import matches, a rule's skips, and whatever later features hang off an
entry), and the rows that point to it with ON DELETE SET NULL (the entries a rule posted)
are remembered as links to put back. Amounts travel as integer cents, dates and
timestamps as ISO text.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, Integer, String, Table, Text, select
from sqlalchemy.orm import Session

import finora.models  # noqa: F401 - every table registered on the metadata
from finora.models.audit import JSONText
from finora.models.base import Base, UTCDateTime
from finora.money import Cents, from_cents, to_cents


def table_named(name: str) -> Table:
    return Base.metadata.tables[name]


def encode_value(column_type: Any, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(column_type, Cents):
        return to_cents(value)
    if isinstance(column_type, UTCDateTime):
        return value.isoformat()
    if isinstance(column_type, Date):
        return value.isoformat()
    if isinstance(column_type, (JSONText, Integer, String, Text, Boolean)):
        return value
    raise TypeError(f"undo: no JSON form for column type {type(column_type).__name__}")


def decode_value(column_type: Any, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(column_type, Cents):
        return from_cents(value)
    if isinstance(column_type, UTCDateTime):
        return datetime.fromisoformat(value)
    if isinstance(column_type, Date):
        return date.fromisoformat(value)
    return value


def encode_row(table: Table, row: Any) -> dict[str, Any]:
    return {column.name: encode_value(column.type, row[column.name]) for column in table.columns}


def decode_row(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    """Values for insert(table); a column added since the snapshot was taken gets its
    default (or NULL) from the insert."""
    return {
        column.name: decode_value(column.type, row[column.name])
        for column in table.columns
        if column.name in row
    }


def _children(table: Table) -> list[tuple[Table, str, str | None]]:
    """(child table, its column, ON DELETE) for every foreign key pointing to `table`'s id."""
    found = []
    for other in Base.metadata.sorted_tables:
        for key in other.foreign_keys:
            if key.column.table is table and key.column.name == "id" and other is not table:
                found.append((other, key.parent.name, (key.ondelete or "").upper() or None))
    return found


def capture(session: Session, table: Table, ids: list[int]) -> dict[str, Any]:
    """The rows `ids` of `table` and everything their deletion removes or unlinks:
    {"tables": [{"table": name, "rows": [...]}, ...] parents first,
     "links": [{"table": name, "column": name, "target": id, "ids": [...]}, ...]}."""
    tables: list[dict[str, Any]] = []
    links: list[dict[str, Any]] = []
    _capture(session, table, sorted(set(ids)), tables, links)
    return {"tables": tables, "links": links}


def _capture(
    session: Session, table: Table, ids: list[int], tables: list[dict[str, Any]],
    links: list[dict[str, Any]],
) -> None:
    if not ids:
        return
    rows = session.execute(select(table).where(table.c.id.in_(ids)).order_by(table.c.id)).mappings()
    tables.append({"table": table.name, "rows": [encode_row(table, row) for row in rows]})
    for child, column, ondelete in _children(table):
        pairs = session.execute(
            select(child.c.id, child.c[column]).where(child.c[column].in_(ids)).order_by(child.c.id)
        ).all()
        if not pairs:
            continue
        if ondelete == "CASCADE":
            _capture(session, child, [pair[0] for pair in pairs], tables, links)
        elif ondelete == "SET NULL":
            by_target: dict[int, list[int]] = {}
            for child_id, target in pairs:
                by_target.setdefault(target, []).append(child_id)
            links.extend(
                {"table": child.name, "column": column, "target": target, "ids": child_ids}
                for target, child_ids in sorted(by_target.items())
            )
