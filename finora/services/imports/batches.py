"""The household's import batches, newest first, and undo: a batch's entries removed and
the pending entries it matched restored, in one transaction."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, delete, select, update
from sqlalchemy.orm import Session

from finora.dates import now_utc
from finora.errors import FinoraError, NotFoundError
from finora.models import Account, Entry, Household, ImportBatch, ImportMatch, User
from finora.services.system import audit
from finora.translation import lazy_gettext as _l


class AlreadyUndoneError(FinoraError):
    message = _l("This import was already undone.")
    status = 409


def list_batches(session: Session, household: Household, *, limit: int | None = None) -> list[ImportBatch]:
    """Every batch of the household, newest first; each carries `account_name` and
    `created_by_name` (None once the account or the person is gone)."""
    stmt = (
        select(ImportBatch, Account.name, User.name)
        .outerjoin(Account, Account.id == ImportBatch.account_id)
        .outerjoin(User, User.id == ImportBatch.created_by_id)
        .where(ImportBatch.household_id == household.id)
        .order_by(ImportBatch.created_at.desc(), ImportBatch.id.desc())
    )
    if limit is not None:
        stmt = stmt.limit(limit)
    batches = []
    for batch, account_name, person_name in session.execute(stmt):
        # Display-only attributes the model does not declare (see the docstring).
        batch.account_name = account_name  # type: ignore[attr-defined]
        batch.created_by_name = person_name  # type: ignore[attr-defined]
        batches.append(batch)
    return batches


def get_batch(session: Session, household: Household, batch_id: int) -> ImportBatch:
    batch = session.get(ImportBatch, batch_id)
    if batch is None or batch.household_id != household.id:
        raise NotFoundError()
    return batch


def undo_batch(session: Session, batch: ImportBatch, user: User | None) -> int:
    """Remove exactly the batch's entries and give each entry it matched back its payment
    state and key; returns how many entries were removed. Flushes; the caller commits.
    AlreadyUndoneError the second time (a conditional UPDATE decides, so two clicks at
    once cannot both undo)."""
    now = now_utc()
    marked = session.execute(
        update(ImportBatch)
        .where(ImportBatch.id == batch.id, ImportBatch.undone_at.is_(None))
        .values(undone_at=now, undone_by_id=user.id if user else None)
        .execution_options(synchronize_session=False)
    )
    if cast("CursorResult[Any]", marked).rowcount != 1:
        raise AlreadyUndoneError()
    matches = list(session.scalars(select(ImportMatch).where(ImportMatch.batch_id == batch.id)))
    for match in matches:
        session.execute(
            update(Entry)
            .where(Entry.id == match.entry_id, Entry.household_id == batch.household_id)
            .values(paid_on=match.previous_paid_on, import_key=match.previous_import_key,
                    updated_at=now)
            .execution_options(synchronize_session=False)
        )
    removed = cast("CursorResult[Any]", session.execute(
        delete(Entry)
        .where(Entry.import_batch_id == batch.id, Entry.household_id == batch.household_id)
        .execution_options(synchronize_session=False)
    )).rowcount
    session.expire_all()  # entries loaded before the UPDATE/DELETE above are stale
    audit.record(
        session, "import.undone", user=user, household_id=batch.household_id,
        object_type="import", object_id=batch.id,
        details={"name": batch.file_name, "removed": removed, "restored": len(matches)},
    )
    session.flush()
    return removed
