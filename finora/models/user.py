"""A person who signs in."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from finora.models.base import Base, UTCDateTime, utcnow

if TYPE_CHECKING:
    from finora.models.household import Membership

USER_STATUSES = ("pending", "active", "disabled")
LOCALES = ("pt", "en", "es")
# Minutes of inactivity that end a session; None means no timeout.
SESSION_TIMEOUTS = (5, 10, 15, 30, 60)


class User(UserMixin, Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'active', 'disabled')", name="status"),
        CheckConstraint("locale IN ('pt', 'en', 'es')", name="locale"),
        CheckConstraint(
            "session_timeout_minutes IS NULL OR session_timeout_minutes IN (5, 10, 15, 30, 60)",
            name="session_timeout",
        ),
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
    # A demo visitor (no sign-up): never listed for approval, deleted with the demo household.
    demo_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)

    # Lockout (finora.services.people.auth): wrong passwords and codes since the last sign-in from
    # every source together; wrong second-factor codes since then; the end of the lock of
    # the whole account, which only wrong codes (someone who has the password) can set.
    failed_sign_ins: Mapped[int] = mapped_column(default=0, server_default="0")
    failed_codes: Mapped[int] = mapped_column(default=0, server_default="0")
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    session_timeout_minutes: Mapped[int | None] = mapped_column()
    # The time zone dates and times are shown in; None: the household's.
    timezone: Mapped[str | None] = mapped_column(String(64))
    # Ends older sessions, reset links and API tokens.
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # SHA-256 hex of the single-use recovery key; None once used or never made.
    recovery_key_hash: Mapped[str | None] = mapped_column(String(255))
    recovery_key_created_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # TOTP: the base32 secret encrypted with finora.crypto (Fernet token), enabled once
    # confirmed; the last accepted time step, so a code is never accepted twice.
    totp_secret: Mapped[str | None] = mapped_column(Text)
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    totp_last_step: Mapped[int | None] = mapped_column()

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="Membership.id"
    )

    @property
    def totp_enabled(self) -> bool:
        return self.totp_enabled_at is not None and self.totp_secret is not None

    @property
    def is_active(self) -> bool:  # Flask-Login refuses sessions of inactive users
        return self.status == "active"

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"
