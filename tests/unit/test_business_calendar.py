"""BusinessCalendar: weekends, national public holidays (the `holidays` package), shifts."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from finora.business_days import BusinessCalendar


def d(text: str) -> date:
    return date.fromisoformat(text)


# -- weekends -------------------------------------------------------------------------------


def test_without_a_country_only_weekends_are_closed():
    calendar = BusinessCalendar()
    monday = d("2026-11-23")
    week = [monday + timedelta(days=i) for i in range(7)]
    assert [calendar.is_business_day(day) for day in week] == [True] * 5 + [False] * 2
    # Christmas is an ordinary Friday without a country.
    assert calendar.is_business_day(d("2026-12-25"))
    assert calendar.holiday_dates(2026) == frozenset()


def test_country_code_is_normalised():
    assert BusinessCalendar("br").country == "BR"
    assert BusinessCalendar(" us ").country == "US"
    assert BusinessCalendar("").country is None
    assert BusinessCalendar(None).country is None


@pytest.mark.parametrize("code", ["XX", "ZZ", "Brazil", "USA"])
def test_unknown_country_is_rejected_at_construction(code):
    with pytest.raises(ValueError, match="country"):
        BusinessCalendar(code)


# -- Brazil ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "holiday",
    [
        "2026-01-01",  # Confraternização Universal (Thursday)
        "2026-04-03",  # Good Friday
        "2026-04-21",  # Tiradentes (Tuesday)
        "2026-05-01",  # Labour Day (Friday)
        "2026-09-07",  # Independence Day (Monday)
        "2026-10-12",  # Nossa Senhora Aparecida (Monday)
        "2026-11-02",  # Finados (Monday)
        "2026-11-20",  # Zumbi / Black Awareness (national since 2024; Friday)
        "2026-12-25",  # Christmas (Friday)
    ],
)
def test_brazilian_public_holidays_on_weekdays_are_not_business_days(holiday):
    day = d(holiday)
    assert day.weekday() < 5  # they would be business days without the country
    assert BusinessCalendar().is_business_day(day)
    assert not BusinessCalendar("BR").is_business_day(day)
    assert BusinessCalendar("BR").is_holiday(day)


def test_brazilian_carnival_is_optional_in_the_package_so_stays_a_business_day():
    # holidays.BR lists Carnival (Feb 16-17 2026), Ash Wednesday, Corpus Christi, Christmas
    # Eve and New Year's Eve under the "optional" category only: banks close on Carnival in
    # practice, but it is not a national public holiday, and the calendar uses public ones.
    calendar = BusinessCalendar("BR")
    for day in ("2026-02-16", "2026-02-17", "2026-02-18", "2026-06-04", "2026-12-24"):
        assert calendar.is_business_day(d(day)), day


def test_brazil_has_no_observed_substitutes():
    # Proclamação da República 2026-11-15 is a Sunday; Brazil does not move it to Monday.
    calendar = BusinessCalendar("BR")
    assert calendar.is_holiday(d("2026-11-15"))
    assert calendar.is_business_day(d("2026-11-16"))


def test_brazilian_holiday_set_for_2026():
    assert BusinessCalendar("BR").holiday_dates(2026) == {
        d(day)
        for day in (
            "2026-01-01",
            "2026-04-03",
            "2026-04-21",
            "2026-05-01",
            "2026-09-07",
            "2026-10-12",
            "2026-11-02",
            "2026-11-15",
            "2026-11-20",
            "2026-12-25",
        )
    }


# -- United States --------------------------------------------------------------------------


def test_us_independence_day_2026_is_observed_on_friday():
    calendar = BusinessCalendar("US")
    # July 4 2026 is a Saturday: the federal holiday is observed on Friday July 3.
    assert d("2026-07-04").weekday() == 5
    assert calendar.is_holiday(d("2026-07-03"))
    assert not calendar.is_business_day(d("2026-07-03"))
    assert calendar.shift(d("2026-07-03"), "next") == d("2026-07-06")
    assert calendar.shift(d("2026-07-04"), "previous") == d("2026-07-02")


@pytest.mark.parametrize(
    "holiday",
    ["2026-01-01", "2026-01-19", "2026-05-25", "2026-06-19", "2026-11-26", "2026-12-25"],
)
def test_us_federal_holidays(holiday):
    assert not BusinessCalendar("US").is_business_day(d(holiday))


def test_us_holidays_observed_across_a_year_boundary():
    # New Year's Day 2022 was a Saturday, observed on Friday 2021-12-31: the 2021 holiday set
    # must include it even though the holiday "belongs" to 2022.
    calendar = BusinessCalendar("US")
    assert not calendar.is_business_day(d("2021-12-31"))
    assert calendar.shift(d("2021-12-31"), "next") == d("2022-01-03")
    assert calendar.shift(d("2022-01-02"), "previous") == d("2021-12-30")


def test_thanksgiving_thursday_shifts_to_friday_or_wednesday():
    calendar = BusinessCalendar("US")
    assert calendar.shift(d("2026-11-26"), "next") == d("2026-11-27")
    assert calendar.shift(d("2026-11-26"), "previous") == d("2026-11-25")


# -- shift ----------------------------------------------------------------------------------


def test_shift_none_keeps_any_day():
    calendar = BusinessCalendar("BR")
    for day in ("2026-01-31", "2026-03-01", "2026-04-21", "2026-12-25"):
        assert calendar.shift(d(day), "none") == d(day)


def test_shift_leaves_business_days_alone():
    calendar = BusinessCalendar("US")
    tuesday = d("2026-11-24")
    assert calendar.shift(tuesday, "next") == tuesday
    assert calendar.shift(tuesday, "previous") == tuesday


def test_shift_over_weekends_across_month_ends():
    calendar = BusinessCalendar()
    assert calendar.shift(d("2026-01-31"), "next") == d("2026-02-02")  # Sat -> Mon
    assert calendar.shift(d("2026-03-01"), "previous") == d("2026-02-27")  # Sun -> Fri
    assert calendar.shift(d("2026-01-31"), "previous") == d("2026-01-30")
    assert calendar.shift(d("2026-03-01"), "next") == d("2026-03-02")


def test_shift_over_a_run_of_holiday_and_weekend():
    # Christmas 2026 is a Friday: Fri + Sat + Sun closed.
    for country in ("BR", "US"):
        calendar = BusinessCalendar(country)
        assert calendar.shift(d("2026-12-25"), "next") == d("2026-12-28")
        assert calendar.shift(d("2026-12-27"), "previous") == d("2026-12-24")
    # Tiradentes on a Tuesday does not touch the weekend.
    assert BusinessCalendar("BR").shift(d("2026-04-21"), "next") == d("2026-04-22")
    assert BusinessCalendar("BR").shift(d("2026-04-21"), "previous") == d("2026-04-20")


def test_shift_over_good_friday_weekend_in_brazil():
    calendar = BusinessCalendar("BR")
    assert calendar.shift(d("2026-04-03"), "next") == d("2026-04-06")
    assert calendar.shift(d("2026-04-05"), "previous") == d("2026-04-02")


def test_shift_rejects_unknown_policy():
    with pytest.raises(ValueError, match="policy"):
        BusinessCalendar().shift(d("2026-01-31"), "nearest")


# -- default policy -------------------------------------------------------------------------


def test_default_policy_by_kind():
    assert BusinessCalendar.default_policy("income") == "previous"
    assert BusinessCalendar.default_policy("expense") == "next"
    assert BusinessCalendar("BR").default_policy("income") == "previous"
    with pytest.raises(ValueError):
        BusinessCalendar.default_policy("transfer")


# -- caching --------------------------------------------------------------------------------


def test_holiday_sets_are_built_per_year_and_cached():
    calendar = BusinessCalendar("BR")
    assert calendar._years == {}
    calendar.is_business_day(d("2026-06-01"))  # a weekday: needs the holiday set
    assert set(calendar._years) == {2026}
    calendar.is_business_day(d("2026-06-06"))  # a Saturday: no lookup needed
    calendar.is_business_day(d("2027-06-01"))
    assert set(calendar._years) == {2026, 2027}
    assert calendar.holiday_dates(2026) is calendar.holiday_dates(2026)
