"""Sign-up creates a user, their household and the owner membership; modes are enforced."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from finora.extensions import db
from finora.models import Household, Membership, User
from tests.factories import PASSWORD, create_user


def form(**overrides):
    data = {
        "name": "Ana Souza",
        "email": "Ana@Example.com",
        "password": PASSWORD,
        "confirm": PASSWORD,
        "household_name": "Família Souza",
        "locale": "pt",
        "currency": "BRL",
        "timezone": "America/Sao_Paulo",
    }
    data.update(overrides)
    return data


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_first_user_becomes_active_admin_and_is_signed_in(client):
    response = client.post("/signup", data=form())
    assert response.status_code == 302
    # The recovery key is shown once, then the page continues to the dashboard.
    assert response.headers["Location"].endswith("/signup/recovery-key")
    assert 'href="/dashboard"' in client.get("/signup/recovery-key").get_data(as_text=True)
    user = db.session.scalar(select(User))
    assert user.email == "ana@example.com"
    assert user.is_admin and user.status == "active"
    membership = db.session.scalar(select(Membership))
    assert membership.role == "owner" and membership.user_id == user.id
    household = membership.household
    assert (household.name, household.currency, household.timezone) == (
        "Família Souza",
        "BRL",
        "America/Sao_Paulo",
    )
    page = client.get("/dashboard", follow_redirects=True)
    assert page.status_code == 200
    assert "Família Souza" in page.get_data(as_text=True)


def test_signup_page_defaults_follow_the_language(client):
    for language, currency in (("pt", "BRL"), ("en", "USD"), ("es", "EUR")):
        page = client.get("/signup", headers={"Accept-Language": language}).get_data(as_text=True)
        assert f'<option selected value="{currency}">' in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"password": "short1", "confirm": "short1"}, "at least 10 characters"),
        ({"password": "ana@example.com", "confirm": "ana@example.com"}, "e-mail"),
        ({"password": "Ana Souza", "confirm": "Ana Souza"}, "at least 10"),
        ({"password": "qwertyuiop", "confirm": "qwertyuiop"}, "too common"),
        ({"confirm": "something else entirely"}, "do not match"),
        ({"email": "not-an-email"}, "valid e-mail"),
        ({"name": ""}, "Enter your name."),
        ({"household_name": ""}, "Name your household."),
        ({"currency": "XXX1"}, "Not a valid choice"),
        ({"timezone": "Mars/Olympus"}, "Not a valid choice"),
        ({"locale": "de"}, "Not a valid choice"),
    ],
)
def test_bad_input_gives_a_field_error_and_keeps_what_was_typed(client, overrides, message):
    response = client.post("/signup", data=form(**overrides))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page
    assert 'aria-invalid="true"' in page
    if "name" not in overrides:
        assert 'value="Ana Souza"' in page
    if "household_name" not in overrides:
        assert 'value="Família Souza"' in page
    assert PASSWORD not in page  # passwords are never echoed back
    assert count(User) == 0 and count(Household) == 0


def test_name_equal_password_is_refused(client):
    response = client.post(
        "/signup", data=form(name="Mariana Costa", password="Mariana Costa", confirm="Mariana Costa")
    )
    assert "cannot be your name" in response.get_data(as_text=True)


def test_duplicate_email_is_refused_case_insensitively(client):
    create_user(email="ana@example.com")
    response = client.post("/signup", data=form(email="ANA@example.com"))
    assert response.status_code == 422
    assert "already exists" in response.get_data(as_text=True)
    assert count(User) == 1


def test_approval_mode_makes_later_users_wait(app_factory):
    app = app_factory(REGISTRATION_MODE="approval")
    client = app.test_client()
    with app.app_context():
        create_user()
        response = client.post("/signup", data=form(locale="en"))
        assert response.status_code == 302
        assert response.headers["Location"].endswith("/signup/recovery-key")
        assert 'href="/signup/pending"' in client.get("/signup/recovery-key").get_data(as_text=True)
        pending = client.get("/signup/pending").get_data(as_text=True)
        assert "waiting for approval" in pending
        user = db.session.scalar(select(User).where(User.email == "ana@example.com"))
        assert user.status == "pending" and not user.is_admin
        blocked = client.post("/login", data={"email": "ana@example.com", "password": PASSWORD})
        assert blocked.status_code == 403
        assert "waiting for the administrator" in blocked.get_data(as_text=True)
        assert client.get("/dashboard").status_code == 302


def test_open_mode_signs_later_users_in(client):
    create_user()
    response = client.post("/signup", data=form())
    assert response.headers["Location"].endswith("/signup/recovery-key")
    assert 'href="/dashboard"' in client.get("/signup/recovery-key").get_data(as_text=True)


def test_closed_mode_refuses_get_and_post(app_factory):
    app = app_factory(REGISTRATION_MODE="closed")
    client = app.test_client()
    with app.app_context():
        create_user()
        page = client.get("/signup")
        assert page.status_code == 403
        assert "Sign-ups are closed" in page.get_data(as_text=True)
        response = client.post("/signup", data=form())
        assert response.status_code == 403
        assert count(User) == 1


def test_closed_mode_still_lets_the_very_first_user_in(app_factory):
    app = app_factory(REGISTRATION_MODE="closed")
    with app.app_context():
        response = app.test_client().post("/signup", data=form())
        assert response.status_code == 302
        assert db.session.scalar(select(User)).is_admin


def test_admin_setting_overrides_the_environment(app_factory):
    from finora.services.system.settings import REGISTRATION_MODE_KEY, set_setting

    app = app_factory(REGISTRATION_MODE="open")
    with app.app_context():
        create_user()
        set_setting(db.session, REGISTRATION_MODE_KEY, "closed")
        db.session.commit()
        assert app.test_client().post("/signup", data=form()).status_code == 403
