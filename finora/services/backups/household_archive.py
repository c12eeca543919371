"""Writing a household's archive: its settings, its members' roles and every row it owns,
streamed table by table so 100,000 entries never sit in memory at once.

Every query is filtered by the household (or, for a table owned through another row, by
that row's household): nothing of another household can reach the file. User ids never
leave the instance: a column such as created_by_id holds the member's reference key from
`members` (e-mail, name, role), or null for someone who is no longer a member."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Connection, Engine, select
from sqlalchemy.orm import Session

from finora.models import Household, Membership, User
from finora.services.backups.codec import encode_row
from finora.services.backups.container import ArchiveWriter, Manifest
from finora.services.backups.household_tables import (
    HOUSEHOLD,
    MEMBERS,
    SECRET_COLUMNS,
    TableSpec,
    household_table,
    members_table,
    owned_by,
    table_specs,
)

# Rows fetched per round trip: big enough to keep the driver busy, small enough that a
# page of entries is a few hundred kilobytes.
PAGE = 2000


def write_household_archive(session: Session, household: Household, path: Path) -> Manifest:
    """Write `household`'s archive to `path` (a zip, see container.ArchiveWriter) and return
    its manifest. Reads on a connection of its own, in one snapshot, so rows the app writes
    meanwhile cannot leave an entry pointing to an account the archive lacks; the caller's
    session and transaction are left as they were."""
    summary = {"id": household.id, "name": household.name, "currency": household.currency}
    with _snapshot(session) as connection:
        writer = ArchiveWriter(path, scope="household", household=summary)
        with writer:
            with writer.table(HOUSEHOLD) as out:
                row = connection.execute(
                    select(household_table()).where(household_table().c.id == household.id)
                ).mappings().one()
                out.write(encode_row(household_table(), row))
            member_keys = _write_members(connection, writer, household.id)
            for spec in table_specs():
                with writer.table(spec.name) as out:
                    for values in owned_rows(connection, spec, household.id):
                        out.write(encode_row(spec.table, _exported(spec, values, member_keys)))
            return writer.close()


@contextmanager
def _snapshot(session: Session) -> Iterator[Connection]:
    """A read-only connection whose every query sees the database as of its first one:
    REPEATABLE READ on PostgreSQL and MariaDB, an explicit read transaction on SQLite (WAL
    keeps it while writers carry on). An in-memory SQLite database has one connection only:
    the session's own is used."""
    engine = cast(Engine, session.get_bind())  # the app's session is bound to its engine
    if engine.dialect.name == "sqlite" and engine.url.database in (None, "", ":memory:"):
        yield session.connection()
        return
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            connection.exec_driver_sql("BEGIN")
            try:
                yield connection
            finally:
                connection.rollback()
        else:
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
            with connection.begin() as transaction:
                yield connection
                transaction.rollback()


def _write_members(connection: Connection, writer: ArchiveWriter, household_id: int) -> dict[int, int]:
    """One object per membership, in the order they joined; returns user id -> key."""
    keys: dict[int, int] = {}
    members = connection.execute(
        select(Membership.user_id, User.email, User.name, Membership.role)
        .join(User, User.id == Membership.user_id)
        .where(Membership.household_id == household_id)
        .order_by(Membership.id)
    ).all()
    with writer.table(MEMBERS) as out:
        for key, (user_id, email, name, role) in enumerate(members, start=1):
            keys[user_id] = key
            out.write(encode_row(members_table(), {"id": key, "email": email, "name": name, "role": role}))
    return keys


def _exported(spec: TableSpec, values: dict[str, Any], member_keys: dict[int, int]) -> dict[str, Any]:
    for column in spec.user_refs:
        if values[column] is not None:
            values[column] = member_keys.get(values[column])
    for column in SECRET_COLUMNS.get(spec.name, ()):
        values[column] = ""
    return values


def owned_rows(connection: Connection | Session, spec: TableSpec, household_id: int) -> Iterator[dict[str, Any]]:
    """Every row of `spec`'s table that `household_id` owns, by id, streamed in pages (a
    server-side cursor on PostgreSQL and MariaDB), each as a fresh dict."""
    table = spec.table
    statement = select(table).where(owned_by(spec, household_id)).order_by(table.c.id)
    result = connection.execute(statement.execution_options(yield_per=PAGE))
    names = list(result.keys())
    for row in result:
        yield dict(zip(names, row, strict=True))
