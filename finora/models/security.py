"""Sign-in security records of a user: sessions, reset tokens, backup codes, passkeys, API tokens,
failed sign-ins per source address, recovery keys waiting to be shown and sign-up
address confirmations.

Every token is stored as a hash only (SHA-256 hex for random high-entropy tokens, see
finora.crypto.hash_token), and every row dies with its user.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import (
    VARBINARY,
    BigInteger,
    CheckConstraint,
    ForeignKey,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from finora.models.base import Base, UTCDateTime, utcnow

# WebAuthn credential ids are at most 1023 bytes. MySQL/MariaDB cannot index a BLOB, so
# there it is a VARBINARY, which fits the 3072-byte InnoDB index limit (SQLAlchemy's own
# VARBINARY, the type sqlalchemy.dialects.mysql names too: that dialect is not loaded here).
CREDENTIAL_ID = LargeBinary(1023).with_variant(VARBINARY(1023), "mysql", "mariadb")


class UserSession(Base):
    """One sign-in (browser or device); checked on every request, revocable."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # SHA-256 hex of the random session token kept in the signed cookie.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # Human label such as "Firefox on Linux", and the raw User-Agent it came from.
    label: Mapped[str] = mapped_column(String(120), default="")
    user_agent: Mapped[str | None] = mapped_column(String(255))
    ip_address: Mapped[str | None] = mapped_column(String(45))
    remember: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PasswordResetToken(Base):
    """A one-hour, single-use password reset link."""

    __tablename__ = "password_reset_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class BackupCode(Base):
    """A single-use two-factor backup code (ten per user), stored as a keyed hash."""

    __tablename__ = "backup_codes"
    # The unique key also serves "find this user's code" and the foreign key's index.
    __table_args__ = (UniqueConstraint("user_id", "code_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Passkey(Base):
    """A named WebAuthn credential; a user may have several."""

    __tablename__ = "passkeys"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    credential_id: Mapped[bytes] = mapped_column(CREDENTIAL_ID, unique=True)
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    # An unsigned 32-bit counter: too big for a signed INTEGER.
    sign_count: Mapped[int] = mapped_column(BigInteger, default=0)
    # Comma-separated AuthenticatorTransport values ("internal,hybrid"), None if unknown.
    transports: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def transport_list(self) -> list[str]:
        return [t for t in (self.transports or "").split(",") if t]


API_TOKEN_SCOPES = ("read", "write")
DEFAULT_TOKEN_LIFETIME = timedelta(days=30)


def _default_expiry() -> datetime:
    return utcnow() + DEFAULT_TOKEN_LIFETIME


# "login": made by POST /api/v1/auth/login (a device signing in); "personal": made by its
# owner in the profile, named, for scripts.
API_TOKEN_KINDS = ("login", "personal")


class ApiToken(Base):
    """An API token acting for one user in one household; only its SHA-256 is kept. It dies
    when it expires, is revoked (logout, the profile, a password change), or its user is no
    longer active or no longer a member of the household (checked on every request)."""

    __tablename__ = "api_tokens"
    __table_args__ = (
        CheckConstraint("scope IN ('read', 'write')", name="scope"),
        CheckConstraint("kind IN ('login', 'personal')", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    household_id: Mapped[int] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The service sets it from API_TOKEN_TTL_DAYS; a row made without it lives 30 days.
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_default_expiry)
    scope: Mapped[str] = mapped_column(String(5), default="write", server_default="write")
    kind: Mapped[str] = mapped_column(String(10), default="login", server_default="login")

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class SignInFailure(Base):
    """Failed password checks of one account from one source address, and that pair's lock.

    Locking the pair rather than the account means a stranger guessing from one place cannot
    lock the owner out where the owner signs in from (finora.services.people.auth)."""

    __tablename__ = "sign_in_failures"
    # The unique key also serves "this user's rows" and the foreign key's index.
    __table_args__ = (UniqueConstraint("user_id", "source"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # The client address (an IPv6 address as its /64 network): at most 45 characters.
    source: Mapped[str] = mapped_column(String(45))
    failures: Mapped[int] = mapped_column(default=0, server_default="0")
    last_failed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class RecoveryKeyDisplay(Base):
    """A new recovery key waiting to be shown once: Fernet-encrypted, found by the SHA-256 of
    a random reference kept in the browser's session, deleted when shown or expired."""

    __tablename__ = "recovery_key_displays"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    reference_hash: Mapped[str] = mapped_column(String(64), unique=True)
    encrypted_key: Mapped[str] = mapped_column(Text)
    # A key that was never the user's: shown to a sign-up for an address that already has
    # an account, so that the answer is the same as for a new one (no account enumeration).
    decoy: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class EmailVerification(Base):
    """A 48-hour, single-use link that confirms a sign-up's address (open mode with mail):
    the account stays pending until it is followed."""

    __tablename__ = "email_verifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
