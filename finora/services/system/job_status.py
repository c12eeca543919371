"""What the admin status page shows about each scheduled job."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from finora.models import Household, JobRun
from finora.translation import lazy_gettext as _l

# What each scheduled job (finora.jobs.JOBS) is called on the status page and in the trail.
JOB_LABELS = {
    "post_recurring": _l("Post recurring entries"),
    "purge_audit_events": _l("Delete old activity records"),
    "purge_old_sessions": _l("Delete old sign-in sessions"),
    "purge_used_form_tokens": _l("Delete used form tokens"),
    "purge_unconfirmed_sign_ups": _l("Delete sign-ups never confirmed"),
    "purge_import_staging": _l("Delete unfinished import uploads"),
    "run_scheduled_backups": _l("Make scheduled backups"),
    "check_for_updates": _l("Check for updates"),
    "purge_expired_demos": _l("Delete expired demos"),
    "email_import": _l("Import balances from bank e-mails"),
}


def job_label(job: str) -> str:
    """A job's name in the reader's language; an unknown one is shown as recorded."""
    label = JOB_LABELS.get(job)
    return str(label) if label is not None else job


@dataclass(frozen=True)
class HouseholdFailure:
    household_id: int | None
    household_name: str | None
    run: JobRun


@dataclass(frozen=True)
class JobStatus:
    job: str
    last_run: JobRun | None
    last_success: JobRun | None
    # The households whose part of the last run failed (rolled back; the others posted).
    failures: list[HouseholdFailure] = field(default_factory=list)

    @property
    def label(self) -> str:
        return job_label(self.job)


def job_statuses(session: Session, jobs: list[str]) -> list[JobStatus]:
    result = []
    for job in jobs:  # a handful of jobs: three indexed lookups each
        latest = (
            select(JobRun)
            .where(JobRun.job == job, JobRun.household_id.is_(None))
            .order_by(JobRun.started_at.desc(), JobRun.id.desc())
            .limit(1)
        )
        last_run = session.scalar(latest)
        failures = []
        if last_run is not None:
            rows = session.execute(
                select(JobRun, Household.name)
                .join(Household, Household.id == JobRun.household_id)
                .where(JobRun.job == job, JobRun.started_at >= last_run.started_at)
                .order_by(JobRun.household_id)
            )
            failures = [HouseholdFailure(run.household_id, name, run) for run, name in rows]
        result.append(
            JobStatus(
                job,
                last_run,
                session.scalar(latest.where(JobRun.status == "success")),
                failures,
            )
        )
    return result
