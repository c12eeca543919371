"""Open sign-up with mail confirms the address before the account can be used, so a taken
address gets the very answer a new one gets ("check your e-mail") and its owner an e-mail.
Without mail, open sign-up signs in at once and says when an address is taken."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from finora.dates import now_utc
from finora.extensions import db
from finora.models import Household, User
from finora.models.security import EmailVerification
from tests.factories import PASSWORD, create_user
from tests.web.test_signup_enumeration import KEY, form

BASE = "https://money.example.org"
LINK = re.compile(re.escape(BASE) + r"/signup/confirm/[A-Za-z0-9_-]+")
CSRF = re.compile(r'(nonce|value|content)="[^"]*"')
PASSPHRASE = "another long passphrase"


@pytest.fixture(autouse=True)
def _base_url(app):
    app.config["APP_BASE_URL"] = BASE


def _answer(app, email: str) -> tuple[int, str | None, int, str]:
    """The sign-up's answer and the page it leads to, as a stranger sees them (nonces and
    tokens, which differ on every request, masked)."""
    client = app.test_client()
    posted = client.post("/signup", data=form(email))
    page = client.get(posted.headers.get("Location", "/signup"))
    return (posted.status_code, posted.headers.get("Location"), page.status_code,
            CSRF.sub(r'\1=""', page.get_data(as_text=True)))


def _link_for(smtp_server, email: str) -> str:
    [mail] = [m for m in smtp_server.messages if m["To"] == email and "Confirm" in m["Subject"]]
    body = mail.get_content()
    assert "48 hours" in body
    [link] = LINK.findall(body)
    return link.removeprefix(BASE)


def _user(email: str) -> User | None:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.email == email))


def _follow(client, path: str):
    """Open the link (a page with a button) and press the button."""
    shown = client.get(path)
    if shown.status_code != 200:
        return shown
    return client.post(path, data={"csrf_token": ""})


def _signed_in(client) -> bool:
    return client.get("/dashboard", follow_redirects=True).request.path.startswith("/dashboard")


def test_a_new_address_is_confirmed_by_the_link_before_it_can_be_used(app, smtp_server):
    admin = create_user()
    client = app.test_client()

    posted = client.post("/signup", data=form("bea@example.com"))
    assert posted.status_code == 302 and posted.headers["Location"].endswith("/signup/check-email")
    page = client.get("/signup/check-email").get_data(as_text=True)
    assert "Check your e-mail to finish creating your account" in page
    assert not _signed_in(client)
    assert _user("bea@example.com").status == "pending"
    # Only the link's SHA-256 is stored; the admins hear of the sign-up once it is confirmed.
    path = _link_for(smtp_server, "bea@example.com")
    token = path.rsplit("/", 1)[1]
    stored = db.session.scalar(select(EmailVerification.token_hash))
    assert token not in stored and len(stored) == 64
    assert not [m for m in smtp_server.messages if m["To"] == admin.email and "bea" in m["Subject"]]

    # Signing in before confirming: refused, and told why only after the right password.
    wrong = client.post("/login", data={"email": "bea@example.com", "password": "wrong password!"})
    assert "Invalid e-mail or password" in wrong.get_data(as_text=True)
    right = client.post("/login", data={"email": "bea@example.com", "password": PASSPHRASE})
    assert right.status_code == 403 and "Confirm your e-mail address first" in right.get_data(as_text=True)
    assert not _signed_in(client)

    # A mail scanner fetching the link spends nothing; the button confirms and signs in.
    assert client.get(path).status_code == 200
    confirmed = _follow(client, path)
    assert confirmed.status_code == 302 and confirmed.headers["Location"].endswith("/signup/recovery-key")
    assert KEY.search(client.get("/signup/recovery-key").get_data(as_text=True))
    assert _signed_in(client)
    user = _user("bea@example.com")
    assert user.status == "active" and user.recovery_key_hash
    assert [m for m in smtp_server.messages if m["To"] == admin.email and "bea@example.com" in m["Subject"]]

    # The link works once, in any browser.
    again = _follow(app.test_client(), path)
    assert again.status_code == 404 and "not valid any more" in again.get_data(as_text=True)


def test_the_link_expires_after_48_hours(app, smtp_server):
    create_user()
    start = now_utc()
    with time_machine.travel(start, tick=False) as traveller:
        app.test_client().post("/signup", data=form("bea@example.com"))
        path = _link_for(smtp_server, "bea@example.com")
        traveller.move_to(start + timedelta(hours=48, minutes=1))
        client = app.test_client()
        late = _follow(client, path)
        assert late.status_code == 404
        assert client.post(path, data={}).status_code == 404
        assert _user("bea@example.com").status == "pending" and not _signed_in(client)


def test_a_taken_address_gets_the_same_page_and_its_owner_an_email(app, smtp_server):
    admin = create_user()
    owner = create_user(email="ana@example.com")
    smtp_server.messages.clear()  # the admin heard of ana's sign-up
    before = _user("ana@example.com")
    before = (before.password_hash, before.status, before.name, before.recovery_key_hash)
    users = db.session.scalar(select(func.count()).select_from(User))
    households = db.session.scalar(select(func.count()).select_from(Household))

    taken = _answer(app, "Ana@Example.com")
    new = _answer(app, "bea@example.com")
    assert taken == new
    assert taken[1].endswith("/signup/check-email")

    after = _user("ana@example.com")
    assert (after.password_hash, after.status, after.name, after.recovery_key_hash) == before
    assert db.session.scalar(select(func.count()).select_from(User)) == users + 1  # bea only
    assert db.session.scalar(select(func.count()).select_from(Household)) == households + 1
    to_owner = [m for m in smtp_server.messages if m["To"] == owner.email]
    assert [m["Subject"] for m in to_owner] == ["Someone tried to sign up on Finora with your address"]
    assert not [m for m in smtp_server.messages if m["To"] == admin.email and "ana@" in m["Subject"]]
    # The owner still signs in as before.
    assert app.test_client().post(
        "/login", data={"email": "ana@example.com", "password": PASSWORD}
    ).status_code == 302


def test_an_unconfirmed_account_does_not_hold_its_address(app, smtp_server):
    """Whoever reads the mailbox can always sign up: a new sign-up replaces one never
    confirmed (someone else's guess of the address, or an old link lost)."""
    create_user()
    app.test_client().post("/signup", data=dict(form("bea@example.com"), name="Squatter"))
    first = _link_for(smtp_server, "bea@example.com")
    # Its failed sign-ins (audited, counted per source) go with it.
    app.test_client().post("/login", data={"email": "bea@example.com", "password": "not it at all"})
    smtp_server.messages.clear()
    app.test_client().post("/signup", data=dict(form("bea@example.com"), name="Bea"))
    second = _link_for(smtp_server, "bea@example.com")
    assert _follow(app.test_client(), first).status_code == 404
    client = app.test_client()
    assert _follow(client, second).status_code == 302 and _signed_in(client)
    assert _user("bea@example.com").name == "Bea"
    assert db.session.scalar(select(func.count()).select_from(User)) == 2


def test_without_mail_open_sign_up_signs_in_at_once_and_says_when_taken(app):
    create_user()
    create_user(email="ana@example.com")
    client = app.test_client()
    posted = client.post("/signup", data=form("bea@example.com"))
    assert posted.headers["Location"].endswith("/signup/recovery-key")
    assert _signed_in(client) and _user("bea@example.com").status == "active"
    assert db.session.scalar(select(func.count()).select_from(EmailVerification)) == 0
    taken = app.test_client().post("/signup", data=form("ana@example.com"))
    assert taken.status_code == 422 and "already exists" in taken.get_data(as_text=True)


def test_the_first_user_is_active_at_once_with_mail(app, smtp_server):
    client = app.test_client()
    posted = client.post("/signup", data=form("admin@example.com"))
    assert posted.headers["Location"].endswith("/signup/recovery-key")
    assert _signed_in(client)
    user = _user("admin@example.com")
    assert user.status == "active" and user.is_admin
    assert not smtp_server.messages
