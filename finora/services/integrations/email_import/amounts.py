"""The amount in a bank e-mail's text: the common bank styles (`R$ 1.234,56`, `-1.234,56`,
`1,234.56`, `(1,234.56)`, `USD 1,234.56`) read in the household's locale first."""

from __future__ import annotations

import re
from decimal import Decimal

from babel.numbers import get_decimal_symbol, list_currencies

from finora.money import MoneyError, parse_amount

# A currency before or after the digits: an ISO 4217 code as a word of its own (not any
# three capitals: "DIA 05/12" is no amount), a dollar-like symbol (R$, US$, $) or a sign
# of its own. Only recognised to be skipped: the account decides the currency.
_CURRENCY = (
    r"(?:\b(?:" + "|".join(sorted(list_currencies())) + r")\b|(?:\b[A-Z]{1,2})?\$|[€£¥₹])"
)
# Digits with group and decimal separators; a space groups only three digits.
_NUMBER = r"\d+(?:(?:[.,'’]|[ \u00a0\u202f](?=\d{3}(?!\d)))\d+)*"
_MINUS = "-\u2212\u2013"
_AMOUNT = re.compile(
    rf"(?P<open>\()?[ \u00a0]*(?P<minus>[{_MINUS}])?[ \u00a0]*(?:(?P<currency>{_CURRENCY})[ \u00a0]*)?"
    rf"(?P<minus2>[{_MINUS}])?[ \u00a0]*(?P<number>{_NUMBER})"
    rf"(?:[ \u00a0]*(?P<currency2>{_CURRENCY})(?![A-Za-z]))?(?P<trailing>-(?!\d))?(?P<close>[ \u00a0]*\))?"
)
_CENTS = re.compile(r"[.,]\d\d$")


class AmountError(ValueError):
    """No amount could be read in the text."""


def read_amount(text: str, locale: str) -> Decimal:
    """The amount in `text` (the first written as money, else the first number), negative
    when written with a minus (before or after the digits) or in parentheses. The household's locale decides first how the
    separators read ("1.234" is 1234 in pt, "12.5" is 12.50 in both); when the digits
    cannot be an amount in it they are read in the other convention ("1,234.56" in pt).
    AmountError when there is none."""
    matches = list(_AMOUNT.finditer(text or ""))
    if not matches:
        raise AmountError("no digits")
    # "em 05/12: R$ 10,00": the first number written as money (a currency, or cents) wins
    # over a date or a count before it; else the first number.
    match = next((m for m in matches if _like_money(m)), matches[0])
    number = match["number"]
    value = _parse(number, locale)
    negative = bool(match["minus"] or match["minus2"] or match["trailing"]) or bool(
        match["open"] and match["close"]
    )
    return -value if negative else value


def _like_money(match: re.Match) -> bool:
    return bool(match["currency"] or match["currency2"] or _CENTS.search(match["number"]))


def _other_convention(locale: str) -> str:
    return "en" if get_decimal_symbol(locale) == "," else "pt"


def _parse(number: str, locale: str) -> Decimal:
    for attempt in (locale, _other_convention(locale)):
        try:
            return parse_amount(number, attempt)
        except MoneyError:
            continue
    raise AmountError(f"not an amount: {number}")
