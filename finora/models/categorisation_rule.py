"""Categorisation rules: "when the description contains …, set the category, payee and
payment method" — applied in order (services/ledger/categorisation.py)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from finora.models.base import Base, UTCDateTime, utcnow
from finora.money import Cents

RULE_NAME_MAX = 100
RULE_PATTERN_MAX = 200
RULE_TAGS_MAX = 200
MATCH_FIELDS = ("description", "payee", "either")
MATCH_KINDS = ("contains", "starts_with", "regex")
ENTRY_KINDS = ("any", "expense", "income")


class CategorisationRule(Base):
    __tablename__ = "categorisation_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(RULE_NAME_MAX))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    match_field: Mapped[str] = mapped_column(String(16), default="description")
    match_kind: Mapped[str] = mapped_column(String(16), default="contains")
    pattern: Mapped[str] = mapped_column(String(RULE_PATTERN_MAX))
    min_amount: Mapped[Decimal | None] = mapped_column(Cents)
    max_amount: Mapped[Decimal | None] = mapped_column(Cents)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    entry_kind: Mapped[str] = mapped_column(String(8), default="any")
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id", ondelete="SET NULL"), index=True)
    payee_name: Mapped[str | None] = mapped_column(String(100))
    payment_method: Mapped[str | None] = mapped_column(String(16))
    # Tags the rule adds (comma-separated names), imports only: see the service's docstring.
    tags: Mapped[str | None] = mapped_column(String(RULE_TAGS_MAX))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
