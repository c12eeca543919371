"""Passkeys through the test client: real ceremonies against a software authenticator.

`SoftAuthenticator` plays the browser and the authenticator: it signs with its own P-256
key and builds the client data, authenticator data and "none" attestation by the WebAuthn
rules, so the server's verification (py_webauthn) runs for real.
"""

from __future__ import annotations

import hashlib
import json
import os

import cbor2
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import select
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url

from finora.extensions import db
from finora.models import AuditEvent
from finora.models.security import Passkey
from tests.factories import PASSWORD, create_user

RP_ID = "finora.test"
ORIGIN = "https://finora.test"
UP, UV, AT = 0x01, 0x04, 0x40


class SoftAuthenticator:
    """A discoverable-credential authenticator in software (one credential)."""

    def __init__(self, *, origin: str = ORIGIN, counter_step: int = 0) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = os.urandom(16)
        self.origin = origin
        self.counter = 0
        self.counter_step = counter_step
        self.user_handle: bytes | None = None

    def _cose_public_key(self) -> bytes:
        numbers = self.key.public_key().public_numbers()
        return cbor2.dumps(
            {1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")}
        )

    def _auth_data(self, rp_id: str, flags: int, attested: bool = False) -> bytes:
        data = hashlib.sha256(rp_id.encode()).digest() + bytes([flags]) + self.counter.to_bytes(4, "big")
        if attested:
            data += bytes(16) + len(self.credential_id).to_bytes(2, "big") + self.credential_id
            data += self._cose_public_key()
        return data

    def _client_data(self, kind: str, challenge: str) -> bytes:
        return json.dumps(
            {"type": kind, "challenge": challenge, "origin": self.origin, "crossOrigin": False}
        ).encode()

    def create(self, options: dict) -> dict:
        self.user_handle = base64url_to_bytes(options["user"]["id"])
        client_data = self._client_data("webauthn.create", options["challenge"])
        auth_data = self._auth_data(options["rp"]["id"], UP | UV | AT, attested=True)
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        return {
            "id": bytes_to_base64url(self.credential_id),
            "rawId": bytes_to_base64url(self.credential_id),
            "type": "public-key",
            "clientExtensionResults": {},
            "response": {
                "clientDataJSON": bytes_to_base64url(client_data),
                "attestationObject": bytes_to_base64url(attestation),
                "transports": ["internal", "hybrid", "no-such-transport"],
            },
        }

    def get(self, options: dict, *, verified: bool = True, user_handle: bytes | None = None) -> dict:
        self.counter += self.counter_step
        client_data = self._client_data("webauthn.get", options["challenge"])
        auth_data = self._auth_data(options["rpId"], UP | (UV if verified else 0))
        signature = self.key.sign(
            auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256())
        )
        return {
            "id": bytes_to_base64url(self.credential_id),
            "rawId": bytes_to_base64url(self.credential_id),
            "type": "public-key",
            "clientExtensionResults": {},
            "response": {
                "clientDataJSON": bytes_to_base64url(client_data),
                "authenticatorData": bytes_to_base64url(auth_data),
                "signature": bytes_to_base64url(signature),
                "userHandle": bytes_to_base64url(user_handle or self.user_handle),
            },
        }


@pytest.fixture
def app(app_factory):
    application = app_factory(WEBAUTHN_RP_ID=RP_ID, WEBAUTHN_ORIGIN=ORIGIN)
    with application.app_context():
        yield application


def register(client, authenticator: SoftAuthenticator, name: str = "Laptop"):
    options = client.post("/passkeys/register/options", json={"name": name, "password": PASSWORD})
    assert options.status_code == 200, options.get_json()
    return client.post(
        "/passkeys/register/verify", json={"credential": authenticator.create(options.get_json())}
    )


def sign_in(client, authenticator: SoftAuthenticator, url: str = "/passkeys/sign-in/verify", **get):
    options = client.post("/passkeys/sign-in/options").get_json()
    return client.post(url, json={"credential": authenticator.get(options, **get)})


def passkeys() -> list[Passkey]:
    db.session.expire_all()
    return list(db.session.scalars(select(Passkey).order_by(Passkey.id)))


def events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


@pytest.fixture
def with_passkey(signed_in, user):
    """`user` signed in with one passkey registered by a soft authenticator."""
    authenticator = SoftAuthenticator()
    assert register(signed_in, authenticator).status_code == 200
    return authenticator


# --- options: config, not the request; the same for every visitor ------------------------


