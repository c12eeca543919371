"""Dashboard views (the ledger issue fills this with the month's figures)."""

from __future__ import annotations

from flask import render_template
from flask_login import login_required

from finora.tenancy import require_household
from finora.web.dashboard import bp


@bp.get("/dashboard")
@login_required
def index():
    return render_template("dashboard/index.html", household=require_household())
