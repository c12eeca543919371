"""What the admin status page shows about each scheduled job."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from finora.models import JobRun


@dataclass(frozen=True)
class JobStatus:
    job: str
    last_run: JobRun | None
    last_success: JobRun | None


def job_statuses(session: Session, jobs: list[str]) -> list[JobStatus]:
    result = []
    for job in jobs:  # a handful of jobs: two indexed lookups each
        latest = select(JobRun).where(JobRun.job == job).order_by(JobRun.started_at.desc()).limit(1)
        result.append(
            JobStatus(
                job,
                session.scalar(latest),
                session.scalar(latest.where(JobRun.status == "success")),
            )
        )
    return result
