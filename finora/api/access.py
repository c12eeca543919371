"""Who calls the API and what they may do (docs/api.md, "Authentication").

A bearer token (Authorization: Bearer …) or the browser's session cookie. A token needs no
CSRF token; a cookie-authenticated write must send the page's CSRF token in X-CSRFToken,
so a page elsewhere cannot make a signed-in browser write. Writes to the household need a
role that may write (owner or editor) and, with a token, the write scope; endpoints about
the person (sign-out, the password) need only a caller; sign-in endpoints need nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app, g, request
from flask_login import current_user
from flask_wtf.csrf import validate_csrf
from wtforms import ValidationError

from finora.errors import FinoraError
from finora.extensions import db
from finora.models import Membership, User
from finora.services.people.api_tokens import Bearer, authenticate
from finora.tenancy import current_membership
from finora.translation import lazy_gettext as _l

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
PUBLIC, PERSONAL, HOUSEHOLD, ADMIN = "public", "personal", "household", "admin"


class UnauthorizedError(FinoraError):
    message = _l("Sign in first: send a valid token (Authorization: Bearer …).")
    status = 401


class ForbiddenError(FinoraError):
    message = _l("You do not have permission to do this.")
    status = 403


class ReadOnlyTokenError(ForbiddenError):
    message = _l("This token can only read: make a token with write access for this.")


class ViewerWriteError(ForbiddenError):
    message = _l("Guests of this household can look but not change anything.")


class CsrfHeaderError(ForbiddenError):
    message = _l("A write signed in with the browser's cookie must send the X-CSRFToken header.")


class NoHouseholdError(FinoraError):
    message = _l("Your account has no household.")
    status = 404


@dataclass(frozen=True)
class Caller:
    user: User
    membership: Membership | None
    bearer: Bearer | None  # None: the browser's session cookie

    @property
    def role(self) -> str | None:
        return self.membership.role if self.membership else None


def public(view: Callable) -> Callable:
    """An endpoint anyone may call (signing in)."""
    view.api_access = PUBLIC
    return view


def personal(view: Callable) -> Callable:
    """An endpoint about the caller, not the household: any role, any token scope."""
    view.api_access = PERSONAL
    return view


def instance_admin(view: Callable) -> Callable:
    """An endpoint about the instance (users, approvals): the global administrator only,
    any household, a token with the write scope for writes."""
    view.api_access = ADMIN
    return view


def access_of(endpoint: str | None) -> str:
    view = current_app.view_functions.get(endpoint or "")
    return getattr(view, "api_access", HOUSEHOLD)


def _bearer_token() -> str | None:
    header = request.headers.get("Authorization")
    if header is None:
        return None
    scheme, _, raw = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not raw.strip():
        raise UnauthorizedError()
    return raw.strip()


def identify() -> Caller | None:
    """Who this request is from (None: nobody); a token that does not work is a 401."""
    raw = _bearer_token()
    if raw is not None:
        bearer = authenticate(db.session, raw)
        if bearer is None:
            raise UnauthorizedError()
        db.session.commit()  # last_used_at, at most every few minutes
        g._login_user = bearer.user  # current_user is the token's user in this request
        g.membership = bearer.membership  # the tenancy helper scopes to its household
        return Caller(bearer.user, bearer.membership, bearer)
    if current_user.is_authenticated:
        return Caller(current_user._get_current_object(), current_membership(), None)
    return None


def check_access() -> None:
    """Before every /api/v1 request: identify the caller and refuse what they may not do."""
    access = access_of(request.endpoint)
    found = identify() if access != PUBLIC or request.headers.get("Authorization") else None
    g.api_caller = found
    if access == PUBLIC:
        return
    if found is None:
        raise UnauthorizedError()
    if request.method in WRITE_METHODS and found.bearer is None:
        try:
            validate_csrf(request.headers.get("X-CSRFToken") or request.headers.get("X-CSRF-Token"))
        except ValidationError:
            raise CsrfHeaderError() from None
    if access == PERSONAL:
        return
    if access == ADMIN:
        if not found.user.is_admin:
            raise ForbiddenError()
        if request.method in WRITE_METHODS and found.bearer is not None and not found.bearer.can_write:
            raise ReadOnlyTokenError()
        return
    if found.membership is None:
        raise NoHouseholdError()
    if request.method in WRITE_METHODS:
        if found.bearer is not None and not found.bearer.can_write:
            raise ReadOnlyTokenError()
        if found.role not in ("owner", "editor"):
            raise ViewerWriteError()


def caller() -> Caller:
    """The identified caller of a non-public endpoint."""
    found = g.get("api_caller")
    if found is None:
        raise UnauthorizedError()
    return found
