"""The only place that parses and formats money and converts Decimal <-> integer cents."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from babel.core import UnknownLocaleError
from babel.numbers import (
    format_currency,
    get_currency_precision,
    get_decimal_symbol,
    get_group_symbol,
)
from flask_babel.speaklater import LazyString
from sqlalchemy import BigInteger, Dialect
from sqlalchemy.types import TypeDecorator

from finora.amounts import CENT, MAX_AMOUNT
from finora.amounts import ZERO as ZERO  # re-exported: callers take ZERO from money.py
from finora.translation import lazy_gettext as _l

_SPACES = re.compile(r"[\s\u00a0\u202f\u2009']")


class MoneyError(ValueError):
    """The text is not an amount of money."""

    def __init__(self, message: str | LazyString) -> None:
        super().__init__(str(message))
        self.message = message


def to_cents(amount: Decimal) -> int:
    """Exact conversion; refuses anything finer than a cent instead of rounding it away."""
    if not isinstance(amount, Decimal):
        raise TypeError(f"money must be Decimal, not {type(amount).__name__}")
    cents = amount * 100
    if cents != cents.to_integral_value():
        raise ValueError(f"{amount} has more than two decimal places")
    return int(cents)


def from_cents(cents: int) -> Decimal:
    return (Decimal(int(cents)) / 100).quantize(CENT)


class Cents(TypeDecorator[Decimal]):
    """A Decimal amount stored as integer cents (SQLite's Numeric is a float)."""

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> int | None:
        if value is None:
            return None
        return to_cents(value)

    def process_result_value(self, value: Any | None, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return from_cents(value)


def parse_amount(text: str | None, locale: str, *, allow_negative: bool = False) -> Decimal:
    """Read an amount typed in the user's locale ("1.234,56" in pt, "1,234.56" in en).

    A lone separator followed by one or two digits is read as the decimal mark even when
    it is the locale's group symbol ("12.5" in pt is 12.50): groups always have 3 digits.
    """
    raw = _SPACES.sub("", text or "")
    if not raw:
        raise MoneyError(_l("Enter an amount."))
    negative = False
    if raw[0] in "-\u2212":
        negative, raw = True, raw[1:]
    elif raw[0] == "+":
        raw = raw[1:]
    decimal_symbol = get_decimal_symbol(locale)
    group_symbol = get_group_symbol(locale)
    if group_symbol in ("\u00a0", "\u202f", " "):
        group_symbol = "." if decimal_symbol == "," else ","
    if not raw or not re.fullmatch(r"[0-9.,]+", raw):
        raise MoneyError(_l("Enter a number, such as %(example)s.", example=_example(locale)))

    integer, fraction = _split(raw, decimal_symbol, group_symbol, locale)
    if len(fraction) > 2:
        raise MoneyError(_l("Use at most two decimal places."))
    try:
        value = Decimal(f"{integer or '0'}.{fraction or '0'}").quantize(CENT)
    except InvalidOperation as exc:
        raise MoneyError(_l("Enter a number, such as %(example)s.", example=_example(locale))) from exc
    if value > MAX_AMOUNT:
        raise MoneyError(_l("The amount is too large."))
    if negative:
        if not allow_negative:
            raise MoneyError(_l("Enter a positive amount."))
        value = -value
    return value


def _split(raw: str, decimal_symbol: str, group_symbol: str, locale: str) -> tuple[str, str]:
    bad = MoneyError(_l("Enter a number, such as %(example)s.", example=_example(locale)))
    if raw.count(decimal_symbol) > 1:
        if group_symbol not in raw and _valid_groups(raw.split(decimal_symbol)):
            # "1.234.567" typed with the other convention's grouping.
            return "".join(raw.split(decimal_symbol)), ""
        raise bad
    if decimal_symbol in raw:
        integer, fraction = raw.split(decimal_symbol)
        if group_symbol in fraction:
            raise bad
    else:
        integer, fraction = raw, ""
        parts = raw.split(group_symbol)
        if len(parts) == 2 and 1 <= len(parts[1]) <= 2:
            return parts[0], parts[1]
    if group_symbol in integer:
        groups = integer.split(group_symbol)
        if not _valid_groups(groups):
            raise bad
        integer = "".join(groups)
    if not integer and not fraction:
        raise bad
    return integer, fraction


def _valid_groups(groups: list[str]) -> bool:
    return 1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])


