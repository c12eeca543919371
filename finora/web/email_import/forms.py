"""The e-mail import form: the mailbox, what to look for in it, and the account it sets.
The rules that need the database (unique name, the household's account, the stored
password) are the service's (finora.services.integrations.email_import.configs)."""

from __future__ import annotations

from wtforms import BooleanField, EmailField, IntegerField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange
from wtforms.widgets import PasswordInput

from finora.services.integrations.email_import.configs import (
    DELIMITER_MAX,
    NAME_MAX,
    PASSWORD_MAX,
    SENDER_MAX,
    TEXT_MAX,
    ConfigData,
)
from finora.translation import lazy_gettext as _l
from finora.web.fields import IdSelectField
from finora.web.form_token import FormTokenField
from finora.web.forms import Form

SECURITY_LABELS = {
    "ssl": _l("SSL/TLS"),
    "starttls": _l("STARTTLS"),
}
PORT_MESSAGE = _l("Enter a port from 1 to 65535 (usually 993, or 143 with STARTTLS).")
# Fields a test ignores: it reads the mailbox, whatever the import is called or sets.
NOT_TESTED = ("name", "account_id", "enabled")


def _at_most(count: int) -> Length:
    return Length(max=count, message=_l("Use at most %(max)d characters."))


class ConfigForm(Form):
    name = StringField(
        _l("Name"), validators=[_at_most(NAME_MAX)],
        description=_l("For example, “Bank balance e-mail”."),
    )
    account_id = IdSelectField(_l("Account whose balance it sets"))
    host = StringField(
        _l("IMAP server"), validators=[_at_most(TEXT_MAX)],
        description=_l("For example, imap.gmail.com or outlook.office365.com."),
        render_kw={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "none"},
    )
    security = SelectField(
        _l("Security"), choices=[SelectChoice(code, label) for code, label in SECURITY_LABELS.items()],
        default="ssl", validate_choice=False,
        description=_l("SSL/TLS usually on port 993, STARTTLS on 143."),
    )
    port = IntegerField(
        _l("Port"), default=993,
        validators=[InputRequired(PORT_MESSAGE), NumberRange(1, 65535, PORT_MESSAGE)],
        render_kw={"min": 1, "max": 65535, "inputmode": "numeric"},
    )
    username = StringField(
        _l("User name"), validators=[_at_most(TEXT_MAX)],
        description=_l("Usually the mailbox's e-mail address."),
        render_kw={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "none"},
    )
    # What was typed comes back when the page is shown again (after a test, or an error),
    # so a test does not make anyone type it twice; the stored one is never put here.
    password = PasswordField(
        _l("Password"), validators=[_at_most(PASSWORD_MAX)],
        widget=PasswordInput(hide_value=False),
        render_kw={"autocomplete": "new-password"},
    )
    folder = StringField(
        _l("Folder"), default="INBOX", validators=[_at_most(TEXT_MAX)],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    subject = StringField(
        _l("Subject"), validators=[_at_most(TEXT_MAX)],
        description=_l("Messages whose subject contains this text, for example “Saldo disponível”."),
        render_kw={"autocomplete": "off"},
    )
    allowed_sender = EmailField(
        _l("Allowed sender"), validators=[_at_most(SENDER_MAX)],
        description=_l(
            "Required: only messages from this address are read. Without it, anyone who can "
            "send an e-mail to this mailbox could set the account's balance."
        ),
        render_kw={"autocomplete": "off", "spellcheck": "false", "placeholder": "alerts@bank.com"},
    )
    start_delimiter = StringField(
        _l("Text before the amount"), validators=[_at_most(DELIMITER_MAX)],
        description=_l("For example “Saldo:”. Capital letters and spaces do not matter."),
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    end_delimiter = StringField(
        _l("Text after the amount"), validators=[_at_most(DELIMITER_MAX)],
        description=_l("The word or sign that follows the amount, for example “em” or “.”."),
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    enabled = BooleanField(_l("On: read the mailbox on a schedule"), default=True)
    form_token = FormTokenField()

    def __init__(self, *args, editing: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.password.description = (
            _l("Leave blank to keep the saved password. It is stored encrypted and never shown again.")
            if editing else _l("Stored encrypted and never shown again.")
        )

    def set_accounts(self, accounts) -> None:
        self.account_id.choices = [SelectChoice(str(a.id), a.name) for a in accounts]

    def validate_for_test(self) -> bool:
        """The mailbox fields only: a test needs no name and sets no account."""
        self.validate()
        for name in NOT_TESTED:
            self[name].errors = []
        return not any(field.errors for field in self)

    def data_for_service(self) -> ConfigData:
        return ConfigData(
            name=self.name.data or "",
            account_id=self.account_id.data,
            host=self.host.data or "",
            port=self.port.data,
            security=self.security.data or "",
            username=self.username.data or "",
            password=self.password.data or "",
            folder=self.folder.data or "",
            subject=self.subject.data or "",
            allowed_sender=self.allowed_sender.data or "",
            start_delimiter=self.start_delimiter.data or "",
            end_delimiter=self.end_delimiter.data or "",
            enabled=bool(self.enabled.data),
        )
