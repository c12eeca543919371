"""Bulk edits of entries (a category, paid) and their undo: the previous values of each
changed row are kept, and put back only while every row still holds what the edit set."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from finora.services.undo.errors import UndoBlockedError, UndoConflictError
from finora.services.undo.snapshot import decode_value, encode_value, table_named

HOUSEHOLD = "household_id"


def values_payload(table_name: str, rows: list[Any], new_values: dict[str, Any]) -> dict[str, Any]:
    """What an edit of `rows` (model objects, before the change) to `new_values` needs to
    be undone: the table, the values it sets, each row's id and previous values."""
    table = table_named(table_name)
    return {
        "table": table_name,
        "set": {name: encode_value(table.c[name].type, value) for name, value in new_values.items()},
        "rows": [
            {"id": row.id, **{name: encode_value(table.c[name].type, getattr(row, name)) for name in new_values}}
            for row in rows
        ],
    }


def restore_values(session: Session, household_id: int, payload: dict[str, Any]) -> int:
    """Set each row back to its previous values; refuses (UndoBlockedError) when a row is
    gone or a previous value points to a row that is gone, and (UndoConflictError) when a
    row was changed since. Checks everything before the first write."""
    table = table_named(payload["table"])
    names = list(payload["set"])
    ids = [row["id"] for row in payload["rows"]]
    current = {
        row.id: row
        for row in session.execute(
            select(table.c.id, *(table.c[name] for name in names))
            .where(table.c.id.in_(ids), table.c[HOUSEHOLD] == household_id)
        )
    }
    if len(current) != len(ids):
        raise UndoBlockedError()
    for row in current.values():
        now = {name: encode_value(table.c[name].type, getattr(row, name)) for name in names}
        if now != payload["set"]:
            raise UndoConflictError()
    for key in table.foreign_keys:
        column = key.parent.name
        if column not in names:
            continue
        wanted = {row[column] for row in payload["rows"] if row[column] is not None}
        target = key.column.table
        query = select(target.c.id).where(target.c.id.in_(wanted))
        if HOUSEHOLD in target.c:
            query = query.where(target.c[HOUSEHOLD] == household_id)
        if wanted and set(session.scalars(query)) != wanted:
            raise UndoBlockedError()
    for row in payload["rows"]:
        values = {name: decode_value(table.c[name].type, row[name]) for name in names}
        session.execute(
            update(table).where(table.c.id == row["id"]).values(values)
            .execution_options(synchronize_session=False)
        )
    session.flush()
    session.expire_all()
    return len(ids)
