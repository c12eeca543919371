"""Dates and amounts as files write them, in any of the orders and number styles families'
banks and spreadsheets use, and the detection of which one a column uses.

Pure functions (no pandas, no Flask): the tabular reader and the QIF parser share them.
Detection never guesses silently: when two readings give different values for the same
column, the guess says it is ambiguous and lists what fits, and the page asks.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

DATE_ORDERS = ("dmy", "mdy", "ymd", "serial")  # serial = Excel serial day numbers
NUMBER_STYLES = ("comma_decimal", "dot_decimal")  # "1.234,56" / "1,234.56"

# Excel counts days from 1899-12-30 (its 1900 leap-year bug folded in for every date after
# February 1900); the last serial is 9999-12-31.
_EXCEL_EPOCH = date(1899, 12, 30)
_MAX_SERIAL = 2958465
# A column of plain numbers is taken for serial dates only within these years (1950-2199):
# amounts like 120 or 45 would otherwise pass for dates in 1900.
_SERIAL_GUESS = (18264, 109574)

_TIME = re.compile(r"(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:\s?[AaPp][Mm])?(?:Z|[+-]\d{2}:?\d{2})?)$")
_PARTS = re.compile(r"[\s/.\-]+")
_SERIAL = re.compile(r"\d{1,7}(?:[.,]\d+)?")

_MONTHS = {
    # en, pt, es: the first three letters of each month's name (and a few four-letter ones).
    "jan": 1, "ene": 1,
    "feb": 2, "fev": 2,
    "mar": 3,
    "apr": 4, "abr": 4,
    "may": 5, "mai": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8, "ago": 8,
    "sep": 9, "set": 9, "sept": 9,
    "oct": 10, "out": 10,
    "nov": 11,
    "dec": 12, "dez": 12, "dic": 12,
}  # fmt: skip


class DateDoesNotExist(ValueError):
    """The text has a date's shape but names no day of the calendar (31/02/2026)."""


@dataclass(frozen=True)
class DateGuess:
    order: str | None
    ambiguous: bool
    possible: tuple[str, ...]


@dataclass(frozen=True)
class NumberGuess:
    style: str | None
    ambiguous: bool
    possible: tuple[str, ...]


def _year(text: str) -> int:
    if len(text) == 4:
        return int(text)
    if len(text) == 2:
        value = int(text)
        return 2000 + value if value < 70 else 1900 + value
    raise ValueError(f"not a year: {text!r}")


