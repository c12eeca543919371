"""Undo records: what a deletion or a bulk edit changed, kept for a few minutes so the
person who did it can put it back (finora/services/undo/)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from finora.models.audit import JSONText
from finora.models.base import Base, UTCDateTime, utcnow

UNDO_KINDS = ("delete", "categorise", "mark_paid", "tag_add", "tag_remove", "rule_apply")


class UndoPayload(JSONText):
    """The snapshot: JSON text, LONGTEXT on MariaDB (its TEXT stops at 64 KiB, about 150
    entries of a bulk delete)."""

    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name in ("mysql", "mariadb"):
            # Imported here: a worker on another engine never loads MySQL's dialect.
            from sqlalchemy.dialects.mysql import LONGTEXT

            return dialect.type_descriptor(LONGTEXT())
        return super().load_dialect_impl(dialect)


class UndoRecord(Base):
    """One undoable action of one person in one household; `used_at` is set by the one
    restore that may happen (a conditional UPDATE), `expires_at` ends the offer."""

    __tablename__ = "undo_records"
    __table_args__ = (Index("ix_undo_records_household_expires", "household_id", "expires_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # delete | categorise | mark_paid | tag_add | tag_remove | rule_apply
    kind: Mapped[str] = mapped_column(String(16))
    # What was changed, for the messages: "Rent", or the number of rows of a bulk action.
    label: Mapped[str] = mapped_column(String(200))
    count: Mapped[int] = mapped_column(Integer, default=1)
    payload: Mapped[Any] = mapped_column(UndoPayload)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<UndoRecord {self.id} {self.kind} {self.label!r}>"
