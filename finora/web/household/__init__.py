"""The household's settings page."""

from flask import Blueprint
from flask_login import login_required

bp = Blueprint("household", __name__)


@bp.before_request
@login_required
def _members_only():
    # Owner-only once roles land (security issue); any member for now.
    return None


from finora.web.household import views  # noqa: E402,F401
