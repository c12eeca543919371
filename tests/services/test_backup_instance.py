"""Instance backups on the test run's engine: the archive (SQLite file or portable), and
restore_instance into an empty migrated database — every carried row back with its id,
the ephemeral tables left out, sequences moved on, and every refusal leaving nothing."""

from __future__ import annotations

import sqlite3
import zipfile
from datetime import date

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select, text

from finora.extensions import db
from finora.models import Account, AuditEvent, Household, Setting, User, UserSession
from finora.models.job import JobRun
from finora.services.backups.container import (
    DATABASE_MEMBER,
    ArchiveWriter,
    open_archive,
)
from finora.services.backups.errors import (
    ArchiveRowError,
    ArchiveTooNewError,
    DamagedArchiveError,
    NotEmptyDatabaseError,
    UnsafeArchiveError,
)
from finora.services.backups.instance_archive import (
    EPHEMERAL_TABLES,
    restore_instance,
    snapshot_sqlite,
    write_instance_archive,
)
from finora.services.backups.instance_restore import HouseholdArchiveError
from finora.services.backups.instance_tables import instance_tables
from tests.backup_instance_factories import (
    empty_tables,
    fill_instance,
    migrated_database,
    rows_of_every_table,
)
from tests.conftest import SERVER


@pytest.fixture(scope="module")
def target_app(tmp_path_factory):
    """One empty, migrated database on this run's engine to restore into (emptied again
    after each test)."""
    with migrated_database(SERVER, tmp_path_factory.mktemp("target")) as application:
        yield application


@pytest.fixture
def target(target_app):
    yield target_app
    with target_app.app_context():
        db.session.rollback()
        empty_tables()


def _restore(target_app, path, tmp_path):
    with target_app.app_context():
        with open_archive(path, work_dir=tmp_path) as reader:
            try:
                counts = restore_instance(db.session, reader, work_dir=tmp_path)
            except Exception:
                db.session.rollback()
                raise
        db.session.commit()
        return counts


def _row_count(target_app) -> int:
    with target_app.app_context():
        return sum(
            db.session.scalar(select(func.count()).select_from(table)) for table in instance_tables()
        )


def test_an_instance_comes_back_row_for_row_with_its_ids(app, target, tmp_path):
    fill_instance()
    before = rows_of_every_table()
    path = tmp_path / "instance.zip"
    manifest = write_instance_archive(db.session, path)
    assert manifest.scope == "instance"
    assert manifest.storage == ("sqlite" if SERVER == "sqlite" else "portable")

    counts = _restore(target, path, tmp_path)

    assert counts == {name: len(rows) for name, rows in before.items()}
    with target.app_context():
        assert rows_of_every_table() == before
        # What belongs to the old machine stays there.
        assert db.session.scalar(select(func.count()).select_from(UserSession)) == 0
        assert db.session.scalar(select(func.count()).select_from(JobRun)) == 0
        # New rows get new ids after the restored ones (PostgreSQL's sequences moved on).
        household = db.session.scalar(select(Household).order_by(Household.id))
        account = Account(household_id=household.id, name="After the move", kind="checking",
                          opening_date=date(2026, 12, 1))
        db.session.add(account)
        db.session.commit()
        assert account.id > max(row["id"] for row in before["accounts"])


def test_every_carried_table_has_a_row_in_the_test_data(app, tmp_path):
    fill_instance()
    empty = [name for name, rows in rows_of_every_table().items() if not rows]
    assert empty == []
    assert {table.name for table in instance_tables()}.isdisjoint(EPHEMERAL_TABLES)


def test_a_portable_archive_restores_on_sqlite_too(app, target, tmp_path):
    fill_instance()
    before = rows_of_every_table()
    path = tmp_path / "portable.zip"
    manifest = write_instance_archive(db.session, path, storage="portable")
    assert manifest.storage == "portable"
    assert manifest.counts["entries"] == len(before["entries"])
    _restore(target, path, tmp_path)
    with target.app_context():
        assert rows_of_every_table() == before


