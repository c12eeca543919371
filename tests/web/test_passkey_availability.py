"""Where browsers cannot use passkeys (an IP-address base URL, plain http on a host other
than localhost) the sign-in page and the profile hide the passkey buttons, and the profile
says why; by default (http://localhost:<port>) they are offered."""

from __future__ import annotations

import pytest

from tests.factories import PASSWORD, create_user


def _pages(application):
    client = application.test_client()
    login = client.get("/login", headers={"Accept-Language": "en"}).get_data(as_text=True)
    person = create_user()
    assert client.post("/login", data={"email": person.email, "password": PASSWORD}).status_code == 302
    profile = client.get("/profile/passkeys").get_data(as_text=True)
    hub = client.get("/profile").get_data(as_text=True)
    # The profile's overview says so too, instead of "None yet"
    assert ("Not available on this server" in hub) == ('id="passkey-unavailable"' in profile)
    return login, profile


def test_the_default_base_url_offers_passkeys(app_factory):
    application = app_factory()
    assert application.config["APP_BASE_URL"] == "http://localhost:5000"
    with application.app_context():
        login, profile = _pages(application)
    assert 'id="passkey-sign-in"' in login and "js/passkeys.js" in login
    assert 'id="passkey-add-form"' in profile and "js/passkeys.js" in profile
    assert 'id="passkey-unavailable"' not in profile


@pytest.mark.parametrize(
    ("base_url", "reason"),
    [
        ("http://127.0.0.1:5000", "is an IP address"),
        ("https://192.168.1.20", "is an IP address"),
        ("http://nas.home.arpa:8000", "over plain http"),
    ],
)
def test_passkeys_are_hidden_where_browsers_refuse_them(app_factory, base_url, reason):
    application = app_factory(APP_BASE_URL=base_url)
    with application.app_context():
        login, profile = _pages(application)
    assert 'id="passkey-sign-in"' not in login and "js/passkeys.js" not in login
    assert 'id="passkey-add-form"' not in profile and "js/passkeys.js" not in profile
    assert 'id="passkey-unavailable"' in profile
    assert reason in profile


def test_a_relying_party_outside_the_origin_is_explained(app_factory):
    application = app_factory(
        APP_BASE_URL="https://money.example.org", WEBAUTHN_RP_ID="other.example.net"
    )
    with application.app_context():
        login, profile = _pages(application)
    assert 'id="passkey-sign-in"' not in login
    assert "other.example.net, WEBAUTHN_RP_ID" in profile
