"""Transfer form."""

from __future__ import annotations

from wtforms import HiddenField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from finora.translation import lazy_gettext as _l
from finora.web.fields import IdSelectField, LocalDateField, MoneyField
from finora.web.form_token import FormTokenField
from finora.web.forms import Form


class TransferForm(Form):
    from_account_id = IdSelectField(_l("From account"), validators=[InputRequired(_l("Choose an account."))])
    to_account_id = IdSelectField(_l("To account"), validators=[InputRequired(_l("Choose an account."))])
    amount = MoneyField(_l("Amount"), validators=[InputRequired(_l("Enter an amount."))])
    date = LocalDateField(_l("Date"), validators=[InputRequired(_l("Enter a date."))])
    description = StringField(_l("Description"), validators=[Optional(), Length(max=200)])
    next = HiddenField()
    form_token = FormTokenField()

    def set_accounts(self, accounts) -> None:
        options = [SelectChoice(str(a.id), a.name) for a in accounts]
        self.from_account_id.choices = list(options)
        self.to_account_id.choices = list(options)
