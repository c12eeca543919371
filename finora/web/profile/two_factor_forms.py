"""Forms of the profile's two-factor and recovery-key sections."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from finora.translation import lazy_gettext as _l


def _code_field(description=None):
    return StringField(
        _l("Code from the app"),
        validators=[DataRequired(_l("Enter the code.")), Length(max=20)],
        description=description,
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"},
    )


def current_password_field():
    return PasswordField(
        _l("Current password"),
        validators=[DataRequired(_l("Enter your current password."))],
        render_kw={"autocomplete": "current-password"},
    )


class ConfirmTotpForm(FlaskForm):
    code = _code_field(_l("The 6-digit code your authenticator app shows now."))


class DisableTotpForm(FlaskForm):
    password = current_password_field()
    code = _code_field(_l("A code from the app, or one of your backup codes."))


class BackupCodesForm(FlaskForm):
    code = _code_field(_l("The 6-digit code your authenticator app shows now."))


class RecoveryKeyForm(FlaskForm):
    password = current_password_field()