def _example(locale: str) -> str:
    return f"1{get_group_symbol(locale)}234{get_decimal_symbol(locale)}56"


def format_money(amount: Decimal | None, currency: str, locale: str) -> str:
    """The amount in the locale's way of writing that currency, e.g. R$ 1.234,56.

    Exactly what Babel's format_currency writes, several times faster: a page of the
    forecast or the ledger shows hundreds of amounts. The layout (symbol and sign around
    the digits, separators) is learnt from Babel once per currency and locale; zero and
    any locale whose layout is not plain groups of three are left to Babel itself."""
    if amount is None:
        return ""
    layout = _money_layout(currency, locale)
    if layout is not None:
        try:
            value = amount if isinstance(amount, Decimal) else Decimal(str(amount))
            rounded = value.quantize(layout.quantum)
        except (InvalidOperation, ValueError):
            rounded = None
        if rounded:  # not zero: Babel decides how a zero that had a sign reads
            return layout.write(rounded)
    return format_currency(amount, currency, locale=locale)


@dataclass(frozen=True)
class _MoneyLayout:
    quantum: Decimal
    separators: dict[int, str]  # str.translate table from Python's "," and "." to the locale's
    prefix: str
    suffix: str
    negative_prefix: str
    negative_suffix: str

    def write(self, rounded: Decimal) -> str:
        """A non-zero amount already rounded to the currency's places."""
        digits = f"{abs(rounded):,f}".translate(self.separators)
        if rounded < 0:
            return f"{self.negative_prefix}{digits}{self.negative_suffix}"
        return f"{self.prefix}{digits}{self.suffix}"


@lru_cache(maxsize=256)
def _money_layout(currency: str, locale: str) -> _MoneyLayout | None:
    """How Babel lays out amounts of `currency` in `locale`, checked on sample amounts;
    None when it is not a plain prefix/suffix around digits grouped by three."""
    try:
        places = get_currency_precision(currency)
        quantum = Decimal(1).scaleb(-places)
        sample = Decimal("1234567.891").quantize(quantum)
        parts = {}
        for sign, value in (("+", sample), ("-", -sample)):
            text = format_currency(value, currency, locale=locale)
            digits = [i for i, char in enumerate(text) if char.isdigit()]
            parts[sign] = (text[: digits[0]], text[digits[0] : digits[-1] + 1], text[digits[-1] + 1 :])
        number = parts["+"][1]
        group = number[1]
        decimal = number[-(places + 1)] if places else "."
        layout = _MoneyLayout(
            quantum=quantum,
            separators=str.maketrans({",": group, ".": decimal}),
            prefix=parts["+"][0],
            suffix=parts["+"][2],
            negative_prefix=parts["-"][0],
            negative_suffix=parts["-"][2],
        )
        checks = ("1234567.891", "-1234567.891", "1234.5", "-1234.5", "7.25", "-1.5", "999999.999")
        for check in map(Decimal, checks):
            rounded = check.quantize(quantum)
            if layout.write(rounded) != format_currency(rounded, currency, locale=locale):
                return None
        return layout
    except (IndexError, LookupError, ValueError, UnknownLocaleError):
        return None  # Babel formats every amount itself (and reports what is wrong)


def format_amount_input(amount: Decimal | None, locale: str) -> str:
    """The amount as a user would type it back into a form field in their locale."""
    if amount is None:
        return ""
    sign = "-" if amount < 0 else ""
    integer, _, fraction = f"{abs(amount).quantize(CENT):f}".partition(".")
    return f"{sign}{integer}{get_decimal_symbol(locale)}{fraction}"
