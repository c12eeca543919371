"""Sign-in, remember me and sign-out."""

from __future__ import annotations

from tests.factories import PASSWORD, create_user


def test_sign_in_and_out(client, auth, user):
    response = auth.login(user.email.upper())
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/dashboard")
    assert client.get("/dashboard", follow_redirects=True).status_code == 200
    response = auth.logout()
    assert response.status_code == 302
    assert client.get("/dashboard").status_code == 302


def test_wrong_password_and_unknown_email_get_the_same_generic_message(client, auth, user):
    wrong = auth.login(user.email, "not the password").get_data(as_text=True)
    unknown = auth.login("nobody@example.com", "not the password").get_data(as_text=True)
    assert "Invalid e-mail or password." in wrong
    assert "Invalid e-mail or password." in unknown
    assert 'value="nobody@example.com"' in unknown  # the typed e-mail is kept


def test_disabled_user_cannot_sign_in(client, auth, app):
    create_user()
    disabled = create_user(status="disabled")
    response = auth.login(disabled.email)
    assert response.status_code == 403
    assert "disabled" in response.get_data(as_text=True)


def test_remember_me_sets_a_lasting_cookie(client, auth, user):
    auth.login(user.email, remember="y")
    assert client.get_cookie("remember_token") is not None


def test_without_remember_me_no_lasting_cookie(client, auth, user):
    auth.login(user.email)
    assert client.get_cookie("remember_token") is None


def test_next_parameter_is_followed_only_within_the_site(client, user):
    ok = client.post(
        "/login?next=/admin/users", data={"email": user.email, "password": PASSWORD}
    )
    assert ok.headers["Location"].endswith("/admin/users")
    client.post("/logout")
    evil = client.post(
        "/login?next=https://evil.example/", data={"email": user.email, "password": PASSWORD}
    )
    assert evil.headers["Location"].endswith("/dashboard")


def test_sign_out_is_post_only(signed_in):
    assert signed_in.get("/logout").status_code == 405
    assert signed_in.get("/dashboard", follow_redirects=True).status_code == 200


def test_csrf_is_enforced_on_sign_out_and_forms(app_factory):
    app = app_factory(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    with app.app_context():
        user = create_user()
        response = client.post("/login", data={"email": user.email, "password": PASSWORD})
        assert response.status_code == 400  # no CSRF token
        page = client.get("/login").get_data(as_text=True)
        token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
        response = client.post(
            "/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
        )
        assert response.status_code == 302
        assert client.post("/logout").status_code == 400
        assert client.get("/dashboard", follow_redirects=True).status_code == 200  # still signed in


def test_dashboard_needs_sign_in(client):
    response = client.get("/dashboard")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
