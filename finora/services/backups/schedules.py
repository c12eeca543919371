"""Each household's automatic backups: when the next one is due (a local wall time in the
household's time zone, DST included), saving the schedule, and the job that makes them.

Times are computed in the household's zone and stored in UTC: a schedule computed in UTC
but shown in local time drifts by an hour twice a year (the app this one replaces did)."""

from __future__ import annotations

import calendar
import logging
import re
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from finora.dates import now_utc
from finora.errors import FieldError, FinoraError
from finora.models import Backup, BackupSchedule, Household, JobRun
from finora.models.backup import SCHEDULE_FREQUENCIES
from finora.services.backups.store import create_household_backup, prune_scheduled
from finora.services.system.audit import record
from finora.translation import lazy_gettext as _l

log = logging.getLogger("finora.backups")

JOB = "run_scheduled_backups"
RETENTION_MIN, RETENTION_MAX = 1, 100
_AT_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
# Far enough for any frequency (a monthly slot is at most 31 days away); a schedule with no
# slot in that span cannot exist, so running out of it is a bug, not a user error.
_SEARCH_DAYS = 400
# Gaps in local time are an hour (or half an hour) today; a whole skipped day has happened
# (Samoa, 2011), so the search for the first valid minute after one goes that far.
_GAP_MINUTES = 26 * 60
_LAST_ERROR_LENGTH = 500
# A quarter of the scheduler lease's lifetime (finora.jobs.LEASE_TTL, two minutes).
_RENEW_EVERY = timedelta(seconds=30)


def _slot_on(day: date, schedule: BackupSchedule) -> bool:
    if schedule.frequency == "daily":
        return True
    if schedule.frequency == "weekly":
        return day.weekday() == schedule.weekday
    if schedule.day_of_month is None:  # no form saves that: next_run_at finds no slot
        return False
    last_day = calendar.monthrange(day.year, day.month)[1]
    return day.day == min(schedule.day_of_month, last_day)


def _exists(wall: datetime, zone: ZoneInfo) -> bool:
    """False for a wall time skipped by a DST change (spring forward)."""
    back = wall.astimezone(UTC).astimezone(zone)
    return back.replace(tzinfo=None) == wall.replace(tzinfo=None)


def local_moment(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of the wall time `at` on `day` in `zone`: an ambiguous time (fall
    back) is its first occurrence; a skipped one (spring forward), the first minute that
    exists after it (02:30 in a gap from 02:00 to 03:00 becomes 03:00)."""
    wall = datetime.combine(day, at).replace(tzinfo=zone, fold=0)
    step = 0
    while not _exists(wall, zone):
        step += 1
        if step > _GAP_MINUTES:
            raise ValueError(f"no valid local time after {day} {at} in {zone.key}")
        naive = datetime.combine(day, at) + timedelta(minutes=step)
        wall = naive.replace(tzinfo=zone, fold=0)
    return wall.astimezone(UTC)


def parse_at_time(value: str | time) -> time:
    if isinstance(value, time):
        return value.replace(second=0, microsecond=0, tzinfo=None)
    found = _AT_TIME.match(value.strip()) if isinstance(value, str) else None
    if not found:
        raise FieldError("at_time", _l("Enter a time as HH:MM, from 00:00 to 23:59."))
    return time(int(found.group(1)), int(found.group(2)))


def next_run_at(schedule: BackupSchedule, tz: str, after: datetime) -> datetime:
    """The schedule's first slot strictly after `after` (aware), in UTC.

    Each candidate day is a calendar day in `tz`; its slot is `at_time` there. Starting a
    day early catches a slot pushed past midnight by a gap."""
    zone = ZoneInfo(tz)
    at = parse_at_time(schedule.at_time)
    day = after.astimezone(zone).date() - timedelta(days=1)
    for _ in range(_SEARCH_DAYS):
        if _slot_on(day, schedule):
            moment = local_moment(day, at, zone)
            if moment > after:
                return moment
        day += timedelta(days=1)
    raise ValueError(f"no backup slot within {_SEARCH_DAYS} days for {schedule!r}")


def get_schedule(session: Session, household_id: int) -> BackupSchedule | None:
    return session.scalar(
        select(BackupSchedule).where(BackupSchedule.household_id == household_id)
    )


def reschedule(session: Session, household: Household) -> None:
    """Recompute the next run after the household's time zone changed (settings saved, a
    restore replacing them), so 03:00 stays 03:00 on the household's clock."""
    schedule = get_schedule(session, household.id)
    if schedule is not None and schedule.enabled:
        schedule.next_run_at = next_run_at(schedule, household.timezone, now_utc())
        session.flush()


def _whole_number(value, field: str, low: int, high: int, message) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise FieldError(field, message) from None
    if isinstance(value, bool) or not low <= number <= high or str(number) != str(value).strip():
        raise FieldError(field, message)
    return number


