"""Form fields that read money and dates the way the user writes them."""

from __future__ import annotations

from flask_babel import get_locale
from wtforms import DateField, SelectField, StringField
from wtforms.fields.choices import SelectChoice

from finora.dates import date_window, in_window, window_message
from finora.money import MoneyError, format_amount_input, parse_amount
from finora.translation import lazy_gettext as _l
from finora.web.converters import parse_int


def _locale() -> str:
    return str(get_locale() or "pt")


class MoneyField(StringField):
    """An amount typed in the user's locale; the typed text is kept when it is refused."""

    def __init__(self, label=None, validators=None, *, allow_negative: bool = False, **kwargs):
        render_kw = {"inputmode": "decimal", "autocomplete": "off", **kwargs.pop("render_kw", {})}
        super().__init__(label, validators, render_kw=render_kw, **kwargs)
        self.allow_negative = allow_negative

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        self.data = None
        try:
            self.data = parse_amount(valuelist[0], _locale(), allow_negative=self.allow_negative)
        except MoneyError as error:
            raise ValueError(str(error.message)) from error

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return format_amount_input(self.data, _locale()) if self.data is not None else ""


class LocalDateField(DateField):
    """An ISO date from the browser's date picker, with our own error message."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, format="%Y-%m-%d", **kwargs)

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            super().process_formdata([valuelist[0].strip()])
        except ValueError as error:
            self.data = None
            raise ValueError(str(_l("Enter a real date, such as 2026-03-31."))) from error
        if not in_window(self.data):
            # Refused here with the range named; the typed text stays in the box (raw_data).
            self.data = None
            raise ValueError(str(window_message()))

    def __call__(self, **kwargs):
        low, high = date_window()  # the date picker offers the same range
        kwargs.setdefault("min", low.isoformat())
        kwargs.setdefault("max", high.isoformat())
        return super().__call__(**kwargs)


class IdSelectField(SelectField):
    """A select of database ids; an empty value reads as None."""

    def __init__(self, label=None, validators=None, **kwargs):
        # Whether the id belongs to the household is the service's check, not the form's.
        super().__init__(label, validators, coerce=_optional_int, validate_choice=False, **kwargs)

    def process_formdata(self, valuelist):
        if valuelist:
            self.data = None
            self.data = _optional_int(valuelist[0])  # its ValueError is the field's message


def _optional_int(value):
    if value in (None, "", "None"):
        return None
    if isinstance(value, int):
        return value
    number = parse_int(value)
    if number is None and str(value).strip().lstrip("+-").isdigit():
        # A number no id column can hold: refused beside the field, never sent to the database.
        raise ValueError(str(_l("Choose one of the options.")))
    return number


def choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(str(value), str(label)) for value, label in pairs]
