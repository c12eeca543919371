"""The body of POST /api/v1/balance (pydantic): a balance snapshot set from a phone.

Money comes in as a decimal string ("1500.00", "1500", "1500.5") or a JSON number with at
most two decimal places; anything else (more places, NaN, infinity, beyond MAX_AMOUNT, a
boolean) is a 422 on the field. A balance may be negative (a debt), as on the account page.
"""

from __future__ import annotations

from datetime import date as Day
from decimal import Decimal, InvalidOperation

from pydantic import Field, field_validator

from finora.amounts import MAX_AMOUNT
from finora.api.schemas import Body
from finora.dates import in_window, window_message
from finora.translation import gettext as _


def api_amount(value: object, *, allow_negative: bool = False) -> Decimal:
    """A money value from a JSON body as an exact Decimal with two places, or ValueError
    with a translated message (pydantic shows it in `fields`)."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ValueError(_("Send the amount as a decimal string, for example \"1500.00\"."))
    text = value.strip() if isinstance(value, str) else repr(value)
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValueError(_("Send the amount as a decimal string, for example \"1500.00\".")) from None
    if not amount.is_finite():
        raise ValueError(_("Send the amount as a decimal string, for example \"1500.00\"."))
    if amount.as_tuple().exponent < -2 and amount != amount.quantize(Decimal("0.01")):
        raise ValueError(_("Use at most two decimal places."))
    if amount < 0 and not allow_negative:
        raise ValueError(_("The amount cannot be negative."))
    if abs(amount) > MAX_AMOUNT:
        raise ValueError(_("The amount is too large."))
    return amount.quantize(Decimal("0.01"))


class BalanceBody(Body):
    amount: Decimal
    account_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    # "date" in JSON; a field named like its type would hide the type from the annotation.
    day: Day | None = Field(default=None, alias="date")

    @field_validator("amount", mode="before")
    @classmethod
    def _amount(cls, value: object) -> Decimal:
        return api_amount(value, allow_negative=True)

    @field_validator("day")
    @classmethod
    def _date(cls, value: Day | None) -> Day | None:
        if value is not None and not in_window(value):
            raise ValueError(str(window_message()))
        return value
