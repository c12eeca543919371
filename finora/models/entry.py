"""Ledger entries (income and expenses) and transfers between accounts."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    exists,
)
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from finora.models.account import Account
from finora.models.base import Base, UTCDateTime, utcnow
from finora.models.category import Category
from finora.models.entry_split import EntrySplit
from finora.models.tag import Payee, Tag
from finora.money import Cents

PAYMENT_METHODS = ("credit_card", "debit_card", "bank_transfer", "cash", "other")


class Entry(Base):
    __tablename__ = "entries"
    __table_args__ = (
        CheckConstraint("kind IN ('income', 'expense')", name="kind"),
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint(
            "payment_method IN ('credit_card', 'debit_card', 'bank_transfer', 'cash', 'other')",
            name="payment_method",
        ),
        # The month dashboard and year view read date ranges of one household.
        Index("ix_entries_household_date", "household_id", "date"),
        # The Transactions page's keyset pages by amount and by description.
        Index("ix_entries_household_amount", "household_id", "amount", "id"),
        Index("ix_entries_household_description", "household_id", "description", "id"),
        # Account balances sum paid entries per account.
        Index("ix_entries_account_paid", "account_id", "paid_on", "kind", "amount"),
        # A rule's occurrence is posted once, however many processes try at the same time.
        UniqueConstraint("rule_id", "occurrence_date"),
        # An imported row (the bank's id, or a fingerprint) lands once per account.
        UniqueConstraint("account_id", "import_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="RESTRICT"))
    kind: Mapped[str] = mapped_column(String(8))
    amount: Mapped[Decimal] = mapped_column(Cents)
    date: Mapped[date] = mapped_column(Date)
    paid_on: Mapped[date | None] = mapped_column(Date)
    description: Mapped[str] = mapped_column(String(200))
    notes: Mapped[str | None] = mapped_column(Text)
    category_id: Mapped[int] = mapped_column(
        ForeignKey("categories.id", ondelete="RESTRICT"), index=True
    )
    subcategory_id: Mapped[int | None] = mapped_column(
        ForeignKey("categories.id", ondelete="RESTRICT"), index=True
    )
    payment_method: Mapped[str] = mapped_column(String(16), default="other")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Set when a recurring rule posted this entry; the rule's deletion keeps the entry.
    rule_id: Mapped[int | None] = mapped_column(
        ForeignKey("recurring_rules.id", ondelete="SET NULL")
    )
    occurrence_date: Mapped[date | None] = mapped_column(Date)
    # Set when an import added this entry (undo removes the batch's entries) or matched it.
    import_batch_id: Mapped[int | None] = mapped_column(
        ForeignKey("import_batches.id", ondelete="SET NULL"), index=True
    )
    import_key: Mapped[str | None] = mapped_column(String(64))
    # An installment purchase ("12x" on a credit card, docs/cards.md): the entries of one
    # purchase share a group id; installment_number is k of installment_count.
    installment_group: Mapped[str | None] = mapped_column(String(32), index=True)
    installment_number: Mapped[int | None] = mapped_column(SmallInteger)
    installment_count: Mapped[int | None] = mapped_column(SmallInteger)
    # Who was paid or paid (see models/tag.py); a payee merged away or deleted leaves none.
    payee_id: Mapped[int | None] = mapped_column(
        ForeignKey("payees.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    account: Mapped[Account] = relationship(lazy="joined", innerjoin=True)
    category: Mapped[Category] = relationship(foreign_keys=[category_id], lazy="joined", innerjoin=True)
    subcategory: Mapped[Category | None] = relationship(foreign_keys=[subcategory_id], lazy="joined")
    # A split entry's category lines (finora/services/ledger/splits.py writes them); while
    # split, `category_id` holds the first line's category and no aggregate reads it.
    splits: Mapped[list[EntrySplit]] = relationship(
        order_by=EntrySplit.position, cascade="all, delete-orphan", passive_deletes=True
    )
    # Lists show a split marker without loading the lines: one indexed EXISTS per row.
    is_split: Mapped[bool] = column_property(
        exists().where(EntrySplit.entry_id == id).correlate_except(EntrySplit)
    )
    payee: Mapped[Payee | None] = relationship(lazy="joined")
    # Loaded on demand; lists load them for a page at once (selectinload: one query).
    tags: Mapped[list[Tag]] = relationship(secondary="entry_tags", order_by="Tag.name_key")

    def status(self, today: date) -> str:
        """paid, pending or overdue: derived, never stored."""
        if self.paid_on is not None:
            return "paid"
        return "overdue" if self.date < today else "pending"

    def shown_status(self, today: date) -> str:
        """The status as a list shows it: income is "received", or "not_received" once its
        date has passed (money not yet in is not a late bill); expenses as status()."""
        status = self.status(today)
        if self.kind == "income":
            return {"paid": "received", "overdue": "not_received"}.get(status, status)
        return status

    def __repr__(self) -> str:
        return f"<Entry {self.id} {self.kind} {self.amount} {self.date}>"


class Transfer(Base):
    __tablename__ = "transfers"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("from_account_id <> to_account_id", name="distinct_accounts"),
        Index("ix_transfers_household_date", "household_id", "date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"))
    from_account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="RESTRICT"), index=True
    )
    to_account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="RESTRICT"), index=True
    )
    amount: Mapped[Decimal] = mapped_column(Cents)
    date: Mapped[date] = mapped_column(Date)
    description: Mapped[str | None] = mapped_column(String(200))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    from_account: Mapped[Account] = relationship(foreign_keys=[from_account_id], lazy="joined")
    to_account: Mapped[Account] = relationship(foreign_keys=[to_account_id], lazy="joined")