def _make(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise DateDoesNotExist(f"no such date: {year}-{month}-{day}") from None


def _serial(text: str) -> date:
    if not _SERIAL.fullmatch(text):
        raise ValueError(f"not a serial date: {text!r}")
    days = int(Decimal(text.replace(",", ".")))
    if not 1 <= days <= _MAX_SERIAL:
        raise ValueError(f"serial date out of range: {text!r}")
    return _EXCEL_EPOCH + timedelta(days=days)


def _with_month_name(parts: list[str]) -> date:
    """'31 Dec 2026', '31-dez-26', 'Dec 31 2026' (the comma already gone)."""
    names = [i for i, part in enumerate(parts) if part.isalpha()]
    if len(names) != 1 or len(parts) != 3:
        raise ValueError("not a date")
    word = parts[names[0]].lower()
    month = _MONTHS.get(word[:4]) or _MONTHS.get(word[:3])
    if month is None or (len(word) > 4 and not _is_month_word(word)):
        raise ValueError(f"not a month: {word!r}")
    numbers = [part for part in parts if not part.isalpha()]
    if not all(part.isdigit() for part in numbers):
        raise ValueError("not a date")
    if len(numbers[0]) == 4:  # 2026 Dec 31
        year, day = numbers
    else:  # 31 Dec 2026, Dec 31 2026
        day, year = numbers
    if len(day) > 2:
        raise ValueError("not a date")
    return _make(_year(year), month, int(day))


def _is_month_word(word: str) -> bool:
    full = (
        "january february march april may june july august september october november december "
        "janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro dezembro "
        "enero febrero marzo abril mayo junio julio agosto septiembre setiembre octubre noviembre diciembre"
    )
    return word in full.split()


def parse_date(text: str, order: str) -> date:
    """The date `text` writes, read in `order` (one of DATE_ORDERS).

    A four-digit year first ("2026-12-31", "20261231") reads as year-month-day whatever the
    order: no day/month order writes the year first. Two-digit years: 00-69 are 20xx, 70-99
    19xx. A trailing time ("2026-12-31 00:00:00") is ignored. ValueError for anything else;
    DateDoesNotExist (a ValueError) for a well-formed day the calendar lacks.
    """
    if order not in DATE_ORDERS:
        raise ValueError(f"unknown date order: {order!r}")
    value = text.strip()
    if order == "serial":
        return _serial(value)
    value = _TIME.sub("", value).strip().replace("'", "/").replace(",", " ")
    if value.isdigit():
        if len(value) != 8:
            raise ValueError(f"not a date: {text!r}")
        if value[:2] in ("19", "20", "21") and 1 <= int(value[4:6]) <= 12:
            return _make(int(value[:4]), int(value[4:6]), int(value[6:]))
        value = f"{value[:2]}/{value[2:4]}/{value[4:]}" if order != "ymd" else f"{value[:4]}/{value[4:6]}/{value[6:]}"
    parts = [part for part in _PARTS.split(value) if part]
    if len(parts) != 3:
        raise ValueError(f"not a date: {text!r}")
    if any(part.isalpha() for part in parts):
        return _with_month_name(parts)
    if not all(part.isdigit() for part in parts):
        raise ValueError(f"not a date: {text!r}")
    if len(parts[0]) == 4:
        year, month, day = parts
    elif order == "dmy":
        day, month, year = parts
    elif order == "mdy":
        month, day, year = parts
    else:
        year, month, day = parts
    if len(day) > 2 or len(month) > 2:
        raise ValueError(f"not a date: {text!r}")
    return _make(_year(year), int(month), int(day))


def _fits(parse, text: str, option: str):
    try:
        return parse(text, option)
    except ValueError:
        return None


def _guess(values: Iterable[str], options: tuple[str, ...], parse, fits_option) -> tuple[str | None, bool, tuple]:
    """(chosen, ambiguous, possible) over the non-empty values: the options that read every
    value that any option reads (at least half of them must be readable), ambiguous when
    those options read some value differently."""
    readings: list[dict[str, object]] = []
    seen = 0
    for raw in values:
        text = (raw or "").strip()
        if not text:
            continue
        seen += 1
        reading = {}
        for option in options:
            if fits_option(text, option):
                result = _fits(parse, text, option)
                if result is not None:
                    reading[option] = result
        if reading:
            readings.append(reading)
    if not readings or len(readings) * 2 < seen:
        return None, False, ()
    possible = tuple(option for option in options if all(option in reading for reading in readings))
    if not possible:
        # A few stray values (a typo, a footer) do not hide what most of the column says:
        # the one option that reads nearly every value is taken, and the rest become row errors.
        counts = {option: sum(1 for reading in readings if option in reading) for option in options}
        ranked = sorted(counts.values(), reverse=True)
        best = max(options, key=lambda option: counts[option])
        if counts[best] >= 0.8 * len(readings) and (len(ranked) < 2 or ranked[1] < ranked[0]):
            return best, False, (best,)
        return None, False, ()
    if len(possible) == 1:
        return possible[0], False, possible
    first = possible[0]
    if all(len({reading[option] for option in possible}) == 1 for reading in readings):
        return first, False, possible
    return None, True, possible


def _date_fits(text: str, order: str) -> bool:
    if order != "serial":
        return True
    if not _SERIAL.fullmatch(text):
        return False
    return _SERIAL_GUESS[0] <= int(Decimal(text.replace(",", "."))) <= _SERIAL_GUESS[1]


def detect_date_order(values: Iterable[str]) -> DateGuess:
    """Which of DATE_ORDERS the column's values use. 10/11/2026 alone fits day/month/year
    and month/day/year with different dates: ambiguous, order None, both possible. Orders
    that read every value as the same dates ('2026-12-31' only, or '05/05/2026') are not
    ambiguous: the first is chosen (ymd before dmy before mdy)."""
    order, ambiguous, possible = _guess(values, ("ymd", "dmy", "mdy", "serial"), parse_date, _date_fits)
    return DateGuess(order, ambiguous, tuple(o for o in DATE_ORDERS if o in possible))


# ---------------------------------------------------------------------------- amounts

_CURRENCY = re.compile(
    r"^(?:[A-Za-z]{0,3}\$|[€£¥₹₽₩¢]|[A-Z]{3}(?=[\s\d(+\-.,]|$)|kr|zł|Fr\.?)|"
    r"(?:(?<=[\s\d)+\-])(?:[A-Za-z]{0,3}\$|[€£¥₹₽₩¢]|[A-Z]{3}|kr|zł|Fr\.?))$"
)
_NUMBER = re.compile(r"[\d.,' ]*\d")
_GROUPS = {"comma_decimal": ".' ", "dot_decimal": ",' "}
_DECIMAL = {"comma_decimal": ",", "dot_decimal": "."}


_SIDE = re.compile(r"^(.*\d)\s*(CR|DR|DB|C|D)\.?$", re.IGNORECASE)


def _peel(text: str) -> tuple[str, bool]:
    """(the bare number, negative?) once signs, parentheses, currency and a trailing
    debit/credit mark ("12,30 D", "45.00 CR") are taken off both ends."""
    negative = 0
    signs = 0
    value = text
    side = _SIDE.match(value)
    if side:
        value = side.group(1)
        negative += side.group(2).upper() in ("D", "DR", "DB")
        signs += 1
    while True:
        before = value
        value = value.strip()
        if value.startswith("(") and value.endswith(")"):
            value, negative = value[1:-1], negative + 1
        elif value[:1] in "-+" and value:
            negative += value[0] == "-"
            signs += 1
            value = value[1:]
        elif value[-1:] in "-+" and value:
            negative += value[-1] == "-"
            signs += 1
            value = value[:-1]
        else:
            value = _CURRENCY.sub("", value, count=1) if _CURRENCY.search(value) else value
        if value == before:
            break
    if negative > 1 or signs > 1:
        raise ValueError(f"not a number: {text!r}")
    return value, bool(negative)


def parse_amount(text: str, style: str) -> Decimal:
    """The signed amount `text` writes in `style` (one of NUMBER_STYLES): "-12,30",
    "(12.30)", "12.30-", "+5", "R$ 1.234,56", "€1,234.56", "USD 1,234.56", "1 234,56",
    "1'234.56", "12,30 D" (debit), "45.00 CR" (credit). Group separators must group by three; more than two decimals only when the
    extra digits are zeros. ValueError for anything else."""
    if style not in NUMBER_STYLES:
        raise ValueError(f"unknown number style: {style!r}")
    value = (text or "").replace("\u00a0", " ").replace("\u202f", " ").replace("\u2212", "-").strip()
    if not value:
        raise ValueError("empty amount")
    number, negative = _peel(value)
    number = number.strip()
    if not _NUMBER.fullmatch(number):
        raise ValueError(f"not a number: {text!r}")
    decimal_mark = _DECIMAL[style]
    groups = _GROUPS[style]
    whole, _mark, fraction = number.partition(decimal_mark)
    if decimal_mark in fraction or any(char in fraction for char in groups) or not fraction.isdigit() and fraction:
        raise ValueError(f"not a number: {text!r}")
    if _mark and not fraction:
        raise ValueError(f"not a number: {text!r}")
    pieces = re.split(r"[" + re.escape(groups) + r"]", whole) if whole else [""]
    if len(pieces) > 1:
        separators = set(re.findall(r"[" + re.escape(groups) + r"]", whole))
        if len(separators) > 1 or not 1 <= len(pieces[0]) <= 3 or any(len(piece) != 3 for piece in pieces[1:]):
            raise ValueError(f"not a number: {text!r}")
    digits = "".join(pieces) or "0"
    if not digits.isdigit():
        raise ValueError(f"not a number: {text!r}")
    if len(fraction) > 2:
        if fraction[2:].strip("0"):
            raise ValueError(f"more than two decimals: {text!r}")
        fraction = fraction[:2]
    amount = Decimal(f"{digits}.{fraction}") if fraction else Decimal(digits)
    if amount == 0:
        return abs(amount)
    return -amount if negative else amount


def detect_number_style(values: Iterable[str]) -> NumberGuess:
    """Which of NUMBER_STYLES the column's amounts use. Values that read the same in both
    ("12", "-5", "1234") decide nothing: a column of them is not ambiguous (dot_decimal is
    chosen). "1.500" or "1,500" alone reads differently in each: ambiguous."""
    style, ambiguous, possible = _guess(values, ("dot_decimal", "comma_decimal"), parse_amount, lambda t, o: True)
    return NumberGuess(style, ambiguous, tuple(s for s in NUMBER_STYLES if s in possible))
