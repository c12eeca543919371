"""Free tags on entries, and payees: who an entry's money went to or came from."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from finora.models.base import Base, UTCDateTime, utcnow

TAG_NAME_MAX = 50
PAYEE_NAME_MAX = 100
PATTERN_MAX = 200


class Tag(Base):
    """A household's tag. `name_key` is the case-folded name: "Trip" and "trip" are one tag
    on every engine (MariaDB's collation folds case, SQLite's and PostgreSQL's do not)."""

    __tablename__ = "tags"
    __table_args__ = (UniqueConstraint("household_id", "name_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(TAG_NAME_MAX))
    name_key: Mapped[str] = mapped_column(String(TAG_NAME_MAX))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class EntryTag(Base):
    """An entry carries a tag. Its own id lets backups and undo handle it like every row."""

    __tablename__ = "entry_tags"
    __table_args__ = (UniqueConstraint("entry_id", "tag_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id", ondelete="CASCADE"))
    tag_id: Mapped[int] = mapped_column(ForeignKey("tags.id", ondelete="CASCADE"), index=True)


class Payee(Base):
    """Who an entry paid or was paid by ("Uber"), however the bank spells it."""

    __tablename__ = "payees"
    __table_args__ = (UniqueConstraint("household_id", "name_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(PAYEE_NAME_MAX))
    name_key: Mapped[str] = mapped_column(String(PAYEE_NAME_MAX))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PayeePattern(Base):
    """A normalised description ("uber trip") the user tied to a payee: an imported row
    whose description normalises to it (or starts with it) gets that payee."""

    __tablename__ = "payee_patterns"
    __table_args__ = (UniqueConstraint("household_id", "pattern"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"))
    payee_id: Mapped[int] = mapped_column(ForeignKey("payees.id", ondelete="CASCADE"), index=True)
    pattern: Mapped[str] = mapped_column(String(PATTERN_MAX))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    payee: Mapped[Payee] = relationship()
