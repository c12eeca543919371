"""Sign-in and sign-up are rate limited per client address."""

from __future__ import annotations


def test_sign_in_is_limited_to_ten_attempts_per_five_minutes(app_factory):
    app = app_factory(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://")
    client = app.test_client()
    with app.app_context():
        data = {"email": "someone@example.com", "password": "wrong password"}
        statuses = [client.post("/login", data=data).status_code for _ in range(11)]
        assert statuses[:10] == [422] * 10
        assert statuses[10] == 429
        assert "Too many attempts" in client.post("/login", data=data).get_data(as_text=True)
        assert client.get("/login").status_code == 200  # reading the page is not limited
        other = client.post("/login", data=data, environ_base={"REMOTE_ADDR": "10.0.0.9"})
        assert other.status_code == 422  # another address has its own budget


def test_sign_up_forms_sent_back_are_limited_to_thirty_per_hour(app_factory):
    # Successful sign-ups have their own, stricter budget: tests/web/test_signup_rate_limits.py
    app = app_factory(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://")
    client = app.test_client()
    with app.app_context():
        statuses = [client.post("/signup", data={}).status_code for _ in range(31)]
        assert statuses == [422] * 30 + [429]


def test_healthz_is_never_limited(app_factory):
    app = app_factory(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://")
    client = app.test_client()
    with app.app_context():
        assert {client.get("/healthz").status_code for _ in range(30)} == {200}