@pytest.mark.skipif(SERVER != "sqlite", reason="the file copy is SQLite's")
def test_on_sqlite_the_archive_is_the_database_file(app, tmp_path):
    fill_instance()
    path = tmp_path / "instance.zip"
    write_instance_archive(db.session, path)
    with zipfile.ZipFile(path) as archive:
        assert sorted(archive.namelist()) == [DATABASE_MEMBER, "manifest.json"]
        archive.extract(DATABASE_MEMBER, tmp_path)
    copy = sqlite3.connect(tmp_path / DATABASE_MEMBER)
    try:
        # Everything, sessions included, in one self-contained file (not WAL).
        assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        assert copy.execute("SELECT count(*) FROM user_sessions").fetchone() == (1,)
        assert copy.execute("SELECT count(*) FROM entries").fetchone()[0] == db.session.scalar(
            text("SELECT count(*) FROM entries")
        )
    finally:
        copy.close()


def test_a_database_with_users_or_households_is_refused_and_left_alone(app, user, tmp_path):
    path = tmp_path / "instance.zip"
    write_instance_archive(db.session, path)
    before = rows_of_every_table()
    with open_archive(path, work_dir=tmp_path) as reader, pytest.raises(NotEmptyDatabaseError):
        restore_instance(db.session, reader, work_dir=tmp_path)
    db.session.rollback()
    assert rows_of_every_table() == before


def test_a_fresh_databases_settings_are_replaced_and_its_audit_events_kept(app, target, tmp_path):
    fill_instance()
    path = tmp_path / "instance.zip"
    write_instance_archive(db.session, path)
    archived_events = db.session.scalar(select(func.count()).select_from(AuditEvent))
    with target.app_context():
        db.session.add(Setting(key="registration_mode", value="open"))
        db.session.add(AuditEvent(action="backup.refused", details={"reason": "damaged"}))
        db.session.commit()
    _restore(target, path, tmp_path)
    with target.app_context():
        assert db.session.get(Setting, "registration_mode").value == "closed"
        events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        assert len(events) == archived_events + 1
        assert events[-1].action == "backup.refused"  # after the archive's, a new id


def _portable(path, tables: dict[str, list[dict]]):
    with ArchiveWriter(path, scope="instance", storage="portable") as writer:
        for name, rows in tables.items():
            with writer.table(name) as out:
                for row in rows:
                    out.write(row)
    return path


USER = {"id": 1, "email": "a@example.com", "name": "A", "password_hash": "x", "status": "active"}
HOUSEHOLD = {"id": 1, "name": "Home", "currency": "BRL", "timezone": "America/Sao_Paulo"}


def _category(id, parent=None):
    return {"id": id, "household_id": 1, "kind": "expense", "parent_id": parent, "name": f"c{id}"}


@pytest.mark.parametrize(
    ("tables", "table", "line", "words"),
    [
        ({"households": [HOUSEHOLD, HOUSEHOLD]}, "households", 2, "appears twice"),
        ({"households": [HOUSEHOLD],
          "accounts": [{"id": 1, "household_id": 7, "name": "X", "kind": "checking",
                       "opening_date": "2026-01-01", "include_in_forecast": True}]},
         "accounts", 1, "household_id points to no row of households"),
        # Each the other's parent: neither can go first.
        ({"households": [HOUSEHOLD], "categories": [_category(1, 2), _category(2, 1)]},
         "categories", 1, "parent_id points to no row of categories"),
        ({"households": [{**HOUSEHOLD, "currency": 12}]}, "households", 1, "currency"),
        ({"users": [USER], "wishes": [{"id": 1}]}, "wishes", 1, "no such table"),
    ],
)
def test_a_wrong_row_names_its_table_and_line_and_nothing_is_written(
    app, target, tmp_path, tables, table, line, words
):
    path = _portable(tmp_path / "bad.zip", tables)
    with target.app_context(), force_locale("en"):
        with open_archive(path, work_dir=tmp_path) as reader, pytest.raises(ArchiveRowError) as caught:
            restore_instance(db.session, reader, work_dir=tmp_path)
        db.session.rollback()
        assert (caught.value.table, caught.value.line) == (table, line)
        assert words in str(caught.value)
    assert _row_count(target) == 0


