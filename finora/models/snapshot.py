"""A known balance of an account on a day (set by hand, or from an e-mail or a statement)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from finora.models.base import Base, UTCDateTime, utcnow
from finora.money import Cents

SNAPSHOT_SOURCES = ("manual", "email", "import")


class BalanceSnapshot(Base):
    __tablename__ = "balance_snapshots"
    __table_args__ = (
        UniqueConstraint("account_id", "external_ref"),
        CheckConstraint("source IN ('manual', 'email', 'import')", name="source"),
        Index("ix_balance_snapshots_account_date", "account_id", "date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    date: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Cents)
    source: Mapped[str] = mapped_column(String(8), default="manual")
    external_ref: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
