"""Forms of the ways back in: reset by e-mail, reset with the recovery key, the 2FA step."""

from __future__ import annotations

from wtforms import EmailField, StringField
from wtforms.validators import DataRequired, Email, Length

from finora.translation import lazy_gettext as _l
from finora.web.auth.form_fields import new_password_fields
from finora.web.forms import Form


def _email_field():
    return EmailField(
        _l("E-mail"),
        validators=[
            DataRequired(_l("Enter your e-mail address.")),
            Email(_l("Enter a valid e-mail address.")),
            Length(max=254),
        ],
        render_kw={"autocomplete": "username"},
    )


class ForgotPasswordForm(Form):
    email = _email_field()


class ResetPasswordForm(Form):
    password, confirm = new_password_fields()


class RecoveryForm(Form):
    email = _email_field()
    recovery_key = StringField(
        _l("Recovery key"),
        validators=[DataRequired(_l("Enter your recovery key.")), Length(max=100)],
        description=_l("32 letters and digits, in groups of four; dashes and spaces are optional."),
        render_kw={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"},
    )
    password, confirm = new_password_fields()


class TwoFactorForm(Form):
    code = StringField(
        _l("Code"),
        validators=[DataRequired(_l("Enter the code.")), Length(max=20)],
        description=_l("The 6-digit code from your authenticator app, or one of your backup codes."),
        render_kw={
            "autocomplete": "one-time-code", "inputmode": "text", "autofocus": True,
            "spellcheck": "false",
        },
    )
