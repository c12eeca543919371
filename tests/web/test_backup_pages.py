"""The backup centre through the test client: an honest empty page with sensible defaults;
the owner backs up (plain and encrypted), downloads the exact bytes as an attachment,
verifies, deletes after a confirmation, schedules, and restores into a new household (and
switches to it) or in place of this one with the password; damaged, foreign and encrypted
uploads are refused with a translated message and write nothing; editors and viewers are
refused every route; another household's backup is a 404."""

from __future__ import annotations

import html
import io
import re
import zipfile
from datetime import UTC, datetime

import pytest
import time_machine
from flask_babel import force_locale
from sqlalchemy import func, select

from finora.extensions import db
from finora.models import AuditEvent, Backup, BackupSchedule, Entry, Household, Membership
from finora.services.backups import store
from finora.services.backups.errors import (
    DamagedArchiveError,
    ForeignArchiveError,
    PassphraseNeededError,
)
from tests.factories import PASSWORD, create_user
from tests.ledger_factories import field_error, household_of, make_entry
from tests.members_factories import add_member

NOW = datetime(2026, 3, 15, 12, tzinfo=UTC)
PASSPHRASE = "a long passphrase 42"
GROCERIES = "Groceries at the corner shop"


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


@pytest.fixture
def household(user):
    home = household_of(user)
    make_entry(home, description=GROCERIES, amount="87.45")
    return home


def _counts() -> dict[str, int]:
    db.session.expire_all()
    return {
        model.__name__: db.session.scalar(select(func.count()).select_from(model))
        for model in (Backup, BackupSchedule, Entry, Household, Membership)
    }


def _actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def _make_backup(client, **data) -> Backup:
    response = client.post("/backups/create", data=data)
    assert response.status_code == 302, response.text[:2000]
    return db.session.scalars(select(Backup).order_by(Backup.id.desc())).first()


def _upload(client, content: bytes, name: str = "finora.zip", **data):
    form = {"restore-mode": "new", **data, "restore-file": (io.BytesIO(content), name)}
    return client.post("/backups/restore", data=form, content_type="multipart/form-data")


