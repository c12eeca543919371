"""How values are written in API answers: money as a decimal string with two places (never
a JSON number), dates as YYYY-MM-DD, timestamps in UTC as YYYY-MM-DDTHH:MM:SSZ."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import ROUND_HALF_EVEN, Decimal

CENT = Decimal("0.01")


def money(value: Decimal | None) -> str | None:
    if value is None:
        return None
    return str(Decimal(value).quantize(CENT, rounding=ROUND_HALF_EVEN))


def day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def stamp(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:  # stored UTC without a zone
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
