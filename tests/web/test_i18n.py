"""Language choice: the user's setting, else the session, else Accept-Language, else pt."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from flask_babel import force_locale, format_date

from finora.extensions import db
from finora.i18n import money_filter
from tests.factories import create_user


def html_lang(response) -> str:
    return response.get_data(as_text=True).split('<html lang="')[1].split('"')[0]


def test_visitors_get_portuguese_by_default(client):
    assert html_lang(client.get("/", headers={"Accept-Language": ""})) == "pt"


def test_visitors_get_their_browser_language(client):
    assert html_lang(client.get("/", headers={"Accept-Language": "es-ES,es;q=0.9"})) == "es"
    assert html_lang(client.get("/", headers={"Accept-Language": "de-DE, en;q=0.5"})) == "en"
    assert html_lang(client.get("/", headers={"Accept-Language": "de-DE"})) == "pt"


def test_a_visitors_choice_is_kept_in_the_session(client):
    response = client.post("/language", data={"locale": "es", "next": "/login"})
    assert response.headers["Location"].endswith("/login")
    assert html_lang(client.get("/login")) == "es"


def test_a_users_choice_is_stored_on_the_user(signed_in, user):
    signed_in.post("/language", data={"locale": "es", "next": "/dashboard"})
    db.session.refresh(user)
    assert user.locale == "es"
    assert html_lang(signed_in.get("/dashboard", headers={"Accept-Language": "en"}, follow_redirects=True)) == "es"


def test_the_users_language_wins_over_the_browser(client, auth):
    person = create_user(locale="pt")
    auth.login(person.email)
    assert html_lang(client.get("/dashboard", headers={"Accept-Language": "en"}, follow_redirects=True)) == "pt"


def test_language_switch_refuses_unknown_languages_and_foreign_redirects(client):
    client.post("/language", data={"locale": "de", "next": "/login"})
    assert html_lang(client.get("/", headers={"Accept-Language": ""})) == "pt"
    response = client.post("/language", data={"locale": "en", "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"
    response = client.post("/language", data={"locale": "en", "next": "//evil.example/x"})
    assert response.headers["Location"] == "/"


def test_pages_are_translated(client):
    english = client.get("/login", headers={"Accept-Language": "en"}).get_data(as_text=True)
    portuguese = client.get("/login", headers={"Accept-Language": "pt"}).get_data(as_text=True)
    spanish = client.get("/login", headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert "Sign in" in english
    assert "Entrar" in portuguese and "Sign in</h1>" not in portuguese
    assert "Iniciar sesión" in spanish


def test_money_is_formatted_in_the_users_locale(app):
    with app.test_request_context():
        with force_locale("pt"):
            assert money_filter(Decimal("1234.5"), "BRL") == "R$\xa01.234,50"
        with force_locale("en"):
            assert money_filter(Decimal("1234.5"), "USD") == "$1,234.50"
        with force_locale("es"):
            assert money_filter(Decimal("-3.2"), "EUR") == "-3,20\xa0€"


def test_dates_are_written_in_the_users_locale_and_zone(app):
    day = date(2026, 3, 7)
    # A datetime goes through Flask-Babel, which moves it to the user's zone first.
    moment = datetime(2026, 3, 8, 2, 30, tzinfo=UTC)
    with app.test_request_context():
        date_filter = app.jinja_env.filters["date"]
        with force_locale("pt"):
            assert date_filter(day) == "7 de mar. de 2026"
            assert date_filter(day, "long") == "7 de março de 2026"
            assert date_filter(moment) == format_date(moment) == "8 de mar. de 2026"
        with force_locale("en"):
            assert date_filter(day) == "Mar 7, 2026"
            assert date_filter(day, "MMMM y") == "March 2026"
        with force_locale("es"):
            assert date_filter(day, "short") == "7/3/26"
        with force_locale("pt"):  # the same day again, in another language: not mixed up
            assert date_filter(day, "MMMM y") == "março 2026"


def test_translations_follow_the_locale_of_the_moment(app):
    from flask_babel import refresh

    from finora.translation import gettext, lazy_gettext, ngettext

    label = lazy_gettext("Sign in")
    render = app.jinja_env.from_string("{{ _('Sign in') }}|{{ ngettext('%(num)d entry', '%(num)d entries', 2) }}")
    with app.app_context():  # no request (a job, the CLI): the default language, pt
        assert gettext("Sign in") == "Entrar"
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert gettext("Sign in") == str(label) == "Sign in"
        with force_locale("es"):  # an e-mail in the recipient's language, mid-request
            assert gettext("Sign in") == str(label) == "Iniciar sesión"
            assert render.render() == "Iniciar sesión|2 movimientos"
            assert ngettext("%(num)d entry", "%(num)d entries", 1) == "1 movimiento"
        assert gettext("Sign in") == "Sign in"  # back to the request's language
        assert render.render() == "Sign in|2 entries"
        with force_locale("pt"):
            assert render.render() == "Entrar|2 lançamentos"
        from flask import session

        session["locale"] = "pt"  # the visitor switches language; refresh() applies it now
        refresh()
        assert gettext("Sign in") == str(label) == "Entrar"
