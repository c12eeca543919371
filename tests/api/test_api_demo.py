"""POST /api/v1/auth/demo: off by default (404), a token for a fresh demo household when on,
capped, rate-limited, and a demo caller cannot change the credentials it was given."""

from __future__ import annotations

from sqlalchemy import func, select

from finora.extensions import db
from finora.models import Entry, Household, User
from tests.api.conftest import ApiClient


def _api(app_factory, **config) -> tuple[ApiClient, object]:
    app = app_factory(DEMO_MODE_ENABLED=True, **config)
    return ApiClient(app.test_client()), app


def test_off_by_default_it_is_not_found(api):
    response = api.post("/auth/demo")
    assert response.status_code == 404
    assert response.json["code"] == "not_found"
    assert db.session.scalar(select(func.count()).select_from(Household)) == 0


def test_it_answers_a_token_for_a_new_demo_household(app_factory):
    api, app = _api(app_factory)
    with app.app_context():
        response = api.post("/auth/demo")
        assert response.status_code == 200, response.get_data(as_text=True)
        data = response.json["data"]
        assert set(data["user"]) >= {"id", "email", "name", "is_admin", "is_guest"}
        assert data["user"]["is_admin"] is True and data["user"]["is_global_admin"] is False
        assert data["expires_at"].endswith("Z")
        user = db.session.get(User, data["user"]["id"])
        assert user.demo_expires_at is not None
        api.token = data["token"]
        me = api.get("/auth/me")
        assert me.status_code == 200 and me.json["data"]["id"] == user.id
        household_id = user.memberships[0].household_id
        entries = db.session.scalar(select(func.count()).select_from(Entry)
                                    .where(Entry.household_id == household_id))
        assert entries > 300


def test_two_visitors_get_two_households(app_factory):
    api, app = _api(app_factory)
    with app.app_context():
        first = api.post("/auth/demo").json["data"]["user"]["id"]
        second = api.post("/auth/demo").json["data"]["user"]["id"]
        households = {db.session.get(User, uid).memberships[0].household_id for uid in (first, second)}
        assert len(households) == 2


def test_the_cap_refuses_more_demos(app_factory):
    api, app = _api(app_factory, DEMO_MAX_ACTIVE=1)
    with app.app_context():
        assert api.post("/auth/demo").status_code == 200
        refused = api.post("/auth/demo")
        assert refused.status_code == 429 and refused.json["code"] == "rate_limited"
        assert db.session.scalar(select(func.count()).select_from(Household)) == 1


def test_the_rate_limit_per_address(app_factory):
    api, app = _api(app_factory, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://",
                    DEMO_RATE_LIMIT="2 per hour")
    with app.app_context():
        statuses = [api.post("/auth/demo").status_code for _ in range(3)]
        assert statuses == [200, 200, 429]


def test_a_demo_token_cannot_change_the_password(app_factory):
    api, app = _api(app_factory)
    with app.app_context():
        api.token = api.post("/auth/demo").json["data"]["token"]
        response = api.put("/auth/password", json={"current_password": "x" * 12,
                                                   "new_password": "a much longer passphrase"})
        assert response.status_code == 403 and response.json["code"] == "forbidden"
