"""Budget form: an expense category or subcategory, a period, an amount, rollover on or off."""

from __future__ import annotations

from wtforms import BooleanField, RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from finora.translation import lazy_gettext as _l
from finora.web.fields import IdSelectField, MoneyField, choices
from finora.web.forms import Form

PERIODS = {"monthly": _l("Monthly"), "yearly": _l("Yearly")}


class BudgetForm(Form):
    category_id = IdSelectField(
        _l("Category"),
        validators=[InputRequired(_l("Choose a category."))],
        description=_l("A whole category counts its subcategories too."),
    )
    period = RadioField(
        _l("Period"),
        choices=lambda: choices(PERIODS.items()),
        default="monthly",
        validators=[InputRequired(_l("Choose monthly or yearly."))],
    )
    amount = MoneyField(_l("Amount"), validators=[InputRequired(_l("Enter an amount."))])
    rollover = BooleanField(
        _l("Carry what is left over into the next period"),
        default=False,
        description=_l(
            "What a period does not spend is added to the next one, and overspending is taken "
            "from it. Counting starts in the current period. A new amount applies from the current "
            "period on without changing what was carried; a new period, or switching this off, "
            "starts again from zero."
        ),
    )

    def set_choices(self, expense_tree, current=None) -> None:
        """Each category, then its subcategories, grouped under the category's name.
        `current` is the budget's own category, kept selectable if it was archived."""
        options = [SelectChoice("", str(_l("Choose…")))]
        for node in expense_tree:
            group = node.category.label
            options.append(
                SelectChoice(
                    str(node.category.id),
                    str(_l("%(name)s (whole category)", name=node.category.label)),
                    optgroup=group,
                )
            )
            options.extend(SelectChoice(str(child.id), child.label, optgroup=group) for child in node.children)
        if current is not None and current.archived:
            options.append(SelectChoice(str(current.id), current.label))
        self.category_id.choices = options
