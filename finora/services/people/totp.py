"""TOTP two-factor (RFC 6238, 30-second steps, 6 digits): set-up, codes, turning it off.

The secret is stored encrypted (finora.crypto). A code is accepted one step either side
of now, and never twice: the last accepted step is kept and a code must be for a later one.
"""

from __future__ import annotations

import base64
import hmac
import time
from typing import Any, cast

import pyotp
from sqlalchemy import CursorResult, or_, update
from sqlalchemy.orm import Session

from finora.crypto import decrypt_secret, encrypt_secret
from finora.dates import now_utc
from finora.errors import FieldError, FinoraError
from finora.models import User
from finora.services.people.auth import check_current_password
from finora.services.people.backup_codes import (
    delete_backup_codes,
    replace_backup_codes,
    use_backup_code,
)
from finora.services.system import audit
from finora.translation import lazy_gettext as _l

ISSUER = "Finora"
STEP_SECONDS = 30
DIGITS = 6
TOLERANCE_STEPS = 1

WRONG_CODE = _l("That code is not correct or has already been used. Enter the current code.")


class TwoFactorAlreadyOnError(FinoraError):
    message = _l("Two-factor sign-in is already on.")
    status = 409


class NoSetupStartedError(FinoraError):
    message = _l("Start the set-up again: no two-factor key is waiting for confirmation.")
    status = 409


def _digits(code: str) -> str:
    return "".join((code or "").split())


def current_step(at: float | None = None) -> int:
    return int((time.time() if at is None else at) // STEP_SECONDS)


def begin_setup(session: Session, user: User) -> str:
    """A new secret waiting for confirmation (replacing any unconfirmed one)."""
    if user.totp_enabled:
        raise TwoFactorAlreadyOnError()
    secret = pyotp.random_base32()  # 32 characters: 160 bits
    user.totp_secret = encrypt_secret(secret)
    user.totp_enabled_at = None
    user.totp_last_step = None
    session.flush()
    return secret


def pending_secret(user: User) -> str | None:
    """The unconfirmed secret of a set-up in progress, if any."""
    if user.totp_secret is None or user.totp_enabled_at is not None:
        return None
    return decrypt_secret(user.totp_secret)


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_code_data_uri(text: str) -> str:
    """The QR code of `text` as an SVG data URI, drawn here (no outside service)."""
    import qrcode  # with Pillow: only a two-factor set-up draws one
    import qrcode.image.svg

    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    svg = image.to_string(encoding="unicode")
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def grouped_secret(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _matching_step(secret: str, code: str, after: int | None, at: float | None) -> int | None:
    code = _digits(code)
    if len(code) != DIGITS or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    now = current_step(at)
    for step in range(now - TOLERANCE_STEPS, now + TOLERANCE_STEPS + 1):
        if after is not None and step <= after:
            continue
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def check_code(session: Session, user: User, code: str, *, at: float | None = None) -> bool:
    """Whether `code` is a fresh TOTP code of the user's secret; an accepted code's step is
    recorded (with a conditional UPDATE, so a replay racing it loses)."""
    if user.totp_secret is None:
        return False
    step = _matching_step(decrypt_secret(user.totp_secret), code, user.totp_last_step, at)
    if step is None:
        return False
    moved = session.execute(
        update(User)
        .where(
            User.id == user.id,
            or_(User.totp_last_step.is_(None), User.totp_last_step < step),
        )
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    if cast("CursorResult[Any]", moved).rowcount != 1:
        return False
    user.totp_last_step = step
    return True


def confirm_setup(session: Session, user: User, code: str, *, at: float | None = None) -> list[str]:
    """Turn two-factor on with a code from the new secret; returns the ten backup codes."""
    if user.totp_enabled:
        raise TwoFactorAlreadyOnError()
    if pending_secret(user) is None:
        raise NoSetupStartedError()
    if not check_code(session, user, code, at=at):
        raise FieldError("code", WRONG_CODE)
    user.totp_enabled_at = now_utc()
    codes = replace_backup_codes(session, user)
    audit.record(session, "totp.enabled", user=user)
    session.flush()
    return codes


def check_code_or_backup(session: Session, user: User, code: str, *, at: float | None = None) -> str | None:
    """"totp" or "backup_code" for whichever the code is (spending it), else None."""
    if check_code(session, user, code, at=at):
        return "totp"
    if not _digits(code).isdigit() and use_backup_code(session, user, code):
        return "backup_code"
    return None


def turn_off_two_factor(session: Session, user: User) -> None:
    """Forget the secret and the backup codes (no checks, no audit: callers do both)."""
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    delete_backup_codes(session, user)
    session.flush()


def cancel_setup(session: Session, user: User) -> None:
    """Drop a set-up that was started but never confirmed; two-factor already on stays on."""
    if not user.totp_enabled:
        turn_off_two_factor(session, user)


def disable_two_factor(
    session: Session, user: User, *, password: str, code: str, source: str
) -> None:
    """Turn two-factor off: needs the password (checked as at sign-in, counted against
    `source`: the caller commits WrongCurrentPasswordError) and a code (or a backup code)."""
    check_current_password(
        session, user, password, source, field="password", message=_l("The password is not correct.")
    )
    method = check_code_or_backup(session, user, code)
    if method is None:
        raise FieldError("code", WRONG_CODE)
    turn_off_two_factor(session, user)
    audit.record(session, "totp.disabled", user=user, details={"confirmed_with": method})


def regenerate_backup_codes(session: Session, user: User, code: str) -> list[str]:
    """Ten new backup codes (the old ones stop working); needs a current TOTP code."""
    if not user.totp_enabled:
        raise NoSetupStartedError()
    if not check_code(session, user, code):
        raise FieldError("code", WRONG_CODE)
    codes = replace_backup_codes(session, user)
    audit.record(session, "backup_codes.regenerated", user=user)
    return codes