def test_sign_in_options_are_the_same_for_anyone_and_keep_their_challenge(app, signed_in, with_passkey):
    anonymous = app.test_client()
    answers = [
        anonymous.post("/passkeys/sign-in/options", headers={"Host": "evil.example"}),
        signed_in.post("/passkeys/sign-in/options"),  # a user who has a passkey
    ]
    bodies = [answer.get_json() for answer in answers]
    assert [a.status_code for a in answers] == [200, 200]
    assert bodies[0].keys() == bodies[1].keys()
    for body in bodies:
        assert body["rpId"] == RP_ID  # from the configuration, not the Host header
        assert body["allowCredentials"] == []
        assert body["userVerification"] == "required"
    assert bodies[0]["challenge"] != bodies[1]["challenge"]
    assert answers[0].headers["Cache-Control"] == "no-store"
    with signed_in.session_transaction() as session:
        assert session["passkey_sign_in"]["challenge"] == bodies[1]["challenge"]
    anonymous = app.test_client()
    challenge = anonymous.post("/passkeys/sign-in/options").get_json()["challenge"]
    with anonymous.session_transaction() as session:
        assert session["passkey_sign_in"]["challenge"] == challenge


def test_registration_options_require_a_discoverable_credential_and_exclude_existing_ones(
    signed_in, with_passkey, user
):
    response = signed_in.post("/passkeys/register/options", json={"name": "Phone", "password": PASSWORD})
    options = response.get_json()
    assert options["rp"] == {"id": RP_ID, "name": "Finora"}
    assert options["user"]["name"] == user.email and options["user"]["displayName"] == user.name
    assert options["user"]["id"] == bytes_to_base64url(with_passkey.user_handle)  # stable
    assert options["authenticatorSelection"]["residentKey"] == "required"
    assert options["authenticatorSelection"]["userVerification"] == "preferred"
    assert [c["id"] for c in options["excludeCredentials"]] == [
        bytes_to_base64url(with_passkey.credential_id)
    ]
    with signed_in.session_transaction() as session:
        kept = session["passkey_registration"]
    assert kept["challenge"] == options["challenge"] and kept["name"] == "Phone"


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"name": "", "password": PASSWORD}, "name", "Give the passkey a name"),
        ({"name": "x" * 101, "password": PASSWORD}, "name", "at most 100 characters"),
        ({"name": "Laptop", "password": "wrong"}, "password", "The password is not correct."),
        ({}, "name", "Give the passkey a name"),
    ],
)
def test_registration_options_check_the_name_and_the_password(signed_in, body, field, message):
    response = signed_in.post("/passkeys/register/options", json=body)
    assert response.status_code == 422
    assert response.get_json()["field"] == field and message in response.get_json()["error"]
    with signed_in.session_transaction() as session:
        assert "passkey_registration" not in session


def test_a_name_is_used_once_per_user(signed_in, with_passkey):
    response = signed_in.post("/passkeys/register/options", json={"name": " Laptop ", "password": PASSWORD})
    assert response.status_code == 422
    assert response.get_json()["error"] == "You already have a passkey with this name."


def test_registration_needs_a_signed_in_user(client):
    assert client.post("/passkeys/register/options", json={"name": "x"}).status_code == 302
    assert client.post("/passkeys/register/verify", json={}).status_code == 302


# --- the ceremonies ------------------------------------------------------------------------


def test_register_then_sign_in_with_the_passkey_alone(app, signed_in, user):
    authenticator = SoftAuthenticator(counter_step=1)
    response = register(signed_in, authenticator, name="Work laptop")
    assert response.status_code == 200
    assert response.get_json() == {"redirect": "/profile/passkeys"}
    (passkey,) = passkeys()
    assert passkey.user_id == user.id and passkey.name == "Work laptop"
    assert passkey.credential_id == authenticator.credential_id
    assert passkey.transport_list == ["internal", "hybrid"]
    assert [e.details for e in events("passkey.added")] == [{"name": "Work laptop"}]
    page = signed_in.get("/profile/passkeys").get_data(as_text=True)
    assert "Work laptop" in page and "Passkey “Work laptop” added." in page

    visitor = app.test_client()
    response = sign_in(visitor, authenticator, url="/passkeys/sign-in/verify?next=/profile")
    assert response.status_code == 200
    assert response.get_json() == {"redirect": "/profile"}
    assert visitor.get("/profile/passkeys").status_code == 200  # signed in
    (passkey,) = passkeys()
    assert passkey.sign_count == 1 and passkey.last_used_at is not None
    assert events("auth.signed_in")[-1].details == {"method": "passkey"}
    assert events("auth.signed_in")[-1].user_id == user.id


def test_an_unsafe_next_is_ignored(app, with_passkey):
    response = sign_in(app.test_client(), with_passkey, url="/passkeys/sign-in/verify?next=https://evil.example/")
    assert response.get_json() == {"redirect": "/dashboard"}


