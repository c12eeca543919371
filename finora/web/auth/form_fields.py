"""Fields several forms share: a person's name, a new password with its repetition, the
current password. Built by functions because a WTForms field belongs to one form class."""

from __future__ import annotations

from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from finora.services.people.passwords import MAX_LENGTH, MIN_LENGTH
from finora.translation import lazy_gettext as _l


def person_name_field() -> StringField:
    return StringField(
        _l("Your name"),
        validators=[DataRequired(_l("Enter your name.")), Length(max=120)],
        render_kw={"autocomplete": "name"},
    )


def new_password_fields(name: str = "password", *, replacing: bool = True) -> tuple[PasswordField, PasswordField]:
    """The password to set and its repetition. `name`: what the first field is called in
    the form (for the match check); `replacing`: labelled "New password" (reset, recovery,
    profile) rather than "Password" (sign-up, accepting an invitation)."""
    password = PasswordField(
        _l("New password") if replacing else _l("Password"),
        validators=[DataRequired(_l("Choose a password.")), Length(max=MAX_LENGTH)],
        description=_l(
            "At least %(count)d characters; not your name, e-mail or a common password.",
            count=MIN_LENGTH,
        ),
        render_kw={"autocomplete": "new-password", "minlength": MIN_LENGTH},
    )
    confirm = PasswordField(
        _l("Repeat the new password") if replacing else _l("Repeat the password"),
        validators=[
            DataRequired(_l("Repeat the password.")),
            EqualTo(name, _l("The passwords do not match.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    return password, confirm


def current_password_field() -> PasswordField:
    return PasswordField(
        _l("Current password"),
        validators=[DataRequired(_l("Enter your current password."))],
        render_kw={"autocomplete": "current-password"},
    )
