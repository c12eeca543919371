"""What a household archive holds: the household-owned tables in insert order, how each is
owned, and what its columns point to — all read from the models' Table metadata, so a new
column, foreign key, check or unique constraint is carried (and checked) without a change here.

Only the list of tables is written by hand: tests/services/test_backup_household_tables.py
fails when a table that belongs to a household is in neither BACKED_UP nor NOT_BACKED_UP."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from sqlalchemy import CheckConstraint, Column, Integer, MetaData, Table, UniqueConstraint, select

import finora.models  # noqa: F401 - registers every table in Base.metadata
from finora.models.base import Base

# The archive's own members besides the tables: the household row (its settings) and one
# object per membership. Their names cannot clash with a table's (tables are plural).
HOUSEHOLD = "household"
MEMBERS = "members"

# Household-owned tables in insert order: a table comes after every table it points to
# (categories point to themselves: parents first, see restore).
BACKED_UP = (
    "categories",
    "accounts",
    "recurring_rules",
    "skips",
    "import_batches",
    "tags",
    "payees",
    "payee_patterns",
    "categorisation_rules",
    "entries",
    "entry_splits",
    "entry_tags",
    "import_matches",
    "transfers",
    "balance_snapshots",
    "budgets",
    "goals",
    "goal_contributions",
    "import_profiles",
    "email_import_configs",
)

# Secrets a household archive never carries (it is a file an owner downloads and keeps):
# written empty, so a restored configuration asks for them again.
SECRET_COLUMNS = {"email_import_configs": ("password_encrypted",)}

# Tables without a household_id column: owned through the row one of their columns names.
OWNED_THROUGH = {"import_matches": "batch_id", "entry_tags": "entry_id"}

# Tables that carry a household_id but are not part of what a household backs up.
NOT_BACKED_UP = {
    "memberships": "kept as the archive's `members` (e-mail, name, role), never as user ids",
    "invitations": "pending setup links of this instance (token hashes): they expire in 48 hours",
    "api_tokens": "secrets of one user on this instance",
    "audit_events": "the instance's trail of what happened: it stays where it happened",
    "backups": "the index of this machine's backup files",
    "backup_schedules": "a restored household starts without automatic backups",
    "job_runs": "records of this instance's scheduler runs",
    "used_form_tokens": "replay protection of forms shown on this instance",
    "ai_settings": "an API key encrypted with this instance's key: entered again",
    "ai_insights": "a cache of what the model last said: refreshed on the new instance",
    "undo_records": "Undo buttons of the last 10 minutes, holding ids of this instance's rows; "
                    "a restore replacing the household deletes them",
}

HOUSEHOLD_COLUMN = "household_id"
USERS = "users"


@dataclass(frozen=True)
class TableSpec:
    """One backed-up table and what its columns point to."""

    name: str
    table: Table
    # column -> the backed-up table whose archive id it holds (a self-reference included)
    refs: dict[str, str]
    # columns holding a user id: written as a member's reference key, restored by e-mail
    user_refs: tuple[str, ...]
    # "household_id", or for a table owned through another row, the column naming that row
    owner_column: str
    # the unique constraints as column tuples, the household column left out (it is one
    # household's archive)
    unique_keys: tuple[tuple[str, ...], ...]
    checks: tuple[RowCheck, ...]

    @property
    def self_refs(self) -> tuple[str, ...]:
        return tuple(column for column, target in self.refs.items() if target == self.name)


@dataclass(frozen=True)
class RowCheck:
    """A check constraint evaluated on a decoded row before anything is written, so a bad
    row is named by its table and line instead of failing the insert."""

    name: str
    sql: str
    columns: tuple[str, ...]
    allowed: frozenset[str] | None = None  # "<column> IN ('a', 'b')"

    def passes(self, row: dict) -> bool:
        if self.allowed is not None:
            value = row.get(self.columns[0])
            return value is None or value in self.allowed
        return _PREDICATES[self.name](row)


def _not_null_or_above(value, floor) -> bool:
    return value is None or value > floor


def _day_of_month(value) -> bool:
    return value is None or (isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 31)


# The check constraints that are not an IN list, by name; SQL's rule applies: a check whose
# operands are NULL passes. A new check without its predicate here fails the tables test.
_PREDICATES = {
    "ck_entries_amount_positive": lambda r: _not_null_or_above(r.get("amount"), 0),
    "ck_entry_splits_amount_positive": lambda r: _not_null_or_above(r.get("amount"), 0),
    "ck_transfers_amount_positive": lambda r: _not_null_or_above(r.get("amount"), 0),
    "ck_recurring_rules_amount_positive": lambda r: _not_null_or_above(r.get("amount"), 0),
    "ck_budgets_amount_positive": lambda r: _not_null_or_above(r.get("amount"), 0),
    "ck_goals_target_positive": lambda r: _not_null_or_above(r.get("target_amount"), 0),
    "ck_goal_contributions_amount_nonzero": lambda r: r.get("amount") != 0,
    "ck_transfers_distinct_accounts": lambda r: (
        r.get("from_account_id") is None
        or r.get("to_account_id") is None
        or r["from_account_id"] != r["to_account_id"]
    ),
    "ck_recurring_rules_end_after_anchor": lambda r: (
        r.get("end_date") is None or r.get("anchor_date") is None or r["end_date"] >= r["anchor_date"]
    ),
    "ck_categories_labelled": lambda r: r.get("code") is not None or r.get("name") is not None,
    "ck_accounts_closing_day": lambda r: _day_of_month(r.get("closing_day")),
    "ck_accounts_due_day": lambda r: _day_of_month(r.get("due_day")),
    "ck_accounts_credit_limit": lambda r: r.get("credit_limit") is None or r["credit_limit"] >= 0,
    "ck_email_import_configs_port": lambda r: (
        r.get("port") is None or (isinstance(r["port"], int) and 0 < r["port"] < 65536)
    ),
}

_IN_LIST = re.compile(r"^\s*(\w+)\s+IN\s*\((.*)\)\s*$", re.IGNORECASE | re.DOTALL)
_LITERAL = re.compile(r"'((?:[^']|'')*)'")


def _row_check(constraint: CheckConstraint) -> RowCheck:
    sql = str(constraint.sqltext)
    name = str(constraint.name)
    match = _IN_LIST.match(sql)
    if match and name not in _PREDICATES:
        values = frozenset(v.replace("''", "'") for v in _LITERAL.findall(match.group(2)))
        return RowCheck(name, sql, (match.group(1),), values)
    if name not in _PREDICATES:
        raise LookupError(f"check {name} ({sql}) has no predicate in household_tables")
    return RowCheck(name, sql, ())


def _spec(name: str) -> TableSpec:
    table = Base.metadata.tables[name]
    refs: dict[str, str] = {}
    user_refs: list[str] = []
    for key in table.foreign_keys:
        target = key.column.table.name
        column = key.parent.name
        if target == USERS:
            user_refs.append(column)
        elif target in BACKED_UP:
            refs[column] = target
        elif not (target == "households" and column == HOUSEHOLD_COLUMN):
            raise LookupError(f"{name}.{column} points to {target}, which is not backed up")
    unique_keys = []
    for constraint in table.constraints:
        if isinstance(constraint, UniqueConstraint):
            columns = tuple(c.name for c in constraint.columns if c.name != HOUSEHOLD_COLUMN)
            if columns:
                unique_keys.append(columns)
    unique_keys.extend((c.name,) for c in table.columns if c.unique and not c.primary_key)
    checks = tuple(
        _row_check(c)
        for c in sorted(table.constraints, key=lambda c: str(c.name))
        if isinstance(c, CheckConstraint)
    )
    owner = HOUSEHOLD_COLUMN if HOUSEHOLD_COLUMN in table.c else OWNED_THROUGH[name]
    return TableSpec(name, table, refs, tuple(sorted(user_refs)), owner,
                     tuple(sorted(set(unique_keys))), checks)


@cache
def table_specs() -> tuple[TableSpec, ...]:
    """Every backed-up table in insert order (built once, from the metadata)."""
    return tuple(_spec(name) for name in BACKED_UP)


def spec_by_name() -> dict[str, TableSpec]:
    return {spec.name: spec for spec in table_specs()}


def household_table() -> Table:
    """The households table: the archive's `household` member holds its one row."""
    return Base.metadata.tables["households"]


