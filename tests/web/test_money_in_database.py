"""Money survives the database exactly: integer cents on every engine."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, func, insert, select, text, type_coerce

from finora.extensions import db
from finora.money import MAX_AMOUNT, Cents

probe_metadata = MetaData()
probe = Table(
    "money_probe", probe_metadata, Column("id", Integer, primary_key=True), Column("amount", Cents)
)


@pytest.fixture
def probe_table(app):
    probe_metadata.create_all(db.engine)
    yield probe
    db.session.rollback()
    probe_metadata.drop_all(db.engine)


def test_ten_plus_twenty_cents_is_exactly_thirty(probe_table):
    db.session.execute(insert(probe_table), [{"amount": Decimal("0.10")}, {"amount": Decimal("0.20")}])
    total = db.session.scalar(select(type_coerce(func.sum(probe_table.c.amount), Cents())))
    assert total == Decimal("0.30")
    assert isinstance(total, Decimal)
    raw = db.session.execute(text("SELECT amount FROM money_probe ORDER BY id")).scalars().all()
    assert raw == [10, 20]


def test_repeated_dimes_cancel_exactly(probe_table):
    rows = [{"amount": Decimal("0.10")}] * 3 + [{"amount": Decimal("-0.30")}]
    db.session.execute(insert(probe_table), rows)
    total = db.session.scalar(select(type_coerce(func.sum(probe_table.c.amount), Cents())))
    assert total == Decimal("0.00")


def test_very_large_amounts_round_trip(probe_table):
    amounts = [MAX_AMOUNT, -MAX_AMOUNT, Decimal("123456789012.34")]
    db.session.execute(insert(probe_table), [{"amount": a} for a in amounts])
    stored = db.session.scalars(select(probe_table.c.amount).order_by(probe_table.c.id)).all()
    assert stored == amounts
    total = db.session.scalar(select(type_coerce(func.sum(probe_table.c.amount), Cents())))
    assert total == Decimal("123456789012.34")


def test_sub_cent_values_are_refused_not_rounded(probe_table):
    with pytest.raises(Exception, match="two decimal places"):
        db.session.execute(insert(probe_table), [{"amount": Decimal("0.005")}])
