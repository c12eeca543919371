"""Restoring a checked household archive (household_check.py): the rows inserted with
new ids (old-to-new maps per table), into a new household or in place of the current
one's. The caller commits once: the restore succeeds whole or leaves nothing; only the id
maps other tables point through are kept in memory."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta, timezone
from functools import cache
from typing import Any

from sqlalchemy import Date, Table, delete, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from finora.models import Household, Membership, UndoRecord, User
from finora.models.base import UTCDateTime
from finora.services.backups.container import ArchiveReader
from finora.services.backups.errors import ArchiveRowError
from finora.services.backups.household_check import (  # noqa: F401 - re-exported API
    BATCH,
    NOT_SETTINGS,
    RestorePlan,
    check_household_archive,
)
from finora.services.backups.household_tables import (
    HOUSEHOLD_COLUMN,
    TableSpec,
    household_table,
    owned_by,
    table_specs,
)
from finora.translation import gettext as _


def restore_new_household(session: Session, reader: ArchiveReader, plan: RestorePlan, *, owner: User) -> Household:
    """A new household with the archive's name and settings, `owner` its only member (as
    owner), every row inserted with new ids. Flushes, does not commit."""
    _unused(plan)
    household = Household(**_settings(plan))
    session.add(household)
    session.flush()
    session.add(Membership(user_id=owner.id, household_id=household.id, role="owner"))
    session.flush()
    _insert_rows(session, reader, plan, household.id)
    return household


def restore_replacing(session: Session, reader: ArchiveReader, plan: RestorePlan, *, household: Household) -> Household:
    """Delete every row `household` owns and insert the archive's in their place, with the
    archive's name and settings (the household becomes what it was when backed up); its
    memberships, invitations, tokens, backups, schedule and trail stay. Does not commit."""
    _unused(plan)
    session.flush()
    delete_household_rows(session, household.id)
    # Undo records hold snapshots of the rows just replaced: an Undo now would bring back
    # an entry of the household as it was before the restore.
    session.execute(delete(UndoRecord).where(UndoRecord.household_id == household.id))
    for column, value in _settings(plan).items():
        setattr(household, column, value)
    session.flush()
    _insert_rows(session, reader, plan, household.id)
    return household


_RESTORED_ALREADY = "this plan was restored already: check the archive again"


def _unused(plan: RestorePlan) -> None:
    if plan.spool is None:
        raise ValueError(_RESTORED_ALREADY)


def delete_household_rows(session: Session, household_id: int) -> None:
    """Every backed-up row of the household, children before parents."""
    for spec in reversed(table_specs()):
        table = spec.table
        owned = owned_by(spec, household_id)
        for column in spec.self_refs:  # subcategories before their parents
            session.execute(delete(table).where(owned, table.c[column].is_not(None)))
        session.execute(delete(table).where(owned))
    # Rows loaded before the delete would otherwise be taken for live ones.
    session.expire_all()


def _settings(plan: RestorePlan) -> dict[str, Any]:
    return {
        column.name: plan.household.get(column.name)
        for column in household_table().columns
        if column.name not in NOT_SETTINGS and column.name in plan.household
    }


def _insert_rows(session: Session, reader: ArchiveReader, plan: RestorePlan, household_id: int) -> None:
    """Each table in order, from the rows the check spooled (dropped afterwards). Only the
    rows another row points to are inserted with RETURNING (their new ids are needed); the
    rest go in plain executemany batches, which is what keeps SQLite fast: it returns ids
    in parameter order only one row at a time."""
    try:
        _insert_spooled(session, plan, household_id)
    finally:
        plan.close()


def _insert_spooled(session: Session, plan: RestorePlan, household_id: int) -> None:
    spool = plan.spool
    if spool is None:  # (the callers checked it before writing anything)
        raise ValueError(_RESTORED_ALREADY)
    users = _users_by_member_key(session, plan.members)
    maps: dict[str, dict[int, int]] = {}
    for spec in table_specs():
        id_map: dict[int, int] = {}
        maps[spec.name] = id_map
        wanted = plan.referenced.get(spec.name, set())
        self_refs = spec.self_refs
        remap = _remapper(spec, household_id, maps, users)
        done: set[int] = set()  # a table pointing to itself is read until every row is in
        while True:
            returning = _Inserter(session, spec, id_map)
            plain = _Inserter(session, spec, None)
            for line, row in spool.rows(spec.name):
                old_id = row.pop("id")
                if self_refs:
                    if old_id in done or any(
                        row[c] is not None and row[c] not in id_map for c in self_refs
                    ):
                        continue  # inserted already, or its parent is not in yet
                    done.add(old_id)
                (returning if old_id in wanted else plain).add(line, old_id, remap(row))
            returning.flush()
            plain.flush()
            if not self_refs or returning.total + plain.total == 0:
                break


def _remapper(spec: TableSpec, household_id: int, maps: dict[str, dict[int, int]], users: dict[int, int]):
    """A function giving a spooled row its new household, new ids and this instance's users."""
    own_household = HOUSEHOLD_COLUMN in spec.table.c
    refs = [(column, maps[target]) for column, target in spec.refs.items()]
    user_refs = spec.user_refs

    def remap(row: dict[str, Any]) -> dict[str, Any]:
        if own_household:
            row[HOUSEHOLD_COLUMN] = household_id
        for column, id_map in refs:
            value = row[column]
            if value is not None:
                row[column] = id_map[value]
        for column in user_refs:
            value = row[column]
            if value is not None:
                row[column] = users.get(value)
        return row

    return remap


