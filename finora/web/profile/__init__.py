"""The profile hub: the signed-in user's own details and security, one page per section.

Each section registers itself (finora.web.profile.sections.register) from its own views
module, so areas can be added without touching the hub.
"""

from flask import Blueprint
from flask_login import login_required

bp = Blueprint("profile", __name__)


@bp.before_request
@login_required
def _signed_in_only():
    return None


from finora.web.profile import views  # noqa: E402,F401
