"""The entry form: amount in the user's locale, dates, account, category, subcategory."""

from __future__ import annotations

from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from finora.translation import lazy_gettext as _l
from finora.web.fields import IdSelectField, LocalDateField, MoneyField, choices
from finora.web.form_token import FormTokenField
from finora.web.forms import Form
from finora.web.labels import ENTRY_KINDS, FREQUENCIES, PAYMENT_METHODS


def _repeat_choices() -> list[SelectChoice]:
    return [SelectChoice("", str(_l("Does not repeat")))] + choices(
        (value, label) for value, label in FREQUENCIES.items() if value != "once"
    )


class NamedField(StringField):
    """Text that names household rows: a payee (one name) or tags (comma-separated); shows
    the names of the rows it was filled from (an entry's Payee, its Tags)."""

    def _value(self):
        if isinstance(self.data, list | tuple):
            return ", ".join(getattr(item, "name", item) for item in self.data)
        if self.data is not None and hasattr(self.data, "name"):
            return self.data.name
        return super()._value()


class EntryForm(Form):
    kind = RadioField(_l("Type"), choices=lambda: choices(ENTRY_KINDS.items()), default="expense")
    amount = MoneyField(_l("Amount"), validators=[InputRequired(_l("Enter an amount."))])
    date = LocalDateField(_l("Date"), validators=[InputRequired(_l("Enter a date."))])
    paid = BooleanField(_l("Paid"))
    paid_on = LocalDateField(
        _l("Paid on"), validators=[Optional()], description=_l("Leave empty to use today’s date when “Paid” is on.")
    )
    description = StringField(
        _l("Description"),
        validators=[DataRequired(_l("Describe the entry.")), Length(max=200)],
    )
    account_id = IdSelectField(_l("Account"), validators=[InputRequired(_l("Choose an account."))])
    category_id = IdSelectField(_l("Category"), validators=[InputRequired(_l("Choose a category."))])
    subcategory_id = IdSelectField(_l("Subcategory"))
    payment_method = SelectField(
        _l("Payment method"), choices=lambda: choices(PAYMENT_METHODS.items()), default="other"
    )
    payee = NamedField(
        _l("Payee"),
        validators=[Optional(), Length(max=100)],
        description=_l("Who was paid or paid you; a new name adds a payee."),
        render_kw={"list": "payee-options", "autocomplete": "off"},
    )
    tags = NamedField(
        _l("Tags"),
        validators=[Optional(), Length(max=1000)],
        description=_l("Separate tags with commas."),
        render_kw={"list": "tag-options", "autocomplete": "off"},
    )
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=2000)])
    repeat = SelectField(
        _l("Repeat"),
        choices=_repeat_choices,
        default="",
        description=_l("Creates a recurring rule with this entry as its first occurrence."),
    )
    # Credit cards (docs/cards.md): one purchase in N monthly installments.
    installments = IntegerField(
        _l("Installments"),
        validators=[Optional()],
        description=_l("Credit cards: split the purchase into 2 to 48 monthly installments."),
    )
    next = HiddenField()
    form_token = FormTokenField()

    # The words of the paid switch, its date and the date's hint for each kind: money comes
    # in "received", goes out "paid" (the page's script switches them with the type).
    PAID_WORDS = {
        "expense": (_l("Paid"), _l("Paid on"), _l("Leave empty to use today’s date when “Paid” is on.")),
        "income": (
            _l("Received"),
            _l("Received on"),
            _l("Leave empty to use today’s date when “Received” is on."),
        ),
    }

    def use_words_of_kind(self) -> None:
        """Label the paid switch and its date for the form's kind."""
        paid, paid_on, hint = self.PAID_WORDS["income" if self.kind.data == "income" else "expense"]
        self.paid.label.text, self.paid_on.label.text, self.paid_on.description = paid, paid_on, hint

    def set_choices(self, accounts, expense_tree, income_tree) -> None:
        """Accounts, and categories of both kinds grouped so the form works without JS;
        the page's script narrows the lists to the chosen type and category."""
        self.account_id.choices = [SelectChoice(str(a.id), a.name) for a in accounts]
        categories, subcategories = [SelectChoice("", str(_l("Choose…")))], [
            SelectChoice("", str(_l("None")))
        ]
        for kind, tree in (("expense", expense_tree), ("income", income_tree)):
            group = str(ENTRY_KINDS[kind])
            for node in tree:
                categories.append(
                    SelectChoice(
                        str(node.category.id),
                        node.category.label,
                        optgroup=group,
                        render_kw={"data-kind": kind},
                    )
                )
                for child in node.children:
                    subcategories.append(
                        SelectChoice(
                            str(child.id),
                            child.label,
                            optgroup=node.category.label,
                            render_kw={"data-parent": str(node.category.id)},
                        )
                    )
        self.category_id.choices = categories
        self.subcategory_id.choices = subcategories
