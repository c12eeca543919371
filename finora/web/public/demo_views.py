"""The one-click demo in the browser (DEMO_MODE_ENABLED): the welcome page's "Try the demo"
button posts here, a fresh demo household is made and the visitor is signed in to it.

Also the demo's fences: a demo visitor cannot reach the pages that change credentials,
invite people, send e-mail, make API tokens or touch the instance (they are redirected to
the dashboard with a note), and `demo_banner` gives base.html the countdown to the expiry.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import abort, current_app, flash, redirect, request, url_for
from flask_login import current_user

from finora.dates import now_utc
from finora.extensions import db, limiter
from finora.i18n import current_language
from finora.models.user import LOCALES
from finora.services.people.demo import DemoCapacityError, create_demo, is_demo
from finora.translation import gettext as _
from finora.web.auth.signin import log_in, sign_out
from finora.web.public import bp

# Whole areas a demo visitor never opens: the instance's administration and updates.
DEMO_REFUSED_BLUEPRINTS = frozenset({"admin"})
# Single pages: credentials (password, e-mail, second factor, passkeys, recovery key),
# inviting and managing people, more households, API tokens, the instance's updates.
DEMO_REFUSED_ENDPOINTS = frozenset({
    "profile.password", "profile.recovery_key", "profile.two_factor",
    "profile.two_factor_setup", "profile.two_factor_confirm", "profile.two_factor_cancel",
    "profile.two_factor_disable", "profile.two_factor_backup_codes",
    "profile.passkeys", "profile.delete_passkey", "profile.rename_passkey_page",
    "auth.passkey_registration_options", "auth.passkey_registration_verify",
    "profile.api_tokens", "profile.create_api_token", "profile.revoke_api_token",
    "household.invite_member", "household.cancel", "household.set_role", "household.remove",
    "invitations.accept", "updates.apply", "updates.check",
})
# Pages a demo visitor may read but not post (their e-mail address; another household).
DEMO_READ_ONLY_ENDPOINTS = frozenset({"profile.details", "profile.households"})


def _locale() -> str:
    language = current_language()
    return language if language in LOCALES else "en"


def _demo_limit() -> str:
    return current_app.config["DEMO_RATE_LIMIT"]


@bp.post("/demo")
@limiter.limit(_demo_limit)
def try_demo():
    """Make a demo household and sign the visitor in to it (CSRF-checked like every form)."""
    if not current_app.config.get("DEMO_MODE_ENABLED"):
        abort(404)
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    try:
        user, _household = create_demo(
            db.session, now=now_utc(), ttl=timedelta(hours=int(current_app.config["DEMO_TTL_HOURS"])),
            locale=_locale(), max_active=int(current_app.config["DEMO_MAX_ACTIVE"]),
        )
    except DemoCapacityError as error:
        db.session.rollback()
        flash(str(error.message), "warning")
        return redirect(url_for("public.index"))
    log_in(user, remember=False, method="demo")
    flash(_("Welcome to the demo: everything here is made up, so try anything."), "success")
    return redirect(url_for("dashboard.index"))


def refuse_demo_pages():
    """Before every page: keep a demo visitor away from what it may not do."""
    if not current_user.is_authenticated or not is_demo(current_user):
        return None
    if request.endpoint == "static":
        return None
    if _expires(current_user.demo_expires_at) <= now_utc():
        # Over, but not purged yet (the job runs now and then): the visitor is let go.
        sign_out()
        flash(_("This demo has expired."), "info")
        return redirect(url_for("public.index"))
    endpoint = request.endpoint or ""
    refused = (
        request.blueprint in DEMO_REFUSED_BLUEPRINTS
        or endpoint in DEMO_REFUSED_ENDPOINTS
        or (endpoint in DEMO_READ_ONLY_ENDPOINTS and request.method == "POST")
    )
    if not refused:
        return None
    flash(_("This is not available in the demo."), "warning")
    return redirect(url_for("dashboard.index"))


def _expires(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def demo_banner() -> dict | None:
    """What the countdown banner shows: the expiry (ISO, UTC) and the time left now."""
    if not current_user.is_authenticated or not is_demo(current_user):
        return None
    expires = _expires(current_user.demo_expires_at)
    seconds = max(0, int((expires - now_utc()).total_seconds()))
    return {
        "expires_at": expires.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "hours": seconds // 3600,
        "minutes": seconds % 3600 // 60,
        "seconds_left": seconds,
    }


@bp.record_once
def _set_up(state) -> None:
    app = state.app
    app.before_request(refuse_demo_pages)
    app.context_processor(lambda: {"demo_banner": demo_banner})
