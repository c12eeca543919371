"""Reading a report's period from query arguments: defaults, each kind, and every refusal
named in the reader's language."""

from __future__ import annotations

from datetime import date

import pytest
from flask_babel import force_locale

from finora.extensions import db
from finora.services.reports.periods import PeriodError, ReportPeriod, parse_period
from tests.ledger_factories import make_account, make_entry, make_transfer

TODAY = date(2026, 3, 15)


def parse(household, **args):
    return parse_period(args, household, TODAY)


def refusal(household, **args) -> str:
    with pytest.raises(PeriodError) as caught, force_locale("en"):
        parse(household, **args)
    assert caught.value.status == 400
    with force_locale("en"):
        return str(caught.value.message)


def test_the_default_is_the_current_month(household):
    assert parse(household) == ReportPeriod("month", date(2026, 3, 1), date(2026, 3, 31), 2026, 3)


def test_month_year_and_range(household):
    assert parse(household, period="month", year="2028", month="2") == ReportPeriod(
        "month", date(2028, 2, 1), date(2028, 2, 29), 2028, 2
    )
    assert parse(household, period="month", month="12").end == date(2026, 12, 31)
    assert parse(household, period="year", year="2025") == ReportPeriod(
        "year", date(2025, 1, 1), date(2025, 12, 31), 2025
    )
    assert parse(household, period="year").start == date(2026, 1, 1)
    got = parse(household, period="range", start="2026-02-29".replace("2026", "2024"), end="2026-03-01")
    assert (got.kind, got.start, got.end, got.year, got.month) == (
        "range", date(2024, 2, 29), date(2026, 3, 1), None, None
    )
    assert parse(household, period="range", start="2026-03-10", end="2026-03-10").days == 1


def test_all_runs_from_the_first_record_to_the_last(household):
    assert parse(household, period="all") == ReportPeriod("all", TODAY, TODAY)
    savings = make_account(household, name="Savings")
    from tests.ledger_factories import checking_account

    make_transfer(household, checking_account(household), savings, date=date(2019, 5, 2))
    make_entry(household, date=date(2021, 1, 5))
    make_entry(household, date=date(2027, 6, 30))
    assert parse(household, period="all") == ReportPeriod("all", date(2019, 5, 2), date(2027, 6, 30))
    assert parse_period({"period": "all"}, household, TODAY, session=db.session).start == date(2019, 5, 2)
    db.session.rollback()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"period": "week"}, "The period must be month, year, range or all."),
        ({"period": "month", "month": "13"}, "“13” is not a month (1 to 12)."),
        ({"period": "month", "month": "0"}, "“0” is not a month (1 to 12)."),
        ({"period": "month", "month": "march"}, "“march” is not a month (1 to 12)."),
        ({"period": "year", "year": "20x6"}, "“20x6” is not a year."),
        ({"period": "year", "year": "-1"}, "“-1” is not a year."),
        ({"period": "year", "year": "99999999999999999999"}, "“99999999999999999999” is not a year."),
        ({"period": "year", "year": "1899"}, "Enter a date in the years 1900 to 2199."),
        ({"period": "range", "start": "2026-01-01"}, "Enter a start date and an end date for a range."),
        ({"period": "range", "start": "2026-13-01", "end": "2026-12-31"}, "“2026-13-01” is not a date."),
        ({"period": "range", "start": "2026-02-30", "end": "2026-12-31"}, "“2026-02-30” is not a date."),
        ({"period": "range", "start": "01/02/2026", "end": "2026-12-31"}, "“01/02/2026” is not a date."),
        ({"period": "range", "start": "2026-03-02", "end": "2026-03-01"}, "The end date is before the start date."),
        ({"period": "range", "start": "2000-01-01", "end": "2020-01-01"}, "A range can span at most 20 years."),
        ({"period": "range", "start": "1850-01-01", "end": "1900-01-01"}, "Enter a date in the years 1900 to 2199."),
        ({"period": "range", "start": "2199-01-01", "end": "2200-01-01"}, "Enter a date in the years 1900 to 2199."),
    ],
)
def test_refusals_name_the_problem(household, args, message):
    assert refusal(household, **args) == message


def test_twenty_years_exactly_is_allowed(household):
    assert parse(household, period="range", start="2000-01-01", end="2019-12-31").end == date(2019, 12, 31)
    assert parse(household, period="range", start="2004-02-29", end="2024-02-28").end == date(2024, 2, 28)
    assert refusal(household, period="range", start="2004-02-29", end="2024-02-29") == (
        "A range can span at most 20 years."
    )
