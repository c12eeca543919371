"""The templates' `money` and `date` filters spell the locale once per request
(finora.i18n._locale_name): every figure stays exactly what Babel writes, in each language,
and a language switch inside a request (force_locale, refresh) shows at once."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from babel.dates import format_date as babel_format_date
from babel.numbers import format_currency
from flask_babel import force_locale, refresh

from finora.i18n import date_filter, money_filter

AMOUNTS = ["1234567.89", "-1234567.89", "0.01", "-0.01", "0", "-0", "7.5", "-1000", "999.995"]
CURRENCIES = ["BRL", "USD", "EUR", "JPY", "CHF"]


@pytest.mark.parametrize("language", ["pt", "en", "es"])
@pytest.mark.parametrize("currency", CURRENCIES)
def test_money_filter_writes_what_babel_writes(app, language, currency):
    with app.test_request_context("/"), force_locale(language):
        for text in AMOUNTS:
            amount = Decimal(text)
            assert money_filter(amount, currency) == format_currency(amount, currency, locale=language), text


def test_negative_amounts_read_as_each_language_writes_them(app):
    expected = {"pt": "-R$\xa01.234,50", "en": "-R$1,234.50", "es": "-1.234,50\xa0BRL"}
    with app.test_request_context("/"):
        for language, text in expected.items():
            with force_locale(language):
                assert money_filter(Decimal("-1234.5"), "BRL") == text


def test_a_language_switch_within_a_request_shows_at_once(app):
    amount = Decimal("1234.5")
    with app.test_request_context("/"), force_locale("pt"):
        assert money_filter(amount, "USD") == "US$\xa01.234,50"
        assert date_filter(date(2026, 3, 1), "long") == "1 de março de 2026"
        with force_locale("en"):
            assert money_filter(amount, "USD") == "$1,234.50"
            assert date_filter(date(2026, 3, 1), "long") == "March 1, 2026"
        assert money_filter(amount, "USD") == "US$\xa01.234,50"  # back to pt
        with force_locale("es"):
            refresh()  # Flask-Babel forgets the locale; it is looked up again
            assert money_filter(amount, "EUR") == format_currency(amount, "EUR", locale="es")


@pytest.mark.parametrize("language", ["pt", "en", "es"])
def test_date_filter_writes_what_babel_writes(app, language):
    with app.test_request_context("/"), force_locale(language):
        for day in (date(2026, 1, 31), date(2024, 2, 29)):
            for fmt in ("short", "medium", "long", "MMMM y"):
                assert date_filter(day, fmt) == babel_format_date(day, fmt, locale=language)

