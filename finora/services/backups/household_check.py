"""Checking a household archive before a restore writes anything: every row of every
table decoded, its references, unique keys and checks verified, the rows spooled for the
insert (household_restore.py).

The check reads the archive table by table and keeps in memory only ids (and, for the small
category tree, each category's parent and kind) plus a 16-byte digest per unique key. The
rows it decoded and checked are spooled, pickled in batches, to an unnamed private
temporary file beside the archive, and the insert reads them back from there instead of
decoding the JSON a second time."""

from __future__ import annotations

import hashlib
import pickle
import re
import tempfile
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, cast

from sqlalchemy.orm import Session

from finora.dates import is_valid_timezone
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
NOT_SETTINGS = ("id", "created_at")
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
        # Each entry's (id, amount as text, type), what the check of split lines needs,
        # spooled apart: reading the entries' whole rows back for it took ~0.7 s of the
        # bench's restore.
        self.fact_offsets: list[int] = []
        self._facts: list[tuple[int, str | None, Any]] = []

    def add(self, table: str, line: int, row: dict[str, Any]) -> None:
        if table != self._table:
            self.finish()
            self._table = table
        self._rows.append((line, row))
        if len(self._rows) >= BATCH:
            self.finish()

    def finish(self) -> None:
        if self._rows:
            table = cast(str, self._table)  # add() names the table before its first row
            self.offsets.setdefault(table, []).append(self.file.tell())
            pickle.dump(self._rows, self.file, protocol=pickle.HIGHEST_PROTOCOL)
            self._rows = []

    def add_entry_fact(self, entry_id: int, amount: Any, kind: Any) -> None:
        self._facts.append((entry_id, None if amount is None else str(amount), kind))
        if len(self._facts) >= 10 * BATCH:
            self.finish_facts()

    def finish_facts(self) -> None:
        if self._facts:
            self.fact_offsets.append(self.file.tell())
            pickle.dump(self._facts, self.file, protocol=pickle.HIGHEST_PROTOCOL)
            self._facts = []

    def entry_facts(self) -> Iterator[tuple[int, str | None, Any]]:
        """(id, amount as text, type) of every entry, as add_entry_fact got them."""
        for offset in self.fact_offsets:
            self.file.seek(offset)
            batch = pickle.load(self.file)  # noqa: S301 - only this process's own spool
            self.file.seek(0, 2)
            yield from batch

    def rows(self, table: str) -> Iterator[tuple[int, dict[str, Any]]]:
        for offset in self.offsets.get(table, ()):
            self.file.seek(offset)
            batch = pickle.load(self.file)  # noqa: S301 - only this process's own spool
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
        spool.finish_facts()
        _check_payers(spool)
        _check_splits(spool)
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
    # What each row is checked against, looked up once per table rather than once per row
    # (100,000 entries: a tenth of the check's time).
    name = spec.name
    own_household = spec.owner_column == HOUSEHOLD_COLUMN
    refs = [(column, target, referenced[target], None if target == name else ids.get(target, set()))
            for column, target in spec.refs.items()]
    user_refs, checks, keyed = spec.user_refs, spec.checks, list(digests.items())
    tree_column = spec.self_refs[0] if spec.self_refs else None
    entries = name == "entries"
    for line, row in _decoded(reader, name, spec.table, loader):
        count += 1
        row_id = row.get("id")
        if not isinstance(row_id, int):
            raise ArchiveRowError(name, line, _("the row has no id"))
        if row_id in seen:
            raise ArchiveRowError(name, line, _("the id %(id)s is used twice", id=row_id))
        seen.add(row_id)
        if own_household and row.get(HOUSEHOLD_COLUMN) != household_id:
            raise ArchiveRowError(name, line, _("the row belongs to another household"))
        for column, target, pointed_to, known_ids in refs:
            value = row.get(column)
            if value is None:
                continue
            pointed_to.add(value)
            if known_ids is None:
                self_refs.append((line, column, value))
            elif value not in known_ids:
                raise ArchiveRowError(name, line, _nothing_there(column, target))
        for column in user_refs:
            if row.get(column) is not None and row[column] not in member_keys:
                raise ArchiveRowError(name, line, _("%(column)s names no member", column=column))
        for check in checks:
            if not check.passes(row):
                raise ArchiveRowError(
                    name, line, _("the database refuses the row (%(rule)s)", rule=check.sql)
                )
        for key, known in keyed:
            digest = _digest(row, key, fold)
            if digest is None:
                continue
            if digest in known:
                raise ArchiveRowError(
                    name, line, _("another row has the same %(columns)s", columns=", ".join(key))
                )
            known.add(digest)
        if tree_column is not None:
            tree[row_id] = (row.get(tree_column), row.get("kind"), line)
        if entries:
            spool.add_entry_fact(row_id, row.get("amount"), row.get("kind"))
        spool.add(name, line, row)
    for line, column, value in self_refs:
        if value not in seen:
            raise ArchiveRowError(spec.name, line, _nothing_there(column, spec.name))
    if spec.name == "categories":
        _check_tree(tree)
    return seen, count