def _users_by_member_key(session: Session, members: list[dict[str, Any]]) -> dict[int, int]:
    """Member key -> the id of this instance's user with that e-mail (absent: no user)."""
    by_email = {member["email"]: member["id"] for member in members}
    if not by_email:
        return {}
    found = session.execute(
        select(User.id, func.lower(User.email)).where(func.lower(User.email).in_(list(by_email)))
    ).all()
    return {by_email[email]: user_id for user_id, email in found if email in by_email}


class _Inserter:
    """Rows of one table inserted in batches; with an id map, by INSERT ... RETURNING in
    parameter order, so each old id is paired with its new one. A batch holds rows with
    the same keys (an older archive may lack a column in some rows: it gets its default)."""

    def __init__(self, session: Session, spec: TableSpec, id_map: dict[int, int] | None) -> None:
        self.session, self.spec, self.id_map = session, spec, id_map
        self.rows: list[dict[str, Any]] = []
        self.old_ids: list[int] = []
        self.first_line = 0
        self.keys: tuple[str, ...] = ()  # the batch's columns, set by its first row
        self.total = 0

    def add(self, line: int, old_id: int, row: dict[str, Any]) -> None:
        keys = tuple(row)
        if self.rows and (keys != self.keys or len(self.rows) >= BATCH):
            self.flush()
        if not self.rows:
            self.first_line, self.keys = line, keys
        self.rows.append(row)
        self.old_ids.append(old_id)

    def flush(self) -> None:
        if not self.rows:
            return
        table = self.spec.table
        try:
            if self.id_map is None:
                _insert_plain(self.session, table, self.keys, self.rows)
            elif self.session.connection().dialect.name == "sqlite":
                self.id_map.update(zip(self.old_ids, _given_ids(self.session, table, self.rows), strict=True))
                _insert_plain(self.session, table, (*self.keys, "id"), self.rows)
            else:
                statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
                new_ids = self.session.execute(statement, self.rows).scalars().all()
                self.id_map.update(zip(self.old_ids, new_ids, strict=True))
        except IntegrityError as error:
            raise ArchiveRowError(
                table.name, self.first_line, _("the database refused the row (it conflicts with another)")
            ) from error
        self.total += len(self.rows)
        self.rows, self.old_ids = [], []


def _given_ids(session: Session, table: Table, rows: list[dict[str, Any]]) -> range:
    """SQLite: the ids the rows would get, set on them so they go in one executemany.

    SQLite gives RETURNING's ids in parameter order one row at a time only (the 20,000
    split entries of the bench: 5 s more). A table without AUTOINCREMENT gives a new row
    the largest id + 1, so the batch takes the next ids in turn, as SQLite would. No
    other writer can take them meanwhile: the restore wrote the household's rows before
    this, and SQLite lets one connection write until it commits."""
    first = (session.scalar(select(func.max(table.c.id))) or 0) + 1
    given = range(first, first + len(rows))
    for row, new_id in zip(rows, given, strict=True):
        row["id"] = new_id
    return given


