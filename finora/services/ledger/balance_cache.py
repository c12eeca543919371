"""A bounded in-process cache of account balances, keyed by the household's ledger revision.

`households.ledger_revision` is bumped by database triggers (migration 0017) on every
insert, update and delete of the rows a balance reads (entries, transfers, balance
snapshots, accounts), in the writing transaction itself, whatever writes them. A key is
(database, household id, household created_at, revision, day): a committed ledger state
has one revision, so a cached figure is the figure of the state the key names.

Three rules keep it from ever giving a stale figure:
- The revision is read before and after the balances are computed, and the result is
  stored only when both reads agree: under READ COMMITTED another transaction may commit
  between the statements, and the figures would then be newer than the first revision.
- A transaction that wrote a ledger row, deleted a row whose deletion reaches one through
  a foreign-key action, or ran a statement of a kind not recognised here, neither reads
  nor fills the cache until it ends: its revision counts its own uncommitted writes, and
  a rollback would hand the same number to another state. Noted per connection by
  `_note_writes`, forgotten at commit or rollback. Ledger objects changed but not flushed
  (autoflush off) bypass the cache too.
- A household starts at a random revision (models/household.py new_ledger_revision; an
  instance restore starts each afresh), so a household id the database hands out again
  does not meet the keys of the household that had it before.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import date
from decimal import Decimal
from functools import cache

from sqlalchemy import event, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from finora.models import Household
from finora.models.base import Base

LEDGER_TABLES = frozenset({"entries", "transfers", "balance_snapshots", "accounts"})
SIZE = 256
_WROTE = "finora_ledger_written"
_DML = re.compile(
    r"\s*(?:(INSERT)\s+(?:OR\s+\w+\s+|IGNORE\s+)?INTO|(REPLACE)\s+INTO|(UPDATE)(?:\s+IGNORE)?|(DELETE)\s+FROM)"
    r"\s+[`\"\[]?(\w+)",
    re.IGNORECASE,
)
_READS = ("SELECT", "BEGIN", "PRAGMA", "SET", "SHOW", "SAVEPOINT", "RELEASE", "ROLLBACK", "COMMIT")

Balances = dict[int, Decimal]


class _LRU:
    """At most `size` values, the least recently used dropped first; thread-safe."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._values: OrderedDict[Hashable, Balances] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Balances | None:
        with self._lock:
            value = self._values.get(key)
            if value is None:
                return None
            self._values.move_to_end(key)
            return dict(value)

    def put(self, key: Hashable, value: Balances) -> None:
        with self._lock:
            self._values[key] = dict(value)
            self._values.move_to_end(key)
            while len(self._values) > self.size:
                self._values.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._values.clear()

    def __len__(self) -> int:
        return len(self._values)


_cache = _LRU(SIZE)


def clear() -> None:
    _cache.clear()


def cached_balances_on(
    session: Session, household: Household, days: list[date],
    compute: Callable[[list[date]], dict[date, Balances]],
) -> dict[date, Balances]:
    """`compute(days)` for the days the cache does not hold, the rest from the cache; each
    day's balances a fresh dict."""
    days = sorted(set(days))
    before = _revision(session, household)  # flushes pending changes first (autoflush)
    if before is None or _wrote_ledger(session) or _pending_ledger_changes(session):
        return compute(days)
    found: dict[date, Balances] = {}
    for day in days:
        value = _cache.get((*before, day))
        if value is not None:
            found[day] = value
    missing = [day for day in days if day not in found]
    if missing:
        computed = compute(missing)
        if _revision(session, household) == before and not _wrote_ledger(session):
            for day, balances in computed.items():
                _cache.put((*before, day), balances)
        found.update(computed)
    return found


def _revision(session: Session, household: Household) -> tuple | None:
    """(database, household id, created_at, ledger revision); None if the household is gone."""
    row = session.execute(
        select(Household.ledger_revision, Household.created_at).where(Household.id == household.id)
    ).first()
    if row is None:
        return None
    url = session.get_bind().engine.url.render_as_string(hide_password=True)
    return (url, household.id, row[1], row[0])


def _pending_ledger_changes(session: Session) -> bool:
    """Ledger objects changed but not flushed (autoflush off): the triggers have not seen
    them yet."""
    return any(
        getattr(obj, "__tablename__", None) in LEDGER_TABLES
        for obj in (*session.new, *session.dirty, *session.deleted)
    )


def _wrote_ledger(session: Session) -> bool:
    return bool(session.connection().info.get(_WROTE))


@cache
def _cascading_tables() -> frozenset[str]:
    """Tables a DELETE of which reaches a ledger row through a foreign-key action (CASCADE,
    SET NULL, SET DEFAULT), directly or through another such table."""
    reached = set(LEDGER_TABLES)
    changed = True
    while changed:
        changed = False
        for table in Base.metadata.tables.values():
            if table.name not in reached:
                continue
            for key in table.foreign_keys:
                action = (key.ondelete or "").upper()
                target = key.column.table.name
                if action in ("CASCADE", "SET NULL", "SET DEFAULT") and target not in reached:
                    reached.add(target)
                    changed = True
    return frozenset(reached)


def writes_ledger(statement: str) -> bool:
    """Whether a statement may change a row a balance reads (unknown kinds: yes)."""
    match = _DML.match(statement)
    if match is None:
        return not statement.lstrip().upper().startswith(_READS)
    table = match.group(5).lower()
    if table in LEDGER_TABLES:
        return True
    return bool(match.group(4)) and table in _cascading_tables()


@event.listens_for(Engine, "before_cursor_execute")
def _note_writes(conn: Connection, _cursor, statement: str, _params, _context, _many) -> None:
    if writes_ledger(statement):
        conn.info[_WROTE] = True


@event.listens_for(Engine, "commit")
@event.listens_for(Engine, "rollback")
def _forget_writes(conn: Connection) -> None:
    conn.info.pop(_WROTE, None)


@event.listens_for(Engine, "engine_connect")
def _fresh_connection(conn: Connection) -> None:
    # A connection back from the pool was reset (rolled back) on its return.
    conn.info.pop(_WROTE, None)
