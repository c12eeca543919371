"""The ISO 4217 currencies a household can keep its books in: those legal tender in some
territory today, from Babel's CLDR data (no withdrawn, historic or fund codes)."""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from babel.core import get_global
from babel.numbers import get_territory_currencies

# Offered first, in this order (the languages Finora speaks and the usual reserve money).
COMMON_CURRENCIES = (
    "BRL", "EUR", "USD", "GBP", "ARS", "CLP", "COP", "MXN", "PEN", "UYU", "PYG", "BOB",
    "AOA", "MZN", "CVE", "CAD", "AUD", "CHF", "JPY",
)


@lru_cache(maxsize=4)
def current_currencies(on: date | None = None) -> frozenset[str]:
    """Codes that are legal tender somewhere on `on` (today by default)."""
    day = on or date.today()
    return frozenset(
        code
        for territory in get_global("territory_currencies")
        for code in get_territory_currencies(territory, start_date=day, tender=True, non_tender=False)
    )


def is_current_currency(code: str, on: date | None = None) -> bool:
    return code.upper() in current_currencies(on)
