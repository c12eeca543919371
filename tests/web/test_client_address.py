"""TRUSTED_PROXIES: behind one proxy the client's address comes from X-Forwarded-For (for
sessions, the audit trail and rate limits); with none trusted that header is ignored, and
so it is on connections that do not come from a proxy FORWARDED_ALLOW_IPS names."""

from __future__ import annotations

import pytest

from config import ConfigError
from finora.extensions import db
from finora.models import AuditEvent
from tests.factories import create_user
from tests.web.session_helpers import browser, live_sessions

FORWARDED = {"X-Forwarded-For": "198.51.100.23"}
PROXY = "10.0.0.2"  # the reverse proxy's address, as FORWARDED_ALLOW_IPS names it


def _sign_in_through_proxy(app, user):
    client = browser(app, address="10.0.0.2")  # the reverse proxy
    client.post("/login", data={"email": user.email, "password": "correct horse battery"},
                headers=FORWARDED)
    return client


def test_one_trusted_proxy_gives_the_forwarded_address(app_factory):
    app = app_factory(TRUSTED_PROXIES=1, FORWARDED_ALLOW_IPS=PROXY)
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
    app = app_factory(TRUSTED_PROXIES=1, FORWARDED_ALLOW_IPS="10.0.0.0/24",
                      RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://")
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


def test_a_peer_that_is_not_a_named_proxy_cannot_forge_its_address(app_factory):
    app = app_factory(TRUSTED_PROXIES=1, FORWARDED_ALLOW_IPS="10.0.0.1, 192.168.0.0/16")
    with app.app_context():
        user = create_user()
        _sign_in_through_proxy(app, user)  # from 10.0.0.2: not a named proxy
        [record] = live_sessions(user)
        assert record.ip_address == "10.0.0.2"
        event = db.session.query(AuditEvent).filter_by(action="auth.signed_in").one()
        assert event.ip_address == "10.0.0.2"


def test_nor_escape_the_rate_limit_or_claim_https(app_factory):
    app = app_factory(TRUSTED_PROXIES=1, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://")
    with app.app_context():
        client = browser(app, address="203.0.113.50")  # straight to the app, not via the proxy
        statuses = [_statuses(client, f"198.51.100.{n}", 1)[0] for n in range(11)]
        assert statuses == [422] * 10 + [429]
        page = client.get("/login", headers={"X-Forwarded-Proto": "https"})
        assert "Strict-Transport-Security" not in page.headers
        # The default list is the loopback addresses (gunicorn's default too).
        local = browser(app, address="127.0.0.1")
        page = local.get("/login", headers={"X-Forwarded-Proto": "https"})
        assert "Strict-Transport-Security" in page.headers


def test_a_bad_proxy_list_stops_the_start(app_factory):
    with pytest.raises(ConfigError, match="FORWARDED_ALLOW_IPS"):
        app_factory(TRUSTED_PROXIES=1, FORWARDED_ALLOW_IPS="proxy.example.net")


def test_a_star_trusts_every_peer_as_before(app_factory):
    app = app_factory(TRUSTED_PROXIES=1, FORWARDED_ALLOW_IPS="*")
    with app.app_context():
        user = create_user()
        _sign_in_through_proxy(app, user)
        [record] = live_sessions(user)
        assert record.ip_address == "198.51.100.23"
