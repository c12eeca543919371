"""Moving between engines: an instance goes SQLite -> PostgreSQL -> MariaDB -> SQLite (and
the SQLite file straight into MariaDB) with every row of every carried table unchanged, ids
included; a household archive made on one engine restores on the others with the same
content. Each engine gets its own new database here, whatever FINORA_TEST_DATABASE_URL
names; a server that does not answer is skipped locally and fails in CI (as
tests/require_server.py decides for the suite's passes).

The clock is frozen on a whole second while the data is made: MariaDB's DATETIME columns
keep whole seconds, so a timestamp's microseconds would not survive a move there (a
property of the schema, not of the archive, which carries them)."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from config import normalise_database_url
from finora.extensions import db
from finora.services.backups.container import open_archive
from finora.services.backups.household_archive import write_household_archive
from finora.services.backups.household_restore import (
    check_household_archive,
    restore_new_household,
)
from finora.services.backups.instance_archive import restore_instance, write_instance_archive
from tests.backup_instance_factories import (
    empty_tables,
    fill_instance,
    migrated_database,
    rows_of_every_table,
)
from tests.conftest import SERVER
from tests.factories import create_user
from tests.services.test_backup_household_roundtrip import content, full_household

SERVERS = {
    "sqlite": "sqlite",
    "postgresql": os.environ.get("POSTGRES_TEST_URL", "postgresql+psycopg://postgres@127.0.0.1:5432"),
    "mariadb": os.environ.get("MARIADB_TEST_URL", "mysql+pymysql://root@127.0.0.1:3306"),
}
FROZEN = datetime(2026, 3, 15, 12, 30, 5, tzinfo=UTC)

# It makes its own database on every engine, so one pass of the suite is enough: the
# default (SQLite) one.
pytestmark = pytest.mark.skipif(
    SERVER != "sqlite", reason="runs once, in the SQLite pass: it uses every engine itself"
)


def _reachable(server: str) -> bool:
    if server == "sqlite":
        return True
    url = make_url(normalise_database_url(server))
    if url.get_backend_name() == "postgresql":
        url = url.set(database="postgres")
    try:
        engine = create_engine(url, connect_args={"connect_timeout": 5})
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
        return True
    except Exception:  # noqa: BLE001 - any failure means "not there"
        return False


@pytest.fixture(scope="module")
def engines(tmp_path_factory):
    """One new, migrated, empty database per engine, each with its app."""
    missing = [name for name, server in SERVERS.items() if not _reachable(server)]
    if missing:
        message = f"cross-engine backups need {', '.join(missing)}: not reachable"
        if os.environ.get("CI") == "true" or os.environ.get("FINORA_REQUIRE_ALL_DATABASES") == "1":
            pytest.fail(message)
        pytest.skip(message)
    opened, apps = [], {}
    try:
        for name, server in SERVERS.items():
            folder = tmp_path_factory.mktemp(name)
            manager = migrated_database(server, folder, BACKUP_STORAGE_DIR=folder / "backups")
            apps[name] = manager.__enter__()
            opened.append(manager)
        yield apps
    finally:
        for manager in reversed(opened):
            manager.__exit__(None, None, None)


@pytest.fixture
def clean(engines):
    yield engines
    for application in engines.values():
        with application.app_context():
            db.session.rollback()
            empty_tables()


def _archive(application, path: Path) -> Path:
    with application.app_context():
        write_instance_archive(db.session, path)
    return path


def _restore_instance(application, path: Path, work: Path) -> dict[str, list[dict]]:
    with application.app_context():
        with open_archive(path, work_dir=work) as reader:
            restore_instance(db.session, reader, work_dir=work)
        db.session.commit()
        return rows_of_every_table()


def test_an_instance_moves_sqlite_postgresql_mariadb_and_back_row_for_row(clean, tmp_path):
    apps = clean
    with apps["sqlite"].app_context():
        with time_machine.travel(FROZEN, tick=False):
            fill_instance()
        original = rows_of_every_table()
    from_sqlite = _archive(apps["sqlite"], tmp_path / "from-sqlite.zip")

    # The database.sqlite member into PostgreSQL, through the command a family would type.
    with apps["postgresql"].app_context():
        result = apps["postgresql"].test_cli_runner().invoke(
            args=["finora", "backup", "restore-instance", str(from_sqlite)]
        )
        assert result.exit_code == 0, result.output
        on_postgresql = rows_of_every_table()
    on_postgresql["audit_events"] = on_postgresql["audit_events"][:-1]  # its own "restored"
    assert on_postgresql == original

    # PostgreSQL's portable archive into MariaDB.
    from_postgresql = _archive(apps["postgresql"], tmp_path / "from-postgresql.zip")
    on_mariadb = _restore_instance(apps["mariadb"], from_postgresql, tmp_path)
    on_mariadb["audit_events"] = on_mariadb["audit_events"][:-1]
    assert on_mariadb == original

    # MariaDB's portable archive back into a (new, empty) SQLite database.
    from_mariadb = _archive(apps["mariadb"], tmp_path / "from-mariadb.zip")
    with apps["sqlite"].app_context():
        empty_tables()
    back_on_sqlite = _restore_instance(apps["sqlite"], from_mariadb, tmp_path)
    back_on_sqlite["audit_events"] = back_on_sqlite["audit_events"][:-1]
    assert back_on_sqlite == original

    # And the SQLite file straight into MariaDB.
    with apps["mariadb"].app_context():
        empty_tables()
    assert _restore_instance(apps["mariadb"], from_sqlite, tmp_path) == original


@pytest.mark.parametrize(
    ("source", "target"),
    [("sqlite", "postgresql"), ("postgresql", "mariadb"), ("mariadb", "sqlite")],
)
def test_a_household_archive_made_on_one_engine_restores_on_another(clean, tmp_path, source, target):
    apps = clean
    with apps[source].app_context():
        with time_machine.travel(FROZEN, tick=False):
            household, _owner = full_household("Costa")
        expected = content(household.id, people=set())
        path = tmp_path / "household.zip"
        write_household_archive(db.session, household, path)
    with apps[target].app_context():
        owner = create_user(name="New machine")
        with open_archive(path, work_dir=tmp_path) as reader:
            plan = check_household_archive(reader, db.session)
            restored = restore_new_household(db.session, reader, plan, owner=owner)
        db.session.commit()
        assert content(restored.id, people=set()) == expected
