"""GET /insights, POST /insights/refresh and /settings' "ai" object with real data: the real
openai client against an OpenAI-compatible server on 127.0.0.1 (tests/ai_server.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from tests.ai_factories import PERSONAL, ai_household, ai_owner, configure
from tests.ai_server import ai_server_fixture  # noqa: F401 - the fixture
from tests.members_factories import add_member

NOW = datetime(2026, 1, 15, 15, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def owner(app):
    return ai_owner()


@pytest.fixture
def home(owner):
    return ai_household(owner)


def data(response, status=200):
    assert response.status_code == status, response.get_data(as_text=True)
    return response.json["data"]


def test_refresh_then_read_the_insights(api, owner, home, ai_server):
    configure(home, ai_server.url, model="qwen2.5")
    api.login(owner.email)
    assert data(api.get("/insights")) == {"configured": True, "insights": [],
                                          "last_updated": None, "model": None}
    refreshed = data(api.post("/insights/refresh", json={}))
    assert refreshed["configured"] is True and refreshed["model"] == "qwen2.5"
    assert refreshed["last_updated"] == "2026-01-15T15:00:00Z"
    assert [card["type"] for card in refreshed["insights"]] == [
        "cash_risk", "risk", "pattern", "observation"]
    assert refreshed["insights"][0] == {"type": "cash_risk", "title": "Runway drives the score",
                                        "body": "About 40 days of expenses."}
    assert data(api.get("/insights")) == refreshed
    assert data(api.get("/settings"))["ai"] == {
        "configured": True, "provider": "openai_compatible", "model": "qwen2.5",
        "last_updated": "2026-01-15T15:00:00Z"}
    assert data(api.get("/dashboard"))["ai_last_updated"] == "2026-01-15T15:00:00Z"
    (request,) = ai_server.requests
    assert request["json"]["model"] == "qwen2.5"
    assert request["json"]["response_format"]["json_schema"]["strict"] is True
    for personal in PERSONAL:
        assert personal not in request["body"]


def test_members_read_the_cached_insights_but_cannot_refresh(api, owner, home, ai_server):
    configure(home, ai_server.url)
    api.login(owner.email)
    data(api.post("/insights/refresh", json={}))
    for role in ("editor", "viewer"):
        member = add_member(home, role)
        api.login(member.email)
        assert len(data(api.get("/insights"))["insights"]) == 4
        refused = api.post("/insights/refresh", json={})
        assert refused.status_code == 403 and refused.json["code"] == "forbidden"
    assert len(ai_server.requests) == 1


def test_the_cooldown_answers_429(api, owner, home, ai_server):
    configure(home, ai_server.url)
    api.login(owner.email)
    data(api.post("/insights/refresh", json={}))
    again = api.post("/insights/refresh", json={})
    assert again.status_code == 429 and again.json["code"] == "rate_limited"
    assert "once every 120 minutes" in again.json["error"]
    assert len(ai_server.requests) == 1


@pytest.mark.parametrize(("mode", "code"), [("401", "bad_key"), ("429", "rate_limited"),
                                            ("refusal", "refused"), ("not_json", "malformed"),
                                            ("500", "server_error")])
def test_a_failed_refresh_is_a_502_with_its_reason_and_keeps_the_insights(
        api, owner, home, ai_server, frozen_time, mode, code):
    configure(home, ai_server.url)
    api.login(owner.email)
    before = data(api.post("/insights/refresh", json={}))
    frozen_time.shift(timedelta(hours=3))
    ai_server.mode = mode
    failed = api.post("/insights/refresh", json={}, headers={"Accept-Language": "en"})
    assert failed.status_code == 502
    assert failed.json["code"] == "internal_error" and failed.json["reason"] == code
    operation = api.get("/openapi.json").json["paths"]["/insights/refresh"]["post"]
    assert "502" in operation["responses"]  # documented, with `reason` in the error schema
    assert "sk-" not in failed.json["error"]
    assert data(api.get("/insights")) == before
    # The attempt counted: the next one waits for the cooldown.
    assert api.post("/insights/refresh", json={}).status_code == 429


def test_without_a_key_refresh_is_a_conflict(api, owner, home):
    api.login(owner.email)
    refused = api.post("/insights/refresh", json={})
    assert refused.status_code == 409 and "not configured" in refused.json["error"]
    assert data(api.get("/settings"))["ai"]["configured"] is False
