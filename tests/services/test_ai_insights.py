"""AI insights through the real openai client against an OpenAI-compatible server on
127.0.0.1 (tests/ai_server.py): the request (model, strict JSON schema, exactly the
forecast summary, no personal data), validation before storing, every error path keeping
the previous insights, the cooldown, and the settings (key encrypted, base URL checked)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from finora.crypto import decrypt_secret
from finora.errors import FieldError
from finora.extensions import db
from finora.models import AiInsight, AiSettings, AuditEvent
from finora.services.integrations.ai.client import RESPONSE_SCHEMA
from finora.services.integrations.ai.insights import (
    ERROR_MESSAGES,
    CooldownError,
    NotConfiguredError,
    RefreshFailedError,
    finish_refresh,
    latest_insights,
    start_refresh,
)
from finora.services.integrations.ai.settings import (
    AiSettingsData,
    remove_key,
    save_settings,
    settings_of,
)
from tests.ai_factories import API_KEY, PERSONAL, ai_household, ai_owner, configure
from tests.ai_server import ai_server_fixture  # noqa: F401 - the fixture

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


def run(home, owner, *, now=NOW, locale="en", timeout=5):
    """As the views do: claim, commit, then ask."""
    start_refresh(db.session, home, now=now, cooldown_minutes=120)
    db.session.commit()
    return finish_refresh(db.session, home, user=owner, locale=locale, now=now,
                          default_model="gpt-4o-mini", timeout=timeout)


def test_a_refresh_sends_the_summary_only_and_stores_validated_cards(home, owner, ai_server):
    configure(home, ai_server.url)
    insight = run(home, owner, locale="pt")
    db.session.commit()

    (request,) = ai_server.requests
    assert request["path"] == "/v1/chat/completions"
    assert request["headers"]["authorization"] == f"Bearer {API_KEY}"
    body = request["json"]
    assert body["model"] == "gpt-4o-mini"
    assert body["response_format"] == {"type": "json_schema", "json_schema": {
        "name": "finora_insights", "strict": True, "schema": RESPONSE_SCHEMA}}
    for personal in PERSONAL:
        assert personal not in request["body"]
        assert json.dumps(personal)[1:-1] not in request["body"]  # nor JSON-escaped
    sent = json.loads(body["messages"][1]["content"])
    assert set(sent) == {"current_balance", "rules", "lowest_balance_90_days",
                         "lowest_balance_date", "risk", "currency", "language"}
    assert sent["current_balance"] == "2400.00"
    assert sent["currency"] == "BRL" and sent["language"] == "Brazilian Portuguese"
    assert sorted(sent["rules"], key=lambda r: r["name"]) == [
        {"name": "Rent", "amount": "1800.00", "frequency": "monthly", "kind": "expense"},
        {"name": "Salary", "amount": "5200.00", "frequency": "monthly", "kind": "income"},
    ]  # the what-if rule stays out
    assert set(sent["risk"]["factors"]) == {"runway", "lowest", "days_to_lowest", "volatility"}
    assert 0 <= sent["risk"]["score"] <= 100
    assert sent["lowest_balance_date"] >= "2026-01-15"
    assert "Brazilian Portuguese" in body["messages"][0]["content"]

    assert insight.model == "gpt-4o-mini" and insight.locale == "pt"
    assert insight.requested_by_id == owner.id
    cached = latest_insights(db.session, home)
    assert [card.type for card in cached.cards] == ["cash_risk", "risk", "pattern", "observation"]
    assert cached.cards[0].title == "Runway drives the score"
    assert settings_of(db.session, home).last_refresh_at == NOW


def test_the_chosen_model_is_asked(home, owner, ai_server):
    configure(home, ai_server.url, model="llama3.1:8b")
    assert run(home, owner).model == "llama3.1:8b"
    assert ai_server.requests[0]["json"]["model"] == "llama3.1:8b"


@pytest.mark.parametrize(("mode", "answer", "code"), [
    ("401", None, "bad_key"),
    ("429", None, "rate_limited"),
    ("500", None, "server_error"),
    ("refusal", None, "refused"),
    ("not_json", None, "malformed"),
    ("ok", {"insights": [{"type": "gossip", "title": "x", "body": "y"}]}, "malformed"),
    ("ok", {"insights": []}, "malformed"),
    ("ok", {"insights": [{"type": "risk", "title": "x", "body": "y", "extra": 1}]}, "malformed"),
])
def test_every_error_keeps_the_previous_insights(home, owner, ai_server, mode, answer, code):
    configure(home, ai_server.url)
    run(home, owner)
    db.session.commit()
    ai_server.mode = mode
    if answer is not None:
        ai_server.answer = answer
    later = NOW + timedelta(minutes=121)
    with pytest.raises(RefreshFailedError) as raised:
        run(home, owner, now=later)
    db.session.commit()  # as the views do: the attempt and its code stick
    assert raised.value.code == code
    assert str(raised.value.message) == str(ERROR_MESSAGES[code])
    stored = settings_of(db.session, home)
    assert stored.last_error_code == code and stored.last_refresh_at == later
    assert db.session.scalar(select(func.count()).select_from(AiInsight)) == 1
    assert latest_insights(db.session, home).cards[0].title == "Runway drives the score"
    assert API_KEY not in str(raised.value)


def test_a_timeout_is_reported_and_keeps_the_insights(home, owner, ai_server):
    configure(home, ai_server.url)
    run(home, owner)
    db.session.commit()
    ai_server.mode, ai_server.delay = "timeout", 3
    with pytest.raises(RefreshFailedError) as raised:
        run(home, owner, now=NOW + timedelta(hours=3), timeout=0.5)
    assert raised.value.code == "timeout"
    assert latest_insights(db.session, home) is not None


def test_no_server_is_a_connection_error(home, owner):
    configure(home, "http://127.0.0.1:9/v1")  # the discard port: nothing listens
    with pytest.raises(RefreshFailedError) as raised:
        run(home, owner)
    assert raised.value.code == "connection"


def test_an_unreadable_key_asks_for_it_again_without_calling(home, owner, ai_server):
    configure(home, ai_server.url)
    settings_of(db.session, home).api_key_encrypted = "not-a-fernet-token"
    db.session.commit()
    with pytest.raises(RefreshFailedError) as raised:
        run(home, owner)
    assert raised.value.code == "secret_unreadable" and ai_server.requests == []


def test_the_cooldown_counts_from_the_last_attempt(home, owner, ai_server):
    configure(home, ai_server.url)
    run(home, owner)
    db.session.commit()
    with pytest.raises(CooldownError) as raised:
        run(home, owner, now=NOW + timedelta(minutes=119))
    db.session.rollback()
    assert raised.value.next_at == NOW + timedelta(minutes=120)
    assert len(ai_server.requests) == 1
    run(home, owner, now=NOW + timedelta(minutes=120))
    db.session.commit()
    assert len(ai_server.requests) == 2
    # Only the newest answer is kept.
    assert db.session.scalar(select(func.count()).select_from(AiInsight)) == 1


def test_without_a_key_nothing_is_asked(home, owner):
    with pytest.raises(NotConfiguredError):
        run(home, owner)
    assert latest_insights(db.session, home) is None


def test_the_key_is_stored_encrypted_kept_when_blank_and_removed(home, owner, ai_server):
    with pytest.raises(FieldError) as raised:
        save_settings(db.session, home, AiSettingsData("", "", ""))
    assert raised.value.field == "api_key"
    db.session.rollback()
    configure(home, ai_server.url)
    stored = db.session.scalar(select(AiSettings))
    assert API_KEY not in stored.api_key_encrypted
    assert decrypt_secret(stored.api_key_encrypted) == API_KEY
    token = stored.api_key_encrypted
    save_settings(db.session, home, AiSettingsData("", "gpt-4.1-mini", ""))
    db.session.commit()
    assert stored.api_key_encrypted == token and stored.model == "gpt-4.1-mini"
    assert stored.base_url is None
    assert remove_key(db.session, home) is True
    db.session.commit()
    assert stored.api_key_encrypted is None
    # Each change is in the household's activity trail, never with the key.
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == "ai")
                                .order_by(AuditEvent.id)).all()
    assert [e.action for e in events][-2:] == ["ai.settings_saved", "ai.key_removed"]
    assert all(e.household_id == home.id for e in events)
    assert all(API_KEY not in json.dumps(e.details or {}) for e in events)
    assert events[-2].details["new_key"] is False and events[-2].details["model"] == "gpt-4.1-mini"


@pytest.mark.parametrize("url", ["ftp://example.com/v1", "javascript:alert(1)", "example.com",
                                 "http://", "https://user:pw@example.com/v1",
                                 "http://example.com:99999/v1", "http://exa mple.com"])
def test_a_base_url_must_be_http_or_https(home, url):
    with pytest.raises(FieldError) as raised:
        save_settings(db.session, home, AiSettingsData(API_KEY, "", url))
    assert raised.value.field == "base_url"


def test_saving_new_settings_lifts_the_cooldown(home, owner, ai_server):
    configure(home, ai_server.url)
    run(home, owner)
    db.session.commit()
    save_settings(db.session, home, AiSettingsData("", "gpt-4.1", ai_server.url + "/"))
    db.session.commit()
    assert settings_of(db.session, home).base_url == ai_server.url
    run(home, owner, now=NOW + timedelta(minutes=1))
    assert len(ai_server.requests) == 2
