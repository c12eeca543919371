"""Form tokens already used: each rendered create or edit form may be submitted once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from finora.models.base import Base, UTCDateTime, utcnow


class UsedFormToken(Base):
    """The random part of a form token, stored by the submission that used it.

    The unique key is what refuses a double click or a replay, also when both arrive at
    the same moment in two processes (finora.services.system.form_tokens)."""

    __tablename__ = "used_form_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    nonce: Mapped[str] = mapped_column(String(32), unique=True)
    household_id: Mapped[int] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # The daily purge deletes rows once their token has expired anyway.
    used_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
