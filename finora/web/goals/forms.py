"""Goal and contribution forms."""

from __future__ import annotations

from wtforms import StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from finora.translation import lazy_gettext as _l
from finora.web.fields import IdSelectField, LocalDateField, MoneyField
from finora.web.form_token import FormTokenField
from finora.web.forms import Form


class GoalForm(Form):
    name = StringField(
        _l("Name"),
        validators=[DataRequired(_l("Name the goal.")), Length(max=120)],
        description=_l("For example, “Emergency fund” or “Trip to Lisbon”."),
    )
    target_amount = MoneyField(
        _l("Target amount"), validators=[InputRequired(_l("Enter the target amount."))]
    )
    target_date = LocalDateField(
        _l("Target date"),
        validators=[Optional()],
        description=_l(
            "Optional: when you want to reach it. Finora works out the monthly amount needed."
        ),
    )
    account_id = IdSelectField(
        _l("Linked account"),
        description=_l("Optional: where the money is kept."),
    )

    def set_accounts(self, accounts) -> None:
        self.account_id.choices = [SelectChoice("", str(_l("None")))] + [
            SelectChoice(str(a.id), a.name) for a in accounts
        ]


class ContributionForm(Form):
    date = LocalDateField(_l("Date"), validators=[InputRequired(_l("Enter a date."))])
    amount = MoneyField(
        _l("Amount"),
        validators=[InputRequired(_l("Enter an amount."))],
        allow_negative=True,
        description=_l("Negative for a withdrawal."),
    )
    note = StringField(_l("Note"), validators=[Optional(), Length(max=500)])
    form_token = FormTokenField()