def test_a_sign_in_challenge_is_answered_once(app, with_passkey):
    visitor = app.test_client()
    options = visitor.post("/passkeys/sign-in/options").get_json()
    answer = {"credential": with_passkey.get(options)}
    assert visitor.post("/passkeys/sign-in/verify", json=answer).status_code == 200
    visitor.post("/logout")
    replay = visitor.post("/passkeys/sign-in/verify", json=answer)
    assert replay.status_code == 400
    assert replay.get_json()["error"] == "The passkey request expired. Try again."


def test_an_expired_challenge_is_refused(app, with_passkey, monkeypatch):
    import finora.web.auth.passkey_views as views

    visitor = app.test_client()
    options = visitor.post("/passkeys/sign-in/options").get_json()
    later = views.time.time() + views.CHALLENGE_SECONDS + 1
    monkeypatch.setattr(views.time, "time", lambda: later)
    response = visitor.post("/passkeys/sign-in/verify", json={"credential": with_passkey.get(options)})
    assert response.status_code == 400 and "expired" in response.get_json()["error"]


def test_the_signature_counter_must_move_forward(app, signed_in):
    authenticator = SoftAuthenticator(counter_step=5)
    register(signed_in, authenticator)
    assert sign_in(app.test_client(), authenticator).status_code == 200  # counter 5
    authenticator.counter = 2  # a cloned authenticator, behind the real one
    authenticator.counter_step = 1
    response = sign_in(app.test_client(), authenticator)
    assert response.status_code == 400
    assert passkeys()[0].sign_count == 5


@pytest.mark.parametrize(
    "spoil",
    ["origin", "unverified", "other_user_handle", "other_key"],
)
def test_a_wrong_answer_is_refused_and_audited(app, with_passkey, user, spoil):
    visitor = app.test_client()
    kwargs = {}
    if spoil == "origin":
        with_passkey.origin = "https://evil.example"
    elif spoil == "unverified":
        kwargs["verified"] = False  # presence only: not enough to replace the password
    elif spoil == "other_user_handle":
        kwargs["user_handle"] = os.urandom(32)
    else:
        with_passkey.key = ec.generate_private_key(ec.SECP256R1())
    response = sign_in(visitor, with_passkey, **kwargs)
    assert response.status_code == 400
    assert response.get_json()["error"] == (
        "That passkey did not work. Try again or sign in with your password."
    )
    assert visitor.get("/profile").status_code == 302  # not signed in
    (failure,) = events("auth.sign_in_failed")
    assert failure.details == {"method": "passkey"} and failure.user_id == user.id


def test_a_disabled_account_cannot_sign_in_with_its_passkey(app, with_passkey, user):
    user.status = "disabled"
    db.session.commit()
    response = sign_in(app.test_client(), with_passkey)
    assert response.status_code == 403
    assert "disabled" in response.get_json()["error"]
    assert events("auth.signed_in")[-1].details != {"method": "passkey"}
    assert len(events("auth.sign_in_failed")) == 1


@pytest.mark.parametrize(
    "body",
    [None, {}, {"credential": None}, {"credential": "garbage"}, {"credential": {"id": "AAAA"}},
     {"credential": {"id": "AA", "rawId": "AA", "type": "public-key",
                     "response": {"clientDataJSON": "!!", "authenticatorData": "AA", "signature": "AA",
                                  "attestationObject": "AA"}}}],
)
def test_the_verify_endpoints_refuse_garbage(app, signed_in, body):
    signed_in.post("/passkeys/register/options", json={"name": "Laptop", "password": PASSWORD})
    response = signed_in.post("/passkeys/register/verify", json=body)
    assert response.status_code == 400 and response.get_json()["error"]
    visitor = app.test_client()
    visitor.post("/passkeys/sign-in/options")
    response = visitor.post("/passkeys/sign-in/verify", json=body)
    assert response.status_code == 400 and response.get_json()["error"]
    assert passkeys() == []
    assert [e.details for e in events("auth.sign_in_failed")] == [{"method": "passkey"}]


def test_registration_without_options_first_is_refused(signed_in):
    response = signed_in.post("/passkeys/register/verify", json={"credential": {}})
    assert response.status_code == 400 and "expired" in response.get_json()["error"]


def test_a_registration_answer_for_another_origin_is_refused(signed_in):
    response = register(signed_in, SoftAuthenticator(origin="https://evil.example"))
    assert response.status_code == 400
    assert response.get_json()["error"] == "The passkey could not be added. Try again."
    assert passkeys() == []


# --- the profile section: list, rename, remove; other users' ids are 404 -------------------


def test_the_profile_lists_passkeys_and_counts_them(signed_in, with_passkey):
    assert "1 passkey" in signed_in.get("/profile").get_data(as_text=True)
    page = signed_in.get("/profile/passkeys").get_data(as_text=True)
    assert 'id="passkey-add-form"' in page and "js/passkeys.js" in page and "Laptop" in page


