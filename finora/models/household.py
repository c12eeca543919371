"""A household owns every finance row; memberships give users a role in it."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from finora.models.base import Base, UTCDateTime, utcnow
from finora.money import Cents

if TYPE_CHECKING:
    from finora.models.user import User

ROLES = ("owner", "editor", "viewer")


class Household(Base):
    __tablename__ = "households"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    currency: Mapped[str] = mapped_column(String(3))
    timezone: Mapped[str] = mapped_column(String(64))
    country: Mapped[str | None] = mapped_column(String(2))
    # The forecast warns of the first day the projected balance falls below it (None: off).
    minimum_safe_balance: Mapped[Decimal | None] = mapped_column(Cents)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A demo household (DEMO_MODE_ENABLED): deleted with its demo user once this has passed.
    demo_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="household", cascade="all, delete-orphan", order_by="Membership.id"
    )

    def __repr__(self) -> str:
        return f"<Household {self.id} {self.name}>"


class Membership(Base):
    __tablename__ = "memberships"
    __table_args__ = (
        UniqueConstraint("user_id", "household_id"),
        CheckConstraint("role IN ('owner', 'editor', 'viewer')", name="role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    household_id: Mapped[int] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(back_populates="memberships")
    household: Mapped[Household] = relationship(back_populates="memberships")
