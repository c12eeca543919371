"""The backup centre (owners only, enforced by the role guard): the household's backups,
made now or on a schedule, downloaded, verified, deleted, and restored into a new household
or in place of this one."""

from flask import Blueprint, current_app, request
from flask_login import login_required

bp = Blueprint("backups", __name__)

# The one view that takes an archive upload; its limit is BACKUP_MAX_UPLOAD_BYTES.
UPLOAD_ENDPOINT = "backups.restore_upload"


def _raise_upload_limit():
    """The app's MAX_CONTENT_LENGTH (16 MiB) is for forms; a backup may be far larger. Set
    before any hook reads the body (the CSRF check does, before the blueprint's hooks)."""
    if request.endpoint == UPLOAD_ENDPOINT:
        request.max_content_length = current_app.config["BACKUP_MAX_UPLOAD_BYTES"]


@bp.record_once
def _install(state):
    state.app.before_request_funcs.setdefault(None, []).insert(0, _raise_upload_limit)


@bp.before_request
@login_required
def _owners_only():
    # Owners only: finora.web.permissions refuses editors and viewers (OWNER_ONLY_BLUEPRINTS).
    return None


from finora.web.backups import restore_views, views  # noqa: E402,F401