def test_children_before_their_parents_in_the_file_still_restore(app, target, tmp_path):
    rows = [_category(1, 3), _category(2), _category(3), _category(4, 1)]
    path = _portable(tmp_path / "tree.zip", {"households": [HOUSEHOLD], "categories": rows})
    _restore(target, path, tmp_path)
    with target.app_context():
        from finora.models import Category

        parents = dict(db.session.execute(select(Category.id, Category.parent_id)).all())
    assert parents == {1: 3, 2: None, 3: None, 4: 1}


def test_a_household_archive_is_not_an_instance(app, target, tmp_path):
    path = tmp_path / "household.zip"
    with ArchiveWriter(path, scope="household", household={"id": 1, "name": "H", "currency": "BRL"}):
        pass
    with target.app_context():
        with open_archive(path, work_dir=tmp_path) as reader, pytest.raises(HouseholdArchiveError):
            restore_instance(db.session, reader, work_dir=tmp_path)
        db.session.rollback()


def _sqlite_archive(path, database):
    with ArchiveWriter(path, scope="instance", storage="sqlite") as writer:
        writer.add_file(DATABASE_MEMBER, database)
    return path


@pytest.mark.skipif(SERVER != "sqlite", reason="makes its database file with SQLite")
def test_an_older_database_file_is_migrated_on_its_copy_then_restored(app, target, tmp_path):
    from flask_migrate import upgrade

    from tests.conftest import make_app
    from tests.dbutil import create_test_database, drop_test_database

    url = create_test_database("sqlite")
    try:
        old = make_app(url, tmp_path)
        with old.app_context():
            upgrade(revision="0013")  # before the backups tables existed
            with db.engine.begin() as connection:
                connection.execute(text(
                    "INSERT INTO households (id, name, currency, timezone, minimum_safe_balance, "
                    "created_at) VALUES (5, 'Old home', 'EUR', 'Europe/Lisbon', 0, '2025-01-01 10:00:00')"
                ))
            snapshot_sqlite(db.engine, tmp_path / "old.sqlite")
            db.engine.dispose()
    finally:
        drop_test_database(url)
    path = _sqlite_archive(tmp_path / "old.zip", tmp_path / "old.sqlite")
    counts = _restore(target, path, tmp_path)
    assert counts["households"] == 1 and counts["backup_schedules"] == 0
    with target.app_context():
        household = db.session.get(Household, 5)
        assert (household.name, household.currency, household.timezone) == ("Old home", "EUR", "Europe/Lisbon")


@pytest.mark.skipif(SERVER != "sqlite", reason="makes its database file with SQLite")
@pytest.mark.parametrize(
    ("change", "error"),
    [
        ("UPDATE alembic_version SET version_num = '9999_future'", ArchiveTooNewError),
        ("CREATE TRIGGER t AFTER INSERT ON users BEGIN DELETE FROM households; END", UnsafeArchiveError),
        ("CREATE VIEW v AS SELECT 1", UnsafeArchiveError),
        ("UPDATE households SET currency = 'TOO LONG A CODE'", ArchiveRowError),
        ("UPDATE entries SET amount = 'lots'", ArchiveRowError),
    ],
)
def test_a_wrong_database_file_is_refused(app, target, tmp_path, change, error):
    fill_instance()
    snapshot_sqlite(db.engine, tmp_path / "copy.sqlite")
    connection = sqlite3.connect(tmp_path / "copy.sqlite")
    connection.execute(change)
    connection.commit()
    connection.close()
    path = _sqlite_archive(tmp_path / "changed.zip", tmp_path / "copy.sqlite")
    with pytest.raises(error):
        _restore(target, path, tmp_path)
    assert _row_count(target) == 0


def test_a_member_that_is_not_a_database_is_damage(app, target, tmp_path):
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"not a database at all" * 100)
    path = _sqlite_archive(tmp_path / "junk.zip", junk)
    with pytest.raises(DamagedArchiveError):
        _restore(target, path, tmp_path)
    assert _row_count(target) == 0
    with target.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 0
