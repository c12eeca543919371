"""A household's new time zone moves its next scheduled backup: 03:00 stays 03:00 on the
household's clock (the next run is stored in UTC, computed in the zone)."""

from __future__ import annotations

from datetime import UTC, datetime

import time_machine

from finora.extensions import db
from finora.services.backups.schedules import save_schedule
from finora.services.people.households import HouseholdSettings, update_household


@time_machine.travel(datetime(2026, 7, 1, 12, tzinfo=UTC), tick=False)
def test_a_new_time_zone_moves_the_next_run(household):
    household.timezone = "America/Sao_Paulo"  # UTC-3
    schedule = save_schedule(
        db.session, household, enabled=True, frequency="daily", weekday=None,
        day_of_month=None, at_time="03:00", retention_count=5,
    )
    db.session.commit()
    assert schedule.next_run_at == datetime(2026, 7, 2, 6, tzinfo=UTC)

    update_household(db.session, household, HouseholdSettings(
        name=household.name, timezone="Europe/Lisbon",  # UTC+1 in summer
    ))
    db.session.commit()
    db.session.refresh(schedule)
    assert schedule.next_run_at == datetime(2026, 7, 2, 2, tzinfo=UTC)
