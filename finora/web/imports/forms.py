"""The import's forms: the upload, the column mapping of a spreadsheet and the review.

The mapping's one-select-per-column and the review's one-line-per-row controls vary with
the file, so their values are read from the request by name (`column-3`, `category-12`);
the forms here carry what every submission has (CSRF, the account, the options)."""

from __future__ import annotations

from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from finora.services.imports.text import ENCODINGS
from finora.translation import lazy_gettext as _l
from finora.web.fields import IdSelectField
from finora.web.form_token import FormTokenField
from finora.web.forms import Form

# Only a hint to the file picker: the kind of file is read from its content.
ACCEPT = ".csv,.txt,.xlsx,.ofx,.qfx,.qif,.xml,.sta,.940,.mt940"

ROLE_LABELS = {
    "ignore": _l("Ignore"),
    "date": _l("Date"),
    "description": _l("Description"),
    "amount": _l("Amount"),
    "debit": _l("Debit (money out)"),
    "credit": _l("Credit (money in)"),
    "kind": _l("Type (income or expense)"),
    "category": _l("Category"),
    "subcategory": _l("Subcategory"),
    "payment_method": _l("Payment method"),
    "notes": _l("Notes"),
    "paid": _l("Paid or pending"),
    "paid_on": _l("Paid on (date; empty: pending)"),
    "account": _l("Account (its name)"),
    "payee": _l("Payee"),
    "tags": _l("Tags (separated by commas)"),
    "split": _l("Split line (as 2/3: Finora's export)"),
}
DATE_ORDER_LABELS = {
    "dmy": _l("Day/month/year"),
    "mdy": _l("Month/day/year"),
    "ymd": _l("Year-month-day"),
    "serial": _l("Excel serial numbers"),
}
NUMBER_STYLE_LABELS = {"comma_decimal": "1.234,56", "dot_decimal": "1,234.56"}
# The delimiter's code in the form, its character in the options.
DELIMITERS = {"comma": ",", "semicolon": ";", "tab": "\t", "pipe": "|"}
DELIMITER_LABELS = {
    "comma": _l("Comma ( , )"),
    "semicolon": _l("Semicolon ( ; )"),
    "tab": _l("Tab"),
    "pipe": _l("Vertical bar ( | )"),
}
HEADER_ROWS = 10  # the header may be on any of the first ten lines
STATUS_FILTERS = ("all", "new", "match", "duplicate", "error")
PAGE_SIZE = 100


class UploadForm(Form):
    file = FileField(
        _l("File"),
        validators=[FileRequired(_l("Choose a file to import."))],
        description=_l(
            "A bank statement (OFX, QFX, QIF, CAMT, MT940) or a spreadsheet (CSV, XLSX). "
            "The kind of file is read from its content."
        ),
        render_kw={"accept": ACCEPT},
    )
    account_id = IdSelectField(
        _l("Into the account"), validators=[InputRequired(_l("Choose an account."))]
    )


class MappingForm(Form):
    encoding = SelectField(_l("Text encoding"), validate_choice=True)
    delimiter = SelectField(
        _l("Separator"),
        choices=[SelectChoice(code, label) for code, label in DELIMITER_LABELS.items()],
        validators=[Optional()],
    )
    header_row = SelectField(_l("Header row"), coerce=int)
    sheet = SelectField(_l("Sheet"), validators=[Optional()], validate_choice=False)
    date_order = SelectField(_l("Date order"))
    number_style = SelectField(_l("Number style"))
    account_id = IdSelectField(
        _l("Into the account"), validators=[InputRequired(_l("Choose an account."))]
    )
    save_profile = BooleanField(_l("Save these settings as a profile"))
    profile_name = StringField(
        _l("Profile name"),
        validators=[Optional(), Length(max=80, message=_l("At most 80 characters."))],
        description=_l("Offered again for files with the same columns."),
    )

    def __init__(self, *args, encodings=(), sheets=(), header_row: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        self.encoding.choices = [
            SelectChoice(name, name) for name in dict.fromkeys([*ENCODINGS, *encodings])
        ]
        self.sheet.choices = [SelectChoice(name, name) for name in sheets]
        self.header_row.choices = [SelectChoice(-1, _l("No header row"))] + [
            SelectChoice(index, _l("Line %(number)d", number=index + 1))
            for index in range(HEADER_ROWS)
        ]
        self.date_order.choices = [SelectChoice("", _l("Choose…"))] + [
            SelectChoice(code, label) for code, label in DATE_ORDER_LABELS.items()
        ]
        self.number_style.choices = [SelectChoice("", _l("Choose…"))] + [
            SelectChoice(code, label) for code, label in NUMBER_STYLE_LABELS.items()
        ]


class ReviewForm(Form):
    account_id = IdSelectField(
        _l("Into the account"), validators=[InputRequired(_l("Choose an account."))]
    )
    form_token = FormTokenField()
