"""Accounts: where money is kept (checking, savings, card, cash, investment, other)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, SmallInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from finora.models.base import Base, UTCDateTime, utcnow
from finora.money import ZERO, Cents

ACCOUNT_KINDS = ("checking", "savings", "credit_card", "cash", "investment", "other")
# The kinds the cash-flow forecast counts unless the owner says otherwise (DESIGN §4): the
# money a household pays its bills from. Savings, investment, credit-card and "other"
# accounts count only when the owner includes them (docs/forecast.md).
FORECAST_KINDS = frozenset({"checking", "cash"})


def counts_in_forecast_by_default(kind: str) -> bool:
    """Whether a new account of this kind is in the cash-flow forecast unless told otherwise."""
    return kind in FORECAST_KINDS


def _forecast_default(context) -> bool:
    """The column default: by the row's kind (the kind's own default is checking)."""
    return counts_in_forecast_by_default(context.get_current_parameters().get("kind") or "checking")


class Account(Base):
    __tablename__ = "accounts"
    __table_args__ = (
        UniqueConstraint("household_id", "name"),
        CheckConstraint(
            "kind IN ('checking', 'savings', 'credit_card', 'cash', 'investment', 'other')",
            name="kind",
        ),
        CheckConstraint("closing_day BETWEEN 1 AND 31", name="closing_day"),
        CheckConstraint("due_day BETWEEN 1 AND 31", name="due_day"),
        CheckConstraint("credit_limit >= 0", name="credit_limit"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(16), default="checking")
    opening_balance: Mapped[Decimal] = mapped_column(Cents, default=ZERO)
    opening_date: Mapped[date] = mapped_column(Date)
    include_in_forecast: Mapped[bool] = mapped_column(default=_forecast_default)
    archived: Mapped[bool] = mapped_column(default=False)
    # The household's primary account: where a balance set without naming an account goes
    # (the API's POST /balance). At most one per household (services keep it so); none set
    # means the first checking account.
    is_primary: Mapped[bool] = mapped_column(default=False, server_default="0")
    # The number a bank statement names (IBAN, or branch and account): an import of a file
    # that names it pre-selects this account. Learnt from the first import of such a file.
    number: Mapped[str | None] = mapped_column(String(64), index=True)
    # Credit cards (docs/cards.md): the day of the month the statement closes and the day
    # it is due (each clamped to the month's length), and the optional limit. Statements
    # exist only for a credit-card account with both days set; they are computed, not stored
    # (finora.services.ledger.card_statements).
    closing_day: Mapped[int | None] = mapped_column(SmallInteger)
    due_day: Mapped[int | None] = mapped_column(SmallInteger)
    credit_limit: Mapped[Decimal | None] = mapped_column(Cents)
    # The account a card's statements are paid from (a checking or other account of the same
    # household, not a card); None: the household's primary account. Read through
    # finora.services.ledger.accounts.paying_account, which falls back to the primary
    # account while this one is archived or no longer eligible.
    payment_account_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def has_statements(self) -> bool:
        """A credit-card account with a closing and a due day: purchases fall into statements."""
        return self.kind == "credit_card" and self.closing_day is not None and self.due_day is not None

    def __repr__(self) -> str:
        return f"<Account {self.id} {self.name}>"
