"""The welcome after sign-up (and after confirming the address) is in the language chosen on
the sign-up form, not the browser's or the default pt the request started with."""

from __future__ import annotations

import re

import pytest

from tests.factories import create_user
from tests.web.test_signup import form

WELCOME = {
    "pt": "Boas-vindas ao Finora, Ana Souza!",
    "en": "Welcome to Finora, Ana Souza!",
    "es": "¡Te damos la bienvenida a Finora, Ana Souza!",
}
LINK = re.compile(r"https?://[^/\s]+(/signup/confirm/[A-Za-z0-9_-]+)")


def _flashes(client) -> list[str]:
    with client.session_transaction() as state:
        return [message for _category, message in state.get("_flashes", [])]


@pytest.mark.parametrize(("chosen", "browser"), [("es", "pt"), ("en", "pt"), ("pt", "es")])
def test_the_welcome_after_sign_up_speaks_the_chosen_language(client, chosen, browser):
    response = client.post(
        "/signup", data=form(locale=chosen), headers={"Accept-Language": browser}
    )
    assert response.status_code == 302
    assert _flashes(client) == [WELCOME[chosen]]


def test_the_welcome_after_confirming_the_address_speaks_the_chosen_language(app, smtp_server):
    create_user()  # the admin: the next sign-up confirms its address first
    client = app.test_client()
    posted = client.post("/signup", data=form(locale="es"), headers={"Accept-Language": "en"})
    assert posted.headers["Location"].endswith("/signup/check-email")
    [mail] = [m for m in smtp_server.messages if m["To"] == "ana@example.com"]
    path = LINK.search(mail.get_content()).group(1)
    other_browser = app.test_client()
    assert other_browser.get(path, headers={"Accept-Language": "en"}).status_code == 200
    confirmed = other_browser.post(path, headers={"Accept-Language": "en"})
    assert confirmed.status_code == 302
    assert _flashes(other_browser) == [WELCOME["es"]]
