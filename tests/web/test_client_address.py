"""TRUSTED_PROXIES: behind one proxy the client's address comes from X-Forwarded-For (for
sessions, the audit trail and rate limits); with none trusted that header is ignored."""

from __future__ import annotations

from finora.extensions import db
from finora.models import AuditEvent
from tests.factories import create_user
from tests.web.session_helpers import browser, live_sessions

FORWARDED = {"X-Forwarded-For": "198.51.100.23"}


def _sign_in_through_proxy(app, user):
    client = browser(app, address="10.0.0.2")  # the reverse proxy
    client.post("/login", data={"email": user.email, "password": "correct horse battery"},
                headers=FORWARDED)
    return client


def test_one_trusted_proxy_gives_the_forwarded_address(app_factory):
    app = app_factory(TRUSTED_PROXIES=1)
    with app.app_context():
        user = create_user()
        _sign_in_through_proxy(app, user)
        [record] = live_sessions(user)
        assert record.ip_address == "198.51.100.23"
        event = db.session.query(AuditEvent).filter_by(action="auth.signed_in").one()
        assert event.ip_address == "198.51.100.23"


def test_no_trusted_proxy_ignores_the_header(app_factory):
    app = app_factory(TRUSTED_PROXIES=0)
    with app.app_context():
        user = create_user()
        _sign_in_through_proxy(app, user)
        [record] = live_sessions(user)
        assert record.ip_address == "10.0.0.2"


def _statuses(client, forwarded_for, count):
    data = {"email": "someone@example.com", "password": "wrong password"}
    return [client.post("/login", data=data, headers={"X-Forwarded-For": forwarded_for}).status_code
            for _ in range(count)]


def test_rate_limits_count_per_forwarded_client_behind_a_trusted_proxy(app_factory):
    app = app_factory(TRUSTED_PROXIES=1, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://")
    with app.app_context():
        client = browser(app, address="10.0.0.2")
        assert _statuses(client, "198.51.100.1", 11) == [422] * 10 + [429]
        # Another client behind the same proxy has its own budget.
        assert _statuses(client, "198.51.100.2", 1) == [422]


def test_without_a_trusted_proxy_a_forged_header_does_not_escape_the_limit(app_factory):
    app = app_factory(TRUSTED_PROXIES=0, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://")
    with app.app_context():
        client = browser(app, address="10.0.0.2")
        statuses = [_statuses(client, f"198.51.100.{n}", 1)[0] for n in range(11)]
        assert statuses == [422] * 10 + [429]
        assert _statuses(client, "203.0.113.9", 1) == [429]  # whoever it claims to be
