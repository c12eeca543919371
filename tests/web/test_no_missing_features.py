"""Pages name only features that exist: a page (in English, Portuguese or Spanish) that
speaks of API tokens is the tokens page itself or leads to it, and that page answers."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from finora.crypto import hash_token
from finora.dates import now_utc
from finora.extensions import db
from finora.models.security import PasswordResetToken
from finora.services.people.invitations import invite
from tests.factories import PASSWORD, create_user
from tests.ledger_factories import household_of

MENTIONS = {
    "en": re.compile(r"\bAPI tokens?\b", re.I),
    "pt": re.compile(r"tokens de API", re.I),
    "es": re.compile(r"tokens de API", re.I),
}


def _text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _pages(app, user, client) -> dict[str, str]:
    """Every page a signed-in owner can open without arguments, plus the reset and
    invitation pages (which need a token)."""
    paths = sorted(
        rule.rule for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and not rule.arguments and not rule.rule.startswith(("/static", "/api"))
        and rule.rule not in ("/healthz",)
    )
    pages = {}
    for path in paths:
        response = client.get(path)
        if response.status_code == 200 and response.mimetype == "text/html":
            pages[path] = response.get_data(as_text=True)
    reset = "reset-token-for-the-test"
    db.session.add(PasswordResetToken(
        user_id=user.id, token_hash=hash_token(reset), expires_at=now_utc() + timedelta(hours=1)
    ))
    _invitation, token = invite(db.session, household_of(user), user, "guest@example.org", "viewer")
    db.session.commit()
    anonymous = app.test_client()
    for path in (f"/reset-password/{reset}", f"/invitations/{token}"):
        response = anonymous.get(path, headers={"Accept-Language": user.locale})
        assert response.status_code == 200, path
        pages[path] = response.get_data(as_text=True)
    return pages


@pytest.mark.one_engine  # the pages' wording and links, whatever the database
@pytest.mark.parametrize("language", ["en", "pt", "es"])
def test_every_page_that_speaks_of_api_tokens_leads_to_them(app, language):
    user = create_user(locale=language)
    client = app.test_client()
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    pages = _pages(app, user, client)
    assert {"/profile/password", "/household/members", "/profile/api-tokens"} <= set(pages)
    speaking = {path for path, page in pages.items() if MENTIONS[language].search(_text(page))}
    assert "/profile/api-tokens" in speaking  # the page itself, in the reader's language
    astray = {path for path in speaking
              if path != "/profile/api-tokens" and 'href="/profile/api-tokens"' not in pages[path]}
    assert astray == set()
