"""First look: pages answer and a user can sign up and sign in."""

from tests.factories import PASSWORD


def test_welcome_page_for_visitors(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b"Finora" in response.data


def test_signed_in_user_lands_on_dashboard(signed_in):
    response = signed_in.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/dashboard")


def test_login_wrong_password(client, auth, user):
    response = auth.login(user.email, PASSWORD + "x")
    assert response.status_code == 422
