"""Form fields that read money and dates the way the user writes them, and the currency and
time-zone choices, named in the reader's language."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from babel import Locale
from babel.core import get_global
from babel.dates import get_timezone_location
from flask_babel import get_locale
from wtforms import DateField, SelectField, StringField
from wtforms.fields.choices import SelectChoice

from finora.dates import date_window, in_window, window_message
from finora.money import MoneyError, format_amount_input, parse_amount
from finora.services.system.currencies import COMMON_CURRENCIES, current_currencies
from finora.services.system.time_zones import zones_by_country
from finora.translation import gettext as _
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


def _sort_key(text: str) -> str:
    """Alphabetical order as a reader expects it: accents and case do not move a name."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold()


def currency_choices(keep: str | None = None) -> list[SelectChoice]:
    """Current ISO 4217 currencies: the common ones first, then the rest by their name in
    the reader's language. `keep` (a household's stored code) stays offered even when it
    is no longer current, so saving a form never changes it unnoticed."""
    return list(_currency_choices(_locale(), (keep or "").upper() or None))


@lru_cache(maxsize=16)
def _currency_choices(locale: str, keep: str | None) -> tuple[SelectChoice, ...]:
    names = Locale.parse(locale).currencies
    codes = set(current_currencies())
    if keep:
        codes.add(keep)

    def choice(code: str, group: str) -> SelectChoice:
        return SelectChoice(code, f"{names.get(code, code)} ({code})", optgroup=group)

    common = [code for code in COMMON_CURRENCIES if code in codes]
    common_group, other_group = _("Common currencies"), _("Other currencies")
    rest = sorted(codes - set(common), key=lambda code: _sort_key(names.get(code, code)))
    return (
        *(choice(code, common_group) for code in common),
        *(choice(code, other_group) for code in rest),
    )


def timezone_choices(keep: str | None = None) -> list[SelectChoice]:
    """Time zones grouped by country (named in the reader's language, in its alphabetical
    order), each zone by its city; UTC last. `keep` (a stored zone missing from the list,
    such as a legacy alias) stays offered so saving a form never changes it unnoticed."""
    choices = list(_timezone_choices(_locale()))
    if keep and keep not in {choice.value for choice in choices}:
        choices.append(SelectChoice(keep, keep.replace("_", " ")))
    return choices


@lru_cache(maxsize=1)
def timezone_aliases() -> dict[str, str]:
    """Old names browsers may still report ("Asia/Calcutta") -> the listed zone ("Asia/Kolkata")."""
    listed = {zone for zones in zones_by_country().values() for zone in zones}
    return {alias: zone for alias, zone in get_global("zone_aliases").items() if zone in listed}


def _city(zone: str, locale: str) -> str:
    """"America/Sao_Paulo" -> "São Paulo"; a city CLDR does not name is read from the id
    ("America/Kentucky/Louisville" -> "Louisville (Kentucky)")."""
    city = get_timezone_location(zone, locale=locale, return_city=True)
    if "/" in city:
        *region, place = city.replace("_", " ").split("/")
        city = f"{place} ({', '.join(region)})"
    return city


@lru_cache(maxsize=8)
def _timezone_choices(locale: str) -> tuple[SelectChoice, ...]:
    countries = Locale.parse(locale).territories
    choices = []
    by_name = sorted(zones_by_country().items(), key=lambda item: _sort_key(countries.get(item[0], item[0])))
    for code, zones in by_name:
        country = countries.get(code, code)
        labels = {zone: _city(zone, locale) for zone in zones}
        if len(set(labels.values())) < len(labels):  # never two options named alike
            labels = {zone: f"{label} — {zone}" for zone, label in labels.items()}
        for zone in sorted(zones, key=lambda z: _sort_key(labels[z])):
            choices.append(SelectChoice(zone, labels[zone], optgroup=country))
    choices.append(SelectChoice("UTC", "UTC"))
    return tuple(choices)
