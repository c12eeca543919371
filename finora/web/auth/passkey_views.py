"""Passkey ceremonies as JSON endpoints: registration (signed in) and passwordless sign-in.

Each options call keeps its challenge in the session for CHALLENGE_SECONDS; the matching
verify call takes it out, so a challenge is answered at most once. Every call is a POST
with the CSRF token in the X-CSRFToken header (static/js/passkeys.js).
"""

from __future__ import annotations

import time

from flask import current_app, flash, jsonify, request, session, url_for
from flask_login import current_user, login_required

from finora.errors import FinoraError, MalformedRequestError
from finora.extensions import db, limiter
from finora.services.people.auth import WrongCurrentPasswordError
from finora.services.people.passkey_challenges import relying_party_from
from finora.services.people.passkeys import (
    CHALLENGE_SECONDS,
    PasskeySignInError,
    RelyingParty,
    add_passkey,
    authenticate_with_passkey,
    authentication_options,
    record_failed_passkey_sign_in,
    start_registration,
)
from finora.translation import gettext as _
from finora.translation import lazy_gettext as _l
from finora.web.auth import bp
from finora.web.auth.signin import SIGN_IN_LIMIT, client_source, finish_sign_in

REGISTRATION = "passkey_registration"
SIGN_IN = "passkey_sign_in"


def relying_party() -> RelyingParty:
    return relying_party_from(current_app.config)


# What each key of a passkey request's JSON body must be when present.
_BODY_TYPES = {"name": str, "password": str, "credential": dict}


def _body() -> dict:
    """The JSON object the page's script sent; anything else (broken JSON, a list, a name
    that is not text, a NUL character) is a 400 before anything reaches a service."""
    data = request.get_json(silent=True)
    well_formed = isinstance(data, dict) and all(
        data.get(key) is None or (isinstance(data[key], kind) and "\x00" not in str(data[key]))
        for key, kind in _BODY_TYPES.items()
    )
    if not well_formed:
        raise MalformedRequestError()  # each view answers it in JSON, as its other refusals
    return data


def _error(message, status: int, field: str | None = None):
    return jsonify(error=str(message), field=field), status


def _options_response(options_json: str):
    response = current_app.response_class(options_json, mimetype="application/json")
    response.headers["Cache-Control"] = "no-store"
    return response


def _keep_challenge(key: str, challenge: bytes, **extra) -> None:
    from webauthn.helpers import bytes_to_base64url  # py_webauthn only once a ceremony runs

    session[key] = {
        "challenge": bytes_to_base64url(challenge),
        "expires": int(time.time()) + CHALLENGE_SECONDS,
        **extra,
    }


def _take_challenge(key: str) -> tuple[bytes, dict] | None:
    """The kept challenge (removed from the session) while it is valid, else None."""
    from webauthn.helpers import base64url_to_bytes

    state = session.pop(key, None)
    if not isinstance(state, dict) or not isinstance(state.get("expires"), int):
        return None
    if state["expires"] < time.time():
        return None
    try:
        return base64url_to_bytes(state["challenge"]), state
    except (KeyError, TypeError, ValueError):
        return None


@bp.post("/passkeys/register/options")
@limiter.limit(SIGN_IN_LIMIT)
@login_required
def passkey_registration_options():
    """Check the name and the password, then hand out creation options."""
    user = current_user._get_current_object()
    try:
        data = _body()
        name, options, challenge = start_registration(
            db.session, user, relying_party(), name=data.get("name"), password=data.get("password"),
            source=client_source(),
        )
    except WrongCurrentPasswordError as error:
        db.session.commit()  # the failure counts toward the lockout
        return _error(error.message, 422, error.field)
    except FinoraError as error:
        db.session.rollback()
        return _error(error.message, 422 if error.field else error.status, error.field)
    _keep_challenge(REGISTRATION, challenge, user_id=user.id, name=name)
    return _options_response(options)


@bp.post("/passkeys/register/verify")
@limiter.limit("10 per minute")
@login_required
def passkey_registration_verify():
    user = current_user._get_current_object()
    kept = _take_challenge(REGISTRATION)
    if kept is None or kept[1].get("user_id") != user.id:
        return _error(_("The passkey request expired. Try again."), 400)
    challenge, state = kept
    try:
        passkey = add_passkey(
            db.session, user, name=state.get("name"), credential=_body().get("credential"),
            challenge=challenge, rp=relying_party(),
        )
    except FinoraError as error:
        db.session.rollback()
        current_app.logger.info("passkey registration refused user=%s", user.id)
        return _error(error.message, 422 if error.field else error.status, error.field)
    db.session.commit()
    flash(_("Passkey “%(name)s” added.", name=passkey.name), "success")
    return jsonify(redirect=url_for("profile.passkeys"))


@bp.post("/passkeys/sign-in/options")
@limiter.limit("30 per minute")
def passkey_sign_in_options():
    """The same answer for every visitor: no e-mail asked, no credentials listed."""
    options, challenge = authentication_options(relying_party())
    _keep_challenge(SIGN_IN, challenge)
    return _options_response(options)


def _refuse_sign_in(error: FinoraError, user=None):
    db.session.rollback()
    record_failed_passkey_sign_in(db.session, user)
    db.session.commit()
    current_app.logger.info("passkey sign-in failed")
    return _error(error.message, error.status)


@bp.post("/passkeys/sign-in/verify")
@limiter.limit("10 per minute")
def passkey_sign_in_verify():
    kept = _take_challenge(SIGN_IN)
    if kept is None:
        return _refuse_sign_in(PasskeySignInError(_l("The passkey request expired. Try again.")))
    try:
        user = authenticate_with_passkey(
            db.session, credential=_body().get("credential"), challenge=kept[0], rp=relying_party()
        )
    except PasskeySignInError as error:
        return _refuse_sign_in(error, error.user)
    except MalformedRequestError as error:
        return _refuse_sign_in(error)
    response = finish_sign_in(
        user, remember=False, method="passkey", next_url=request.args.get("next")
    )
    # The script navigates itself; keep the response's cookies, answer in JSON.
    target = response.location
    response.status_code = 200
    del response.headers["Location"]
    response.set_data(jsonify(redirect=target).get_data())
    response.mimetype = "application/json"
    return response
