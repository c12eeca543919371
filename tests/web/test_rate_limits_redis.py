"""Rate limits kept in Redis (RATELIMIT_STORAGE_URI), as several workers would share them.
Runs against the local Redis; each run uses its own key prefix and removes its keys."""

from __future__ import annotations

import os
import uuid

import pytest
import redis

from finora.extensions import limiter

REDIS_URL = os.environ.get("FINORA_TEST_REDIS_URL", "redis://127.0.0.1:6379/5")


@pytest.fixture
def redis_prefix(monkeypatch):
    connection = redis.Redis.from_url(REDIS_URL)
    try:
        connection.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis at {REDIS_URL}")
    prefix = f"finora-test-{uuid.uuid4().hex}"
    # The limiter is one object for the process and keeps the first key prefix it was
    # given; clear it so this test's apps take theirs (and its keys can be found again).
    monkeypatch.setattr(limiter, "_key_prefix", "")
    yield prefix
    keys = list(connection.scan_iter(match=f"*{prefix}*"))
    if keys:
        connection.delete(*keys)
    assert not list(connection.scan_iter(match=f"*{prefix}*"))
    connection.close()


def _redis_app(app_factory, prefix):
    return app_factory(
        RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=REDIS_URL, RATELIMIT_KEY_PREFIX=prefix
    )


def test_sign_in_limit_is_kept_in_redis_and_shared_by_workers(app_factory, redis_prefix):
    data = {"email": "someone@example.com", "password": "wrong password"}
    worker_a = _redis_app(app_factory, redis_prefix)
    worker_b = _redis_app(app_factory, redis_prefix)  # a second process with the same storage
    with worker_a.app_context():
        statuses = [worker_a.test_client().post("/login", data=data).status_code for _ in range(6)]
    with worker_b.app_context():
        statuses += [worker_b.test_client().post("/login", data=data).status_code for _ in range(5)]
        other = worker_b.test_client().post(
            "/login", data=data, environ_base={"REMOTE_ADDR": "10.0.0.9"}
        )
    assert statuses == [422] * 10 + [429]
    assert other.status_code == 422
    keys = list(redis.Redis.from_url(REDIS_URL).scan_iter(match=f"*{redis_prefix}*"))
    assert keys, "the limiter wrote nothing to Redis"


def test_sign_up_limit_in_redis(app_factory, redis_prefix):
    app = _redis_app(app_factory, redis_prefix)
    with app.app_context():
        client = app.test_client()
        assert [client.post("/signup", data={}).status_code for _ in range(31)] == [422] * 30 + [429]
    keys = list(redis.Redis.from_url(REDIS_URL).scan_iter(match=f"*{redis_prefix}*"))
    assert [key for key in keys if b"auth.signup" in key]
