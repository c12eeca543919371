"""The demo in the browser: the welcome page's button (only with DEMO_MODE_ENABLED), the
sign-in to a fresh demo household, the countdown banner, and the pages a demo cannot open."""

from __future__ import annotations

from sqlalchemy import select

from finora.extensions import db
from finora.models import User
from finora.services.people.users import users_query
from tests.factories import PASSWORD, create_user


def _demo_client(app_factory, **config):
    app = app_factory(DEMO_MODE_ENABLED=True, **config)
    return app, app.test_client()


def _start(client):
    response = client.post("/demo")
    assert response.status_code == 302 and response.headers["Location"].endswith("/dashboard")
    return db.session.scalars(select(User).where(User.demo_expires_at.is_not(None))).one()


def test_off_by_default_no_button_and_not_found(client):
    assert "Try the demo" not in client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert client.post("/demo").status_code == 404
    assert db.session.scalars(select(User)).first() is None


def test_the_button_signs_a_visitor_in_to_a_demo_with_a_countdown(app_factory):
    app, client = _demo_client(app_factory)
    with app.app_context():
        page = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
        assert "Try the demo" in page and 'action="/demo"' in page
        user = _start(client)
        dashboard = client.get("/dashboard", headers={"Accept-Language": "en"}, follow_redirects=True)
        assert dashboard.status_code == 200
        html = dashboard.get_data(as_text=True)
        assert 'id="demo-countdown"' in html and "Time left: 23 h" in html
        assert user.demo_expires_at.strftime("%Y-%m-%dT%H:%M") in html
        assert "js/demo-banner.js" in html


def test_a_real_user_sees_no_banner(app_factory):
    app, client = _demo_client(app_factory)
    with app.app_context():
        create_user(email="ana@example.com")
        client.post("/login", data={"email": "ana@example.com", "password": PASSWORD})
        response = client.get("/dashboard", follow_redirects=True)
        assert response.status_code == 200 and "demo-countdown" not in response.get_data(as_text=True)


def test_a_demo_cannot_open_credentials_people_tokens_or_admin(app_factory):
    app, client = _demo_client(app_factory)
    with app.app_context():
        user = _start(client)
        email = user.email
        for path in ("/profile/password", "/profile/two-factor", "/profile/passkeys",
                     "/profile/api-tokens", "/admin/", "/admin/users", "/profile/recovery-key"):
            response = client.get(path)
            assert response.status_code == 302, path
            assert response.headers["Location"].endswith("/dashboard"), path
        for path, data in (("/household/members/invite", {"email": "x@example.com", "role": "editor"}),
                           ("/profile/details", {"name": "X", "email": "me@example.com"}),
                           ("/profile/api-tokens", {"name": "t", "scope": "write"})):
            response = client.post(path, data=data)
            assert response.status_code == 302 and response.headers["Location"].endswith("/dashboard"), path
        db.session.expire_all()
        assert db.session.get(User, user.id).email == email
        assert client.get("/profile/details").status_code == 200  # reading is fine
        assert client.get("/household/members").status_code == 200


def test_a_demo_is_never_listed_for_the_admin_and_leaves_the_first_sign_up_the_admin(app_factory):
    app, client = _demo_client(app_factory)
    with app.app_context():
        _start(client)
        assert db.session.scalars(users_query()).all() == []
        from finora.services.people.registration import admin_status

        assert admin_status(db.session) == "empty"


def test_the_cap_sends_the_visitor_back_with_a_note(app_factory):
    app, client = _demo_client(app_factory, DEMO_MAX_ACTIVE=0)
    with app.app_context():
        response = client.post("/demo", headers={"Accept-Language": "en"})
        assert response.status_code == 302 and response.headers["Location"].endswith("/")
        assert "Too many demos" in client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
        assert db.session.scalars(select(User)).first() is None


def test_the_rate_limit_per_address(app_factory):
    app, _client = _demo_client(app_factory, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://",
                                DEMO_RATE_LIMIT="1 per hour")
    with app.app_context():
        assert app.test_client().post("/demo").status_code == 302
        assert app.test_client().post("/demo").status_code == 429


def test_an_expired_demo_not_yet_purged_is_signed_out(app_factory):
    from datetime import timedelta

    import time_machine

    app, client = _demo_client(app_factory)
    with app.app_context():
        user = _start(client)
        with time_machine.travel(user.demo_expires_at + timedelta(minutes=1), tick=False):
            response = client.get("/dashboard", headers={"Accept-Language": "en"})
            assert response.status_code == 302 and response.headers["Location"].endswith("/")
            page = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
            assert "This demo has expired." in page and "Try the demo" in page
            assert client.get("/dashboard").status_code == 302  # signed out
