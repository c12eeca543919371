"""Account form."""

from __future__ import annotations

from wtforms import BooleanField, HiddenField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from finora.models.account import FORECAST_KINDS
from finora.translation import lazy_gettext as _l
from finora.web.fields import IdSelectField, LocalDateField, MoneyField, choices
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
    include_in_forecast = BooleanField(
        _l("Include in the cash-flow forecast"),
        default=True,
        description=_l(
            "Checking and cash accounts count by default; savings, investment, credit-card "
            "and other accounts only when you tick this."
        ),
    )
    # Credit cards only (docs/cards.md): ignored for the other types.
    closing_day = IntegerField(
        _l("Closing day"),
        validators=[Optional(), NumberRange(1, 31, _l("Enter a day from 1 to 31."))],
        description=_l("Credit cards: purchases after this day go to the next statement."),
    )
    due_day = IntegerField(
        _l("Due day"),
        validators=[Optional(), NumberRange(1, 31, _l("Enter a day from 1 to 31."))],
        description=_l("Credit cards: the day the statement is due, after the closing day."),
    )
    credit_limit = MoneyField(
        _l("Credit limit"),
        validators=[Optional()],
        description=_l("Credit cards, optional."),
    )
    payment_account_id = IdSelectField(
        _l("Paid from"),
        description=_l(
            "Credit cards: the account the statements are paid from. The forecast counts them "
            "against it, and “Pay statement” starts with it."
        ),
    )
    # Sent beside the checkbox by this form. An unticked checkbox sends nothing, so without
    # it "not ticked" and "not sent" (another client, an older page) would look the same:
    # when both are missing, the include choice is None and the account's type decides
    # (finora.models.account.counts_in_forecast_by_default).
    include_in_forecast_shown = HiddenField(default="1")
    form_token = FormTokenField()
    # For the new-account page's script: the box follows the chosen type.
    FORECAST_KINDS = FORECAST_KINDS

    def process(self, *args, **kwargs):
        super().process(*args, **kwargs)
        shown, box = self.include_in_forecast_shown.raw_data, self.include_in_forecast.raw_data
        if shown == [] and not box:  # submitted with neither: the type decides
            self.include_in_forecast.data = None


class SnapshotForm(Form):
    """“Set balance”: the account's balance at the end of a day."""

    date = LocalDateField(_l("Date"), validators=[InputRequired(_l("Enter the date."))])
    amount = MoneyField(
        _l("Balance"),
        validators=[InputRequired(_l("Enter the balance (0 if none)."))],
        allow_negative=True,
        description=_l("The balance at the end of that day, as your bank shows it; negative for a debt."),
    )
