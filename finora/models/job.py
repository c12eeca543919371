"""Scheduled jobs: the lease that elects one runner among processes, and each run's record."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from finora.models.base import Base, UTCDateTime, utcnow


class SchedulerLease(Base):
    __tablename__ = "scheduler_leases"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str | None] = mapped_column(String(128))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


JOB_STATUSES = ("running", "success", "error", "abandoned")


class JobRun(Base):
    """One run of a job; with `household_id`, that household's part of a run that failed
    (the run itself carries on with the other households and keeps household_id NULL).

    status: running | success | error | abandoned (still "running" when a later run found
    it: its process was killed or lost the lease mid-way)."""

    __tablename__ = "job_runs"
    __table_args__ = (
        CheckConstraint(
            "status IN ('running', 'success', 'error', 'abandoned')", name="status"
        ),
        Index("ix_job_runs_job_started", "job", "started_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(64))
    holder: Mapped[str] = mapped_column(String(128))
    household_id: Mapped[int | None] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE"), index=True
    )
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default="running")
    items: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(Text)
