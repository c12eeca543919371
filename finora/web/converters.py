"""Whole numbers from URLs, query strings and forms, bounded by the database's integer range."""

from __future__ import annotations

from flask import Flask, request
from werkzeug.routing import IntegerConverter

# Every id column is a 32-bit INTEGER (PostgreSQL int4); a larger number can name no row, and
# handing it to the database is an overflow (a 500) rather than "not found".
MAX_ID = 2**31 - 1
# Far beyond any list's last page.
MAX_PAGE = 100_000


class BoundedIntConverter(IntegerConverter):
    """`<int:...>` that does not match beyond MAX_ID, so a huge id in a path is a plain 404."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


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


def page_arg(name: str = "page") -> int:
    """The page number in the query string, from 1 to MAX_PAGE (else 1): a huge page would
    overflow the database's OFFSET."""
    return parse_int(request.args.get(name), minimum=1, maximum=MAX_PAGE) or 1


def register_converters(app: Flask) -> None:
    """Before any blueprint adds its rules: `int` in every route is the bounded one."""
    app.url_map.converters["int"] = BoundedIntConverter
