"""Putting a snapshot back: every row inserted again with its own id, in one transaction,
or nothing at all.

Before the first insert each row is checked against what is there now: what it points to
must still exist in the same household (an optional link — ON DELETE SET NULL, such as
the rule that posted an entry or the person who added it — is dropped, as the database
would have dropped it; anything else refuses the whole undo), and no row saved since may
hold one of its unique keys (the same imported row, the same rule occurrence). A row whose
id was given to a new row meanwhile (SQLite hands out the highest id again after it is
deleted) gets a new id, and the rows pointing to it follow.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, Table, UniqueConstraint, and_, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from finora.services.undo.errors import UndoBlockedError, UndoConflictError
from finora.services.undo.snapshot import decode_row, table_named

HOUSEHOLD = "household_id"


def _plan(payload: dict[str, Any]) -> list[tuple[Table, list[dict[str, Any]]]]:
    return [
        (table_named(part["table"]), [decode_row(table_named(part["table"]), row) for row in part["rows"]])
        for part in payload.get("tables", [])
    ]


def check_references(
    session: Session, household_id: int, plan: list[tuple[Table, list[dict[str, Any]]]]
) -> None:
    """Drop optional links to rows that are gone; refuse when a required one is gone."""
    coming = {table.name: {row["id"] for row in rows} for table, rows in plan}
    for table, rows in plan:
        for key in table.foreign_keys:
            column, target = key.parent.name, key.column.table
            wanted = {row[column] for row in rows if row.get(column) is not None}
            wanted -= coming.get(target.name, set())
            if not wanted:
                continue
            query = select(target.c.id).where(target.c.id.in_(wanted))
            if HOUSEHOLD in target.c:
                query = query.where(target.c[HOUSEHOLD] == household_id)
            missing = wanted - set(session.scalars(query))
            if not missing:
                continue
            if (key.ondelete or "").upper() != "SET NULL":
                raise UndoBlockedError()
            for row in rows:
                if row.get(column) in missing:
                    row[column] = None


def _unique_keys(table: Table) -> list[tuple[str, ...]]:
    keys = [
        tuple(column.name for column in constraint.columns)
        for constraint in table.constraints
        if isinstance(constraint, UniqueConstraint)
    ]
    keys.extend((column.name,) for column in table.columns if column.unique and not column.primary_key)
    return keys


def check_unique_keys(session: Session, plan: list[tuple[Table, list[dict[str, Any]]]]) -> None:
    """Refuse when a row saved since holds a unique key of a row to restore."""
    for table, rows in plan:
        for key in _unique_keys(table):
            for row in rows:
                values = [row.get(name) for name in key]
                if any(value is None for value in values):
                    continue  # NULLs never clash
                clash = session.scalar(
                    select(table.c.id).where(and_(*(table.c[n] == v for n, v in zip(key, values, strict=True)))).limit(1)
                )
                if clash is not None:
                    raise UndoConflictError()


def restore_rows(session: Session, household_id: int, payload: dict[str, Any]) -> int:
    """Insert the snapshot's rows and put its links back; how many rows came back.
    Raises UndoBlockedError or UndoConflictError before writing anything."""
    plan = _plan(payload)
    for _table, rows in plan:
        for row in rows:
            if HOUSEHOLD in row and row[HOUSEHOLD] != household_id:
                raise UndoBlockedError()  # never: the snapshot was taken in this household
    check_references(session, household_id, plan)
    check_unique_keys(session, plan)
    new_ids: dict[tuple[str, Any], int] = {}
    restored = 0
    try:
        for table, rows in plan:
            for row in rows:
                for key in table.foreign_keys:
                    column = key.parent.name
                    moved = new_ids.get((key.column.table.name, row.get(column)))
                    if moved is not None:
                        row[column] = moved
            taken = set(session.scalars(
                select(table.c.id).where(table.c.id.in_([row["id"] for row in rows]))
            ))
            keep = [row for row in rows if row["id"] not in taken]
            if keep:
                session.execute(insert(table), keep)
            for row in rows:
                if row["id"] in taken:
                    values = {name: value for name, value in row.items() if name != "id"}
                    result = cast("CursorResult[Any]", session.execute(insert(table).values(values)))
                    new_ids[(table.name, row["id"])] = cast(Any, result.inserted_primary_key)[0]
            restored += len(rows)
        for link in payload.get("links", []):
            _relink(session, household_id, link, new_ids)
        session.flush()
    except IntegrityError as error:  # a row saved at this very moment by someone else
        raise UndoConflictError() from error
    session.expire_all()  # rows loaded before the inserts would look stale
    return restored


def _relink(session: Session, household_id: int, link: dict[str, Any], new_ids: dict[tuple[str, Any], int]) -> None:
    """Point the rows that pointed to a restored row (and still exist, unlinked) back to it."""
    child = table_named(link["table"])
    column = link["column"]
    target_table = next(key.column.table.name for key in child.foreign_keys if key.parent.name == column)
    target = new_ids.get((target_table, link["target"]), link["target"])
    query = update(child).where(child.c.id.in_(link["ids"]), child.c[column].is_(None))
    if HOUSEHOLD in child.c:
        query = query.where(child.c[HOUSEHOLD] == household_id)
    session.execute(query.values({column: target}).execution_options(synchronize_session=False))
