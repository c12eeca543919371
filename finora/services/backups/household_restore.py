"""Restoring a household archive: every row checked before anything is written, then the
rows inserted with new ids (old-to-new maps per table), into a new household or in place of
the current one's. The caller commits once: the restore succeeds whole or leaves nothing.

The check reads the archive table by table and keeps in memory only ids (and, for the small
category tree, each category's parent and kind) plus a 16-byte digest per unique key. The
rows it decoded and checked are spooled, pickled in batches, to an unnamed private
temporary file beside the archive, and the insert reads them back from there instead of
decoding the JSON a second time, keeping only the id maps other tables point through."""

from __future__ import annotations

import hashlib
import pickle
import re
import tempfile
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from sqlalchemy import Table, delete, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from finora.dates import is_valid_timezone
from finora.models import Household, Membership, User
from finora.models.account import counts_in_forecast_by_default
from finora.models.household import ROLES
from finora.services.backups.codec import decode_row
from finora.services.backups.container import ArchiveReader, Manifest
from finora.services.backups.errors import (
    ArchiveRowError,
    ArchiveTooNewError,
    ForeignArchiveError,
    WrongScopeError,
)
from finora.services.backups.household_tables import (
    BACKED_UP,
    HOUSEHOLD,
    HOUSEHOLD_COLUMN,
    MEMBERS,
    TableSpec,
    household_table,
    members_table,
    owned_by,
    referenced_tables,
    table_specs,
)
from finora.translation import gettext as _

# Rows per insert batch (and per spooled pickle): a few hundred kilobytes at most.
BATCH = 1000

Loader = Callable[[str, Any], Any]


def upgrade_v1(table: str, obj: Any) -> Any:
    """Format version 1 objects -> current rows. A column a later migration added is absent
    from an older archive and decode_row gives it its default — except a default that
    depends on the row, which is worked out here: accounts.include_in_forecast follows the
    account's kind, as a new account's does. The first change that renames or drops a
    column translates the old rows here too."""
    if table == "accounts" and type(obj) is dict and "include_in_forecast" not in obj:
        kind = obj.get("kind")
        obj["include_in_forecast"] = counts_in_forecast_by_default(kind if isinstance(kind, str) else "")
    return obj


# One loader per archive format version: it turns that version's objects into current ones.
LOADERS: dict[int, Loader] = {1: upgrade_v1}

# Household settings written from the archive: every households column but its identity,
# so a new setting column travels without a change here.
_NOT_SETTINGS = ("id", "created_at")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")


@dataclass
class RestorePlan:
    """What a checked archive holds, shown before the restore and used by it."""

    manifest: Manifest
    counts: dict[str, int]
    members: list[dict[str, Any]]
    # The household's settings as decoded from the archive (name, currency, time zone...).
    household: dict[str, Any]
    loader: Loader = field(repr=False, default=upgrade_v1)
    # table -> the archive ids other rows point to (their new ids are kept while restoring)
    referenced: dict[str, set[int]] = field(repr=False, default_factory=dict)
    spool: _Spool | None = field(repr=False, default=None)

    def close(self) -> None:
        """Drop the spooled rows (a restore does it when done)."""
        if self.spool is not None:
            self.spool.close()
            self.spool = None


class _Spool:
    """Checked rows, pickled in batches to an unnamed temporary file (mode 600, unlinked at
    once) in the archive's own folder (where its plain text already is), read back table by
    table. Only this process's own pickles are ever loaded."""

    def __init__(self, directory) -> None:
        try:
            self.file = tempfile.TemporaryFile(dir=directory)
        except OSError:  # an archive on read-only media: the system's temporary folder
            self.file = tempfile.TemporaryFile()
        self.offsets: dict[str, list[int]] = {}
        self._table: str | None = None
        self._rows: list[tuple[int, dict[str, Any]]] = []

    def add(self, table: str, line: int, row: dict[str, Any]) -> None:
        if table != self._table:
            self.finish()
            self._table = table
        self._rows.append((line, row))
        if len(self._rows) >= BATCH:
            self.finish()

    def finish(self) -> None:
        if self._rows:
            self.offsets.setdefault(self._table, []).append(self.file.tell())
            pickle.dump(self._rows, self.file, protocol=pickle.HIGHEST_PROTOCOL)
            self._rows = []

    def rows(self, table: str) -> Iterator[tuple[int, dict[str, Any]]]:
        for offset in self.offsets.get(table, ()):
            self.file.seek(offset)
            batch = pickle.load(self.file)
            self.file.seek(0, 2)
            yield from batch

    def close(self) -> None:
        self.file.close()


