"""Undo of adding tags to a selection (services/undo/tag_actions.py): the links it made go."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from finora.models import Entry, EntryTag, Tag
from finora.services.undo.errors import UndoConflictError

ADD_KIND = "tag_add"
REMOVE_KIND = "tag_remove"


def remove_added_tags(session: Session, household_id: int, payload: dict[str, Any]) -> int:
    """Undo of add_tags_with_undo: delete the links it made (refused, UndoConflictError,
    when one of them was removed since), then the tags it created that are left unused."""
    ids = payload["added"]
    found = list(session.scalars(
        select(EntryTag.id).join(Entry, Entry.id == EntryTag.entry_id)
        .where(EntryTag.id.in_(ids), Entry.household_id == household_id)
    ))
    if len(found) != len(ids):
        raise UndoConflictError()
    session.execute(delete(EntryTag).where(EntryTag.id.in_(ids)).execution_options(synchronize_session=False))
    for tag_id in payload.get("created_tags", []):
        used = session.scalar(select(func.count()).select_from(EntryTag).where(EntryTag.tag_id == tag_id))
        if not used:
            session.execute(
                delete(Tag).where(Tag.id == tag_id, Tag.household_id == household_id)
                .execution_options(synchronize_session=False)
            )
    session.flush()
    session.expire_all()
    return len(ids)
