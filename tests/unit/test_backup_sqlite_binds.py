"""The household restore's own SQLite bind functions for timestamps and dates
(services/backups/household_restore.py): the same text as the column types' own
processors, or not used at all."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from sqlalchemy.dialects import mysql, postgresql, sqlite

from finora.models import Entry
from finora.services.backups import household_restore
from finora.services.backups.household_restore import (
    _bind_processor,
    _sqlite_date_text,
    _sqlite_utc_text,
)

TIMESTAMP = Entry.__table__.c.created_at.type
DAY = Entry.__table__.c.date.type


def _own(column_type, dialect):
    return column_type.dialect_impl(dialect).bind_processor(dialect)


def test_sqlite_timestamps_and_dates_get_the_fast_functions():
    dialect = sqlite.dialect()
    assert _bind_processor(TIMESTAMP, dialect) is _sqlite_utc_text
    assert _bind_processor(DAY, dialect) is _sqlite_date_text


@pytest.mark.parametrize("dialect", [postgresql.psycopg.dialect(), mysql.pymysql.dialect()])
def test_other_engines_keep_the_types_own_processors(dialect):
    for column_type in (TIMESTAMP, DAY):
        own = _own(column_type, dialect)
        found = _bind_processor(column_type, dialect)
        assert found is None if own is None else found.__qualname__ == own.__qualname__


def test_the_fast_functions_write_the_very_text_the_types_write():
    dialect = sqlite.dialect()
    own_timestamp, own_date = _own(TIMESTAMP, dialect), _own(DAY, dialect)
    rng = random.Random(6)
    zones = [UTC, timezone(timedelta(hours=-3)), timezone(timedelta(hours=5, minutes=45))]
    for _ in range(2000):
        moment = datetime(rng.randint(1, 9998), rng.randint(1, 12), rng.randint(1, 28),
                          rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59),
                          rng.choice([0, rng.randint(0, 999_999)]), tzinfo=rng.choice(zones))
        assert _sqlite_utc_text(moment) == own_timestamp(moment)
        assert _sqlite_date_text(moment.date()) == own_date(moment.date())
    assert _sqlite_utc_text(None) is None and _sqlite_date_text(None) is None


def test_a_naive_timestamp_is_refused_as_the_type_refuses_it():
    with pytest.raises(ValueError, match="naive"):
        _sqlite_utc_text(datetime(2026, 3, 15, 12))


def test_a_fast_function_that_disagrees_is_not_used(monkeypatch):
    monkeypatch.setattr(household_restore, "_sqlite_date_text", lambda value: value and value.strftime("%d/%m/%Y"))
    found = _bind_processor(DAY, sqlite.dialect())
    assert found is not household_restore._sqlite_date_text
    assert found(date(2026, 12, 6)) == "2026-12-06"
