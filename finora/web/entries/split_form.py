"""The split page's form: the entry's amount and its category lines (rows of category,
amount and note; blank rows are left out, "Add a line" posts back with one more row)."""

from __future__ import annotations

from wtforms import FieldList, FormField, StringField, SubmitField
from wtforms import Form as PlainForm
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from finora.services.ledger.splits import MAX_LINES
from finora.translation import lazy_gettext as _l
from finora.web.fields import IdSelectField, MoneyField
from finora.web.forms import Form

NEW_ROWS = 2  # rows shown when an entry is split for the first time


class SplitLineForm(PlainForm):
    """One row. The category select lists the top categories of the entry's kind with
    their subcategories under them: one choice gives both."""

    category_id = IdSelectField(_l("Category"))
    amount = MoneyField(_l("Amount"), validators=[Optional()])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=200)])

    def is_blank(self) -> bool:
        typed = (self.amount.raw_data or [""])[0].strip()
        return self.category_id.data is None and not typed and not (self.note.data or "").strip()


class SplitForm(Form):
    amount = MoneyField(_l("Entry amount"), validators=[InputRequired(_l("Enter an amount."))])
    lines = FieldList(FormField(SplitLineForm), min_entries=NEW_ROWS, max_entries=MAX_LINES)
    add_line = SubmitField(_l("Add a line"))
    save = SubmitField(_l("Save split"))

    def set_category_choices(self, tree, kept=()) -> None:
        """The categories of the entry's kind ("Food", "Food › Groceries"); `kept` adds
        archived ones a line already has, so editing keeps them selectable."""
        options = [SelectChoice("", str(_l("Choose…")))]
        for node in tree:
            options.append(SelectChoice(str(node.category.id), node.category.label))
            for child in node.children:
                options.append(SelectChoice(str(child.id), f"{node.category.label} › {child.label}"))
        options += [SelectChoice(str(c.id), c.label) for c in kept]
        for line in self.lines:
            line.category_id.choices = options
