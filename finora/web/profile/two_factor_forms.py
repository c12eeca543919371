"""Forms of the profile's two-factor and recovery-key sections."""

from __future__ import annotations

from wtforms import StringField
from wtforms.validators import DataRequired, Length

from finora.translation import lazy_gettext as _l
from finora.web.auth.form_fields import current_password_field
from finora.web.forms import Form


def _code_field(description=None):
    return StringField(
        _l("Code from the app"),
        validators=[DataRequired(_l("Enter the code.")), Length(max=20)],
        description=description,
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"},
    )


class ConfirmTotpForm(Form):
    code = _code_field(_l("The 6-digit code your authenticator app shows now."))


class DisableTotpForm(Form):
    password = current_password_field()
    code = _code_field(_l("A code from the app, or one of your backup codes."))


class BackupCodesForm(Form):
    code = _code_field(_l("The 6-digit code your authenticator app shows now."))


class RecoveryKeyForm(Form):
    password = current_password_field()
