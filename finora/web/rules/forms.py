"""Recurring rule forms: the rule itself, and the hold and end buttons' dates."""

from __future__ import annotations

from wtforms import BooleanField, RadioField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from finora.translation import lazy_gettext as _l
from finora.web.entries.forms import EntryForm
from finora.web.fields import IdSelectField, LocalDateField, MoneyField, choices
from finora.web.form_token import FormTokenField
from finora.web.forms import Form
from finora.web.labels import ENTRY_KINDS, FREQUENCIES, PAYMENT_METHODS

POLICIES = {
    "none": _l("Keep the date"),
    "previous": _l("Previous business day"),
    "next": _l("Next business day"),
}

POLICY_CHOICES = {
    "default": _l("Default: income on the previous business day, expenses on the next"),
    **POLICIES,
}


class RuleForm(Form):
    name = StringField(
        _l("Name"),
        validators=[DataRequired(_l("Name the rule.")), Length(max=120)],
        description=_l("For example, “Rent” or “Salary”."),
    )
    kind = RadioField(_l("Type"), choices=lambda: choices(ENTRY_KINDS.items()), default="expense")
    amount = MoneyField(_l("Amount"), validators=[InputRequired(_l("Enter an amount."))])
    account_id = IdSelectField(_l("Account"), validators=[InputRequired(_l("Choose an account."))])
    category_id = IdSelectField(
        _l("Category"), validators=[InputRequired(_l("Choose a category."))]
    )
    subcategory_id = IdSelectField(_l("Subcategory"))
    payment_method = SelectField(
        _l("Payment method"), choices=lambda: choices(PAYMENT_METHODS.items()), default="other"
    )
    frequency = SelectField(
        _l("Repeats"), choices=lambda: choices(FREQUENCIES.items()), default="monthly"
    )
    anchor_date = LocalDateField(
        _l("First occurrence"),
        validators=[InputRequired(_l("Enter the date of the first occurrence."))],
        description=_l(
            "Its day of the month is kept: the 31st falls on the last day of shorter months."
        ),
    )
    end_date = LocalDateField(
        _l("Last date"),
        validators=[Optional()],
        description=_l("Optional: no occurrence after this day."),
    )
    business_day_policy = SelectField(
        _l("On weekends and holidays"),
        choices=lambda: choices(POLICY_CHOICES.items()),
        default="default",
    )
    auto_post = BooleanField(_l("Post to the ledger automatically when due"), default=True)
    mark_paid = BooleanField(_l("Mark as paid when posted"))
    form_token = FormTokenField()

    # Same grouped choices as the entry form, so the same narrowing script applies.
    set_choices = EntryForm.set_choices

    # Money in is received, money out paid (the page's script switches with the type).
    MARK_PAID_WORDS = {
        "expense": _l("Mark as paid when posted"),
        "income": _l("Mark as received when posted"),
    }

    def use_words_of_kind(self) -> None:
        if getattr(self, "mark_paid", None) is None:  # a scenario's form has no posting options
            return
        self.mark_paid.label.text = self.MARK_PAID_WORDS["income" if self.kind.data == "income" else "expense"]


class HoldForm(Form):
    until = LocalDateField(
        _l("Paused until"), validators=[InputRequired(_l("Enter the date the rule starts again."))]
    )


class EndForm(Form):
    end_on = LocalDateField(_l("Last date"), validators=[InputRequired(_l("Enter the last date."))])
