"""Household settings form."""

from __future__ import annotations

from babel import Locale
from flask_babel import get_locale
from wtforms import EmailField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional

from finora.business_days import supported_countries
from finora.translation import lazy_gettext as _l
from finora.web.fields import MoneyField, timezone_choices
from finora.web.forms import Form


def country_choices() -> list[SelectChoice]:
    """Countries with known public holidays, named in the reader's language."""
    names = Locale.parse(str(get_locale())).territories
    options = sorted(
        (SelectChoice(code, names.get(code, code)) for code in supported_countries()),
        key=lambda c: c.label.casefold(),
    )
    return [SelectChoice("", str(_l("None (weekends only)"))), *options]


class HouseholdForm(Form):
    name = StringField(
        _l("Household name"),
        validators=[DataRequired(_l("Name your household.")), Length(max=120)],
    )
    timezone = SelectField(_l("Time zone"), description=_l(
        "Decides when a day starts and ends for your entries, rules and reminders."
    ))
    country = SelectField(
        _l("Public holidays of"),
        choices=country_choices,
        description=_l(
            "Recurring rules can move to the next or previous business day; "
            "with a country, its public holidays are not business days."
        ),
    )
    minimum_safe_balance = MoneyField(
        _l("Minimum safe balance"),
        validators=[Optional()],
        description=_l(
            "The forecast warns of the first day the projected balance falls below it. "
            "Leave empty for no warning."
        ),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The stored zone stays offered even if the list no longer names it (an old alias).
        self.timezone.choices = timezone_choices(keep=getattr(kwargs.get("obj"), "timezone", None))


def _invite_role_choices() -> list[SelectChoice]:
    return [
        SelectChoice("editor", str(_l("Editor — keeps the ledger and planning"))),
        SelectChoice("viewer", str(_l("Viewer — a guest who can only look"))),
    ]


def _role_choices() -> list[SelectChoice]:
    return [
        SelectChoice("owner", str(_l("Owner"))),
        SelectChoice("editor", str(_l("Editor"))),
        SelectChoice("viewer", str(_l("Viewer"))),
    ]


class InviteForm(Form):
    email = EmailField(
        _l("E-mail"),
        validators=[
            DataRequired(_l("Enter the e-mail address to invite.")),
            Email(_l("Enter a valid e-mail address.")),
            Length(max=254),
        ],
    )
    role = SelectField(_l("Role"), choices=_invite_role_choices, default="viewer")


class RoleForm(Form):
    role = SelectField(_l("Role"), choices=_role_choices)