@cache
def members_table() -> Table:
    """The shape of the archive's `members` rows: a reference key (what user-id columns
    hold), and the member's e-mail, name and role, typed as in users and memberships."""
    users = Base.metadata.tables["users"]
    memberships = Base.metadata.tables["memberships"]
    return Table(
        MEMBERS,
        MetaData(),
        Column("id", Integer, primary_key=True, autoincrement=False),
        Column("email", users.c.email.type, nullable=False),
        Column("name", users.c.name.type, nullable=False),
        Column("role", memberships.c.role.type, nullable=False),
    )


def referenced_tables() -> frozenset[str]:
    """Tables whose old-to-new id map a restore must keep (something points to them)."""
    return frozenset(target for spec in table_specs() for target in spec.refs.values())


def owned_by(spec: TableSpec, household_id: int):
    """The WHERE clause of `spec`'s rows that `household_id` owns: by its household column,
    or through the parent row its owner column names (import_matches through the batch)."""
    table = spec.table
    if spec.owner_column == HOUSEHOLD_COLUMN:
        return table.c[HOUSEHOLD_COLUMN] == household_id
    parent = spec_by_name()[spec.refs[spec.owner_column]].table
    return table.c[spec.owner_column].in_(
        select(parent.c.id).where(parent.c[HOUSEHOLD_COLUMN] == household_id)
    )
