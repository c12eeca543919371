"""The backup centre's forms: back up now, the schedule, restore (from an upload or a stored
backup). Each carries a prefix on the centre's page, where several share it."""

from __future__ import annotations

import re

from babel.dates import get_day_names
from flask import current_app
from flask_babel import get_locale
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, IntegerField, PasswordField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    EqualTo,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from finora.translation import lazy_gettext as _l
from finora.web.forms import Form

PASSPHRASE_MIN = 8
PASSPHRASE_MAX = 200
TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
FREQUENCY_LABELS = {"daily": _l("Every day"), "weekly": _l("Every week"), "monthly": _l("Every month")}
RESTORE_MODES = {
    "new": _l("Into a new household (safe: this household stays as it is)"),
    "replace": _l("Replacing this household (everything in it now is replaced)"),
}


def _passphrase(label, description=None) -> PasswordField:
    return PasswordField(
        label,
        validators=[Optional(), Length(max=PASSPHRASE_MAX, message=_l("At most %(max)d characters."))],
        description=description,
        render_kw={"autocomplete": "off"},
    )


class CreateBackupForm(Form):
    passphrase = PasswordField(
        _l("Passphrase (optional)"),
        validators=[
            Optional(),
            Length(min=PASSPHRASE_MIN, max=PASSPHRASE_MAX,
                   message=_l("From %(min)d to %(max)d characters.")),
        ],
        description=_l(
            "Encrypts the file. Finora does not keep it: without the passphrase the backup "
            "cannot be restored."
        ),
        render_kw={"autocomplete": "new-password"},
    )
    passphrase_again = PasswordField(
        _l("Repeat the passphrase"),
        validators=[EqualTo("passphrase", _l("The passphrases do not match."))],
        render_kw={"autocomplete": "new-password"},
    )


def weekday_choices() -> list[SelectChoice]:
    """Monday (0) to Sunday (6), named in the reader's language."""
    names = get_day_names("wide", locale=str(get_locale() or "pt"))
    return [SelectChoice(day, names[day].capitalize()) for day in range(7)]


def default_retention() -> int:
    return current_app.config["BACKUP_DEFAULT_RETENTION_COUNT"]


def _local_time(_form, field) -> None:
    if not TIME.match(field.data or ""):
        raise ValidationError(_l("Enter a time such as 03:00."))


class ScheduleForm(Form):
    enabled = BooleanField(_l("Make backups automatically"), default=True)
    frequency = SelectField(
        _l("How often"),
        choices=[SelectChoice(code, label) for code, label in FREQUENCY_LABELS.items()],
        default="daily",
    )
    weekday = SelectField(_l("On (weekly)"), coerce=int, default=0,
                          description=_l("Used when the backups are weekly."))
    day_of_month = IntegerField(
        _l("On day (monthly)"),
        default=1,
        validators=[Optional(), NumberRange(1, 31, _l("A day from 1 to 31."))],
        description=_l("Used when the backups are monthly; in shorter months, the last day."),
        render_kw={"min": 1, "max": 31, "inputmode": "numeric"},
    )
    at_time = StringField(
        _l("At"),
        default="03:00",
        validators=[InputRequired(_l("Enter a time such as 03:00.")), _local_time],
        render_kw={"type": "time"},
    )
    retention_count = IntegerField(
        _l("Keep the newest"),
        default=default_retention,
        validators=[InputRequired(_l("Enter how many to keep, from 1 to 100.")),
                    NumberRange(1, 100, _l("From 1 to 100."))],
        description=_l(
            "Older automatic backups are deleted; the ones you make yourself are kept until you "
            "delete them."
        ),
        render_kw={"min": 1, "max": 100, "inputmode": "numeric"},
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.weekday.choices = weekday_choices()

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.frequency.data == "monthly" and self.day_of_month.data is None and not self.day_of_month.errors:
            self.day_of_month.errors = [*self.day_of_month.errors, str(_l("A day from 1 to 31."))]
            valid = False
        return valid


class RestoreChoicesForm(Form):
    """What every restore asks: where to, the password for a replacement, the passphrase."""

    mode = RadioField(
        _l("Restore"),
        choices=[SelectChoice(code, label) for code, label in RESTORE_MODES.items()],
        default="new",
        validators=[InputRequired(_l("Choose where to restore the backup."))],
    )
    password = PasswordField(
        _l("Your password (only to replace this household)"),
        validators=[Optional(), Length(max=1024)],
        render_kw={"autocomplete": "current-password"},
    )
    passphrase = _passphrase(_l("Passphrase (only for an encrypted backup)"))


class RestoreUploadForm(RestoreChoicesForm):
    file = FileField(
        _l("Backup file"),
        validators=[FileRequired(_l("Choose a backup file."))],
        description=_l("A file downloaded from a Finora backup centre (.zip, or .zip.enc if encrypted)."),
        render_kw={"accept": ".zip,.enc"},
    )
