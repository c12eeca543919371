"""Backups: one row per archive file on disk, and each household's backup schedule."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from finora.models.audit import JSONText
from finora.models.base import Base, UTCDateTime, utcnow

BACKUP_KINDS = ("manual", "scheduled", "pre_restore", "pre_update")
BACKUP_SCOPES = ("household", "instance")
BACKUP_STORAGES = ("portable", "sqlite")
SCHEDULE_FREQUENCIES = ("daily", "weekly", "monthly")


class Backup(Base):
    """An archive under <BACKUP_STORAGE_DIR>/<household id>/ (or instance/): the file is
    the backup, this row is its index card (what, when, who, size, checksum, last check).

    A household backup is portable (manifest.json + JSON Lines per table); an instance
    backup is the SQLite file (online backup API) or, on PostgreSQL and MariaDB, the same
    portable format covering every table."""

    __tablename__ = "backups"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('manual', 'scheduled', 'pre_restore', 'pre_update')", name="kind"
        ),
        CheckConstraint("scope IN ('household', 'instance')", name="scope"),
        CheckConstraint("storage IN ('portable', 'sqlite')", name="storage"),
        CheckConstraint(
            "(scope = 'household') = (household_id IS NOT NULL)", name="scope_household"
        ),
        Index("ix_backups_household_created", "household_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # NULL for an instance backup.
    household_id: Mapped[int | None] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE")
    )
    scope: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16))
    storage: Mapped[str] = mapped_column(String(16), default="portable")
    # Random and dated, never personal: "finora-20261205T220401Z-3f9a1c2b7d.zip[.enc]".
    file_name: Mapped[str] = mapped_column(String(100), unique=True)
    encrypted: Mapped[bool] = mapped_column(default=False)
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    # sha256 of the whole file as written (what `verify` and downloads check against).
    sha256: Mapped[str] = mapped_column(String(64))
    # Rows per table, from the manifest (None for a SQLite instance file).
    counts: Mapped[dict | None] = mapped_column(JSONText)
    app_version: Mapped[str] = mapped_column(String(32))
    migration_head: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    # The last verification: when, and its outcome (None: never checked since written).
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    verified_ok: Mapped[bool | None] = mapped_column()
    verify_error: Mapped[str | None] = mapped_column(Text)

    def __repr__(self) -> str:
        return f"<Backup {self.id} {self.scope} {self.kind} {self.file_name}>"


class BackupSchedule(Base):
    """A household's automatic backups: daily, weekly (on a weekday) or monthly (on a day,
    the month's last day when shorter) at a local time in the household's time zone.
    `next_run_at` is that moment in UTC, recomputed after every run."""

    __tablename__ = "backup_schedules"
    __table_args__ = (
        CheckConstraint("frequency IN ('daily', 'weekly', 'monthly')", name="frequency"),
        CheckConstraint("weekday IS NULL OR (weekday >= 0 AND weekday <= 6)", name="weekday"),
        CheckConstraint(
            "day_of_month IS NULL OR (day_of_month >= 1 AND day_of_month <= 31)",
            name="day_of_month",
        ),
        CheckConstraint(
            "retention_count >= 1 AND retention_count <= 100", name="retention_count"
        ),
        Index("ix_backup_schedules_due", "enabled", "next_run_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE"), unique=True
    )
    enabled: Mapped[bool] = mapped_column(default=True)
    frequency: Mapped[str] = mapped_column(String(16), default="daily")
    weekday: Mapped[int | None] = mapped_column()  # 0 = Monday, for weekly
    day_of_month: Mapped[int | None] = mapped_column()  # 1-31, for monthly
    at_time: Mapped[str] = mapped_column(String(5), default="03:00")  # local "HH:MM"
    retention_count: Mapped[int] = mapped_column(default=20)
    next_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<BackupSchedule {self.household_id} {self.frequency} {self.at_time}>"
