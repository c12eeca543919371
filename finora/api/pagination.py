"""`limit` and `offset` on every list (default 50, at most 500)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import request

from finora.errors import FieldError
from finora.translation import lazy_gettext as _l

DEFAULT_LIMIT = 50
MAX_LIMIT = 500


@dataclass(frozen=True)
class Page:
    limit: int
    offset: int

    def cut(self, items: list) -> list:
        return items[self.offset:self.offset + self.limit]


def _whole(name: str, default: int, low: int, high: int | None) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isascii() or not raw.isdigit() or len(raw) > 9:
        raise FieldError(name, _l("Must be a whole number."))
    value = int(raw)
    if value < low or (high is not None and value > high):
        if high is None:
            raise FieldError(name, _l("Must be %(low)d or more.", low=low))
        raise FieldError(name, _l("Must be from %(low)d to %(high)d.", low=low, high=high))
    return value


def page_params() -> Page:
    """The request's page; a bad value is a FieldError (422 with `fields`)."""
    return Page(limit=_whole("limit", DEFAULT_LIMIT, 1, MAX_LIMIT),
                offset=_whole("offset", 0, 0, None))
