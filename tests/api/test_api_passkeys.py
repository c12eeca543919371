"""POST /api/v1/auth/passkey/options and /verify: a real WebAuthn assertion signed by the
software authenticator of the web's passkey tests, checked by py_webauthn."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from finora.api import passkey_views
from finora.api.responses_auth import TokenOut
from finora.api.schemas_admin import PasskeyOptionsOut
from finora.extensions import db
from finora.models import AuditEvent
from finora.models.security import Passkey
from finora.services.people.passkeys import user_handle
from tests.api.conftest import ApiClient
from tests.concurrency import at_once
from tests.factories import create_user
from tests.web.test_passkeys import ORIGIN, RP_ID, SoftAuthenticator

GENERIC = "Invalid credentials or account is not active."


@pytest.fixture
def app(app_factory):
    application = app_factory(WEBAUTHN_RP_ID=RP_ID, WEBAUTHN_ORIGIN=ORIGIN)
    with application.app_context():
        yield application


def holding_passkey(user, *, counter_step: int = 0) -> SoftAuthenticator:
    """A passkey of `user` stored as registration stores it, held by a soft authenticator."""
    authenticator = SoftAuthenticator(counter_step=counter_step)
    authenticator.user_handle = user_handle(user)
    db.session.add(Passkey(user_id=user.id, name="Phone", credential_id=authenticator.credential_id,
                           public_key=authenticator._cose_public_key(), sign_count=0))
    db.session.commit()
    return authenticator


def options_for(api: ApiClient, email: str) -> dict:
    response = api.post("/auth/passkey/options", json={"email": email})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.json["data"]


def verify(api: ApiClient, started: dict, credential: dict):
    return api.post("/auth/passkey/verify",
                    json={"challenge_token": started["challenge_token"], "credential": credential})


def failures() -> int:
    db.session.expire_all()
    return len(list(db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "auth.sign_in_failed"))))


def refused(response) -> bool:
    return response.status_code == 401 and response.json["error"] == GENERIC


def test_options_are_webauthn_request_options_and_the_same_for_any_address(api, user):
    holding_passkey(user)
    known = options_for(api, user.email)
    unknown = options_for(api, "nobody@example.com")
    for answer in (known, unknown):
        PasskeyOptionsOut.model_validate(answer)
        assert answer["options"]["rpId"] == RP_ID  # from configuration
        assert answer["options"]["allowCredentials"] == []
        assert answer["options"]["userVerification"] == "required"
    assert known["options"].keys() == unknown["options"].keys()
    assert known["options"]["challenge"] != unknown["options"]["challenge"]


def test_a_signed_challenge_signs_in_like_the_password_does(api, user):
    authenticator = holding_passkey(user, counter_step=1)
    started = options_for(api, user.email.upper())
    response = verify(api, started, authenticator.get(started["options"]))
    assert response.status_code == 200, response.get_data(as_text=True)
    TokenOut.model_validate(response.json["data"])
    assert response.json["data"]["user"]["email"] == user.email
    api.token = response.json["data"]["token"]
    assert api.get("/auth/me").json["data"]["id"] == user.id
    db.session.expire_all()
    passkey = db.session.scalar(select(Passkey).where(Passkey.user_id == user.id))
    assert passkey.sign_count == 1 and passkey.last_used_at is not None
    signed_in = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "auth.signed_in"))
    assert signed_in.details["method"] == "passkey"


def test_a_challenge_is_used_once_even_by_an_authenticator_without_a_counter(api, user):
    authenticator = holding_passkey(user, counter_step=0)  # sign count stays 0: no replay check there
    started = options_for(api, user.email)
    answer = authenticator.get(started["options"])
    assert verify(api, started, answer).status_code == 200
    before = failures()
    assert refused(verify(api, started, answer))  # the same answer again
    assert refused(verify(api, started, authenticator.get(started["options"])))  # signed anew
    assert failures() == before + 2
    fresh = options_for(api, user.email)
    assert verify(api, fresh, authenticator.get(fresh["options"])).status_code == 200


def test_every_failure_is_the_same_401_and_audited(api, user, monkeypatch):
    authenticator = holding_passkey(user)
    other = create_user(email="other@example.com")
    stranger = SoftAuthenticator()
    stranger.user_handle = user_handle(user)
    disabled = create_user(email="off@example.com", status="disabled")
    disabled_key = holding_passkey(disabled)
    cases = []
    started = options_for(api, user.email)
    cases.append(verify(api, started, authenticator.get(started["options"], verified=False)))
    cases.append(verify(api, started, stranger.get(started["options"])))  # not a registered passkey
    cases.append(verify(api, {"challenge_token": "forged"}, authenticator.get(started["options"])))
    tampered = options_for(api, user.email)  # signed for another challenge
    cases.append(verify(api, tampered, authenticator.get(started["options"])))
    for_other = options_for(api, other.email)  # the passkey is not this address's
    cases.append(verify(api, for_other, authenticator.get(for_other["options"])))
    off = options_for(api, disabled.email)
    cases.append(verify(api, off, disabled_key.get(off["options"])))
    monkeypatch.setattr(passkey_views, "CHALLENGE_SECONDS", -1)  # expired
    late = options_for(api, user.email)
    cases.append(verify(api, late, authenticator.get(late["options"])))
    assert all(refused(r) for r in cases), [r.get_data(as_text=True) for r in cases]
    assert failures() == len(cases)
    monkeypatch.setattr(passkey_views, "CHALLENGE_SECONDS", 300)
    ok = options_for(api, user.email)  # none of it used the challenge up or broke the passkey
    assert verify(api, ok, authenticator.get(ok["options"])).status_code == 200


def test_bodies_that_are_not_right_are_422(api):
    assert api.post("/auth/passkey/options", json={}).status_code == 422
    assert api.post("/auth/passkey/options", json={"email": ""}).json["fields"].keys() == {"email"}
    response = api.post("/auth/passkey/verify", json={"challenge_token": "x", "credential": "text"})
    assert response.status_code == 422 and "credential" in response.json["fields"]
    assert api.post("/auth/passkey/verify", json={"credential": {}}).status_code == 422


def test_both_steps_are_rate_limited_like_the_password_sign_in(app_factory):
    application = app_factory(WEBAUTHN_RP_ID=RP_ID, WEBAUTHN_ORIGIN=ORIGIN, RATELIMIT_ENABLED=True,
                              RATELIMIT_STORAGE_URI="memory://")
    with application.app_context():
        api = ApiClient(application.test_client())
        options = [api.post("/auth/passkey/options", json={"email": "a@example.com"})
                   for _ in range(11)]
        assert [r.status_code for r in options] == [200] * 10 + [429]
        started = options[0].json["data"]
        verifies = [verify(api, started, {}) for _ in range(11)]
        assert [r.status_code for r in verifies] == [401] * 10 + [429]
        assert verifies[-1].json["code"] == "rate_limited"


def test_the_same_answer_sent_twice_at_once_signs_in_once(app, api, user):
    authenticator = holding_passkey(user)  # no counter: only the used challenge refuses
    started = options_for(api, user.email)
    answer = authenticator.get(started["options"])

    def send():
        with app.app_context():
            try:
                return verify(ApiClient(app.test_client()), started, answer).status_code
            finally:
                db.session.remove()

    assert sorted(at_once([send, send, send])) == [200, 401, 401]