def check_household_archive(reader: ArchiveReader, session: Session) -> RestorePlan:
    """Validate the whole archive before anything is written; raises a BackupArchiveError
    (ArchiveRowError naming the table and line for a bad row) or returns the plan."""
    manifest = reader.manifest
    if manifest.scope != "household":
        raise WrongScopeError()
    loader = _loader(manifest.format_version)
    reader.verify()
    known = {HOUSEHOLD, MEMBERS, *BACKED_UP}
    for name in reader.tables():
        if name not in known:
            raise ArchiveRowError(name, 1, _("this table is not part of a household backup"))
    household = _check_household(reader, loader)
    members = _check_members(reader, loader)
    counts = {HOUSEHOLD: 1, MEMBERS: len(members)}
    fold = _unique_fold(session)
    member_keys = {member["id"] for member in members}
    ids: dict[str, set[int]] = {}
    referenced: dict[str, set[int]] = {name: set() for name in referenced_tables()}
    spool = _Spool(reader.path.parent)
    try:
        for spec in table_specs():
            seen, counts[spec.name] = _check_table(
                reader, spec, loader, household["id"], ids, member_keys, fold, referenced, spool
            )
            if spec.name in referenced:
                ids[spec.name] = seen
        spool.finish()
    except BaseException:
        spool.close()
        raise
    return RestorePlan(manifest, counts, members, household, loader, referenced, spool)


def _loader(version: int) -> Loader:
    if version in LOADERS:
        return LOADERS[version]
    if version > max(LOADERS):
        raise ArchiveTooNewError()
    raise ForeignArchiveError()


def _decoded(reader: ArchiveReader, name: str, table, loader: Loader) -> Iterator[tuple[int, dict]]:
    for line, obj in reader.rows(name):
        yield line, decode_row(table, loader(name, obj), line=line, name=name)


def _check_household(reader: ArchiveReader, loader: Loader) -> dict[str, Any]:
    found = None
    for line, row in _decoded(reader, HOUSEHOLD, household_table(), loader):
        if found is not None:
            raise ArchiveRowError(HOUSEHOLD, line, _("a backup holds one household"))
        if not isinstance(row.get("id"), int):
            raise ArchiveRowError(HOUSEHOLD, line, _("the row has no id"))
        if not _CURRENCY.match(row.get("currency") or ""):
            raise ArchiveRowError(HOUSEHOLD, line, _("the currency is not a three-letter code"))
        if not is_valid_timezone(row.get("timezone") or ""):
            raise ArchiveRowError(HOUSEHOLD, line, _("the time zone is unknown"))
        if row.get("country") is not None and not _COUNTRY.match(row["country"]):
            raise ArchiveRowError(HOUSEHOLD, line, _("the country is not a two-letter code"))
        found = row
    if found is None:
        raise ArchiveRowError(HOUSEHOLD, 1, _("the household's settings are missing"))
    return found


def _check_members(reader: ArchiveReader, loader: Loader) -> list[dict[str, Any]]:
    members: list[dict[str, Any]] = []
    keys: set[int] = set()
    emails: set[str] = set()
    for line, row in _decoded(reader, MEMBERS, members_table(), loader):
        key, email = row.get("id"), (row.get("email") or "").strip().lower()
        if not isinstance(key, int) or key in keys:
            raise ArchiveRowError(MEMBERS, line, _("the member's key is missing or used twice"))
        if "@" not in email or email in emails:
            raise ArchiveRowError(MEMBERS, line, _("the e-mail address is missing or used twice"))
        if row.get("role") not in ROLES:
            raise ArchiveRowError(MEMBERS, line, _("the role is unknown"))
        keys.add(key)
        emails.add(email)
        members.append({"id": key, "email": email, "name": row.get("name"), "role": row["role"]})
    return members


