"""Signing a user in and out of a server-side session (finora.services.people.user_sessions).

Flask-Login keeps "<user id>:<session token>" as the user's id, in the session cookie and
in the remember-me cookie alike; `load_session_user` (the user loader) accepts it only
while the matching UserSession is live, so ending a session ends its remember-me cookie too.
The second factor plugs in between `start_sign_in` (password checked) and `finish_sign_in`.
"""

from __future__ import annotations

import time

from flask import flash, g, redirect, request, session, url_for
from flask_babel import force_locale, ngettext
from flask_login import login_user, logout_user
from werkzeug.wrappers import Response

from finora.crypto import new_token
from finora.dates import now_utc
from finora.extensions import db
from finora.models import User
from finora.models.security import UserSession
from finora.services.people import user_sessions
from finora.services.people.auth import signed_in_from, source_of
from finora.translation import gettext as _
from finora.web.navigation import safe_path

PENDING_KEY = "pending_sign_in"
PENDING_SECONDS = 5 * 60
_REMEMBER_COOKIE = "remember_token"


# Current-password checks on profile pages are limited as sign-in is (per client address).
SIGN_IN_LIMIT = "10 per 5 minutes"


def client_source() -> str:
    """The source failed sign-ins are counted against: the client address as ProxyFix
    gives it (TRUSTED_PROXIES), an IPv6 one as its /64."""
    return source_of(request.remote_addr)


def current_user_session() -> UserSession | None:
    """The UserSession of this request's signed-in browser, if any."""
    return g.get("user_session")


def log_in(user: User, *, remember: bool, method: str) -> UserSession:
    """Record the session, sign the browser in, reset failed sign-ins, audit, commit.
    For callers that send their own response (sign-up); others use finish_sign_in."""
    token = new_token()
    record = user_sessions.start_user_session(
        db.session,
        user,
        token,
        user_agent=request.headers.get("User-Agent"),
        ip_address=request.remote_addr,
        remember=remember,
        method=method,
    )
    signed_in_from(db.session, user, client_source())  # after the user's row, as failures do
    db.session.commit()
    locale = session.get("locale")
    session.clear()  # nothing from before the sign-in survives it
    if locale:
        session["locale"] = locale
    login_user(user, remember=remember)
    session["_user_id"] = f"{user.id}:{token}"  # what both cookies carry
    g.user_session = record
    return record


def flash_welcome(user: User) -> None:
    """The welcome after sign-up or a confirmed address, in the language the user chose:
    this request was chosen its language before anyone was signed in."""
    with force_locale(user.locale):
        flash(_("Welcome to Finora, %(name)s!", name=user.name), "success")


def finish_sign_in(
    user: User, *, remember: bool, method: str, next_url: str | None = None
) -> Response:
    """Complete a sign-in and go to the safe `next` (given, or kept by start_sign_in)."""
    pending = session.get(PENDING_KEY) or {}
    target = safe_path(next_url) or safe_path(pending.get("next"))
    log_in(user, remember=remember, method=method)
    return redirect(target or url_for("dashboard.index"))


def start_sign_in(user: User, *, remember: bool, next_url: str | None) -> Response:
    """After a correct password: ask for the second factor if the user has one."""
    if user.totp_enabled:
        db.session.rollback()  # nothing is recorded until the second factor is given
        session[PENDING_KEY] = {
            "user_id": user.id,
            "remember": bool(remember),
            "next": safe_path(next_url),
            "started": int(time.time()),
        }
        return redirect(url_for("auth.two_factor"))
    return finish_sign_in(user, remember=remember, method="password", next_url=next_url)


def pending_sign_in_user() -> tuple[User, dict] | None:
    """The user who passed the password step less than five minutes ago, and the kept data."""
    data = session.get(PENDING_KEY)
    if not isinstance(data, dict):
        return None
    started = data.get("started")
    if not isinstance(started, int) or not 0 <= time.time() - started <= PENDING_SECONDS:
        clear_pending_sign_in()
        return None
    user = db.session.get(User, data.get("user_id"))
    if user is None or not user.is_active:
        clear_pending_sign_in()
        return None
    return user, data


def clear_pending_sign_in() -> None:
    session.pop(PENDING_KEY, None)


def sign_out() -> None:
    """End this browser's session (audited) and forget the user."""
    record = current_user_session()
    user = db.session.get(User, record.user_id) if record is not None else None
    if record is not None and user is not None:
        user_sessions.end_session(db.session, record, user)
        db.session.commit()
    locale = user.locale if user is not None else session.get("locale")
    logout_user()
    session.clear()
    if locale:
        session["locale"] = locale
    g.pop("user_session", None)


def _forget_browser() -> None:
    """Drop a dead session id and its remember-me cookie."""
    session.pop("_user_id", None)
    if _REMEMBER_COOKIE in request.cookies:
        session["_remember"] = "clear"


def load_session_user(raw_id: str) -> User | None:
    """Flask-Login's user loader: the user of a live session, noting activity; a session
    past the user's inactivity timeout is ended here, with a message saying why."""
    user_id, _, token = (raw_id or "").partition(":")
    if not user_id.isdigit() or not token:
        _forget_browser()
        return None
    found = user_sessions.find_live_session(db.session, int(user_id), token)
    if found is None:
        _forget_browser()
        return None
    record, user = found
    now = now_utc()
    if user_sessions.has_timed_out(record, user, now):
        user_sessions.end_for_inactivity(db.session, record, user, now)
        db.session.commit()
        # The locale selector asks current_user, which is being loaded: name the locale.
        with force_locale(user.locale):
            message = ngettext(
                "You were signed out after %(num)d minute of inactivity.",
                "You were signed out after %(num)d minutes of inactivity.",
                user.session_timeout_minutes,
            )
        flash(message, "warning")
        session["locale"] = user.locale
        _forget_browser()
        return None
    if user_sessions.touch(record, user, now):
        db.session.commit()
    g.user_session = record
    return user
