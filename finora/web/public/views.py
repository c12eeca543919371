"""Welcome page, language switcher, /healthz (liveness) and /readyz (readiness)."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, jsonify, redirect, render_template, session, url_for
from flask_login import current_user

from finora.extensions import db, limiter
from finora.jobs import LEASE_NAME
from finora.services.system.health import LEASE_GRACE, liveness, readiness
from finora.web.forms import LanguageForm
from finora.web.navigation import safe_next
from finora.web.public import bp


@bp.get("/")
def index():
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    return render_template("public/welcome.html")


@bp.post("/language")
def set_language():
    form = LanguageForm()
    if form.validate_on_submit():
        session["locale"] = form.locale.data
        if current_user.is_authenticated:
            current_user.locale = form.locale.data
            db.session.commit()
    return redirect(safe_next(form.next.data))


@bp.get("/healthz")
@limiter.exempt
def healthz():
    """Cheap liveness: 200 while the database answers at the code's migration head, else
    503 "degraded" (the schema guard is answering every page with a 503 meanwhile)."""
    body = liveness()
    body["version"] = current_app.config["VERSION"]
    return jsonify(body), 200 if body["status"] == "ok" else 503


@bp.get("/readyz")
@limiter.exempt
def readyz():
    """Ready for traffic: database, migration head and, with the scheduler on, a lease
    someone renews. Each check by name; 200 only when every one passes."""
    config = current_app.config
    # A lease is renewed every tick: a long tick interval allows as long a gap.
    grace = max(LEASE_GRACE, timedelta(seconds=int(config.get("SCHEDULER_TICK_SECONDS") or 0)))
    checks = readiness(
        db.session,
        scheduler_lease=LEASE_NAME if config.get("SCHEDULER_ENABLED") else None,
        grace=grace,
    )
    ready = all(check.ok for check in checks)
    body = {
        "status": "ready" if ready else "not_ready",
        "checks": {check.name: check.state for check in checks},
        "version": config["VERSION"],
    }
    return jsonify(body), 200 if ready else 503
