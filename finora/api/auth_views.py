"""/api/v1/auth: sign in for a token (with the second factor when it is on), rotate it,
sign out, who am I, change the password."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, request
from itsdangerous import BadSignature, URLSafeTimedSerializer

from finora.api import bp
from finora.api.access import UnauthorizedError, caller, personal, public
from finora.api.body import read_json
from finora.api.envelope import one
from finora.api.responses_auth import LoginOut, MessageOut, TokenOut, UserOut
from finora.api.schemas import LoginBody, PasswordBody, SecondFactorBody
from finora.api.spec import documented
from finora.errors import FinoraError
from finora.extensions import db, limiter
from finora.models import Membership, User
from finora.services.people.api_tokens import issue_token, revoke_token, rotate_token
from finora.services.people.auth import authenticate, signed_in_from, source_of
from finora.services.people.password_change import change_password
from finora.services.people.two_factor_sign_in import verify_second_factor
from finora.services.people.user_sessions import note_completed_sign_in
from finora.translation import gettext as _
from finora.translation import lazy_gettext as _l

CHALLENGE_SECONDS = 300
CHALLENGE_SALT = "finora-api-second-factor"
LOGIN_LIMIT = "10 per minute"


class BadCredentialsError(UnauthorizedError):
    # One message for every failure: the answer tells nothing about the account.
    message = _l("Invalid credentials or account is not active.")


def user_json(user: User, membership: Membership | None) -> dict:
    """The user object PyCashFlow's client decodes (every field present, never null)."""
    role = membership.role if membership else None
    return {
        "id": user.id,
        "email": user.email,
        "name": user.name,
        "is_admin": role == "owner",  # PyCashFlow: the account's owner
        "is_global_admin": bool(user.is_admin),
        "twofa_enabled": user.totp_enabled_at is not None,
        "is_guest": role == "viewer",
    }


def _source() -> str:
    return source_of(request.remote_addr)


def first_membership(user: User) -> Membership | None:
    return min(user.memberships, key=lambda m: m.id, default=None)


def _ttl() -> timedelta:
    return timedelta(days=int(current_app.config["API_TOKEN_TTL_DAYS"]))


def _device_name(given: str | None) -> str:
    name = " ".join((given or "").split())
    if name:
        return name[:100]
    agent = " ".join((request.user_agent.string or "").split())
    return (_("API sign-in") + (f" ({agent})" if agent else ""))[:100]


def token_answer(user: User, membership: Membership, device_name: str | None, *,
                 method: str = "api"):
    """Sign the user in for an app: a new token, the sign-in noted and audited."""
    issued = issue_token(db.session, user, membership.household, ttl=_ttl(),
                         name=_device_name(device_name), kind="login")
    signed_in_from(db.session, user, _source())
    note_completed_sign_in(db.session, user, method=method)
    db.session.commit()
    return one({"token": issued.raw, "user": user_json(user, membership)})


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=CHALLENGE_SALT)


@bp.post("/auth/login")
@limiter.limit(LOGIN_LIMIT)
@public
@documented(_l("Sign in for a token"), tag="Authentication", body=LoginBody, response=LoginOut,
            description=_l("With two-factor sign-in on, the answer holds a challenge instead "
                           "of a token: finish with POST /auth/login/2fa."))
def login():
    body = read_json(LoginBody)
    try:
        user = authenticate(db.session, body.email, body.password, _source())
    except FinoraError:
        db.session.commit()  # the failure counts toward the lockout
        raise BadCredentialsError() from None
    membership = first_membership(user)
    if membership is None:
        raise BadCredentialsError()
    if user.totp_enabled_at is not None:
        challenge = _serializer().dumps({"u": user.id, "m": membership.id})
        return one({"twofa_required": True, "challenge": challenge,
                    "user": user_json(user, membership)})
    return token_answer(user, membership, body.device_name)


@bp.post("/auth/login/2fa")
@limiter.limit(LOGIN_LIMIT)
@public
@documented(_l("Finish a two-factor sign-in"), tag="Authentication", body=SecondFactorBody,
            response=TokenOut)
def login_second_factor():
    body = read_json(SecondFactorBody)
    try:
        claims = _serializer().loads(body.challenge, max_age=CHALLENGE_SECONDS)
        user = db.session.get(User, int(claims["u"]))
        membership = db.session.get(Membership, int(claims["m"]))
    except (BadSignature, KeyError, TypeError, ValueError):
        raise BadCredentialsError() from None
    if (user is None or membership is None or membership.user_id != user.id
            or user.status != "active" or user.totp_enabled_at is None):
        raise BadCredentialsError()
    try:
        verify_second_factor(db.session, user, body.code, _source())
    except FinoraError:
        db.session.commit()  # a wrong code counts toward the lockout
        raise BadCredentialsError() from None
    return token_answer(user, membership, body.device_name)


@bp.post("/auth/logout")
@personal
@documented(_l("Sign out: revoke the token sent"), tag="Authentication", response=MessageOut)
def logout():
    """Revoke the token used; a cookie session is left alone (the page's sign-out ends it)."""
    found = caller()
    if found.bearer is not None:
        revoke_token(db.session, found.bearer.token)
        db.session.commit()
    return one({"message": _("Logged out")})


@bp.post("/auth/refresh")
@personal
@documented(_l("A new token for the one sent"), tag="Authentication", response=TokenOut)
def refresh():
    """A new token for the one used (which stops working at once), with a new lifetime."""
    found = caller()
    if found.bearer is None:
        raise UnauthorizedError()
    issued = rotate_token(db.session, found.bearer, ttl=_ttl())
    db.session.commit()
    return one({"token": issued.raw, "user": user_json(found.user, found.membership)})


@bp.get("/auth/me")
@personal
@documented(_l("Who is signed in"), tag="Authentication", response=UserOut)
def me():
    found = caller()
    return one(user_json(found.user, found.membership))


@bp.put("/auth/password")
@limiter.limit(LOGIN_LIMIT)
@personal
@documented(_l("Change the password"), tag="Authentication", body=PasswordBody, response=MessageOut)
def password():
    """Change the password: every other token and every browser session end."""
    found = caller()
    body = read_json(PasswordBody)
    try:
        change_password(
            db.session, found.user, current=body.current_password, new=body.new_password,
            keep_session_id=None, source=_source(),
            keep_token_id=found.bearer.token.id if found.bearer else None,
        )
    except FinoraError:
        db.session.commit()  # a wrong current password counts toward the lockout
        raise
    db.session.commit()
    return one({"message": _("Password changed.")})
