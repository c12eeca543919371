"""The profile's form for a new personal API token: a name and what it may do."""

from __future__ import annotations

from wtforms import PasswordField, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from finora.services.people.api_tokens import NAME_MAX
from finora.translation import lazy_gettext as _l
from finora.web.forms import Form

# The scopes a person chooses from, in the order the page offers them (read-only first:
# the safer choice is the default).
SCOPE_LABELS = {"read": _l("Read-only"), "write": _l("Read and write")}
KIND_LABELS = {"login": _l("App sign-in"), "personal": _l("Personal")}


class NewApiTokenForm(Form):
    name = StringField(
        _l("Name"),
        validators=[InputRequired(_l("Give the token a name.")), Length(max=NAME_MAX)],
        description=_l("What will use it, e.g. “Budget script” or “Home dashboard”."),
        render_kw={"autocomplete": "off", "maxlength": NAME_MAX},
    )
    scope = RadioField(
        _l("Access"),
        choices=[SelectChoice(code, label) for code, label in SCOPE_LABELS.items()],
        default="read",
        validators=[InputRequired(_l("Choose read-only or read and write."))],
    )
    # A token is a password for 30 days: a borrowed, still signed-in browser must not be
    # enough to make one.
    password = PasswordField(
        _l("Your password"),
        validators=[InputRequired(_l("Enter your password to make a token.")), Length(max=1024)],
        render_kw={"autocomplete": "current-password"},
    )

    def limit_to_reading(self) -> None:
        """A viewer's token can only read: offer nothing else."""
        self.scope.choices = [SelectChoice("read", SCOPE_LABELS["read"])]
