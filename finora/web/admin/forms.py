"""Admin forms: instance settings and the SMTP server."""

from __future__ import annotations

from email.utils import parseaddr

from wtforms import BooleanField, IntegerField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from finora.services.system.settings import AUDIT_RETENTION_MAX, AUDIT_RETENTION_MIN
from finora.translation import lazy_gettext as _l
from finora.web.forms import Form


def _mode_choices() -> list[SelectChoice]:
    return [
        SelectChoice("open", str(_l("Open: anyone can sign up and start at once"))),
        SelectChoice("approval", str(_l("Approval: an administrator approves each new account"))),
        SelectChoice("closed", str(_l("Closed: no one can sign up"))),
    ]


class InstanceSettingsForm(Form):
    registration_mode = SelectField(_l("Sign-up"), choices=_mode_choices)
    retention_days = IntegerField(
        _l("Keep the activity history for (days)"),
        validators=[
            InputRequired(_l("Enter a number of days.")),
            NumberRange(
                AUDIT_RETENTION_MIN,
                AUDIT_RETENTION_MAX,
                _l("Enter a number of days from %(min)d to %(max)d."),
            ),
        ],
        description=_l(
            "Older sign-in and change records are deleted once a day. At least 30 days."
        ),
    )


def _security_choices() -> list[SelectChoice]:
    return [
        SelectChoice("starttls", str(_l("STARTTLS (usually port 587)"))),
        SelectChoice("ssl", str(_l("SSL/TLS (usually port 465)"))),
        SelectChoice("none", str(_l("None (only on a trusted network)"))),
    ]


class SmtpForm(Form):
    host = StringField(
        _l("SMTP server"),
        validators=[Optional(), Length(max=253)],
        description=_l("Leave empty to use the MAIL_* settings of the server's configuration."),
    )
    port = IntegerField(
        _l("Port"),
        validators=[Optional(), NumberRange(1, 65535, _l("Enter a port from 1 to 65535."))],
        description=_l("Empty: the usual port of the security chosen below."),
    )
    security = SelectField(_l("Security"), choices=_security_choices)
    username = StringField(_l("User name"), validators=[Optional(), Length(max=254)])
    # PasswordField never renders its value: the stored password is not shown back.
    password = PasswordField(
        _l("Password"),
        validators=[Optional(), Length(max=500)],
        description=_l("Stored encrypted. Leave empty to keep the stored password."),
    )
    clear_password = BooleanField(_l("Remove the stored password"))
    sender = StringField(
        _l("Sender"),
        validators=[Optional(), Length(max=254)],
        description=_l("For example: Finora <finora@example.com>. Empty: the user name."),
    )

    def validate_sender(self, field) -> None:
        if field.data and "@" not in parseaddr(field.data)[1]:
            raise ValidationError(_l("Enter an e-mail address, optionally with a name."))
