"""Undo of categorisation rules applied to entries (services/undo/rule_apply.py): the tag
links the change added go, then the previous columns come back."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from finora.services.undo.tag_links import remove_added_tags
from finora.services.undo.values import restore_values

RULES_KIND = "rule_apply"


def undo_applied(session: Session, household_id: int, payload: dict[str, Any]) -> int:
    """Take off exactly the links the change added, then put the previous columns back;
    how many entries. The caller rolls back when either refuses (UndoConflictError,
    UndoBlockedError), so nothing is half undone."""
    remove_added_tags(session, household_id, payload)
    for part in payload["values"]:
        restore_values(session, household_id, part)
    return len(payload["entries"])
