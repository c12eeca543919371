"""Backup schedules run at a local wall time in the household's time zone: a time skipped by
spring-forward runs at the first minute that exists after it, a time repeated by fall-back
runs once, monthly on the 31st runs on a short month's last day; saving a schedule
validates it and computes its next run in the household's zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from flask_babel import force_locale
from sqlalchemy import select

from finora.errors import FieldError
from finora.extensions import db
from finora.models import AuditEvent, BackupSchedule
from finora.services.backups.schedules import get_schedule, next_run_at, save_schedule

NEW_YORK, LISBON, SAO_PAULO = "America/New_York", "Europe/Lisbon", "America/Sao_Paulo"


def schedule(frequency="daily", at_time="03:00", weekday=None, day_of_month=None) -> BackupSchedule:
    return BackupSchedule(frequency=frequency, at_time=at_time, weekday=weekday,
                          day_of_month=day_of_month)


def utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def runs(plan: BackupSchedule, tz: str, start: datetime, count: int) -> list[datetime]:
    """The next `count` runs, each computed after the previous one as the job does."""
    moments, after = [], start
    for _ in range(count):
        after = next_run_at(plan, tz, after)
        moments.append(after)
    return moments


def local(moments: list[datetime], tz: str) -> list[str]:
    return [m.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M %Z") for m in moments]


def test_new_york_0230_across_spring_forward_runs_at_0300_on_the_day_it_does_not_exist():
    # 2026-03-08: New York jumps from 02:00 EST to 03:00 EDT.
    moments = runs(schedule(at_time="02:30"), NEW_YORK, utc(2026, 3, 6, 12), 3)
    assert local(moments, NEW_YORK) == [
        "2026-03-07 02:30 EST", "2026-03-08 03:00 EDT", "2026-03-09 02:30 EDT",
    ]
    assert moments == [utc(2026, 3, 7, 7, 30), utc(2026, 3, 8, 7), utc(2026, 3, 9, 6, 30)]


def test_new_york_0130_across_fall_back_runs_once_at_the_first_0130():
    # 2026-11-01: 01:00-02:00 happens twice (EDT, then EST).
    moments = runs(schedule(at_time="01:30"), NEW_YORK, utc(2026, 10, 30, 12), 3)
    assert local(moments, NEW_YORK) == [
        "2026-10-31 01:30 EDT", "2026-11-01 01:30 EDT", "2026-11-02 01:30 EST",
    ]
    # A job ticking every minute through the repeated hour finds nothing more to do.
    after_first = utc(2026, 11, 1, 5, 30)
    for minute in range(0, 91):
        tick = after_first + timedelta(minutes=minute)
        assert next_run_at(schedule(at_time="01:30"), NEW_YORK, tick) == utc(2026, 11, 2, 6, 30)


def test_lisbon_0130_runs_at_0200_in_the_gap_and_once_in_the_repeated_hour():
    # 2026-03-29: Lisbon jumps from 01:00 WET to 02:00 WEST; 2026-10-25 goes back.
    spring = runs(schedule(at_time="01:30"), LISBON, utc(2026, 3, 27, 12), 3)
    assert local(spring, LISBON) == [
        "2026-03-28 01:30 WET", "2026-03-29 02:00 WEST", "2026-03-30 01:30 WEST",
    ]
    autumn = runs(schedule(at_time="01:30"), LISBON, utc(2026, 10, 23, 12), 3)
    assert local(autumn, LISBON) == [
        "2026-10-24 01:30 WEST", "2026-10-25 01:30 WEST", "2026-10-26 01:30 WET",
    ]
    assert autumn[1] == utc(2026, 10, 25, 0, 30)  # the first 01:30, not the second (01:30Z)


def test_lisbon_0230_is_not_in_the_gap_and_keeps_its_wall_time():
    moments = runs(schedule(at_time="02:30"), LISBON, utc(2026, 3, 28, 12), 2)
    assert local(moments, LISBON) == ["2026-03-29 02:30 WEST", "2026-03-30 02:30 WEST"]


def test_weekly_runs_on_its_weekday_in_the_households_zone():
    # Monday 23:30 in São Paulo is Tuesday 02:30 UTC: the weekday is the local one.
    moments = runs(schedule("weekly", "23:30", weekday=0), SAO_PAULO, utc(2026, 3, 1), 3)
    assert local(moments, SAO_PAULO) == [
        "2026-03-02 23:30 -03", "2026-03-09 23:30 -03", "2026-03-16 23:30 -03",
    ]
    assert all(m.weekday() == 1 for m in moments)


def test_monthly_on_the_31st_runs_on_each_short_months_last_day():
    moments = runs(schedule("monthly", "03:00", day_of_month=31), SAO_PAULO, utc(2026, 1, 1), 5)
    assert [m.astimezone(ZoneInfo(SAO_PAULO)).date() for m in moments] == [
        date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30), date(2026, 5, 31),
    ]
    leap = next_run_at(schedule("monthly", "03:00", day_of_month=30), SAO_PAULO, utc(2028, 2, 1))
    assert leap.astimezone(ZoneInfo(SAO_PAULO)).date() == date(2028, 2, 29)


def test_the_next_run_is_strictly_after_the_moment_given():
    plan = schedule(at_time="03:00")
    slot = utc(2026, 3, 10, 6)  # 03:00 in São Paulo
    assert next_run_at(plan, SAO_PAULO, slot - timedelta(seconds=1)) == slot
    assert next_run_at(plan, SAO_PAULO, slot) == slot + timedelta(days=1)


@time_machine.travel(utc(2026, 3, 7, 12), tick=False)
def test_saving_computes_the_next_run_in_the_households_zone_and_audits(household):
    household.timezone = NEW_YORK
    db.session.commit()
    saved = save_schedule(db.session, household, enabled=True, frequency="daily", weekday=3,
                          day_of_month=9, at_time="02:30", retention_count="7")
    db.session.commit()
    assert get_schedule(db.session, household.id) is saved
    assert saved.next_run_at == utc(2026, 3, 8, 7)  # 03:00 EDT: 02:30 does not exist that day
    assert (saved.weekday, saved.day_of_month, saved.retention_count) == (None, None, 7)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "backup.schedule_saved"))
    assert event.household_id == household.id and event.details["at_time"] == "02:30"
    # Saved again: the same row, changed; disabled, it has no next run.
    again = save_schedule(db.session, household, enabled=False, frequency="weekly", weekday=6,
                          day_of_month=None, at_time="04:05", retention_count=1)
    db.session.commit()
    assert again.id == saved.id and again.next_run_at is None and again.weekday == 6


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"frequency": "hourly"}, "frequency", "Choose daily, weekly or monthly."),
        ({"frequency": "weekly", "weekday": None}, "weekday", "Choose a day of the week."),
        ({"frequency": "weekly", "weekday": 7}, "weekday", "Choose a day of the week."),
        ({"frequency": "monthly", "day_of_month": 0}, "day_of_month",
         "Enter a day of the month from 1 to 31."),
        ({"frequency": "monthly", "day_of_month": "32"}, "day_of_month",
         "Enter a day of the month from 1 to 31."),
        ({"at_time": "24:00"}, "at_time", "Enter a time as HH:MM, from 00:00 to 23:59."),
        ({"at_time": "3pm"}, "at_time", "Enter a time as HH:MM, from 00:00 to 23:59."),
        ({"retention_count": 0}, "retention_count", "Keep from 1 to 100 scheduled backups."),
        ({"retention_count": 101}, "retention_count", "Keep from 1 to 100 scheduled backups."),
        ({"retention_count": "many"}, "retention_count", "Keep from 1 to 100 scheduled backups."),
    ],
)
def test_a_wrong_value_is_refused_on_its_field_and_nothing_saved(household, changes, field, message):
    values = {"enabled": True, "frequency": "daily", "weekday": None, "day_of_month": None,
              "at_time": "03:00", "retention_count": 20, **changes}
    with force_locale("en"), pytest.raises(FieldError) as refused:
        save_schedule(db.session, household, **values)
    assert refused.value.field == field
    with force_locale("en"):
        assert str(refused.value.message) == message
    db.session.rollback()
    assert get_schedule(db.session, household.id) is None


@time_machine.travel(utc(2026, 3, 7, 12), tick=False)
def test_a_new_time_zone_moves_the_next_run_to_the_same_wall_time_there(household):
    from finora.services.backups.schedules import reschedule

    saved = save_schedule(db.session, household, enabled=True, frequency="daily", weekday=None,
                          day_of_month=None, at_time="03:00", retention_count=20)
    assert saved.next_run_at == utc(2026, 3, 8, 6)  # 03:00 in São Paulo
    household.timezone = LISBON
    reschedule(db.session, household)
    assert saved.next_run_at == utc(2026, 3, 8, 3)  # 03:00 in Lisbon