def _check_payers(spool: _Spool) -> None:
    """A card's paying account (accounts.payment_account_id) is an account that is not a
    card, named by a credit card only (as services/ledger/accounts.py keeps it): so no
    account pays itself or another card, and the restore's rounds of self-referring rows
    always end."""
    kinds = {row["id"]: row.get("kind") for _line, row in spool.rows("accounts")}
    for line, row in spool.rows("accounts"):
        payer = row.get("payment_account_id")
        if payer is None:
            continue
        if row.get("kind") != "credit_card" or kinds.get(payer) == "credit_card":
            raise ArchiveRowError(
                "accounts", line, _("only a credit card names a paying account, and it is not a credit card")
            )


def _check_splits(spool: _Spool) -> None:
    """A split entry's lines add up to its amount, there are at least two of them, and each
    line's category (and subcategory) is of the entry's type (as services/ledger/splits.py
    keeps them): one pass over the categories, one over the lines, one over the entries'
    amounts and types (spooled apart by _check_table)."""
    sums: dict[int, Any] = {}
    counts: dict[int, int] = {}
    first_line: dict[int, int] = {}
    # entry id -> each category type its lines use, with the first line of that type
    line_kinds: dict[int, dict[Any, int]] = {}
    category_kinds: dict[int, Any] | None = None
    for line, row in spool.rows("entry_splits"):
        if category_kinds is None:
            category_kinds = {r["id"]: r.get("kind") for _at, r in spool.rows("categories")}
        entry_id = row["entry_id"]
        sums[entry_id] = sums.get(entry_id, 0) + row["amount"]
        counts[entry_id] = counts.get(entry_id, 0) + 1
        first_line.setdefault(entry_id, line)
        kinds = line_kinds.setdefault(entry_id, {})
        for column in ("category_id", "subcategory_id"):
            if row.get(column) is not None:
                kinds.setdefault(category_kinds.get(row[column]), line)
    if not sums:
        return
    for entry_id, amount, kind in spool.entry_facts():
        if entry_id not in sums:
            continue
        if amount is None or sums[entry_id] != Decimal(amount) or counts[entry_id] < 2:
            raise ArchiveRowError(
                "entry_splits",
                first_line[entry_id],
                _("the lines of entry %(id)s do not add up to its amount", id=entry_id),
            )
        other = [line for line_kind, line in line_kinds[entry_id].items() if line_kind != kind]
        if other:
            raise ArchiveRowError(
                "entry_splits",
                min(other),
                _("a line of entry %(id)s has a category of the other type (income or expense)", id=entry_id),
            )


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
    values = tuple([row.get(column) for column in key])
    if None in values:
        return None  # NULLs never collide in a unique key, on any engine
    if fold is not _same:
        values = tuple([fold(v) for v in values])
    return hashlib.blake2b(repr(values).encode(), digest_size=16).digest()


def _same(value: Any) -> Any:
    return value


def _unique_fold(session: Session) -> Callable[[Any], Any]:
    """How the database compares text in a unique key: exactly, except on MariaDB/MySQL,
    whose utf8mb4_unicode_ci ignores case, accents and trailing spaces."""
    if session.get_bind().dialect.name not in ("mysql", "mariadb"):
        return _same

    def fold(value: Any) -> Any:
        if not isinstance(value, str):
            return value
        decomposed = unicodedata.normalize("NFKD", value)
        bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
        return bare.casefold().rstrip(" ")

    return fold
