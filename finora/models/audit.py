"""The audit trail: who did what to which object, when and from where."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from finora.models.base import Base, UTCDateTime, utcnow


class JSONText(TypeDecorator):
    """A JSON value kept as plain text (the same column type on every engine)."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return json.loads(value)


class AuditEvent(Base):
    """One recorded action. It outlives its user and household (their ids become NULL),
    so `actor_email` keeps who it was."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_household_created", "household_id", "created_at"),
        Index("ix_audit_events_user_created", "user_id", "created_at"),
        # The retention purge deletes by age across all households.
        Index("ix_audit_events_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor_email: Mapped[str | None] = mapped_column(String(254))
    household_id: Mapped[int | None] = mapped_column(
        ForeignKey("households.id", ondelete="SET NULL")
    )
    # A dotted verb such as "member.invited", "auth.sign_in_failed", "settings.smtp_changed".
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str | None] = mapped_column(String(32))
    object_id: Mapped[int | None] = mapped_column()
    details: Mapped[dict[str, Any] | None] = mapped_column(JSONText)
    ip_address: Mapped[str | None] = mapped_column(String(45))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