def test_remove_a_passkey(signed_in, with_passkey):
    (passkey,) = passkeys()
    response = signed_in.post(f"/profile/passkeys/{passkey.id}/delete")
    assert response.status_code == 302 and response.location == "/profile/passkeys"
    assert passkeys() == []
    assert [e.object_id for e in events("passkey.removed")] == [passkey.id]


def test_rename_a_passkey_keeps_what_was_typed_on_errors(signed_in, with_passkey):
    assert register(signed_in, SoftAuthenticator(), name="Phone").status_code == 200
    laptop = passkeys()[0]
    response = signed_in.post(f"/profile/passkeys/{laptop.id}/rename", data={"name": "Phone"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "You already have a passkey with this name." in page and 'value="Phone"' in page
    response = signed_in.post(f"/profile/passkeys/{laptop.id}/rename", data={"name": "Old laptop"})
    assert response.status_code == 302
    assert [p.name for p in passkeys()] == ["Old laptop", "Phone"]
    assert events("passkey.renamed")[0].details == {"from": "Laptop", "to": "Old laptop"}


@pytest.mark.parametrize(
    ("method", "path"),
    [("post", "/profile/passkeys/{id}/delete"), ("get", "/profile/passkeys/{id}/rename"),
     ("post", "/profile/passkeys/{id}/rename")],
)
def test_another_users_passkey_is_404(app, with_passkey, method, path):
    (passkey,) = passkeys()
    other = create_user()
    client = app.test_client()
    client.post("/login", data={"email": other.email, "password": PASSWORD})
    response = getattr(client, method)(path.format(id=passkey.id), data={"name": "Mine now"})
    assert response.status_code == 404
    assert [p.name for p in passkeys()] == ["Laptop"]


# --- CSRF and rate limits ------------------------------------------------------------------


def test_every_passkey_post_needs_the_csrf_token(app_factory):
    app = app_factory(WEBAUTHN_RP_ID=RP_ID, WEBAUTHN_ORIGIN=ORIGIN, WTF_CSRF_ENABLED=True)
    with app.app_context():
        user = create_user()
        client = app.test_client()
        page = client.get("/login").get_data(as_text=True)
        token = page.split('name="csrf-token" content="')[1].split('"')[0]
        assert client.post("/passkeys/sign-in/options").status_code == 400
        assert client.post("/passkeys/sign-in/verify", json={}).status_code == 400
        assert client.post("/passkeys/sign-in/options", headers={"X-CSRFToken": token}).status_code == 200
        client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
        body = {"name": "Laptop", "password": PASSWORD}
        for path in ("/passkeys/register/options", "/passkeys/register/verify",
                     "/profile/passkeys/1/delete", "/profile/passkeys/1/rename"):
            assert client.post(path, json=body).status_code == 400, path
        token = client.get("/profile/passkeys").get_data(as_text=True).split(
            'name="csrf-token" content="')[1].split('"')[0]
        answer = client.post("/passkeys/register/options", json=body, headers={"X-CSRFToken": token})
        assert answer.status_code == 200


def test_the_verify_endpoints_allow_ten_tries_a_minute(app_factory):
    app = app_factory(
        WEBAUTHN_RP_ID=RP_ID, WEBAUTHN_ORIGIN=ORIGIN, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://"
    )
    with app.app_context():
        client = app.test_client()
        statuses = [client.post("/passkeys/sign-in/verify", json={}).status_code for _ in range(11)]
        assert statuses == [400] * 10 + [429]


def test_remove_all_passkeys_of_a_user(app, signed_in, with_passkey, user):
    from finora.services.people.passkeys import remove_all_passkeys

    register(signed_in, SoftAuthenticator(), name="Phone")
    other = create_user()
    assert remove_all_passkeys(db.session, other) == 0
    assert remove_all_passkeys(db.session, user) == 2
    db.session.commit()
    assert passkeys() == []
    assert len(events("passkey.removed")) == 2
    assert sign_in(app.test_client(), with_passkey).status_code == 400


def test_the_relying_party_comes_from_app_base_url_unless_set(app_factory):
    derived = app_factory(APP_BASE_URL="https://Money.Example.org:8443")
    assert derived.config["WEBAUTHN_RP_ID"] == "money.example.org"
    assert derived.config["WEBAUTHN_ORIGIN"] == "https://money.example.org:8443"
    assert app_factory(APP_BASE_URL="https://x.example:443").config["WEBAUTHN_ORIGIN"] == "https://x.example"
    assert derived.config["WEBAUTHN_RP_NAME"] == "Finora"
    explicit = app_factory(
        APP_BASE_URL="https://finora.example.org", WEBAUTHN_RP_ID="example.org",
        WEBAUTHN_ORIGIN="https://login.example.org",
    )
    assert explicit.config["WEBAUTHN_RP_ID"] == "example.org"
    assert explicit.config["WEBAUTHN_ORIGIN"] == "https://login.example.org"
