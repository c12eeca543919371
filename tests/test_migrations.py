"""Migrations: an empty database upgrades to head and then matches the models exactly."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import inspect

from finora.extensions import db
from tests.conftest import SERVER, make_app
from tests.dbutil import create_test_database, drop_test_database


def test_upgrade_from_empty_to_head_matches_the_models(tmp_path):
    url = create_test_database(SERVER)
    try:
        app = make_app(url, tmp_path)
        with app.app_context():
            upgrade()
            with db.engine.connect() as connection:
                context = MigrationContext.configure(
                    connection, opts={"compare_type": True, "render_as_batch": True}
                )
                diff = compare_metadata(context, db.metadata)
                tables = set(inspect(connection).get_table_names())
            db.engine.dispose()
        assert diff == [], f"models and migrations differ: {diff}"
        assert {"users", "households", "memberships", "settings", "alembic_version"} <= tables
    finally:
        drop_test_database(url)
