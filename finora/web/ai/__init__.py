"""AI insights settings and refresh (owners only, enforced by the role guard:
OWNER_ONLY_BLUEPRINTS). Everyone in the household reads the cached insights on the forecast
page (finora/web/forecasting)."""

from flask import Blueprint
from flask_login import login_required

bp = Blueprint("ai", __name__)


@bp.before_request
@login_required
def _owners_only():
    # Owners only: finora.web.permissions refuses editors and viewers.
    return None


from finora.web.ai import views  # noqa: E402,F401 - registers the routes
