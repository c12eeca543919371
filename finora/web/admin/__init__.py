"""Instance administration (global admin only)."""

from flask import Blueprint, abort
from flask_login import current_user, login_required

bp = Blueprint("admin", __name__)


@bp.before_request
@login_required
def _admin_only():
    # Not an admin: the area does not exist for them (404, as for any foreign id).
    if not current_user.is_admin:
        abort(404)


from finora.web.admin import backup_views, log_views, settings_views, status_views, views  # noqa: E402,F401