def _check_table(
    reader: ArchiveReader,
    spec: TableSpec,
    loader: Loader,
    household_id: int,
    ids: dict[str, set[int]],
    member_keys: set[int],
    fold: Callable[[Any], Any],
    referenced: dict[str, set[int]],
    spool: _Spool,
) -> tuple[set[int], int]:
    """One table's rows: ids, owner, references, checks and unique keys. Returns its ids
    and its row count; adds the ids its rows point to to `referenced`."""
    seen: set[int] = set()
    digests: dict[tuple[str, ...], set[bytes]] = {key: set() for key in spec.unique_keys}
    # The category tree (small): id -> (parent id, kind, line), checked once it is read.
    tree: dict[int, tuple[Any, Any, int]] = {}
    self_refs: list[tuple[int, str, int]] = []
    count = 0
    for line, row in _decoded(reader, spec.name, spec.table, loader):
        count += 1
        row_id = row.get("id")
        if not isinstance(row_id, int):
            raise ArchiveRowError(spec.name, line, _("the row has no id"))
        if row_id in seen:
            raise ArchiveRowError(spec.name, line, _("the id %(id)s is used twice", id=row_id))
        seen.add(row_id)
        if spec.owner_column == HOUSEHOLD_COLUMN and row.get(HOUSEHOLD_COLUMN) != household_id:
            raise ArchiveRowError(spec.name, line, _("the row belongs to another household"))
        for column, target in spec.refs.items():
            value = row.get(column)
            if value is None:
                continue
            referenced[target].add(value)
            if target == spec.name:
                self_refs.append((line, column, value))
            elif value not in ids[target]:
                raise ArchiveRowError(spec.name, line, _nothing_there(column, target))
        for column in spec.user_refs:
            if row.get(column) is not None and row[column] not in member_keys:
                raise ArchiveRowError(spec.name, line, _("%(column)s names no member", column=column))
        for check in spec.checks:
            if not check.passes(row):
                raise ArchiveRowError(
                    spec.name, line, _("the database refuses the row (%(rule)s)", rule=check.sql)
                )
        for key, known in digests.items():
            digest = _digest(row, key, fold)
            if digest is None:
                continue
            if digest in known:
                raise ArchiveRowError(
                    spec.name, line, _("another row has the same %(columns)s", columns=", ".join(key))
                )
            known.add(digest)
        if spec.self_refs:
            tree[row_id] = (row.get(spec.self_refs[0]), row.get("kind"), line)
        spool.add(spec.name, line, row)
    for line, column, value in self_refs:
        if value not in seen:
            raise ArchiveRowError(spec.name, line, _nothing_there(column, spec.name))
    if spec.name == "categories":
        _check_tree(tree)
    return seen, count


def _check_tree(tree: dict[int, tuple[Any, Any, int]]) -> None:
    """Categories are two levels deep: a parent is a top-level category of the same kind
    (which also rules out a category being its own ancestor)."""
    for parent_id, kind, line in tree.values():
        if parent_id is None:
            continue
        grandparent, parent_kind, _line = tree[parent_id]
        if grandparent is not None or parent_kind != kind:
            raise ArchiveRowError(
                "categories", line, _("a subcategory's parent must be a top-level category of the same kind")
            )


def _nothing_there(column: str, target: str) -> str:
    return _("%(column)s points to no row of %(table)s in this backup", column=column, table=target)


def _digest(row: dict, key: tuple[str, ...], fold) -> bytes | None:
    values = tuple(row.get(column) for column in key)
    if any(value is None for value in values):
        return None  # NULLs never collide in a unique key, on any engine
    return hashlib.blake2b(repr(tuple(fold(v) for v in values)).encode(), digest_size=16).digest()


def _unique_fold(session: Session) -> Callable[[Any], Any]:
    """How the database compares text in a unique key: exactly, except on MariaDB/MySQL,
    whose utf8mb4_unicode_ci ignores case, accents and trailing spaces."""
    if session.get_bind().dialect.name not in ("mysql", "mariadb"):
        return lambda value: value

    def fold(value: Any) -> Any:
        if not isinstance(value, str):
            return value
        decomposed = unicodedata.normalize("NFKD", value)
        bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
        return bare.casefold().rstrip(" ")

    return fold


# --- writing -----------------------------------------------------------------------------


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
    for column, value in _settings(plan).items():
        setattr(household, column, value)
    session.flush()
    _insert_rows(session, reader, plan, household.id)
    return household


def _unused(plan: RestorePlan) -> None:
    if plan.spool is None:
        raise ValueError("this plan was restored already: check the archive again")


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
        if column.name not in _NOT_SETTINGS and column.name in plan.household
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
    users = _users_by_member_key(session, plan.members)
    maps: dict[str, dict[int, int]] = {}
    for spec in table_specs():
        id_map: dict[int, int] = {}
        maps[spec.name] = id_map
        wanted = plan.referenced.get(spec.name, frozenset())
        self_refs = spec.self_refs
        remap = _remapper(spec, household_id, maps, users)
        done: set[int] = set()  # a table pointing to itself is read until every row is in
        while True:
            returning = _Inserter(session, spec, id_map)
            plain = _Inserter(session, spec, None)
            for line, row in plan.spool.rows(spec.name):
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
        self.keys: tuple[str, ...] | None = None
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
    processors = tuple((key, table.c[key].type.dialect_impl(dialect).bind_processor(dialect)) for key in names)
    return compiled.string, order is not None, processors


def household_row_counts(session: Session, household_id: int) -> dict[str, int]:
    """Rows per backed-up table the household owns (what a restore wrote)."""
    return {
        spec.name: session.scalar(
            select(func.count()).select_from(spec.table).where(owned_by(spec, household_id))
        )
        for spec in table_specs()
    }
