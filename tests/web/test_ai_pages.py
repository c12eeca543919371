"""The AI settings page and the forecast page's AI insights section, with the real openai
client against an OpenAI-compatible server on 127.0.0.1 (tests/ai_server.py)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html import unescape

import pytest
import time_machine
from sqlalchemy import func, select

from finora.extensions import db
from finora.models import AiInsight, AiSettings
from tests.ai_factories import API_KEY, PERSONAL, ai_household, ai_owner, configure
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


@pytest.fixture
def as_owner(client, auth, owner, home):
    assert auth.login(owner.email).status_code == 302
    return client


def section(page: str) -> str:
    found = re.search(r'<section class="card mb-4" aria-labelledby="ai-insights".*?</section>',
                      page, re.S)
    assert found, "no AI insights section"
    return found.group(0)


def card_types(page: str) -> list[str]:
    return re.findall(r'class="card h-100 ai-card[^"]*" (?:id="[^"]*" )?data-type="([^"]+)"',
                      section(page))


def text(page: str) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def test_without_a_key_the_owner_is_offered_the_set_up(as_owner):
    page = as_owner.get("/forecast").get_data(as_text=True)
    assert card_types(page) == ["deterministic"]
    # Finora's own card: the same score as the summary's, and what lowers it most.
    score = re.search(r'id="card-risk".*?<span class="fs-4 fw-semibold">(\d+)</span>', page, re.S).group(1)
    card = re.search(r'id="ai-deterministic".*?</article>', page, re.S).group(0)
    assert f'<span class="fs-5 fw-semibold">{score}</span>' in card
    assert int(score) < 100 and "What lowers the score most:" in text(card)
    assert re.search(r"<li>(Cash runway|Lowest projected balance|Days until the lowest balance|Volatility): \d+ points?</li>", card)
    assert 'id="ai-setup"' in section(page)
    assert 'id="ai-refresh"' not in page
    assert "Set up AI insights" in text(section(page))


@pytest.mark.parametrize("role", ["editor", "viewer"])
def test_members_see_not_set_up_and_cannot_reach_the_settings(client, auth, home, role):
    member = add_member(home, role)
    assert auth.login(member.email).status_code == 302
    page = client.get("/forecast").get_data(as_text=True)
    assert card_types(page) == ["deterministic"]
    assert "AI insights are not set up for this household" in text(section(page))
    assert 'id="ai-setup"' not in page
    assert client.get("/household/ai").status_code == 403
    assert client.post("/household/ai/refresh").status_code == 403
    assert client.post("/household/ai", data={"api_key": "sk-x"}).status_code == 403


def test_the_settings_page_never_shows_the_key_and_lists_what_is_sent(as_owner, home):
    page = as_owner.get("/household/ai").get_data(as_text=True)
    assert "No key stored" in page
    listed = text(page[page.index('id="what-is-sent"'):])
    for words in ("current balance", "name, amount, frequency and kind",
                  "lowest balance of the next 90 days and its date", "cash risk score",
                  "currency and your language", "e-mail addresses, people’s names, account names or numbers"):
        assert words in listed
    response = as_owner.post("/household/ai", data={
        "api_key": API_KEY, "model": "", "base_url": "http://127.0.0.1:8080/v1"})
    assert response.status_code == 302
    page = as_owner.get("/household/ai").get_data(as_text=True)
    assert API_KEY not in page and "A key is stored" in page
    assert re.search(r'<input[^>]*name="api_key"[^>]*value=""', page)
    assert 'placeholder="gpt-4o-mini"' in page and "Leave blank for gpt-4o-mini" in page
    # A blank key keeps the stored one; a bad base URL is refused beside its field.
    token = db.session.scalar(select(AiSettings.api_key_encrypted))
    refused = as_owner.post("/household/ai", data={"api_key": "", "base_url": "file:///etc/passwd"})
    assert refused.status_code == 422
    assert "Enter an address starting with http:// or https://" in text(refused.get_data(as_text=True))
    assert as_owner.post("/household/ai", data={"api_key": "", "model": "gpt-4.1-mini",
                                                "base_url": ""}).status_code == 302
    db.session.expire_all()
    stored = db.session.scalar(select(AiSettings))
    assert stored.api_key_encrypted == token and stored.model == "gpt-4.1-mini"
    # Removing the key.
    assert as_owner.post("/household/ai/key/remove").status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(AiSettings.api_key_encrypted)) is None


def test_refresh_shows_typed_cards_escaped_for_everyone(as_owner, client, auth, home, ai_server):
    configure(home, ai_server.url)
    page = as_owner.get("/forecast").get_data(as_text=True)
    assert "No insights yet. Refresh to ask gpt-4o-mini" in text(section(page))
    ai_server.answer = {"insights": [
        {"type": "pattern", "title": "Salary <b>monthly</b>", "body": "<script>alert(1)</script>"},
        {"type": "cash_risk", "title": "Runway", "body": "Forty days."},
        {"type": "observation", "title": "Calm", "body": "Nothing odd."},
        {"type": "risk", "title": "Rent week", "body": "Tight after rent."},
    ]}
    response = as_owner.post("/household/ai/refresh")
    assert response.status_code == 302 and response.location.endswith("/forecast#ai-insights")
    page = as_owner.get("/forecast").get_data(as_text=True)
    assert "The AI insights were refreshed." in page
    ai = section(page)
    assert card_types(page) == ["deterministic", "cash_risk", "risk", "pattern", "observation"]
    assert "<script>alert(1)</script>" not in ai and "&lt;script&gt;alert(1)&lt;/script&gt;" in ai
    assert "Salary &lt;b&gt;monthly&lt;/b&gt;" in ai
    assert "with gpt-4o-mini" in text(ai)
    assert re.search(r'id="ai-refresh" disabled', ai)  # the cooldown runs
    for personal in PERSONAL:
        assert personal not in ai_server.requests[0]["body"]

    viewer = add_member(home, "viewer")
    auth.logout()
    assert auth.login(viewer.email).status_code == 302
    page = client.get("/forecast").get_data(as_text=True)
    assert card_types(page) == ["deterministic", "cash_risk", "risk", "pattern", "observation"]
    assert 'id="ai-refresh"' not in page and "AI settings" not in text(section(page))


def test_a_failed_refresh_says_why_in_portuguese_and_keeps_the_insights(as_owner, home, ai_server, frozen_time):
    configure(home, ai_server.url)
    as_owner.post("/household/ai/refresh")
    frozen_time.shift(timedelta(hours=3))
    ai_server.mode = "429"
    as_owner.post("/language", data={"locale": "pt"})
    response = as_owner.post("/household/ai/refresh")
    assert response.status_code == 302
    page = as_owner.get("/forecast").get_data(as_text=True)
    assert "está limitando as solicitações" in text(page)
    assert card_types(page)[1:] == ["cash_risk", "risk", "pattern", "observation"]
    assert 'id="ai-error"' in section(page)
    assert db.session.scalar(select(func.count()).select_from(AiInsight)) == 1


def test_a_second_refresh_within_the_cooldown_is_refused(as_owner, home, ai_server):
    configure(home, ai_server.url)
    as_owner.post("/household/ai/refresh")
    as_owner.post("/household/ai/refresh")
    page = as_owner.get("/forecast").get_data(as_text=True)
    assert "once every 120 minutes" in text(page)
    assert len(ai_server.requests) == 1
