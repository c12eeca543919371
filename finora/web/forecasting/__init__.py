"""Forecast: the daily projected balance, its cards and risk score, skips, holds and what-if
scenarios."""

from flask import Blueprint
from flask_login import login_required

bp = Blueprint("forecasting", __name__)


@bp.before_request
@login_required
def _members_only():
    return None


from finora.web.forecasting import scenarios, views  # noqa: E402,F401