def save_schedule(
    session: Session,
    household: Household,
    *,
    enabled: bool,
    frequency: str,
    weekday: int | None,
    day_of_month: int | None,
    at_time: str | time,
    retention_count: int,
) -> BackupSchedule:
    """Create or change the household's schedule (validated, audited; flushed, not
    committed). The next run is computed at once, in the household's time zone; the
    field a frequency does not use is cleared (a daily schedule keeps no weekday)."""
    if frequency not in SCHEDULE_FREQUENCIES:
        raise FieldError("frequency", _l("Choose daily, weekly or monthly."))
    if frequency == "weekly":
        weekday = _whole_number(weekday, "weekday", 0, 6, _l("Choose a day of the week."))
    else:
        weekday = None
    if frequency == "monthly":
        day_of_month = _whole_number(
            day_of_month, "day_of_month", 1, 31, _l("Enter a day of the month from 1 to 31.")
        )
    else:
        day_of_month = None
    at = parse_at_time(at_time)
    retention_count = _whole_number(
        retention_count, "retention_count", RETENTION_MIN, RETENTION_MAX,
        _l("Keep from %(low)s to %(high)s scheduled backups.", low=RETENTION_MIN, high=RETENTION_MAX),
    )
    schedule = get_schedule(session, household.id)
    if schedule is None:
        schedule = BackupSchedule(household_id=household.id)
        session.add(schedule)
    schedule.enabled = bool(enabled)
    schedule.frequency = frequency
    schedule.weekday = weekday
    schedule.day_of_month = day_of_month
    schedule.at_time = at.strftime("%H:%M")
    schedule.retention_count = retention_count
    schedule.next_run_at = (
        next_run_at(schedule, household.timezone, now_utc()) if schedule.enabled else None
    )
    session.flush()
    record(
        session, "backup.schedule_saved", household_id=household.id,
        object_type="backup_schedule", object_id=schedule.id,
        details={
            "enabled": schedule.enabled, "frequency": frequency, "weekday": weekday,
            "day_of_month": day_of_month, "at_time": schedule.at_time,
            "retention_count": retention_count,
        },
    )
    session.flush()
    return schedule


def _short_error(error: Exception) -> str:
    """What the owner's backup centre and the status page show: the class and the message,
    cut short (the server log has the traceback). Passphrases never reach here: a
    scheduled backup has none."""
    text = str(error) if isinstance(error, FinoraError) else f"{error.__class__.__name__}: {error}"
    return text[:_LAST_ERROR_LENGTH]


def _due(session: Session, now: datetime) -> list[tuple[int, int, datetime, str]]:
    rows = session.execute(
        select(
            BackupSchedule.id, BackupSchedule.household_id, BackupSchedule.next_run_at,
            Household.timezone,
        )
        .join(Household, Household.id == BackupSchedule.household_id)
        .where(BackupSchedule.enabled.is_(True), BackupSchedule.next_run_at <= now)
        .order_by(BackupSchedule.next_run_at, BackupSchedule.id)
    ).all()
    # (The WHERE leaves no slot NULL; the column allows it.)
    return [(row_id, household_id, slot, tz) for row_id, household_id, slot, tz in rows if slot is not None]


def _claim(
    session: Session, schedule_id: int, slot: datetime, following: datetime | None, now: datetime
) -> bool:
    """Take this slot: one conditional UPDATE moves next_run_at on only if it still holds
    the value read, so of two processes (or a run overlapping a late one) exactly one
    makes the backup. Committed at once: the claim stands even if the backup fails."""
    try:
        result = session.execute(
            update(BackupSchedule)
            .where(
                BackupSchedule.id == schedule_id,
                BackupSchedule.enabled.is_(True),
                BackupSchedule.next_run_at == slot,
            )
            .values(next_run_at=following, last_run_at=now)
            .execution_options(synchronize_session=False)
        )
        session.commit()
    except DBAPIError:
        # A lock held by the process claiming it too: the slot stays due for the next
        # tick if that process did not take it.
        session.rollback()
        log.warning("could not claim the backup slot of schedule %s; left for the next run",
                    schedule_id, exc_info=True)
        return False
    return cast("CursorResult[Any]", result).rowcount == 1  # an UPDATE's result


def _back_up(session: Session, schedule_id: int, household_id: int) -> bool:
    """The household's backup and its retention; False when the household was deleted
    since its slot was claimed (its schedule went with it): nothing to back up, no failure."""
    household = session.get(Household, household_id)
    schedule = session.get(BackupSchedule, schedule_id)
    if household is None or schedule is None:
        return False
    create_household_backup(session, household, kind="scheduled", user=None)
    prune_scheduled(session, household_id, keep=schedule.retention_count)
    schedule.last_success_at = now_utc()
    schedule.last_error = None
    session.commit()
    return True


