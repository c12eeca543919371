"""What a household connects Finora to: mailboxes whose bank e-mails set an account's
balance (EmailImportConfig), and an OpenAI-compatible model that reads the forecast
(AiSettings) with the insights it last gave (AiInsight). Secrets are Fernet tokens
(finora.crypto), never shown again."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from finora.models.account import Account
from finora.models.base import Base, UTCDateTime, utcnow
from finora.money import Cents

IMAP_SECURITY = ("ssl", "starttls")


class EmailImportConfig(Base):
    """One mailbox search that sets one account's balance from a bank's e-mails."""

    __tablename__ = "email_import_configs"
    __table_args__ = (
        UniqueConstraint("household_id", "name"),
        CheckConstraint("security IN ('ssl', 'starttls')", name="security"),
        CheckConstraint("port > 0 AND port < 65536", name="port"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    host: Mapped[str] = mapped_column(String(255))
    port: Mapped[int] = mapped_column(Integer, default=993)
    security: Mapped[str] = mapped_column(String(8), default="ssl")
    username: Mapped[str] = mapped_column(String(255))
    password_encrypted: Mapped[str] = mapped_column(Text)  # a Fernet token
    folder: Mapped[str] = mapped_column(String(255), default="INBOX")
    subject: Mapped[str] = mapped_column(String(255))
    allowed_sender: Mapped[str] = mapped_column(String(254))
    start_delimiter: Mapped[str] = mapped_column(String(100))
    end_delimiter: Mapped[str] = mapped_column(String(100))
    enabled: Mapped[bool] = mapped_column(default=True)
    # The last run: when, whether it worked, what it read (an error is a code the page
    # translates, with a detail that never holds the password).
    last_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error_code: Mapped[str | None] = mapped_column(String(40))
    last_error_detail: Mapped[str | None] = mapped_column(String(255))
    last_amount: Mapped[Decimal | None] = mapped_column(Cents)
    last_message_date: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    account: Mapped[Account] = relationship(lazy="joined", innerjoin=True)


class AiSettings(Base):
    """A household's model: an OpenAI API key, the model (blank: AI_DEFAULT_MODEL) and an
    optional base URL for an OpenAI-compatible server."""

    __tablename__ = "ai_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE"), unique=True)
    api_key_encrypted: Mapped[str | None] = mapped_column(Text)  # a Fernet token
    model: Mapped[str] = mapped_column(String(100), default="")
    base_url: Mapped[str | None] = mapped_column(String(500))
    # Every refresh asked for (it may fail): the cooldown counts from here.
    last_refresh_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error_code: Mapped[str | None] = mapped_column(String(40))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class AiInsight(Base):
    """The insights one refresh returned (validated JSON), in the language asked for."""

    __tablename__ = "ai_insights"

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    model: Mapped[str] = mapped_column(String(100))
    locale: Mapped[str] = mapped_column(String(5))
    payload: Mapped[str] = mapped_column(Text)  # JSON: {"insights": [{"type", "title", "body"}]}
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