def _text(page: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


def test_the_empty_centre_says_so_and_offers_sensible_defaults(app_factory):
    app = app_factory(BACKUP_DEFAULT_RETENTION_COUNT=7)
    with app.app_context():
        user = create_user()
        client = app.test_client()
        client.post("/login", data={"email": user.email, "password": PASSWORD})
        page = client.get("/backups/")
    assert page.status_code == 200
    text = _text(page.text)
    assert "No backups yet." in text
    assert "accounts, categories, entries, transfers" in text  # what a backup holds
    assert "never anyone’s password" in text
    assert re.search(r'<option selected value="daily">|<option value="daily" selected>', page.text)
    assert 'value="03:00"' in page.text
    assert re.search(r'id="schedule-retention_count"[^>]*value="7"', page.text)
    assert re.search(r'id="restore-mode-0"[^>]*checked|checked[^>]*id="restore-mode-0"', page.text)
    assert "America/Sao_Paulo" in text  # the zone the schedule's hour is in
    assert "None planned" in text
    # Automatic backups are off until a schedule is saved: the switch says what is true.
    assert re.search(r'<input[^>]*id="schedule-enabled"[^>]*>', page.text)
    assert "checked" not in re.search(r'<input[^>]*id="schedule-enabled"[^>]*>', page.text).group(0)
    assert "ENABLE_BACKUP_SCHEDULER is off" not in text


def test_the_centre_says_when_the_server_makes_no_automatic_backups(app_factory):
    app = app_factory(ENABLE_BACKUP_SCHEDULER=False)
    with app.app_context():
        user = create_user()
        client = app.test_client()
        client.post("/login", data={"email": user.email, "password": PASSWORD})
        assert "ENABLE_BACKUP_SCHEDULER is off" in client.get("/backups/").text


def test_the_owner_backs_up_downloads_the_exact_bytes_verifies_and_deletes(app, tmp_path, signed_in, household):
    backup = _make_backup(signed_in)
    assert store.backup_path(backup).is_relative_to(tmp_path)  # this test's own folder
    assert (backup.kind, backup.scope, backup.household_id, backup.encrypted) == (
        "manual", "household", household.id, False,
    )
    page = signed_in.get("/backups/").text
    assert "Backup made" in page and "Made by hand" in page and backup.sha256[:12] in page
    assert "Not checked yet" in page

    download = signed_in.get(f"/backups/{backup.id}/download")
    assert download.status_code == 200
    assert download.data == store.backup_path(backup).read_bytes()
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment") and backup.file_name in disposition
    assert download.mimetype == "application/zip"
    assert "backup.downloaded" in _actions()

    verified = signed_in.post(f"/backups/{backup.id}/verify", follow_redirects=True)
    assert "is intact" in verified.text and "Verified" in verified.text
    assert db.session.get(Backup, backup.id).verified_ok is True

    path = store.backup_path(backup)
    confirm = signed_in.get(f"/backups/{backup.id}/delete")
    assert confirm.status_code == 200 and "Delete this backup?" in confirm.text
    assert db.session.get(Backup, backup.id) is not None  # a GET deletes nothing
    deleted = signed_in.post(f"/backups/{backup.id}/delete", follow_redirects=True)
    assert "was deleted" in deleted.text and "No backups yet." in deleted.text
    assert db.session.get(Backup, backup.id) is None and not path.exists()


def test_a_changed_file_fails_verification_and_says_why(signed_in, household):
    backup = _make_backup(signed_in)
    path = store.backup_path(backup)
    path.write_bytes(path.read_bytes()[:-10])
    page = signed_in.post(f"/backups/{backup.id}/verify", follow_redirects=True).text
    assert "failed the check" in page and "Damaged" in page
    assert "checksum differs" in page


def test_an_encrypted_backup_needs_matching_passphrases_and_never_shows_them(signed_in, household):
    before = _counts()
    refused = signed_in.post("/backups/create", data={
        "create-passphrase": PASSPHRASE, "create-passphrase_again": "something else",
    })
    assert refused.status_code == 422
    assert field_error(refused.text, "create-passphrase_again") == "The passphrases do not match."
    assert PASSPHRASE not in refused.text
    short = signed_in.post("/backups/create", data={
        "create-passphrase": "short", "create-passphrase_again": "short",
    })
    assert short.status_code == 422 and "From 8 to 200 characters." in short.text
    assert _counts() == before

    backup = _make_backup(signed_in, **{
        "create-passphrase": PASSPHRASE, "create-passphrase_again": PASSPHRASE,
    })
    assert backup.encrypted and backup.file_name.endswith(".zip.enc")
    page = signed_in.get("/backups/").text
    assert "Encrypted" in page and PASSPHRASE not in page
    assert signed_in.get(f"/backups/{backup.id}/download").mimetype == "application/octet-stream"
    # Checked without its passphrase, only the file's checksum is known: it says so.
    assert signed_in.post(f"/backups/{backup.id}/verify").status_code == 302
    page = signed_in.get("/backups/").text
    assert "File intact" in page and "Verified" not in page


def test_a_backup_restores_into_a_new_household_that_the_owner_can_switch_to(signed_in, user, household):
    backup = _make_backup(signed_in)
    content = signed_in.get(f"/backups/{backup.id}/download").data
    before = _counts()
    response = _upload(signed_in, content)
    assert response.status_code == 302, response.text[:2000]
    assert _counts()["Household"] == before["Household"] + 1
    restored = db.session.scalars(select(Household).order_by(Household.id.desc())).first()
    assert restored.id != household.id and restored.name == household.name
    assert db.session.scalar(select(Membership.role).where(
        Membership.household_id == restored.id, Membership.user_id == user.id)) == "owner"
    assert db.session.scalar(select(func.count()).select_from(Entry).where(
        Entry.household_id == restored.id, Entry.description == GROCERIES)) == 1
    # The current household is untouched.
    assert db.session.scalar(select(func.count()).select_from(Entry).where(
        Entry.household_id == household.id)) == before["Entry"]

    page = signed_in.get("/backups/").text
    assert "was restored into a new household" in page
    assert re.search(rf'name="household_id" value="{restored.id}"', page)
    assert "It has the same name as this household" in page
    switched = signed_in.post("/profile/households", data={"household_id": str(restored.id)})
    assert switched.status_code == 302
    assert restored.name in signed_in.get("/household").text
    assert "backup.restored" in _actions()
    # The offer is made once.
    assert 'id="restored-household"' not in signed_in.get("/backups/").text


def test_replacing_needs_the_right_password_and_writes_nothing_without_it(signed_in, user, household):
    backup = _make_backup(signed_in)
    # A later change the restore will undo.
    make_entry(household, description="Bought after the backup", amount="5")
    page = signed_in.get(f"/backups/{backup.id}/restore")
    assert page.status_code == 200 and "Restore this backup" in page.text
    assert "makes a backup of the household as it is now" in page.text
    assert "1 entry," in page.text  # what the backup holds
    before = _counts()

    missing = signed_in.post(f"/backups/{backup.id}/restore", data={"mode": "replace"})
    assert missing.status_code == 422
    assert field_error(missing.text, "password") == "Enter your password to replace this household."
    wrong = signed_in.post(f"/backups/{backup.id}/restore",
                           data={"mode": "replace", "password": "not my password"})
    assert wrong.status_code == 422
    assert field_error(wrong.text, "password") == "The password is not correct."
    assert "not my password" not in wrong.text
    assert re.search(r'id="mode-1"[^>]*checked|checked[^>]*id="mode-1"', wrong.text)  # kept
    assert _counts() == before
    assert "backup.restored" not in _actions()

    done = signed_in.post(f"/backups/{backup.id}/restore",
                          data={"mode": "replace", "password": PASSWORD})
    assert done.status_code == 302, done.text[:2000]
    descriptions = set(db.session.scalars(
        select(Entry.description).where(Entry.household_id == household.id)))
    assert GROCERIES in descriptions and "Bought after the backup" not in descriptions
    kinds = sorted(b.kind for b in store.list_backups(db.session, household.id))
    assert kinds == ["manual", "pre_restore"]  # the state before was backed up first
    assert _counts()["Household"] == before["Household"]
    page = signed_in.get("/backups/").text
    assert "Before a restore" in page and "was backed up first" in page


def test_replacing_from_an_upload_also_needs_the_password(signed_in, household):
    content = signed_in.get(f"/backups/{_make_backup(signed_in).id}/download").data
    before = _counts()
    refused = _upload(signed_in, content, **{"restore-mode": "replace", "restore-password": "nope"})
    assert refused.status_code == 422
    assert field_error(refused.text, "restore-password") == "The password is not correct."
    assert _counts() == before


def _foreign_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("holiday.txt", "Not a backup at all")
    return buffer.getvalue()


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.mark.parametrize(
    ("what", "error"),
    [("truncated", DamagedArchiveError), ("foreign", ForeignArchiveError), ("renamed", ForeignArchiveError)],
)
def test_a_damaged_or_foreign_upload_is_refused_translated_and_writes_nothing(
    signed_in, user, household, what, error
):
    content = signed_in.get(f"/backups/{_make_backup(signed_in).id}/download").data
    files = {"truncated": content[: len(content) // 2], "foreign": _foreign_zip(), "renamed": PNG}
    user.locale = "pt"
    db.session.commit()
    before = _counts()
    response = _upload(signed_in, files[what])
    assert response.status_code == 422
    with force_locale("pt"):
        message = str(error.message)  # the page is in the reader's language
    assert message in html.unescape(response.text)
    assert _counts() == before
    assert "backup.refused" in _actions() and "backup.restored" not in _actions()
    assert not list(store.work_dir().iterdir())  # the upload is not kept


def test_an_encrypted_upload_asks_for_its_passphrase(signed_in, household):
    backup = _make_backup(signed_in, **{
        "create-passphrase": PASSPHRASE, "create-passphrase_again": PASSPHRASE,
    })
    content = signed_in.get(f"/backups/{backup.id}/download").data
    before = _counts()
    needed = _upload(signed_in, content, name="finora.zip.enc")
    assert needed.status_code == 422
    assert field_error(needed.text, "restore-passphrase") == str(PassphraseNeededError.message)
    wrong = _upload(signed_in, content, **{"restore-passphrase": "the wrong passphrase"})
    assert wrong.status_code == 422
    assert "The passphrase is wrong" in field_error(wrong.text, "restore-passphrase")
    assert _counts() == before
    right = _upload(signed_in, content, **{"restore-passphrase": PASSPHRASE})
    assert right.status_code == 302
    assert _counts()["Household"] == before["Household"] + 1


def test_the_schedule_is_saved_and_its_next_run_shown_in_the_households_zone(signed_in, household):
    household.timezone = "Europe/Lisbon"
    db.session.commit()
    response = signed_in.post("/backups/schedule", data={
        "schedule-enabled": "y", "schedule-frequency": "weekly", "schedule-weekday": "2",
        "schedule-day_of_month": "1", "schedule-at_time": "04:30", "schedule-retention_count": "5",
    })
    assert response.status_code == 302, response.text[:2000]
    schedule = db.session.scalar(select(BackupSchedule))
    assert (schedule.frequency, schedule.weekday, schedule.at_time, schedule.retention_count) == (
        "weekly", 2, "04:30", 5,
    )
    page = signed_in.get("/backups/").text
    # Wednesday 18 March 2026, 04:30 in Lisbon (UTC+0 in March): the first Wednesday after now.
    assert re.search(r'id="health-next-run">3/18/26, 4:30\s?AM<', page), page[page.index("health-next-run"):][:200]
    assert "Europe/Lisbon" in page
    assert "backup.schedule_saved" in _actions()


def test_a_refused_schedule_keeps_what_was_typed(signed_in, household):
    response = signed_in.post("/backups/schedule", data={
        "schedule-enabled": "y", "schedule-frequency": "monthly", "schedule-day_of_month": "",
        "schedule-at_time": "25:00", "schedule-retention_count": "500", "schedule-weekday": "0",
    })
    assert response.status_code == 422
    assert field_error(response.text, "schedule-at_time") == "Enter a time such as 03:00."
    assert field_error(response.text, "schedule-retention_count") == "From 1 to 100."
    assert field_error(response.text, "schedule-day_of_month") == "A day from 1 to 31."
    assert 'value="25:00"' in response.text and 'value="500"' in response.text
    assert db.session.scalar(select(func.count()).select_from(BackupSchedule)) == 0


def test_an_upload_over_the_limit_is_refused_beside_the_file_field(app_factory):
    app = app_factory(BACKUP_MAX_UPLOAD_BYTES=2048)
    with app.app_context():
        user = create_user()
        client = app.test_client()
        client.post("/login", data={"email": user.email, "password": PASSWORD})
        response = _upload(client, b"x" * 10_000)
        assert response.status_code == 413
        assert "larger than the limit" in field_error(response.text, "restore-file")
        assert db.session.scalar(select(func.count()).select_from(Household)) == 1


def test_the_upload_limit_is_raised_before_the_csrf_check_reads_the_body(app_factory):
    """MAX_CONTENT_LENGTH stays small for every other form; the restore takes a big file."""
    app = app_factory(MAX_CONTENT_LENGTH=4096, WTF_CSRF_ENABLED=True)
    with app.app_context():
        user = create_user()
        client = app.test_client()
        login = client.get("/login").text
        token = re.search(r'name="csrf-token" content="([^"]+)"', login).group(1)
        client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
        page = client.get("/backups/").text
        token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
        response = _upload(client, _foreign_zip() + b"\x00" * 20_000, **{"restore-csrf_token": token})
        assert response.status_code == 422  # read and refused as a file, not 413
        assert "not a Finora backup" in response.text or "damaged" in response.text
        big_form = client.post("/household", data={"name": "x" * 10_000, "csrf_token": token})
        assert big_form.status_code == 413


def test_an_upload_the_disk_cannot_take_is_refused_beside_the_file(signed_in, household, monkeypatch):
    def full(*_args, **_kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("finora.web.backups.restore_views.shutil.copyfileobj", full)
    before = _counts()
    response = _upload(signed_in, _foreign_zip())
    assert response.status_code == 422
    assert field_error(response.text, "restore-file") == (
        "The file could not be saved on the server (No space left on device)."
    )
    assert _counts() == before and not list(store.work_dir().iterdir())


def test_a_backup_whose_file_is_gone_says_so(signed_in, household):
    backup = _make_backup(signed_in)
    store.backup_path(backup).unlink()
    page = signed_in.get(f"/backups/{backup.id}/download", follow_redirects=True).text
    assert "no longer on disk" in page
    restore = signed_in.post(f"/backups/{backup.id}/restore", data={"mode": "new"})
    assert restore.status_code == 422 and "no longer on disk" in restore.text


# Access: every route of the blueprint, read from the URL map.
def _routes(app) -> list[tuple[str, str]]:
    routes = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.partition(".")[0] == "backups":
            for method in sorted(rule.methods & {"GET", "POST"}):
                routes.append((rule.rule, method))
    return routes


def _path(rule: str, backup_id: int) -> str:
    return rule.replace("<int:backup_id>", str(backup_id))


@pytest.fixture
def two_households(app, user, household):
    other = household_of(create_user(name="Other Owner", household_name="Other home"))
    mine = store.create_household_backup(db.session, household, kind="manual", user=user)
    theirs = store.create_household_backup(db.session, other, kind="manual", user=None)
    instance = store.create_instance_backup(db.session, kind="manual", user=user)
    db.session.commit()
    return mine, theirs, instance


@pytest.mark.parametrize("role", ["editor", "viewer"])
def test_editors_and_viewers_are_refused_every_backup_route(app, client, household, two_households, role):
    mine, _theirs, _instance = two_households
    member = add_member(household, role)
    client.post("/login", data={"email": member.email, "password": PASSWORD})
    routes = _routes(app)
    assert len(routes) >= 10
    before = _counts()
    for rule, method in routes:
        data = {"mode": "new", "password": PASSWORD, "restore-mode": "new"}
        response = client.open(_path(rule, mine.id), method=method, data=data)
        assert response.status_code == 403, (rule, method, response.status_code)
    assert _counts() == before
    assert store.backup_path(mine).is_file()


def test_another_households_backup_and_an_instance_backup_are_404(app, signed_in, two_households):
    _mine, theirs, instance = two_households
    before = _counts()
    for rule, method in _routes(app):
        if "<int:backup_id>" not in rule:
            continue
        for foreign in (theirs, instance):
            response = signed_in.open(_path(rule, foreign.id), method=method,
                                      data={"mode": "new", "password": PASSWORD})
            assert response.status_code == 404, (rule, method, foreign.scope)
    assert _counts() == before
    assert store.backup_path(theirs).is_file() and store.backup_path(instance).is_file()


def test_the_centre_is_linked_from_the_profile_and_the_household_settings(signed_in, household):
    assert 'href="/backups/"' in signed_in.get("/profile").text
    assert 'href="/backups/"' in signed_in.get("/household").text


def test_an_editor_sees_no_link_to_the_centre(client, household):
    editor = add_member(household, "editor")
    client.post("/login", data={"email": editor.email, "password": PASSWORD})
    assert 'href="/backups/"' not in client.get("/profile").text