# Where the driver's own executemany beats SQLAlchemy's per-row parameter handling:
# SQLite (the 100,000 entries of the bench: 5.0 s -> 3.9 s CPU) and psycopg, whose
# executemany pipelines (11 s -> 7 s on a loaded machine). MariaDB keeps SQLAlchemy's path.
_DIRECT_DIALECTS = ("sqlite", "postgresql")


def _insert_plain(session: Session, table: Table, keys: tuple[str, ...], rows: list[dict[str, Any]]) -> None:
    """A plain executemany: straight through the driver with the columns' own bind
    processors where that is faster, else (and whenever the statement needs a value the
    rows lack) through SQLAlchemy."""
    connection = session.connection()
    dialect = connection.dialect
    direct = _direct_insert(table, keys, dialect) if dialect.name in _DIRECT_DIALECTS else None
    if direct is None:
        connection.execute(insert(table), rows)
        return
    sql, positional, processors = direct
    params: Sequence[tuple[Any, ...]] | Sequence[Mapping[str, Any]]
    if positional:
        params = [tuple(row[k] if p is None else p(row[k]) for k, p in processors) for row in rows]
    else:
        params = [{k: row[k] if p is None else p(row[k]) for k, p in processors} for row in rows]
    connection.exec_driver_sql(sql, params)


@cache
def _direct_insert(table: Table, keys: tuple[str, ...], dialect) -> tuple[str, bool, tuple] | None:
    """The INSERT's SQL in the driver's parameter style, whether it is positional, and each
    column's bind processor in parameter order; None when the statement would need more
    than the rows carry (a Python-side default)."""
    compiled = insert(table).compile(dialect=dialect, column_keys=list(keys))
    order = compiled.positiontup
    names = list(order) if order is not None else list(compiled.params)
    if set(names) != set(keys) or len(names) != len(keys):
        return None
    processors = tuple((key, _bind_processor(table.c[key].type, dialect)) for key in names)
    return compiled.string, order is not None, processors


def _bind_processor(column_type, dialect):
    """The column's bind processor; on SQLite, for UTC timestamps and dates, one function
    doing what the type's own pair does (UTCDateTime's, then SQLite's text format), used
    only when it gives the very same text for the samples below: the 100,000 entries of
    the bench carry three timestamps and two dates each (~1 s of a restore's CPU)."""
    processor = column_type.dialect_impl(dialect).bind_processor(dialect)
    if dialect.name != "sqlite" or processor is None:
        return processor
    if isinstance(column_type, UTCDateTime):
        fast, samples = _sqlite_utc_text, _TIMESTAMP_SAMPLES
    elif type(column_type) is Date:
        fast, samples = _sqlite_date_text, _DATE_SAMPLES
    else:
        return processor
    return fast if all(fast(value) == processor(value) for value in samples) else processor


def _sqlite_utc_text(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("naive datetimes are not stored; use UTC-aware values")
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def _sqlite_date_text(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


_TIMESTAMP_SAMPLES = (
    datetime(1, 1, 1, tzinfo=UTC),
    datetime(999, 12, 31, 23, 59, 59, tzinfo=UTC),
    datetime(2026, 3, 15, 12, 30, 5, 123456, tzinfo=UTC),
    datetime(2026, 3, 15, 9, 30, tzinfo=timezone(timedelta(hours=-3))),
    datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
)
_DATE_SAMPLES = (date(1, 1, 1), date(999, 1, 2), date(2026, 12, 6), date(9999, 12, 31))


def household_row_counts(session: Session, household_id: int) -> dict[str, int]:
    """Rows per backed-up table the household owns (what a restore wrote)."""
    return {
        spec.name: session.execute(
            select(func.count()).select_from(spec.table).where(owned_by(spec, household_id))
        ).scalar_one()
        for spec in table_specs()
    }
