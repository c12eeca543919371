"""Sign-up does not tell a stranger which addresses have an account when it can avoid it:
with mail and approval, a taken address gets the very answer a new one gets (a recovery
key, never stored for anyone, then "waiting for approval") and its owner an e-mail.
Without mail the message stays, rate-limited."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from finora.extensions import db
from finora.models import User
from finora.services.system.settings import REGISTRATION_MODE_KEY, set_setting
from tests.factories import create_user

KEY = re.compile(r"[A-Z2-7]{4}(?:-[A-Z2-7]{4}){7}")
VARYING = re.compile(r'(nonce|value|content)="[^"]*"')


def form(email: str) -> dict[str, str]:
    return {
        "name": "Someone Else", "email": email, "password": "another long passphrase",
        "confirm": "another long passphrase", "household_name": "Casa", "locale": "en",
        "currency": "BRL", "timezone": "America/Sao_Paulo",
    }


def _approval() -> None:
    set_setting(db.session, REGISTRATION_MODE_KEY, "approval")
    db.session.commit()


def _answer(app, email: str) -> tuple[int, str, int, str, str]:
    """What a stranger sees: the sign-up's answer, then the page it leads to (with the key,
    nonces and tokens, which differ on every request anyway, masked)."""
    client = app.test_client()
    posted = client.post("/signup", data=form(email))
    page = client.get(posted.headers.get("Location", "/signup"))
    text = page.get_data(as_text=True).replace(email.lower(), "EMAIL")
    masked = VARYING.sub(r'\1=""', KEY.sub("KEY", text))
    return posted.status_code, posted.headers.get("Location"), page.status_code, masked, text


def _owner_row(email: str):
    db.session.expire_all()
    user = db.session.scalar(select(User).where(User.email == email))
    return user.id, user.password_hash, user.recovery_key_hash, user.status, user.name


def test_a_taken_address_gets_the_answer_a_new_one_gets_and_the_owner_an_email(app, smtp_server):
    create_user()  # the admin
    owner = create_user(email="ana@example.com")
    _approval()
    before = _owner_row("ana@example.com")
    users = db.session.scalar(select(func.count()).select_from(User))

    taken = _answer(app, "Ana@Example.com")
    new = _answer(app, "bea@example.com")
    assert taken[:4] == new[:4]
    assert taken[0] == 302 and taken[1].endswith("/signup/recovery-key")
    assert 'href="/signup/pending"' in taken[4] and KEY.search(taken[4])

    # Nothing about the owner's account changed, and no account was made.
    assert _owner_row("ana@example.com") == before
    assert db.session.scalar(select(func.count()).select_from(User)) == users + 1  # bea only
    # The decoy key is nobody's: it does not recover the owner's account.
    decoy = KEY.search(taken[4]).group(0)
    tried = app.test_client().post("/recovery", data={
        "email": "ana@example.com", "recovery_key": decoy,
        "password": "a brand new passphrase", "confirm": "a brand new passphrase",
    })
    assert tried.status_code == 422

    [notice] = [m for m in smtp_server.messages if m["To"] == owner.email]
    assert notice["Subject"] == "Someone tried to sign up on Finora with your address"
    body = notice.get_content()
    assert "/login" in body and "/forgot-password" in body and "Nothing was changed" in body


def test_the_decoy_page_is_shown_once_too(app, smtp_server):
    create_user()
    create_user(email="ana@example.com")
    _approval()
    client = app.test_client()
    client.post("/signup", data=form("ana@example.com"))
    assert KEY.search(client.get("/signup/recovery-key").get_data(as_text=True))
    again = client.get("/signup/recovery-key")
    assert again.status_code == 302 and not KEY.search(again.get_data(as_text=True))


def test_without_mail_the_message_stays_and_is_rate_limited(app_factory):
    app = app_factory(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://")
    with app.app_context():
        create_user()
        create_user(email="ana@example.com")
        _approval()
        client = app.test_client()
        answers = [client.post("/signup", data=form("ana@example.com")) for _ in range(6)]
        assert [a.status_code for a in answers] == [422] * 5 + [429]
        assert "already exists" in answers[0].get_data(as_text=True)
