"""Forms of the profile's own sections: details, password, session timeout."""

from __future__ import annotations

from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from finora.models.user import SESSION_TIMEOUTS
from finora.translation import lazy_gettext as _l
from finora.web.auth.form_fields import current_password_field, new_password_fields
from finora.web.auth.forms import language_choices, timezone_choices
from finora.web.forms import Form


class DetailsForm(Form):
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
        stored = getattr(kwargs.get("obj"), "timezone", None)  # kept offered if not listed
        self.timezone.choices = [
            SelectChoice("", _l("The household’s time zone")), *timezone_choices(keep=stored)
        ]


class PasswordForm(Form):
    current_password = current_password_field()
    new_password, confirm = new_password_fields("new_password")


def timeout_label(minutes: int | None):
    if not minutes:
        return _l("Off")
    return _l("After %(num)d minutes of inactivity", num=minutes)


class SessionTimeoutForm(Form):
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
