"""One row of a table <-> one JSON object of an archive, column by column from its type.

Money travels as a decimal string with two places ("-12.34"), never a JSON number (a
float would round it); dates as "YYYY-MM-DD", timestamps as UTC with a "Z", binary as
base64. Reading is strict because an archive is untrusted input that is about to be
inserted: a wrong type, an over-long string, a NUL or lone surrogate (refused by
PostgreSQL or MariaDB at insert time, after half a restore), a year MariaDB cannot store
or an integer beyond the column's range is an ArchiveRowError naming the table and line
*before* anything is written.

The converters of a table are worked out once (cached by table) so the per-row cost is a
dict lookup and at most a call per column (integer columns, the commonest, are checked
inline): 100,000 entries encode or decode in about a second. A column type with no converter here raises at that point, so a new type
in the models fails the codec's tests instead of being written wrong.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import (
    BigInteger,
    Boolean,
    ColumnDefault,
    Date,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Table,
    Text,
)

from finora.models.audit import JSONText
from finora.models.base import UTCDateTime
from finora.money import Cents, to_cents
from finora.services.backups.errors import ArchiveRowError
from finora.translation import gettext as _

# Every engine Finora runs on can store these (MariaDB's DATE and DATETIME start at 1000).
_MIN_YEAR = 1000
# MariaDB's TEXT holds 65,535 bytes; an archive made on SQLite or PostgreSQL must still
# restore there.
_TEXT_MAX_BYTES = 65_535

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATETIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{6})?Z")
# Up to 16 integer digits: the largest such cent count still fits a signed 64-bit column.
_MONEY = re.compile(r"-?(?:0|[1-9][0-9]{0,15})\.[0-9]{2}")


class _Bad(ValueError):
    """A value that does not fit its column; the detail is translated when raised."""


# -- encoding (database values -> JSON values) ---------------------------------------


def _encode_datetime(value: datetime) -> str:
    if value.tzinfo is UTC:  # what UTCDateTime hands back: "...+00:00" -> "...Z"
        return value.isoformat()[:-6] + "Z"
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat() + "Z"


def _encode_date(value: date) -> str:
    return value.isoformat()


def _encode_cents(value: Decimal) -> str:
    cents = to_cents(value)  # refuses a fraction of a cent instead of rounding it away
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    return f"{sign}{whole}.{part:02d}"


def _encode_binary(value: bytes) -> str:
    return base64.b64encode(value).decode("ascii")


# -- decoding (JSON values -> values for insert()) -----------------------------------


_INT_RANGES: dict[type, tuple[int, int]] = {
    BigInteger: (-(2**63), 2**63 - 1),
    SmallInteger: (-(2**15), 2**15 - 1),
    Integer: (-(2**31), 2**31 - 1),
}


def _int_decoder(low: int, high: int) -> Callable[[Any], int]:
    def decode(value: Any) -> int:
        if type(value) is not int:  # bool is an int subclass: refused here too
            raise _Bad(_("a whole number was expected"))
        if not low <= value <= high:
            raise _Bad(_("the number is out of range"))
        return value

    return decode


def _check_text(value: Any) -> None:
    if type(value) is not str:
        raise _Bad(_("text was expected"))
    if "\x00" in value:
        raise _Bad(_("the text holds a NUL character"))
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise _Bad(_("the text is not valid Unicode")) from None


def _string_decoder(length: int | None) -> Callable[[Any], str]:
    if length is None:
        def decode(value: Any) -> str:
            if type(value) is not str or "\x00" in value or not value.isascii():
                _check_text(value)
            if len(value) > _TEXT_MAX_BYTES // 4 and len(value.encode("utf-8")) > _TEXT_MAX_BYTES:
                raise _Bad(_("the text is too long"))
            return value

        return decode

    def decode_limited(value: Any) -> str:
        # The common case (short ASCII text) costs three C calls; anything else is
        # looked at closely.
        if type(value) is not str or "\x00" in value or not value.isascii():
            _check_text(value)
        if len(value) > length:
            raise _Bad(_("the text is longer than %(length)s characters", length=length))
        return value

    return decode_limited


def _decode_bool(value: Any) -> bool:
    if type(value) is not bool:
        raise _Bad(_("true or false was expected"))
    return value


def _decode_date(value: Any) -> date:
    if type(value) is not str or not _DATE.fullmatch(value):
        raise _Bad(_("a date (YYYY-MM-DD) was expected"))
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        raise _Bad(_("a date (YYYY-MM-DD) was expected")) from None
    if parsed.year < _MIN_YEAR:
        raise _Bad(_("the date is out of range"))
    return parsed


def _decode_datetime(value: Any) -> datetime:
    if type(value) is not str or not _DATETIME.fullmatch(value):
        raise _Bad(_("a UTC date and time (YYYY-MM-DDTHH:MM:SSZ) was expected"))
    try:
        parsed = datetime.fromisoformat(value)  # "Z" -> an aware UTC datetime
    except ValueError:
        raise _Bad(_("a UTC date and time (YYYY-MM-DDTHH:MM:SSZ) was expected")) from None
    if parsed.year < _MIN_YEAR:
        raise _Bad(_("the date is out of range"))
    return parsed


def _decode_cents(value: Any) -> Decimal:
    if type(value) is not str or not _MONEY.fullmatch(value):
        raise _Bad(_('an amount with two decimal places in quotes ("12.34") was expected'))
    return Decimal(value)


# JSONText values (audit details, import settings) are a few levels deep; a deeper one
# would only be there to make the insert's json.dumps hit the recursion limit.
_MAX_JSON_DEPTH = 32


def _decode_json(value: Any) -> Any:
    """Already a JSON value (JSONText stores what the line held); containers are walked
    once for their depth and for text JSONText could not store."""
    if type(value) is str:
        _check_text(value)
    elif type(value) in (dict, list):
        pending = [(value, 1)]
        while pending:
            item, depth = pending.pop()
            if depth > _MAX_JSON_DEPTH:
                raise _Bad(_("the value is nested too deeply"))
            children = item.values() if type(item) is dict else item
            if type(item) is dict:
                for key in item:
                    _check_text(key)
            for child in children:
                if type(child) in (dict, list):
                    pending.append((child, depth + 1))
                elif type(child) is str:
                    _check_text(child)
    return value


def _binary_decoder(length: int | None) -> Callable[[Any], bytes]:
    def decode(value: Any) -> bytes:
        if type(value) is not str:
            raise _Bad(_("base64 text was expected"))
        try:
            raw = base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raise _Bad(_("base64 text was expected")) from None
        if length is not None and len(raw) > length:
            raise _Bad(_("the data is longer than %(length)s bytes", length=length))
        return raw

    return decode


# -- per-type and per-table plans ------------------------------------------------------

# (encoder or None for "as is", decoder factory taking the column type). Looked up by the
# exact type class first, then along its bases, so Cents (a BigInteger decorator) and
# UTCDateTime are found before the generic types.
_TYPES: dict[type, tuple[Callable[[Any], Any] | None, Callable[[Any], Callable[[Any], Any]]]] = {
    Cents: (_encode_cents, lambda t: _decode_cents),
    UTCDateTime: (_encode_datetime, lambda t: _decode_datetime),
    JSONText: (None, lambda t: _decode_json),
    BigInteger: (None, lambda t: _int_decoder(*_INT_RANGES[BigInteger])),
    SmallInteger: (None, lambda t: _int_decoder(*_INT_RANGES[SmallInteger])),
    Integer: (None, lambda t: _int_decoder(*_INT_RANGES[Integer])),
    Boolean: (None, lambda t: _decode_bool),
    Date: (_encode_date, lambda t: _decode_date),
    Text: (None, lambda t: _string_decoder(None)),
    String: (None, lambda t: _string_decoder(t.length)),
    LargeBinary: (_encode_binary, lambda t: _binary_decoder(t.length)),
}


def _converters(column_type) -> tuple[Callable[[Any], Any] | None, Callable[[Any], Any]]:
    for kind in type(column_type).__mro__:
        found = _TYPES.get(kind)
        if found is not None:
            encoder, decoder_factory = found
            return encoder, decoder_factory(column_type)
    raise TypeError(f"backups: no archive codec for column type {type(column_type).__name__}")


class _RowContext:
    """Stands in for SQLAlchemy's execution context for a default that reads the row
    (accounts.include_in_forecast follows the account's kind)."""

    def __init__(self, row: dict[str, Any]) -> None:
        self.row = row

    def get_current_parameters(self, isolate_multiinsert_groups: bool = True) -> dict[str, Any]:
        return self.row


def _fill_missing(table: Table, names: list[str], out: dict[str, Any]) -> None:
    """The values columns get when an (older) archive lacks them: the Python default
    (callables last, seeing the rest of the row), None for a nullable column; a column with
    only a server default is left out so the database applies it."""
    callables = []
    for name in names:
        column = table.columns[name]
        default = column.default
        if default is not None and default.is_callable:
            callables.append((name, cast(ColumnDefault, default)))  # callable: a ColumnDefault
        elif default is not None and default.is_scalar:
            out[name] = cast(ColumnDefault, default).arg  # scalar: a ColumnDefault
        elif column.server_default is None and column.nullable:
            out[name] = None
    for name, default in callables:
        out[name] = default.arg(_RowContext(out))


class _Plan:
    __slots__ = ("converted", "decoders", "names", "missing")

    def __init__(self, table: Table) -> None:
        # The columns whose values need converting (the others are JSON already).
        self.converted: list[tuple[str, Callable[[Any], Any]]] = []
        # name -> (decoder, nullable, (low, high) for a plain integer column: checked
        # inline, the commonest column by far, without a call)
        self.decoders: dict[str, tuple[Callable[[Any], Any], bool, tuple[int, int] | None]] = {}
        self.names: list[str] = []
        # name -> required (True) when a missing key is an error, else False
        self.missing: dict[str, bool] = {}
        for column in table.columns:
            encoder, decoder = _converters(column.type)
            if encoder is not None:
                self.converted.append((column.name, encoder))
            int_range = _INT_RANGES.get(type(column.type))
            self.decoders[column.name] = (decoder, bool(column.nullable), int_range)
            self.names.append(column.name)
            required = (
                not column.nullable and column.default is None and column.server_default is None
            )
            self.missing[column.name] = required


_PLANS: dict[Table, _Plan] = {}


def _plan(table: Table) -> _Plan:
    plan = _PLANS.get(table)
    if plan is None:
        plan = _PLANS[table] = _Plan(table)
    return plan


def check_table(table: Table) -> None:
    """Raise TypeError now if a column of `table` has a type the codec cannot carry."""
    _plan(table)


def encode_row(table: Table, row: Mapping[Any, Any]) -> dict[str, Any]:
    """A row as SQLAlchemy returns it (Decimal for Cents, aware datetimes, dates, bytes)
    -> a JSON-ready dict keyed by column name. A column absent from `row` is left out."""
    plan = _plan(table)
    try:
        out = {name: row[name] for name in plan.names}
    except KeyError:
        out = {name: row[name] for name in plan.names if name in row}
    for name, encoder in plan.converted:
        value = out.get(name)
        if value is not None:
            out[name] = encoder(value)
    return out


def decode_row(table: Table, obj: Any, *, line: int, name: str | None = None) -> dict[str, Any]:
    """A JSON object of an archive -> values ready for insert(table), every column present
    except those left to a server default.

    Raises ArchiveRowError(name or table.name, line, detail) for something that is not an
    object, an unknown key, a value of the wrong type, format or length, null in a NOT NULL
    column, or a missing NOT NULL column without a default. A missing nullable or
    defaulted column (an archive from an older version) gets None or its default, so the
    rows of one table always carry the same keys (one executemany)."""
    where = name or table.name
    if type(obj) is not dict:
        raise ArchiveRowError(where, line, _("the line is not a JSON object"))
    plan = _plan(table)
    decoders = plan.decoders
    out: dict[str, Any] = {}
    for key, value in obj.items():
        found = decoders.get(key)
        if found is None:
            raise ArchiveRowError(where, line, _("unknown field %(field)s", field=_shown(key)))
        if value is None:
            if not found[1]:
                raise ArchiveRowError(
                    where, line, _("%(field)s: a value is required", field=key)
                )
            out[key] = None
            continue
        int_range = found[2]
        if int_range is not None and type(value) is int and int_range[0] <= value <= int_range[1]:
            out[key] = value
            continue
        try:
            out[key] = found[0](value)
        except _Bad as error:
            raise ArchiveRowError(where, line, f"{key}: {error}") from None
    if len(out) != len(decoders):
        absent = [column_name for column_name in plan.names if column_name not in out]
        for column_name in absent:
            if plan.missing[column_name]:
                raise ArchiveRowError(
                    where, line, _("%(field)s: a value is required", field=column_name)
                )
        _fill_missing(table, absent, out)
    return out


def _shown(key: str) -> str:
    """An unknown key as shown in a message: short and printable."""
    text = key if len(key) <= 40 else key[:40] + "…"
    return text.encode("unicode_escape").decode("ascii")
