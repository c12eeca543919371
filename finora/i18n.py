"""Language and timezone selection, and the formatting helpers templates use."""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from babel import dates as babel_dates
from flask import has_request_context, request, session
from flask_babel import format_date, get_locale
from flask_login import current_user

from finora.money import format_money
from finora.translation import held_for_locale

LANGUAGES = {"pt": "Português", "en": "English", "es": "Español"}
DEFAULT_LOCALE = "pt"


def select_locale() -> str:
    """The signed-in user's language, else the visitor's choice, else the browser's, else pt."""
    if not has_request_context():  # CLI commands and jobs
        return DEFAULT_LOCALE
    if current_user.is_authenticated and current_user.locale in LANGUAGES:
        return current_user.locale
    chosen = session.get("locale")
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(list(LANGUAGES)) or DEFAULT_LOCALE


def select_timezone() -> str | None:
    """The user's own time zone when set, else the household's (dates and times shown)."""
    from flask_login import current_user

    from finora.tenancy import current_household

    if not has_request_context():
        return None
    if current_user and current_user.is_authenticated and current_user.timezone:
        return current_user.timezone
    household = current_household()
    return household.timezone if household else None


def current_language() -> str:
    return str(get_locale().language)


def money_filter(amount, currency: str | None = None) -> str:
    """Jinja `money` filter: the household's currency in the user's locale."""
    from finora.tenancy import current_household

    if currency is None:
        household = current_household()
        currency = household.currency if household else "BRL"
    return format_money(amount, currency, _locale_name())


def date_filter(value, format: str = "medium") -> str:
    """Jinja `date` filter: a day in the user's locale. A plain date has no time zone to
    apply, so its text is kept per locale and format (a table shows the same days over
    and over); a datetime goes through Flask-Babel, which moves it to the user's zone."""
    if type(value) is date:
        return _day_text(value, format, _locale_name())
    return format_date(value, format)


def _locale_name() -> str:
    """`str(get_locale())`, spelled out once per locale object: a page writes a hundred
    amounts and days, and Babel builds the identifier anew each time (about 4 µs). Kept
    next to Flask-Babel's own per-request locale and tied to that object, so `force_locale`
    (an e-mail in the recipient's language) and `refresh` are followed at once."""
    return held_for_locale("finora_locale_name", lambda: str(get_locale()))


@lru_cache(maxsize=8192)
def _day_text(day: date, format: str, locale: str) -> str:
    return babel_dates.format_date(day, format, locale=locale)
