"""Sign-up and sign-in forms."""

from __future__ import annotations

import json

from flask_babel import get_locale
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, ValidationError

from finora.i18n import LANGUAGES
from finora.services.people.passwords import password_problem
from finora.services.people.registration import DEFAULT_CURRENCY, DEFAULT_TIMEZONE
from finora.translation import lazy_gettext as _l
from finora.web.auth.form_fields import new_password_fields, person_name_field
from finora.web.fields import currency_choices, timezone_aliases, timezone_choices
from finora.web.forms import Form


def language_choices() -> list[SelectChoice]:
    return [SelectChoice(code, label) for code, label in LANGUAGES.items()]


class SignupForm(Form):
    name = person_name_field()
    email = EmailField(
        _l("E-mail"),
        validators=[
            DataRequired(_l("Enter your e-mail address.")),
            Email(_l("Enter a valid e-mail address.")),
            Length(max=254),
        ],
        render_kw={"autocomplete": "email"},
    )
    password, confirm = new_password_fields(replacing=False)
    household_name = StringField(
        _l("Household name"),
        validators=[DataRequired(_l("Name your household.")), Length(max=120)],
        description=_l("For example, “The Silva family”."),
    )
    locale = SelectField(_l("Language"), choices=language_choices)
    currency = SelectField(_l("Currency"))
    timezone = SelectField(_l("Time zone"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.currency.choices = currency_choices()
        self.timezone.choices = timezone_choices()
        # For static/js/signup.js, which suggests the browser's zone under its listed name.
        self.timezone.render_kw = {"data-aliases": json.dumps(timezone_aliases(), sort_keys=True)}
        language = str(get_locale().language)
        if not self.is_submitted():
            self.locale.data = language if language in LANGUAGES else "pt"
            self.currency.data = DEFAULT_CURRENCY[self.locale.data]
            self.timezone.data = DEFAULT_TIMEZONE[self.locale.data]

    def validate_password(self, field) -> None:
        problem = password_problem(
            field.data or "", email=self.email.data or "", name=self.name.data or ""
        )
        if problem:
            raise ValidationError(str(problem))


class LoginForm(Form):
    email = EmailField(
        _l("E-mail"),
        validators=[DataRequired(_l("Enter your e-mail address."))],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Enter your password."))],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField(_l("Keep me signed in on this device"))
