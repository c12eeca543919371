"""Whole numbers and ids bounded by the database's integer range (no Flask: the tenancy
helper, the pages and the API share them)."""

from __future__ import annotations

# Every id column is a 32-bit INTEGER (PostgreSQL int4); a larger number can name no row, and
# handing it to the database is an overflow (a 500) rather than "not found".
MAX_ID = 2**31 - 1


def parse_int(value, *, minimum: int = -MAX_ID - 1, maximum: int = MAX_ID) -> int | None:
    """The whole number written in `value` if it fits [minimum, maximum], else None.

    Only ASCII digits count: str.isdigit() also accepts "²" and friends, which int() refuses.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    else:
        text = str(value or "").strip()
        digits = text[1:] if text[:1] in "+-" else text
        if not digits or len(digits) > 12 or not (digits.isascii() and digits.isdigit()):
            return None
        number = int(text)
    return number if minimum <= number <= maximum else None


def parse_id(value) -> int | None:
    """A database id (1 .. MAX_ID) written in `value`, else None."""
    return parse_int(value, minimum=1)