def _record_failure(
    session: Session, holder: str, schedule_id: int, household_id: int,
    started: datetime, error: Exception,
) -> None:
    try:
        session.execute(
            update(BackupSchedule)
            .where(BackupSchedule.id == schedule_id)
            .values(last_error=_short_error(error))
            .execution_options(synchronize_session=False)
        )
        session.add(
            JobRun(
                job=JOB, holder=holder, household_id=household_id, started_at=started,
                finished_at=now_utc(), status="error",
                error=f"{error.__class__.__name__}: {error}"[:2000],
            )
        )
        session.commit()
    except DBAPIError:  # the household was deleted meanwhile: nothing to record on
        session.rollback()
        log.warning("could not record the backup failure of household %s", household_id)


def run_scheduled_backups(
    session: Session, holder: str, *, renew_lease: Callable[[Session, str], bool] | None = None
) -> int:
    """The job: every enabled schedule that is due gets one backup (the household's own
    transaction), then its retention applied. A slot missed while nothing ran (the server
    was off) is made once and the next one is counted from now, not once per missed slot.
    A household that fails is rolled back, its error kept on the schedule and on a job run
    of its own (household_id set), and the others carry on. Returns the backups made.

    `renew_lease` (the scheduler's lease, from finora.jobs) is called between households,
    so a long run keeps the lease and a process that lost it stops."""
    if not current_app.config.get("ENABLE_BACKUP_SCHEDULER", True):
        return 0
    made = 0
    renewed = None
    for schedule_id, household_id, slot, timezone in _due(session, now_utc()):
        started = now_utc()
        if renew_lease is not None and (renewed is None or started - renewed >= _RENEW_EVERY):
            if not renew_lease(session, holder):
                raise RuntimeError(f"lease taken by another process after {made} backup(s)")
            renewed = started
        made += _run_one(session, holder, schedule_id, household_id, slot, timezone, started)
    return made


def _run_one(
    session: Session, holder: str, schedule_id: int, household_id: int, slot: datetime,
    timezone: str, started: datetime,
) -> int:
    """One household's due slot: claimed, then backed up; 1 when a backup was made."""
    schedule = session.get(BackupSchedule, schedule_id)
    if schedule is None:  # deleted with its household since the list was read
        return 0
    try:
        following, broken = next_run_at(schedule, timezone, started), None
    except Exception as error:  # noqa: BLE001 - a row no form could have saved
        # Not due again until its owner saves it anew (which validates it): one recorded
        # failure, not one every run.
        following, broken = None, error
    if not _claim(session, schedule_id, slot, following, started):
        return 0  # another process took this slot
    try:
        if broken is not None:
            raise broken
        made = _back_up(session, schedule_id, household_id)
    except Exception as error:  # noqa: BLE001 - recorded on the household's own run
        session.rollback()
        log.error("scheduled backup failed for household %s: %s", household_id,
                  traceback.format_exc())
        _record_failure(session, holder, schedule_id, household_id, started, error)
        return 0
    return 1 if made else 0


@dataclass(frozen=True)
class FailingSchedule:
    household_id: int
    household_name: str
    last_run_at: datetime | None
    last_success_at: datetime | None
    error: str


@dataclass(frozen=True)
class BackupHealth:
    """What the admin status page says about scheduled backups."""

    scheduler_enabled: bool
    schedules: int  # enabled ones
    last_success_at: datetime | None  # of any household's scheduled backup
    failing_count: int
    failing: list[FailingSchedule]  # the first few, oldest failure first
    stored_count: int  # every backup file the rows know of (households and instance)
    stored_bytes: int


def backup_health(session: Session, limit: int = 10) -> BackupHealth:
    """Enabled schedules whose last run failed (the household name, the time and the short
    error: nothing else of the household), and the latest success anywhere."""
    enabled = BackupSchedule.enabled.is_(True)
    failing = BackupSchedule.last_error.is_not(None)
    rows = session.execute(
        select(BackupSchedule, Household.name)
        .join(Household, Household.id == BackupSchedule.household_id)
        .where(enabled, failing)
        .order_by(BackupSchedule.last_run_at, BackupSchedule.household_id)
        .limit(limit)
    ).all()
    stored_count, stored_bytes = session.execute(
        select(func.count(), func.coalesce(func.sum(Backup.size_bytes), 0)).select_from(Backup)
    ).one()

    def count(*where: Any) -> int:
        return session.execute(select(func.count()).select_from(BackupSchedule).where(*where)).scalar_one()

    return BackupHealth(
        stored_count=stored_count,
        stored_bytes=int(stored_bytes),
        scheduler_enabled=bool(current_app.config.get("ENABLE_BACKUP_SCHEDULER", True)),
        schedules=count(enabled),
        last_success_at=session.scalar(select(func.max(BackupSchedule.last_success_at))),
        failing_count=count(enabled, failing),
        failing=[
            FailingSchedule(s.household_id, name, s.last_run_at, s.last_success_at, s.last_error or "")
            for s, name in rows  # (the WHERE keeps only rows with an error)
        ],
    )
