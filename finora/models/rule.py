"""Recurring rules (the ledger's repeating entries and the forecast's schedules) and skips."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from finora.models.account import Account
from finora.models.base import Base, UTCDateTime, utcnow
from finora.models.category import Category
from finora.money import Cents

FREQUENCIES = ("once", "daily", "weekly", "biweekly", "monthly", "quarterly", "yearly")
BUSINESS_DAY_POLICIES = ("none", "previous", "next")


class RecurringRule(Base):
    __tablename__ = "recurring_rules"
    __table_args__ = (
        CheckConstraint("kind IN ('income', 'expense')", name="kind"),
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint(
            "frequency IN ('once', 'daily', 'weekly', 'biweekly', 'monthly', 'quarterly', 'yearly')",
            name="frequency",
        ),
        CheckConstraint("business_day_policy IN ('none', 'previous', 'next')", name="policy"),
        CheckConstraint("end_date IS NULL OR end_date >= anchor_date", name="end_after_anchor"),
        Index("ix_recurring_rules_household_id", "household_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(8))
    amount: Mapped[Decimal] = mapped_column(Cents)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="RESTRICT"), index=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id", ondelete="RESTRICT"))
    subcategory_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id", ondelete="RESTRICT"))
    payment_method: Mapped[str] = mapped_column(String(16), default="other")
    frequency: Mapped[str] = mapped_column(String(16))
    anchor_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    business_day_policy: Mapped[str] = mapped_column(String(8))
    hold_until: Mapped[date | None] = mapped_column(Date)
    auto_post: Mapped[bool] = mapped_column(default=True)
    mark_paid: Mapped[bool] = mapped_column(default=False)
    is_scenario: Mapped[bool] = mapped_column(default=False)
    # Occurrences (unadjusted dates) up to this day have been handled by the posting job;
    # editing a rule therefore changes only the occurrences after it.
    posted_through: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    account: Mapped[Account] = relationship(lazy="joined", innerjoin=True)
    category: Mapped[Category] = relationship(foreign_keys=[category_id], lazy="joined", innerjoin=True)
    subcategory: Mapped[Category | None] = relationship(foreign_keys=[subcategory_id], lazy="joined")

    def __repr__(self) -> str:
        return f"<RecurringRule {self.id} {self.name} {self.frequency}>"


class Skip(Base):
    """One occurrence of a rule left out, keyed by the rule and the unadjusted date."""

    __tablename__ = "skips"
    __table_args__ = (UniqueConstraint("rule_id", "occurrence_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"), index=True)
    rule_id: Mapped[int] = mapped_column(ForeignKey("recurring_rules.id", ondelete="CASCADE"))
    occurrence_date: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
