"""Forms of the profile's own sections: details, password, session timeout."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length

from finora.models.user import SESSION_TIMEOUTS
from finora.services.passwords import MAX_LENGTH, MIN_LENGTH
from finora.web.auth.forms import language_choices, timezone_choices


class DetailsForm(FlaskForm):
    name = StringField(
        _l("Your name"),
        validators=[DataRequired(_l("Enter your name.")), Length(max=120)],
        render_kw={"autocomplete": "name"},
    )
    locale = SelectField(_l("Language"), choices=language_choices)
    timezone = SelectField(
        _l("Time zone"),
        description=_l("Used to show times such as your sign-ins. Empty: the household’s."),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.timezone.choices = [SelectChoice("", _l("The household’s time zone")), *timezone_choices()]


class PasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(_l("Enter your current password."))],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = PasswordField(
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
            EqualTo("new_password", _l("The passwords do not match.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )


def timeout_label(minutes: int | None):
    if not minutes:
        return _l("Off")
    return _l("After %(num)d minutes of inactivity", num=minutes)


class SessionTimeoutForm(FlaskForm):
    minutes = SelectField(
        _l("Sign me out after"),
        choices=lambda: [
            SelectChoice("", timeout_label(None)),
            *(SelectChoice(str(m), timeout_label(m)) for m in SESSION_TIMEOUTS),
        ],
        description=_l(
            "When a browser has not opened a Finora page for this long, its session ends. "
            "A minute before, the page offers to keep you signed in."
        ),
    )
