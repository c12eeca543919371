"""The Transactions page's filters: GET arguments read like a form, each refused value
explained beside its field and left out of the search."""

from __future__ import annotations

from wtforms import HiddenField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, ValidationError

from finora.services.ledger.transaction_list import SORTS, TransactionFilters
from finora.translation import lazy_gettext as _l
from finora.web.fields import IdSelectField, LocalDateField, MoneyField, choices
from finora.web.form_token import FormTokenField
from finora.web.forms import Form
from finora.web.labels import PAYMENT_METHODS, STATUS_FILTERS, TRANSACTION_KINDS

SEARCH_MAX = 100


class ChoiceField(SelectField):
    """A select whose unknown value is refused with the app's own message."""

    def pre_validate(self, form):
        if self.data not in set(self._values()):
            raise ValidationError(str(_l("Choose one of the options.")))

    def _values(self):
        for choice in self.choices:
            yield choice.value if isinstance(choice, SelectChoice) else choice[0]


def _all_and(pairs) -> list[SelectChoice]:
    return [SelectChoice("", str(_l("All"))), *choices(pairs)]


class TransactionFilterForm(Form):
    class Meta(Form.Meta):
        csrf = False  # a search: GET arguments, nothing changes

    q = StringField(
        _l("Search"),
        validators=[Length(max=SEARCH_MAX, message=_l("Use at most %(count)d characters.", count=SEARCH_MAX))],
        render_kw={"placeholder": _l("Description or notes"), "type": "search"},
    )
    kind = ChoiceField(_l("Type"), choices=lambda: _all_and(TRANSACTION_KINDS.items()), default="")
    status = ChoiceField(_l("Status"), choices=lambda: _all_and(STATUS_FILTERS.items()), default="")
    account = IdSelectField(_l("Account"))
    category = IdSelectField(_l("Category"))
    method = ChoiceField(_l("Payment method"), choices=lambda: _all_and(PAYMENT_METHODS.items()), default="")
    tag = IdSelectField(_l("Tag"))
    payee = IdSelectField(_l("Payee"))
    amount_min = MoneyField(_l("Amount from"))
    amount_max = MoneyField(_l("Amount up to"))
    date_from = LocalDateField(_l("Date from"))
    date_to = LocalDateField(_l("Date up to"))
    sort = HiddenField(default="date_desc")

    def validate_amount_max(self, field):
        low, high = self.amount_min.data, field.data
        if low is not None and high is not None and high < low:
            raise ValidationError(str(_l("The largest amount cannot be below the smallest.")))

    def validate_date_to(self, field):
        low, high = self.date_from.data, field.data
        if low is not None and high is not None and high < low:
            raise ValidationError(str(_l("The last day cannot be before the first.")))

    def filters(self) -> TransactionFilters:
        """Validates, then the filters of every field that holds a valid value."""
        self.validate()

        def good(field):
            return None if field.errors else field.data

        return TransactionFilters(
            search=good(self.q) or "",
            kind=good(self.kind) or "",
            status=good(self.status) or "",
            account_id=good(self.account),
            category_id=good(self.category),
            payment_method=good(self.method) or "",
            tag_id=good(self.tag),
            payee_id=good(self.payee),
            amount_min=good(self.amount_min),
            amount_max=good(self.amount_max),
            date_from=good(self.date_from),
            date_to=good(self.date_to),
            sort=self.sort.data if self.sort.data in SORTS else "date_desc",
        )

    @property
    def refused(self) -> bool:
        return any(field.errors for field in self)


class BulkForm(Form):
    """The bar above the list: the ticked rows (`selected`, outside this class: "e12" for
    entry 12, "t5" for transfer 5), the action of the button pressed, the category, the
    tags to add (typed, comma-separated) or the tag to remove."""

    action = HiddenField()
    bulk_category = IdSelectField(_l("Category"))
    bulk_tags = StringField(_l("Tags to add"), validators=[Length(max=1100)])
    bulk_remove_tag = IdSelectField(_l("Tag to remove"))
    next = HiddenField()
    form_token = FormTokenField()
