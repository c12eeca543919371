"""Forms of the ways back in: reset by e-mail, reset with the recovery key, the 2FA step."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from finora.services.passwords import MAX_LENGTH, MIN_LENGTH
from finora.translation import lazy_gettext as _l


def new_password_fields(name: str = "password"):
    """The new-password field and its repetition (reset, recovery, profile password);
    `name` is what the first field is called in the form, for the match check."""
    password = PasswordField(
        _l("New password"),
        validators=[DataRequired(_l("Choose a password.")), Length(max=MAX_LENGTH)],
        description=_l(
            "At least %(count)d characters; not your name, e-mail or a common password.",
            count=MIN_LENGTH,
        ),
        render_kw={"autocomplete": "new-password", "minlength": MIN_LENGTH},
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[
            DataRequired(_l("Repeat the password.")),
            EqualTo(name, _l("The passwords do not match.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    return password, confirm


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


class ForgotPasswordForm(FlaskForm):
    email = _email_field()


class ResetPasswordForm(FlaskForm):
    password, confirm = new_password_fields()


class RecoveryForm(FlaskForm):
    email = _email_field()
    recovery_key = StringField(
        _l("Recovery key"),
        validators=[DataRequired(_l("Enter your recovery key.")), Length(max=100)],
        description=_l("32 letters and digits, in groups of four; dashes and spaces are optional."),
        render_kw={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"},
    )
    password, confirm = new_password_fields()


class TwoFactorForm(FlaskForm):
    code = StringField(
        _l("Code"),
        validators=[DataRequired(_l("Enter the code.")), Length(max=20)],
        description=_l("The 6-digit code from your authenticator app, or one of your backup codes."),
        render_kw={
            "autocomplete": "one-time-code", "inputmode": "text", "autofocus": True,
            "spellcheck": "false",
        },
    )
