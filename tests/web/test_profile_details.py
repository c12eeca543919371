"""The profile's personal details: name, language and time zone."""

from __future__ import annotations

from finora.extensions import db
from finora.models import User
from tests.web.session_helpers import actions, browser, sign_in


def test_the_details_page_shows_the_current_values(app, user):
    client = browser(app)
    sign_in(client, user)
    page = client.get("/profile/details").get_data(as_text=True)
    assert f'value="{user.name}"' in page and user.email in page
    assert 'selected value="en"' in page


def test_saving_name_and_language(app, user):
    client = browser(app)
    sign_in(client, user)
    response = client.post("/profile/details", data={"name": "  Ana Souza ", "locale": "es", "timezone": ""})
    assert response.status_code == 302
    db.session.expire_all()
    saved = db.session.get(User, user.id)
    assert (saved.name, saved.locale) == ("Ana Souza", "es")
    assert 'lang="es"' in client.get("/profile/details").get_data(as_text=True)
    assert "profile.updated" in actions(user)


def test_bad_input_keeps_what_was_typed_and_explains(app, user):
    client = browser(app)
    sign_in(client, user)
    empty = client.post("/profile/details", data={"name": "", "locale": "es"})
    assert empty.status_code == 422
    page = empty.get_data(as_text=True)
    assert "Enter your name." in page and 'selected value="es"' in page
    long = client.post("/profile/details", data={"name": "x" * 121, "locale": "pt"})
    assert long.status_code == 422 and 'value="' + "x" * 121 in long.get_data(as_text=True)
    bad = client.post("/profile/details", data={"name": "Ana", "locale": "fr"})
    assert bad.status_code == 422 and "Not a valid choice" in bad.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, user.id).name == user.name


def test_the_hub_lists_the_four_sections_in_order(app, user):
    client = browser(app)
    sign_in(client, user)
    page = client.get("/profile").get_data(as_text=True)
    positions = [page.index(f'id="profile-{key}"')
                 for key in ("details", "password", "session_timeout", "sessions")]
    assert positions == sorted(positions)
    assert "1 active session" in page and "Off" in page


def test_a_time_zone_of_ones_own_changes_how_times_are_shown(app, user):
    client = browser(app)
    sign_in(client, user)
    response = client.post(
        "/profile/details", data={"name": user.name, "locale": "en", "timezone": "Asia/Tokyo"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).timezone == "Asia/Tokyo"
    page = client.get("/profile/details").get_data(as_text=True)
    assert 'selected value="Asia/Tokyo"' in page
    client.post("/profile/details", data={"name": user.name, "locale": "en", "timezone": ""})
    db.session.expire_all()
    assert db.session.get(User, user.id).timezone is None
    bad = client.post("/profile/details", data={"name": user.name, "locale": "en", "timezone": "Mars/Base"})
    assert bad.status_code == 422
