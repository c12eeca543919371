"""The administration's instance backups: the admin reads what an instance backup holds on
this engine and how to restore it, makes one (plain or encrypted), downloads the exact file,
verifies and deletes it; for anyone else the page and its actions do not exist (404), and a
household's backup is never reached through them."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
import time_machine
from sqlalchemy import func, select

from finora.extensions import db
from finora.models import AuditEvent, Backup
from finora.services.backups import store
from tests.factories import PASSWORD, create_user
from tests.ledger_factories import field_error, household_of

NOW = datetime(2026, 3, 15, 12, tzinfo=UTC)
ROUTES = [
    ("/admin/backups", "GET"),
    ("/admin/backups/create", "POST"),
    ("/admin/backups/{id}/download", "GET"),
    ("/admin/backups/{id}/verify", "POST"),
    ("/admin/backups/{id}/delete", "POST"),
]


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def app_factory(app_factory, tmp_path):
    """The suite's apps, with their backups in this test's own folder (not DATA_DIR's)."""

    def build(**overrides):
        overrides.setdefault("BACKUP_STORAGE_DIR", tmp_path / "backups")
        return app_factory(**overrides)

    return build


def _count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Backup))


def test_the_admin_reads_what_an_instance_backup_holds_and_how_to_restore_it(app, signed_in):
    page = signed_in.get("/admin/backups")
    assert page.status_code == 200
    assert "No instance backups yet." in page.text
    assert "finora backup restore-instance ARCHIVE" in page.text and "APP_SECRET" in page.text
    if db.engine.dialect.name == "sqlite":
        assert "runs on SQLite" in page.text and "whole database file" in page.text
    else:
        assert "portable format" in page.text and "Sign-in sessions" in page.text


def test_the_admin_makes_downloads_verifies_and_deletes_an_instance_backup(signed_in, user):
    response = signed_in.post("/admin/backups/create")
    assert response.status_code == 302, response.text[:2000]
    backup = db.session.scalar(select(Backup))
    assert (backup.scope, backup.household_id, backup.kind) == ("instance", None, "manual")
    page = signed_in.get("/admin/backups").text
    assert "Instance backup made" in page and backup.sha256[:12] in page
    assert user.name in page

    download = signed_in.get(f"/admin/backups/{backup.id}/download")
    assert download.status_code == 200
    assert download.data == store.backup_path(backup).read_bytes()
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert backup.file_name in download.headers["Content-Disposition"]

    verified = signed_in.post(f"/admin/backups/{backup.id}/verify", follow_redirects=True)
    assert "is intact" in verified.text
    path = store.backup_path(backup)
    deleted = signed_in.post(f"/admin/backups/{backup.id}/delete", follow_redirects=True)
    assert "was deleted" in deleted.text and "No instance backups yet." in deleted.text
    assert _count() == 0 and not path.exists()
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"backup.created", "backup.downloaded", "backup.verified", "backup.deleted"} <= actions


def test_an_encrypted_instance_backup_needs_matching_passphrases(signed_in):
    refused = signed_in.post("/admin/backups/create", data={
        "create-passphrase": "a long passphrase", "create-passphrase_again": "another one",
    })
    assert refused.status_code == 422
    assert field_error(refused.text, "create-passphrase_again") == "The passphrases do not match."
    assert _count() == 0
    made = signed_in.post("/admin/backups/create", data={
        "create-passphrase": "a long passphrase", "create-passphrase_again": "a long passphrase",
    })
    assert made.status_code == 302
    assert db.session.scalar(select(Backup)).encrypted


@pytest.fixture
def backups(app, user):
    instance = store.create_instance_backup(db.session, kind="manual", user=user)
    household = store.create_household_backup(db.session, household_of(user), kind="manual", user=user)
    db.session.commit()
    return instance, household


def test_anyone_but_the_admin_finds_nothing_there(app, client, user, backups):
    instance, _household = backups
    someone = create_user(name="Not Admin")
    assert not someone.is_admin
    client.post("/login", data={"email": someone.email, "password": PASSWORD})
    before = _count()
    for route, method in ROUTES:
        response = client.open(route.format(id=instance.id), method=method)
        assert response.status_code == 404, (route, method, response.status_code)
    assert _count() == before and store.backup_path(instance).is_file()


def test_a_visitor_is_sent_to_sign_in(app, client, backups):
    instance, _household = backups
    for route, method in ROUTES:
        response = client.open(route.format(id=instance.id), method=method)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_households_backup_is_not_reached_through_the_admin_pages(signed_in, backups):
    _instance, household = backups
    for route, method in ROUTES:
        if "{id}" not in route:
            continue
        response = signed_in.open(route.format(id=household.id), method=method)
        assert response.status_code == 404, (route, method)
    assert store.backup_path(household).is_file()
    assert not re.search(rf'data-backup="{household.id}"', signed_in.get("/admin/backups").text)
