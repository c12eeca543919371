"""Budgets per category or subcategory; goals with their contributions."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from finora.models.base import Base, UTCDateTime, utcnow
from finora.models.category import Category
from finora.money import Cents

BUDGET_PERIODS = ("monthly", "yearly")


class Budget(Base):
    __tablename__ = "budgets"
    __table_args__ = (
        UniqueConstraint("household_id", "category_id", "period"),
        CheckConstraint("period IN ('monthly', 'yearly')", name="period"),
        CheckConstraint("amount > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"), index=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id", ondelete="CASCADE"))
    period: Mapped[str] = mapped_column(String(8))
    amount: Mapped[Decimal] = mapped_column(Cents)
    # Rollover (services/planning/budget_rollover.py): what a period leaves (or overspends)
    # is carried into the next one. `rollover_since` is the first day of the first period
    # that receives a carry, `rollover_opening` what it receives; both are reset when the
    # setting is switched on and whenever the amount or the period changes, so a new limit
    # never rewrites what earlier periods carried.
    rollover: Mapped[bool] = mapped_column(default=False, server_default="0")
    rollover_since: Mapped[date | None] = mapped_column(Date)
    rollover_opening: Mapped[Decimal] = mapped_column(Cents, default=Decimal(0), server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    category: Mapped[Category] = relationship(lazy="joined", innerjoin=True)


class Goal(Base):
    __tablename__ = "goals"
    __table_args__ = (CheckConstraint("target_amount > 0", name="target_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    target_amount: Mapped[Decimal] = mapped_column(Cents)
    target_date: Mapped[date | None] = mapped_column(Date)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class GoalContribution(Base):
    __tablename__ = "goal_contributions"
    __table_args__ = (CheckConstraint("amount <> 0", name="amount_nonzero"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"), index=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("goals.id", ondelete="CASCADE"), index=True)
    date: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Cents)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
