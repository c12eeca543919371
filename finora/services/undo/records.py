"""The undo_records rows: made with the change they can undo, found only by the person who
made them, used at most once (a conditional UPDATE decides), purged when a later change
is saved."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, delete, update
from sqlalchemy.orm import Session

from finora.dates import now_utc
from finora.errors import NotFoundError
from finora.models import Household, UndoRecord, User
from finora.services.system import audit
from finora.services.undo.applied import RULES_KIND, undo_applied
from finora.services.undo.errors import UndoExpiredError, UndoUsedError
from finora.services.undo.restore import restore_rows
from finora.services.undo.tag_links import ADD_KIND, REMOVE_KIND, remove_added_tags
from finora.services.undo.values import restore_values

# How long a change can be undone (the message in UndoExpiredError says it too).
UNDO_WINDOW = timedelta(minutes=10)
# Records are kept this long after they expire, so a late click is told "too late"
# instead of "not found"; older ones go when the household saves its next undoable change.
KEEP_EXPIRED = timedelta(days=1)


def create_record(
    session: Session, household: Household, user: User, *, kind: str, label: str, count: int,
    payload: dict[str, Any], now: datetime | None = None,
) -> UndoRecord:
    now = now or now_utc()
    purge_records(session, household_id=household.id, now=now)
    record = UndoRecord(
        household_id=household.id, user_id=user.id, kind=kind, label=label[:200], count=count,
        payload=payload, created_at=now, expires_at=now + UNDO_WINDOW,
    )
    session.add(record)
    session.flush()
    return record


def purge_records(session: Session, *, household_id: int | None = None, now: datetime | None = None) -> int:
    """Delete records expired more than KEEP_EXPIRED ago (one household's, or all)."""
    cutoff = (now or now_utc()) - KEEP_EXPIRED
    query = delete(UndoRecord).where(UndoRecord.expires_at < cutoff)
    if household_id is not None:
        query = query.where(UndoRecord.household_id == household_id)
    return cast("CursorResult[Any]", session.execute(query)).rowcount or 0


def get_record(session: Session, household: Household, user: User, record_id: int) -> UndoRecord:
    """The user's own record in this household; anyone else's is NotFoundError (404)."""
    record = session.get(UndoRecord, record_id)
    if record is None or record.household_id != household.id or record.user_id != user.id:
        raise NotFoundError()
    return record


def undo(session: Session, record: UndoRecord, user: User, now: datetime | None = None) -> int:
    """Put back what the record's change removed or overwrote; how many rows. Flushes, the
    caller commits (or rolls back on an error: then nothing was changed and the record can
    still be used)."""
    now = now or now_utc()
    if record.used_at is not None:
        raise UndoUsedError()
    if record.expires_at <= now:
        raise UndoExpiredError()
    marked = session.execute(
        update(UndoRecord)
        .where(UndoRecord.id == record.id, UndoRecord.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if cast("CursorResult[Any]", marked).rowcount != 1:
        raise UndoUsedError()  # another click got there first
    if record.kind in ("delete", REMOVE_KIND):
        restored = restore_rows(session, record.household_id, record.payload)
    elif record.kind == ADD_KIND:
        restored = remove_added_tags(session, record.household_id, record.payload)
    elif record.kind == RULES_KIND:
        restored = undo_applied(session, record.household_id, record.payload)
    else:
        restored = restore_values(session, record.household_id, record.payload)
    audit.record(
        session, "undo.restored", user=user, household_id=record.household_id,
        object_type="undo", object_id=record.id,
        details={"kind": record.kind, "label": record.label, "count": record.count},
    )
    session.flush()
    return restored
