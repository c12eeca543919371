"""Whole numbers from URLs, query strings and forms, bounded by the database's integer range."""

from __future__ import annotations

from flask import Flask, request
from werkzeug.routing import IntegerConverter

# The bounds live in finora.ids (no Flask: tenancy and the API use them too).
from finora.ids import MAX_ID, parse_id, parse_int

__all__ = ["MAX_ID", "MAX_PAGE", "BoundedIntConverter", "page_arg", "parse_id", "parse_int",
           "register_converters"]

# Far beyond any list's last page.
MAX_PAGE = 100_000


class BoundedIntConverter(IntegerConverter):
    """`<int:...>` that does not match beyond MAX_ID, so a huge id in a path is a plain 404."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def page_arg(name: str = "page") -> int:
    """The page number in the query string, from 1 to MAX_PAGE (else 1): a huge page would
    overflow the database's OFFSET."""
    return parse_int(request.args.get(name), minimum=1, maximum=MAX_PAGE) or 1


def register_converters(app: Flask) -> None:
    """Before any blueprint adds its rules: `int` in every route is the bounded one."""
    app.url_map.converters["int"] = BoundedIntConverter
