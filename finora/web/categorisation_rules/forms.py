"""The categorisation rule form."""

from __future__ import annotations

from wtforms import BooleanField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from finora.models.categorisation_rule import RULE_NAME_MAX, RULE_PATTERN_MAX, RULE_TAGS_MAX
from finora.models.tag import PAYEE_NAME_MAX
from finora.services.ledger.categorisation import RuleInput
from finora.translation import lazy_gettext as _l
from finora.web.fields import IdSelectField, MoneyField, choices
from finora.web.forms import Form
from finora.web.labels import PAYMENT_METHODS


def _strip(value):
    return value.strip() if isinstance(value, str) else value


MATCH_FIELD_LABELS = {
    "description": _l("Description"),
    "payee": _l("Payee"),
    "either": _l("Description or payee"),
}
MATCH_KIND_LABELS = {
    "contains": _l("contains"),
    "starts_with": _l("starts with"),
    "regex": _l("matches the regular expression"),
}
ENTRY_KIND_LABELS = {"any": _l("Income or expense"), "expense": _l("Expense"), "income": _l("Income")}


class RuleForm(Form):
    name = StringField(_l("Name"), filters=[_strip], render_kw={"maxlength": RULE_NAME_MAX, "autocomplete": "off"})
    match_field = SelectField(_l("When the"), choices=lambda: choices(MATCH_FIELD_LABELS.items()))
    match_kind = SelectField(_l("Comparison"), choices=lambda: choices(MATCH_KIND_LABELS.items()))
    pattern = StringField(
        _l("Text"), filters=[_strip], render_kw={"maxlength": RULE_PATTERN_MAX, "autocomplete": "off"},
        description=_l("Upper and lower case and accents do not matter."),
    )
    min_amount = MoneyField(_l("Amount from"), validators=[Optional()])
    max_amount = MoneyField(_l("Amount up to"), validators=[Optional()])
    account_id = IdSelectField(_l("Account"))
    entry_kind = SelectField(_l("Kind"), choices=lambda: choices(ENTRY_KIND_LABELS.items()))
    category_id = IdSelectField(_l("Set the category"))
    payee_name = StringField(
        _l("Set the payee"), filters=[_strip], render_kw={"maxlength": PAYEE_NAME_MAX, "autocomplete": "off"},
    )
    payment_method = SelectField(
        _l("Set the payment method"),
        choices=lambda: [SelectChoice("", str(_l("Leave as it is")))] + choices(PAYMENT_METHODS.items()),
    )
    tags = StringField(
        _l("Add the tags"), filters=[_strip], render_kw={"maxlength": RULE_TAGS_MAX, "autocomplete": "off"},
        description=_l("Separated by commas; added to imported entries and to the entries the rule is applied to."),
    )
    enabled = BooleanField(_l("Enabled"), default=True)
    preview = SubmitField(_l("Preview"))
    save = SubmitField(_l("Save"))

    def rule_input(self) -> RuleInput:
        return RuleInput(
            name=self.name.data or "", pattern=self.pattern.data or "", match_field=self.match_field.data,
            match_kind=self.match_kind.data, min_amount=self.min_amount.data, max_amount=self.max_amount.data,
            account_id=self.account_id.data, entry_kind=self.entry_kind.data, category_id=self.category_id.data,
            payee_name=self.payee_name.data or None, payment_method=self.payment_method.data or None,
            enabled=bool(self.enabled.data), tags=self.tags.data or None,
        )
