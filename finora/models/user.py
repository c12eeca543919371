"""A person who signs in."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from finora.models.base import Base, UTCDateTime, utcnow

if TYPE_CHECKING:
    from finora.models.household import Membership

USER_STATUSES = ("pending", "active", "disabled")
LOCALES = ("pt", "en", "es")


class User(UserMixin, Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'active', 'disabled')", name="status"),
        CheckConstraint("locale IN ('pt', 'en', 'es')", name="locale"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    locale: Mapped[str] = mapped_column(String(5), default="pt")
    status: Mapped[str] = mapped_column(String(16), default="pending")
    is_admin: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="Membership.id"
    )

    @property
    def is_active(self) -> bool:  # Flask-Login refuses sessions of inactive users
        return self.status == "active"

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"
