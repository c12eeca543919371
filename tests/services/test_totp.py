"""TOTP codes computed by pyotp: one step either side is accepted, two are not, a code is
never accepted twice, backup codes work once; the secret is stored encrypted."""

from __future__ import annotations

import time

import pyotp
import pytest

from finora.crypto import decrypt_secret
from finora.errors import FieldError
from finora.extensions import db
from finora.models.security import BackupCode
from finora.services.people import totp
from finora.services.people.backup_codes import remaining_backup_codes
from tests.factories import PASSWORD, create_user

# 15 seconds into a 30-second step an hour ago: the real clock is always later.
NOW = (time.time() // 30) * 30 + 15 - 3600


@pytest.fixture
def person(app):
    return create_user()


def code_at(secret: str, seconds: float) -> str:
    return pyotp.TOTP(secret).at(seconds)


def enabled(person) -> tuple[str, list[str]]:
    secret = totp.begin_setup(db.session, person)
    codes = totp.confirm_setup(db.session, person, code_at(secret, NOW - 600), at=NOW - 600)
    db.session.commit()
    return secret, codes


def test_the_secret_is_stored_encrypted_and_confirmed_by_a_code(person):
    secret = totp.begin_setup(db.session, person)
    assert len(secret) == 32 and secret not in person.totp_secret
    assert decrypt_secret(person.totp_secret) == secret
    assert not person.totp_enabled
    with pytest.raises(FieldError):
        totp.confirm_setup(db.session, person, "000000" if code_at(secret, NOW) != "000000" else "111111", at=NOW)
    codes = totp.confirm_setup(db.session, person, code_at(secret, NOW), at=NOW)
    assert person.totp_enabled and len(codes) == 10 and len(set(codes)) == 10
    stored = db.session.query(BackupCode).filter_by(user_id=person.id).all()
    assert len(stored) == 10
    assert not {c.replace("-", "") for c in codes} & {row.code_hash for row in stored}


@pytest.mark.parametrize("offset,accepted", [(-60, False), (-30, True), (0, True), (30, True), (60, False)])
def test_one_step_either_side_is_accepted_two_are_not(person, offset, accepted):
    secret, _codes = enabled(person)
    code = code_at(secret, NOW + offset)
    assert totp.check_code(db.session, person, code, at=NOW) is accepted


def test_a_code_cannot_be_used_twice_nor_an_older_one_after_it(person):
    secret, _codes = enabled(person)
    current = code_at(secret, NOW)
    assert totp.check_code(db.session, person, current, at=NOW)
    assert not totp.check_code(db.session, person, current, at=NOW)
    assert not totp.check_code(db.session, person, code_at(secret, NOW - 30), at=NOW)
    db.session.commit()
    db.session.expire_all()
    assert not totp.check_code(db.session, person, current, at=NOW + 20)  # same step, later
    assert totp.check_code(db.session, person, code_at(secret, NOW + 30), at=NOW + 30)


def test_backup_codes_work_once(person):
    _secret, codes = enabled(person)
    assert totp.check_code_or_backup(db.session, person, codes[0].upper()) == "backup_code"
    assert totp.check_code_or_backup(db.session, person, codes[0]) is None
    assert remaining_backup_codes(db.session, person) == 9
    assert totp.check_code_or_backup(db.session, person, "abcd-efgh") is None


def test_turning_off_needs_the_password_and_a_code(person):
    secret, codes = enabled(person)
    with pytest.raises(FieldError) as wrong_password:
        totp.disable_two_factor(db.session, person, password="wrong password", code=code_at(secret, NOW), source="10.0.0.1")
    assert wrong_password.value.field == "password"
    with pytest.raises(FieldError) as wrong_code:
        totp.disable_two_factor(db.session, person, password=PASSWORD, code="12345", source="10.0.0.1")
    assert wrong_code.value.field == "code"
    assert person.totp_enabled
    totp.disable_two_factor(db.session, person, password=PASSWORD, code=codes[3], source="10.0.0.1")
    assert not person.totp_enabled and person.totp_secret is None
    assert remaining_backup_codes(db.session, person) == 0


def test_new_backup_codes_need_a_code_and_replace_the_old_ones(person):
    secret, old = enabled(person)
    with pytest.raises(FieldError):
        totp.regenerate_backup_codes(db.session, person, old[0])  # a backup code is not enough
    new = totp.regenerate_backup_codes(db.session, person, pyotp.TOTP(secret).now())
    assert set(new).isdisjoint(old)
    assert totp.check_code_or_backup(db.session, person, old[1]) is None
    assert totp.check_code_or_backup(db.session, person, new[1]) == "backup_code"


def test_the_qr_code_is_an_svg_drawn_locally(person):
    secret = totp.begin_setup(db.session, person)
    uri = totp.provisioning_uri(person, secret)
    assert uri.startswith("otpauth://totp/Finora:") and f"secret={secret}" in uri and "issuer=Finora" in uri
    data = totp.qr_code_data_uri(uri)
    assert data.startswith("data:image/svg+xml;base64,")
    import base64

    svg = base64.b64decode(data.split(",", 1)[1]).decode()
    assert "<svg" in svg and "<path" in svg
