"""The category lines of a split entry: each with its own category, amount and note."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from finora.models.base import Base
from finora.models.category import Category
from finora.money import Cents


class EntrySplit(Base):
    """One line of a split entry. The lines of an entry add up to its amount exactly;
    finora/services/ledger/splits.py is the only writer and keeps that true."""

    __tablename__ = "entry_splits"
    __table_args__ = (
        # Same sign rule as entries: the entry's kind says income or expense.
        CheckConstraint("amount > 0", name="amount_positive"),
        # Also the index the category aggregates use to join an entry's lines.
        UniqueConstraint("entry_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE"), index=True
    )
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column()
    category_id: Mapped[int] = mapped_column(
        ForeignKey("categories.id", ondelete="RESTRICT"), index=True
    )
    subcategory_id: Mapped[int | None] = mapped_column(
        ForeignKey("categories.id", ondelete="RESTRICT"), index=True
    )
    amount: Mapped[Decimal] = mapped_column(Cents)
    note: Mapped[str | None] = mapped_column(String(200))

    category: Mapped[Category] = relationship(foreign_keys=[category_id], lazy="joined", innerjoin=True)
    subcategory: Mapped[Category | None] = relationship(foreign_keys=[subcategory_id], lazy="joined")

    def __repr__(self) -> str:
        return f"<EntrySplit {self.id} entry={self.entry_id} {self.amount}>"
