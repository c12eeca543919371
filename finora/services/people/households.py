"""A household's own settings: name, time zone and the country of its public holidays."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.orm import Session

from finora.business_days import supported_countries
from finora.dates import is_valid_timezone
from finora.errors import FieldError
from finora.models import Household
from finora.services.backups.schedules import reschedule
from finora.translation import lazy_gettext as _l


@dataclass(frozen=True)
class HouseholdSettings:
    name: str
    timezone: str
    country: str | None = None  # None: weekends only, no public holidays
    minimum_safe_balance: Decimal | None = None  # None: no minimum-balance warning


def update_household(session: Session, household: Household, data: HouseholdSettings) -> None:
    if not data.name.strip():
        raise FieldError("name", _l("Name your household."))
    if not is_valid_timezone(data.timezone):
        raise FieldError("timezone", _l("Choose a time zone from the list."))
    country = (data.country or "").strip().upper() or None
    if country is not None and country not in supported_countries():
        raise FieldError("country", _l("Choose a country from the list."))
    minimum = data.minimum_safe_balance
    if minimum is not None and minimum < 0:
        raise FieldError("minimum_safe_balance", _l("Enter zero or a positive amount."))
    household.name = data.name.strip()
    household.timezone = data.timezone
    household.country = country
    household.minimum_safe_balance = minimum
    session.flush()
    # A backup schedule's next run is a local time: a new time zone moves it.
    reschedule(session, household)
