"""Welcome page, language switcher and /healthz."""

from __future__ import annotations

from flask import current_app, jsonify, redirect, render_template, session, url_for
from flask_login import current_user

from finora.database import database_ok
from finora.extensions import db, limiter
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
    ok = database_ok()
    body = {
        "status": "ok" if ok else "degraded",
        "database": "ok" if ok else "error",
        "version": current_app.config["VERSION"],
    }
    return jsonify(body), 200 if ok else 503
