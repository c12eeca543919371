"""Staged uploads: kept on disk for their user in their household, private, expiring, and
purged; too big, empty or unreadable files are refused before anything is kept."""

from __future__ import annotations

import stat
from datetime import timedelta
from pathlib import Path

import pytest
from flask import current_app
from flask_babel import force_locale

from finora.dates import now_utc
from finora.errors import NotFoundError
from finora.extensions import db
from finora.jobs import JOBS, run_job
from finora.services.imports.rows import ImportFileError
from finora.services.imports.staging import (
    clean_file_name,
    discard_staged,
    load_staged,
    purge_staging,
    read_staged,
    save_staged,
    stage_upload,
)
from tests.factories import create_user
from tests.ledger_factories import household_of
from tests.members_factories import add_member

OFX = b"""OFXHEADER:100
DATA:OFXSGML
VERSION:102
CHARSET:1252

<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS><CURDEF>BRL
<BANKACCTFROM><BANKID>341<BRANCHID>1234<ACCTID>56789-0<ACCTTYPE>CHECKING</BANKACCTFROM>
<BANKTRANLIST><DTSTART>20260101<DTEND>20260131
<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20260105<TRNAMT>-12.30<FITID>A1<MEMO>PADARIA
</STMTTRN>
</BANKTRANLIST></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>
"""


def _folder(staged) -> Path:
    return Path(current_app.config["DATA_DIR"]) / "imports" / str(staged.household_id) / staged.token


def test_an_upload_is_kept_privately_for_its_user(app, household, user):
    staged = stage_upload(household, user, "C:\\Users\\ana\\extrato\x07.ofx", OFX)
    assert (staged.format, staged.file_name, staged.size) == ("ofx", "extrato.ofx", len(OFX))
    assert "56789" in staged.account_number
    folder = _folder(staged)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(folder.parent.parent.stat().st_mode) == 0o700
    assert read_staged(staged) == OFX
    loaded = load_staged(household, user, staged.token)
    assert loaded == staged


def test_changes_are_saved_and_read_back(household, user):
    staged = stage_upload(household, user, "a.ofx", OFX)
    staged.account_id, staged.decisions = 7, {"3": {"skip": True, "category_id": None, "match": True}}
    save_staged(staged)
    assert load_staged(household, user, staged.token).decisions == staged.decisions
    assert not list(_folder(staged).glob("*.tmp"))


def test_another_users_or_households_token_is_not_found(household, user):
    staged = stage_upload(household, user, "a.ofx", OFX)
    colleague = add_member(household, "editor")
    stranger = create_user()
    for who, where in ((colleague, household), (stranger, household_of(stranger)), (stranger, household)):
        with pytest.raises(NotFoundError):
            load_staged(where, who, staged.token)
    # One character changed (never to itself: a token ending in "x" stays a different one).
    changed = staged.token[:-1] + ("y" if staged.token.endswith("x") else "x")
    for token in ("nope", "../" + staged.token, changed, ""):
        with pytest.raises(NotFoundError):
            load_staged(household, user, token)


def test_an_expired_upload_is_not_found_and_purged(app, household, user):
    old = stage_upload(household, user, "old.ofx", OFX)
    fresh = stage_upload(household, user, "new.ofx", OFX)
    old.created_at = now_utc() - timedelta(hours=app.config["IMPORT_STAGING_HOURS"], minutes=1)
    save_staged(old)
    with pytest.raises(NotFoundError):
        load_staged(household, user, old.token)
    assert purge_staging() == 1
    assert not _folder(old).exists()
    assert load_staged(household, user, fresh.token) == fresh
    assert purge_staging(now=now_utc() + timedelta(hours=25)) == 1
    assert not (Path(app.config["DATA_DIR"]) / "imports" / str(household.id)).exists()


def test_the_purge_is_a_daily_job(app, household, user):
    staged = stage_upload(household, user, "old.ofx", OFX)
    staged.created_at = now_utc() - timedelta(days=2)
    save_staged(staged)
    assert JOBS["purge_import_staging"][1] == timedelta(hours=24)
    run = run_job(db.session, "purge_import_staging", "test")
    assert (run.status, run.items) == ("success", 1)


def test_discarding_removes_the_file(app, household, user):
    staged = stage_upload(household, user, "a.ofx", OFX)
    discard_staged(staged)
    assert not _folder(staged).exists()
    with pytest.raises(NotFoundError):
        load_staged(household, user, staged.token)


def test_an_empty_file_is_refused(household, user):
    with force_locale("en"), pytest.raises(ImportFileError) as caught:
        stage_upload(household, user, "a.csv", b"")
    assert str(caught.value.message) == "The file is empty."


def test_the_size_limit_is_named_in_megabytes(app_factory):
    application = app_factory(IMPORT_MAX_BYTES=1024 * 1024)
    with application.app_context():
        owner = create_user()
        with force_locale("en"), pytest.raises(ImportFileError) as caught:
            stage_upload(household_of(owner), owner, "a.csv", b"a,b\n" * 300_000)
        assert "larger than the limit of 1 MB" in str(caught.value.message)


def test_an_unreadable_file_is_refused_and_not_kept(app, household, user):
    with pytest.raises(ImportFileError):
        stage_upload(household, user, "a.ofx", b"\x00\x01\x02binary" * 50)
    assert not list((Path(app.config["DATA_DIR"]) / "imports").rglob("upload.bin"))


def test_file_names_are_cleaned():
    assert clean_file_name("../../etc/passwd") == "passwd"
    assert clean_file_name("") == "upload"
    assert len(clean_file_name("a" * 400 + ".csv")) == 255


def test_a_half_written_upload_is_purged_once_old(app, household):
    import os

    root = Path(app.config["DATA_DIR"]) / "imports" / str(household.id)
    broken = root / ("x" * 32)
    broken.mkdir(parents=True)
    (broken / "upload.bin").write_bytes(b"data")
    assert purge_staging() == 0  # recent: maybe still being written
    old = (now_utc() - timedelta(days=2)).timestamp()
    os.utime(broken, (old, old))
    assert purge_staging() == 1
    assert not broken.exists()
