"""Rules."""

from flask import Blueprint
from flask_login import login_required

bp = Blueprint("rules", __name__)


@bp.before_request
@login_required
def _members_only():
    return None


from finora.web.rules import csv_views, views  # noqa: E402,F401
