"""The household's tags: list them with their entry counts, rename, merge, delete."""

from flask import Blueprint
from flask_login import login_required

bp = Blueprint("tags", __name__)


@bp.before_request
@login_required
def _members_only():
    # Roles are enforced for every household page by finora/web/permissions.py.
    return None


from finora.web.tags import views  # noqa: E402,F401
