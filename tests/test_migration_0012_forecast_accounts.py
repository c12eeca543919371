"""Migration 0012: existing savings, investment and credit-card accounts leave the forecast
(the old default counted every account); checking, cash and "other" accounts keep their
choice, and the downgrade leaves the owner's choices as they are."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from finora.extensions import db
from tests.conftest import SERVER, make_app
from tests.dbutil import create_test_database, drop_test_database

KINDS = ("checking", "savings", "credit_card", "cash", "investment", "other")


def _filler(column: sa.Column):
    """A value for a required column the test does not care about."""
    kind = column.type
    if isinstance(kind, sa.Boolean):
        return False
    if isinstance(kind, sa.DateTime):
        return datetime(2026, 1, 1)
    if isinstance(kind, sa.Date):
        return date(2026, 1, 1)
    if isinstance(kind, sa.Integer):
        return 0
    length = getattr(kind, "length", None) or 8
    return "x"[:length] if length < 3 else "BRL"[:length]


def _insert(connection, table_name: str, **values) -> int:
    table = sa.Table(table_name, sa.MetaData(), autoload_with=connection)
    row = {
        column.name: _filler(column)
        for column in table.columns
        if not column.nullable and not column.primary_key and column.server_default is None
    }
    row.update(values)
    return connection.execute(table.insert().values(**row)).inserted_primary_key[0]


def _included(connection) -> dict[str, bool]:
    rows = connection.execute(sa.text("SELECT name, include_in_forecast FROM accounts"))
    return {name: bool(value) for name, value in rows}


def test_0012_leaves_savings_investment_and_cards_out_and_keeps_the_rest(tmp_path):
    url = create_test_database(SERVER)
    try:
        app = make_app(url, tmp_path)
        with app.app_context():
            upgrade(revision="0011")
            with db.engine.begin() as connection:
                household = _insert(connection, "households", name="Home", currency="BRL", timezone="UTC")
                for kind in KINDS:
                    _insert(
                        connection, "accounts", household_id=household, name=f"{kind} in",
                        kind=kind, include_in_forecast=True,
                    )
                # A checking account the owner had left out stays out.
                _insert(
                    connection, "accounts", household_id=household, name="checking out",
                    kind="checking", include_in_forecast=False,
                )
            upgrade(revision="0012")
            with db.engine.connect() as connection:
                after = _included(connection)
            assert after == {
                "checking in": True, "cash in": True, "other in": True,
                "savings in": False, "investment in": False, "credit_card in": False,
                "checking out": False,
            }
            downgrade(revision="0011")
            with db.engine.connect() as connection:
                assert _included(connection) == after  # the owner's choices are kept
            db.engine.dispose()
    finally:
        drop_test_database(url)
