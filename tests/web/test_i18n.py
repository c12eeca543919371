"""Language choice: the user's setting, else the session, else Accept-Language, else pt."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import force_locale

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
