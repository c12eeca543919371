"""/api/v1/auth/passkey: passwordless sign-in with a passkey, for apps (no browser session).

`options` hands out the WebAuthn request options and a signed, short-lived token carrying
their challenge; `verify` takes the token back with the authenticator's answer and signs
the passkey's owner in (the same answer as /auth/login). The answer to `options` is the
same whoever's e-mail is sent: no credentials are listed, so it tells nothing about the
address. Every refusal is the same 401; each is audited like the web's passkey sign-in
(a passkey cannot be guessed, so it does not count toward the password lockout). The
challenge is single-use: its nonce is stored with the sign-in it allowed.
"""

from __future__ import annotations

import json

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from finora.api import bp
from finora.api.access import public
from finora.api.auth_views import LOGIN_LIMIT, BadCredentialsError, first_membership, token_answer
from finora.api.body import read_json
from finora.api.envelope import one
from finora.api.responses_auth import TokenOut
from finora.api.schemas_admin import PasskeyOptionsBody, PasskeyOptionsOut, PasskeyVerifyBody
from finora.api.spec import documented
from finora.extensions import db, limiter
from finora.models import User
from finora.services.people.passkey_challenges import consume_nonce, new_nonce, relying_party_from
from finora.services.people.passkeys import (
    CHALLENGE_SECONDS,
    PasskeySignInError,
    authenticate_with_passkey,
    authentication_options,
    record_failed_passkey_sign_in,
)
from finora.translation import lazy_gettext as _l

TAG = "Authentication"
CHALLENGE_SALT = "finora-api-passkey"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=CHALLENGE_SALT)


def _refuse(user: User | None = None) -> BadCredentialsError:
    """Undo what the attempt changed, audit it, and give the one answer for every failure."""
    db.session.rollback()
    record_failed_passkey_sign_in(db.session, user)
    db.session.commit()
    current_app.logger.info("API passkey sign-in failed")
    return BadCredentialsError()


@bp.post("/auth/passkey/options")
@limiter.limit(LOGIN_LIMIT)
@public
@documented(_l("Start a passkey sign-in"), tag=TAG, body=PasskeyOptionsBody,
            response=PasskeyOptionsOut,
            description=_l("The WebAuthn request options for the platform's passkey prompt, and "
                           "a token carrying their challenge for /auth/passkey/verify (valid for "
                           "five minutes, once). The answer is the same for any address."))
def passkey_options():
    from webauthn.helpers import bytes_to_base64url  # py_webauthn only once a ceremony runs

    body = read_json(PasskeyOptionsBody)
    options, challenge = authentication_options(relying_party_from(current_app.config))
    token = _serializer().dumps({
        "c": bytes_to_base64url(challenge), "n": new_nonce(), "e": body.email.strip().casefold(),
    })
    return one({"challenge_token": token, "options": json.loads(options)})


def _claims(token: str) -> tuple[bytes, str, str] | None:
    from webauthn.helpers import base64url_to_bytes

    try:
        claims = _serializer().loads(token, max_age=CHALLENGE_SECONDS)
        return base64url_to_bytes(claims["c"]), str(claims["n"]), str(claims["e"])
    except (BadSignature, KeyError, TypeError, ValueError):
        return None


@bp.post("/auth/passkey/verify")
@limiter.limit(LOGIN_LIMIT)
@public
@documented(_l("Sign in with a passkey"), tag=TAG, body=PasskeyVerifyBody,
            response=TokenOut,
            description=_l("The authenticator's answer to the options of /auth/passkey/options: "
                           "a token and the user, as /auth/login answers. The passkey must be "
                           "the one of the address given to /auth/passkey/options."))
def passkey_verify():
    body = read_json(PasskeyVerifyBody)
    claims = _claims(body.challenge_token)
    if claims is None:
        raise _refuse()
    challenge, nonce, email = claims
    try:
        user = authenticate_with_passkey(db.session, credential=body.credential, challenge=challenge,
                                         rp=relying_party_from(current_app.config))
    except PasskeySignInError as error:
        raise _refuse(error.user) from None
    membership = first_membership(user)
    if user.email.casefold() != email or membership is None:
        raise _refuse(user)
    if not consume_nonce(db.session, nonce, user, membership.household_id):
        raise _refuse(user)  # the challenge was used already: a replay
    return token_answer(user, membership, body.device_name, method="passkey")
