"""The apply form: the release chosen, the admin's password again and a confirmation."""

from __future__ import annotations

from wtforms import BooleanField, HiddenField, PasswordField
from wtforms.validators import DataRequired, InputRequired, Length

from finora.translation import lazy_gettext as _l
from finora.web.forms import Form


class ApplyForm(Form):
    # The version the page offered: applying a newer one than the admin read about is refused.
    version = HiddenField(validators=[InputRequired(), Length(max=64)])
    password = PasswordField(
        _l("Your password"),
        validators=[InputRequired(message=_l("Enter your password to apply the update.")),
                    Length(max=1024)],
    )
    confirm = BooleanField(
        _l("I understand: Finora makes a backup, installs the update and puts everything back "
           "if a step fails."),
        validators=[DataRequired(message=_l("Tick the box to confirm."))],
    )
