"""The row codec: every column of every table in the models round-trips through JSON (a
new column type fails here), the values at the edges of what it accepts store and read
back on this engine, and every wrong value is refused with its table, line and field."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from flask_babel import force_locale
from sqlalchemy import Column, Integer, MetaData, Table, insert, select

import finora.models  # noqa: F401 - every model module, so Base.metadata holds every table
from finora.extensions import db
from finora.models.audit import JSONText
from finora.models.base import Base, UTCDateTime
from finora.money import Cents
from finora.services.backups import codec
from finora.services.backups.codec import decode_row, encode_row
from finora.services.backups.errors import ArchiveRowError

MOMENT = datetime(2026, 12, 5, 22, 4, 1, 123456, tzinfo=UTC)


def sample(column_type, *, edge: bool = False):
    """A value for a column of this type; `edge`: the largest the codec accepts."""
    kind = type(column_type)
    if kind is Cents:
        return Decimal("9999999999999999.99") if edge else Decimal("-1234.50")
    if kind is UTCDateTime:
        return datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC) if edge else MOMENT
    if issubclass(kind, JSONText):  # undo_records' payload is JSONText, LONGTEXT on MariaDB
        return {"before": {"amount": "12.34", "tags": ["á", None, True, 1.5]}}
    name = kind.__name__
    if name == "BigInteger":
        return 2**63 - 1 if edge else 2**40
    if name == "Integer":
        return 2**31 - 1 if edge else -42
    if name == "SmallInteger":  # a card's statement days (docs/cards.md)
        return 2**15 - 1 if edge else 28
    if name == "Boolean":
        return True
    if name == "Date":
        return date(1000, 1, 1) if edge else date(2026, 2, 28)
    if name == "Text":
        return "é" * 32_767 if edge else "linha 1\nlinha 2 — ção 🔐"
    if name == "String":
        length = column_type.length
        return "🔐" * length if edge else ("ção🔐x" * length)[:length]
    if name == "LargeBinary":
        return bytes(range(256)) * 3 if edge else b"\x00\xffbinary"
    raise AssertionError(f"no sample for {name}: teach the codec and this test the new type")


def json_round_trip(value):
    return json.loads(json.dumps(value))


def tables():
    return list(Base.metadata.sorted_tables)


@pytest.mark.parametrize("table", tables(), ids=lambda table: table.name)
def test_every_column_of_every_table_round_trips(table):
    row = {column.name: sample(column.type) for column in table.columns}
    encoded = encode_row(table, row)
    assert encoded == json_round_trip(encoded)  # JSON values only
    assert decode_row(table, json_round_trip(encoded), line=1) == row
    nullable = {column.name for column in table.columns if column.nullable}
    with_nulls = {name: (None if name in nullable else value) for name, value in row.items()}
    assert decode_row(table, json_round_trip(encode_row(table, with_nulls)), line=1) == with_nulls


def test_every_type_in_the_models_has_a_codec():
    kinds = {type(column.type) for table in tables() for column in table.columns}
    assert {Cents, UTCDateTime, JSONText} <= kinds
    for table in tables():
        codec.check_table(table)
    from sqlalchemy import Float

    with pytest.raises(TypeError, match="Float"):
        codec.check_table(Table("odd", MetaData(), Column("id", Integer, primary_key=True), Column("x", Float)))


def test_values_are_written_in_the_documented_formats():
    entries = Base.metadata.tables["entries"]
    row = {
        "id": 1, "amount": Decimal("1500"), "date": date(2026, 1, 2), "notes": None,
        "created_at": datetime(2026, 1, 2, 1, 2, 3, tzinfo=timezone(timedelta(hours=-3))),
        "updated_at": datetime(2026, 1, 2, 4, 2, 3, 500, tzinfo=UTC),
    }
    assert encode_row(entries, row) == {
        "id": 1, "amount": "1500.00", "date": "2026-01-02", "notes": None,
        "created_at": "2026-01-02T04:02:03Z", "updated_at": "2026-01-02T04:02:03.000500Z",
    }
    for amount, text in ((Decimal("-0.05"), "-0.05"), (Decimal("0"), "0.00"), (Decimal("1E+2"), "100.00"),
                         (Decimal("-12.3"), "-12.30")):
        assert encode_row(entries, {"amount": amount}) == {"amount": text}
    with pytest.raises(ValueError):
        encode_row(entries, {"amount": Decimal("0.001")})  # never rounded away


def test_binary_is_base64():
    table = next(t for t in tables() for c in t.columns if type(c.type).__name__ == "LargeBinary")
    column = next(c for c in table.columns if type(c.type).__name__ == "LargeBinary")
    assert encode_row(table, {column.name: b"\x00\x01\x02"}) == {column.name: "AAEC"}


def test_a_missing_optional_field_takes_its_default_or_null():
    """An archive from an older version lacks newer columns (accounts.number, entries'
    import_key): they load as null or their default, and every row has the same keys."""
    accounts = Base.metadata.tables["accounts"]
    old = {"id": 1, "household_id": 2, "name": "Conta", "opening_date": "2025-01-01",
           "created_at": "2025-01-01T00:00:00Z"}
    decoded = decode_row(accounts, old, line=1)
    assert decoded["number"] is None
    assert decoded["kind"] == "checking"  # a scalar default
    assert decoded["opening_balance"] == Decimal("0.00")
    assert decoded["include_in_forecast"] in (True, False)  # a callable default, evaluated
    assert set(decoded) == {column.name for column in accounts.columns}
    entries = Base.metadata.tables["entries"]
    entry = {column.name: sample(column.type) for column in entries.columns}
    encoded = encode_row(entries, entry)
    del encoded["import_key"], encoded["created_at"]
    decoded = decode_row(entries, encoded, line=1)
    assert decoded["import_key"] is None and decoded["created_at"].tzinfo is UTC


def test_a_missing_column_left_to_the_server_default_is_left_out():
    from sqlalchemy import text

    table = Table(
        "odd", MetaData(), Column("id", Integer, primary_key=True),
        Column("tries", Integer, nullable=False, server_default=text("0")),
    )
    assert decode_row(table, {"id": 1}, line=1) == {"id": 1}
    assert decode_row(table, {"id": 1, "tries": 3}, line=1) == {"id": 1, "tries": 3}


ENTRIES = "entries"


def entry_json(**changes):
    entries = Base.metadata.tables[ENTRIES]
    row = encode_row(entries, {column.name: sample(column.type) for column in entries.columns})
    row.update(changes)
    return row


BAD = [
    # (field, value, words of the detail)
    ("id", True, "whole number"),
    ("id", 1.0, "whole number"),
    ("id", "1", "whole number"),
    ("id", 2**31, "out of range"),
    ("account_id", -(2**31) - 1, "out of range"),
    ("kind", 5, "text was expected"),
    ("kind", "x" * 9, "longer than 8"),
    ("description", "a\x00b", "NUL"),
    ("description", "\ud800", "Unicode"),
    ("notes", "é" * 40_000, "too long"),
    ("amount", 12.34, "two decimal places"),
    ("amount", 1234, "two decimal places"),
    ("amount", "12.3", "two decimal places"),
    ("amount", "12.345", "two decimal places"),
    ("amount", "1e3", "two decimal places"),
    ("amount", "+1.00", "two decimal places"),
    ("amount", "01.00", "two decimal places"),
    ("amount", " 1.00", "two decimal places"),
    ("amount", "12,34", "two decimal places"),
    ("amount", "NaN", "two decimal places"),
    ("amount", "99999999999999999.00", "two decimal places"),
    ("amount", "１２.３４", "two decimal places"),
    ("date", "2026-02-30", "YYYY-MM-DD"),
    ("date", "2026-2-3", "YYYY-MM-DD"),
    ("date", "20260203", "YYYY-MM-DD"),
    ("date", "2026-W05-1", "YYYY-MM-DD"),
    ("date", "0999-12-31", "out of range"),
    ("date", 20260203, "YYYY-MM-DD"),
    ("created_at", "2026-12-05T22:04:01", "YYYY-MM-DDTHH:MM:SSZ"),
    ("created_at", "2026-12-05T22:04:01+00:00", "YYYY-MM-DDTHH:MM:SSZ"),
    ("created_at", "2026-12-05 22:04:01Z", "YYYY-MM-DDTHH:MM:SSZ"),
    ("created_at", "2026-12-05T22:04:01.123Z", "YYYY-MM-DDTHH:MM:SSZ"),
    ("created_at", "2026-12-05T25:04:01Z", "YYYY-MM-DDTHH:MM:SSZ"),
    ("created_at", "0500-01-01T00:00:00Z", "out of range"),
    ("created_at", None, "a value is required"),
    ("amount", None, "a value is required"),
]


@pytest.mark.parametrize("field, value, words", BAD, ids=[f"{f}={v!r:.30}" for f, v, _w in BAD])
def test_a_wrong_value_names_table_line_and_field(app, field, value, words):
    entries = Base.metadata.tables[ENTRIES]
    with force_locale("en"), pytest.raises(ArchiveRowError) as caught:
        decode_row(entries, entry_json(**{field: value}), line=17)
    error = caught.value
    assert (error.table, error.line) == ("entries", 17)
    assert str(error.detail).startswith(field) and words in str(error.detail), error.detail
    assert "table entries, line 17" in str(error)


def test_booleans_and_binary_are_checked(app):
    accounts = Base.metadata.tables["accounts"]
    good = encode_row(accounts, {column.name: sample(column.type) for column in accounts.columns})
    for value in (1, "true", None):
        with force_locale("en"), pytest.raises(ArchiveRowError, match="archived"):
            decode_row(accounts, {**good, "archived": value}, line=1)
    table = next(t for t in tables() for c in t.columns if type(c.type).__name__ == "LargeBinary")
    binary = [c for c in table.columns if type(c.type).__name__ == "LargeBinary"]
    row = encode_row(table, {column.name: sample(column.type) for column in table.columns})
    for column in binary:
        for value in ("not base64!", "AAE", 5):
            with force_locale("en"), pytest.raises(ArchiveRowError, match="base64"):
                decode_row(table, {**row, column.name: value}, line=1)
        if column.type.length:
            too_long = encode_row(table, {column.name: bytes(column.type.length + 1)})[column.name]
            with force_locale("en"), pytest.raises(ArchiveRowError, match="longer than"):
                decode_row(table, {**row, column.name: too_long}, line=1)


@pytest.mark.parametrize("obj", [[], "entry", 5, None, True])
def test_a_line_that_is_not_an_object_is_refused(app, obj):
    with force_locale("en"), pytest.raises(ArchiveRowError, match="not a JSON object") as caught:
        decode_row(Base.metadata.tables[ENTRIES], obj, line=3, name="entries_v1")
    assert caught.value.table == "entries_v1" and caught.value.line == 3


def test_an_unknown_field_is_refused(app):
    with force_locale("en"), pytest.raises(ArchiveRowError, match="unknown field password_hash"):
        decode_row(Base.metadata.tables[ENTRIES], entry_json(password_hash="x"), line=1)
    with force_locale("en"), pytest.raises(ArchiveRowError) as caught:
        decode_row(Base.metadata.tables[ENTRIES], entry_json(**{"\x1b[31m" + "x" * 100: 1}), line=1)
    assert "\x1b" not in str(caught.value) and len(str(caught.value.detail)) < 80


def test_a_missing_required_field_is_refused(app):
    row = entry_json()
    del row["account_id"]
    with force_locale("en"), pytest.raises(ArchiveRowError, match="account_id: a value is required"):
        decode_row(Base.metadata.tables[ENTRIES], row, line=1)


def probe_table() -> Table:
    """One column per distinct column type (and String length) found in the models."""
    metadata = MetaData()
    seen: dict[tuple, object] = {}
    for table in tables():
        for column in table.columns:
            seen.setdefault((type(column.type), getattr(column.type, "length", None)), column.type)
    columns = [Column(f"c{number}", kind, nullable=True) for number, kind in enumerate(seen.values())]
    return Table("backup_codec_probe", metadata, Column("id", Integer, primary_key=True), *columns)


@pytest.mark.parametrize("edge", [False, True], ids=["typical", "largest accepted"])
def test_values_store_and_read_back_on_this_engine(app, edge):
    """What the codec lets through, the database stores unchanged (MariaDB keeps whole
    seconds: its DATETIME columns here have no fractional part)."""
    probe = probe_table()
    engine = db.engine
    probe.create(engine)
    try:
        row = {"id": 1}
        for column in probe.columns:
            if column.name != "id":
                value = sample(column.type, edge=edge)
                if isinstance(value, datetime):
                    value = value.replace(microsecond=0)
                row[column.name] = value
        archived = json_round_trip(encode_row(probe, row))
        with engine.begin() as connection:
            connection.execute(insert(probe), [decode_row(probe, archived, line=1)])
        with engine.connect() as connection:
            stored = connection.execute(select(probe)).mappings().one()
        assert encode_row(probe, stored) == archived
    finally:
        probe.drop(engine)


def json_text_column() -> tuple[Table, str]:
    return next((t, c.name) for t in tables() for c in t.columns if type(c.type) is JSONText)


def test_json_values_are_checked_for_what_json_text_cannot_store(app):
    table, name = json_text_column()
    row = encode_row(table, {column.name: sample(column.type) for column in table.columns})
    deep: list = []
    inner = deep
    for _ in range(40):
        inner.append([])
        inner = inner[0]
    for value, words in ((deep, "nested too deeply"), ({"a": ["x\x00"]}, "NUL"), ({"\ud800": 1}, "Unicode"),
                         ("\x00", "NUL")):
        with force_locale("en"), pytest.raises(ArchiveRowError, match=words):
            decode_row(table, {**row, name: value}, line=1)
    fine = {"a": [1, 2.5, None, True, {"b": "ç"}], "n": -3}
    assert decode_row(table, {**row, name: fine}, line=1)[name] == fine


ODD_VALUES = [
    [], {}, [1], {"a": 1}, 1.5, -1, 0, 2**70, -(2**70), True, False, "", " ", "x" * 300, "0", "1.00", "-0.00",
    "2026-01-01", "2026-01-01T00:00:00Z", "AAEC", "true", "null", "\u202e", "💸" * 3,
]


@pytest.mark.parametrize("table", tables(), ids=lambda table: table.name)
def test_odd_values_are_decoded_or_refused_never_crash(app, table):
    """Whatever JSON value a field holds, decode_row returns a row or raises
    ArchiveRowError; a value it accepts encodes back to a JSON value."""
    row = encode_row(table, {column.name: sample(column.type) for column in table.columns})
    for column in table.columns:
        for value in ODD_VALUES:
            try:
                decoded = decode_row(table, {**row, column.name: value}, line=1)
            except ArchiveRowError:
                continue
            again = encode_row(table, decoded)
            assert again == json_round_trip(again)
