"""Account form."""

from __future__ import annotations

from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length

from finora.translation import lazy_gettext as _l
from finora.web.fields import LocalDateField, MoneyField, choices
from finora.web.form_token import FormTokenField
from finora.web.forms import Form
from finora.web.labels import ACCOUNT_KINDS


class AccountForm(Form):
    name = StringField(
        _l("Name"),
        validators=[DataRequired(_l("Name the account.")), Length(max=80)],
        description=_l("For example, “Nubank checking” or “Wallet”."),
    )
    kind = SelectField(_l("Type"), choices=lambda: choices(ACCOUNT_KINDS.items()))
    opening_balance = MoneyField(
        _l("Opening balance"),
        validators=[InputRequired(_l("Enter the balance on the opening date (0 if none)."))],
        allow_negative=True,
        description=_l("The balance at the start of the opening date; negative for a debt."),
    )
    opening_date = LocalDateField(
        _l("Opening date"), validators=[InputRequired(_l("Enter the opening date."))]
    )
    include_in_forecast = BooleanField(_l("Include in the cash-flow forecast"), default=True)
    form_token = FormTokenField()


class SnapshotForm(Form):
    """“Set balance”: the account's balance at the end of a day."""

    date = LocalDateField(_l("Date"), validators=[InputRequired(_l("Enter the date."))])
    amount = MoneyField(
        _l("Balance"),
        validators=[InputRequired(_l("Enter the balance (0 if none)."))],
        allow_negative=True,
        description=_l("The balance at the end of that day, as your bank shows it; negative for a debt."),
    )
