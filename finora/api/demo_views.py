"""POST /api/v1/auth/demo: a demo household and a token for it, without a sign-up
(DEMO_MODE_ENABLED; 404 otherwise). Also refuses the credential endpoints to demo callers."""

from __future__ import annotations

from datetime import timedelta

from flask import abort, current_app, g, request

from finora.api import bp
from finora.api.access import ForbiddenError, public
from finora.api.auth_views import user_json
from finora.api.envelope import one
from finora.api.responses_auth import DemoOut
from finora.api.serialize import stamp
from finora.api.spec import documented
from finora.dates import now_utc
from finora.extensions import db, limiter
from finora.i18n import current_language
from finora.models.user import LOCALES
from finora.services.people.api_tokens import issue_token
from finora.services.people.demo import create_demo, is_demo
from finora.services.system import audit
from finora.translation import lazy_gettext as _l

# API endpoints a demo caller may not use: its credentials are not its own to change.
DEMO_REFUSED_ENDPOINTS = frozenset({"api.password"})


class DemoRestrictedError(ForbiddenError):
    message = _l("This is not available in the demo.")


def _demo_limit() -> str:
    return current_app.config["DEMO_RATE_LIMIT"]


def _locale() -> str:
    language = current_language()
    return language if language in LOCALES else "en"


@bp.post("/auth/demo")
@limiter.limit(_demo_limit)
@public
@documented(_l("Try the demo: a demo household and its token"), tag="Authentication", response=DemoOut,
            description=_l("Only while demo mode is on (404 otherwise)."))
def demo():
    """A fresh demo household filled with a year of finances, and a token that lives as
    long as the demo does."""
    if not current_app.config.get("DEMO_MODE_ENABLED"):
        abort(404)
    now = now_utc()
    ttl = timedelta(hours=int(current_app.config["DEMO_TTL_HOURS"]))
    user, household = create_demo(db.session, now=now, ttl=ttl, locale=_locale(),
                                  max_active=int(current_app.config["DEMO_MAX_ACTIVE"]))
    issued = issue_token(db.session, user, household, ttl=ttl, name="Demo", kind="login", now=now)
    audit.record(db.session, "auth.signed_in", user=user, details={"method": "demo"})
    db.session.commit()
    membership = user.memberships[0]
    return one({"token": issued.raw, "user": user_json(user, membership),
                "expires_at": stamp(household.demo_expires_at)})


@bp.before_request
def _refuse_demo_callers():
    found = g.get("api_caller")
    if found is not None and request.endpoint in DEMO_REFUSED_ENDPOINTS and is_demo(found.user):
        raise DemoRestrictedError()
